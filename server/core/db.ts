// Postgres access. Tenant isolation is enforced by row-level security keyed on the
// session setting app.org_id; this module is the only place that sets it.
//
// Cost model (DESIGN §10): a tenant-scoped read costs the round trips of its own
// statements and nothing more: each statement travels in one message batch behind a
// set_config('app.org_id', <org>, true) that lives only until that batch's Sync
// (core/scoped-query.ts), so no connection ever carries a tenant, between statements or
// back into the pool, and there is no reset round trip. A write runs in a transaction
// whose BEGIN and SET LOCAL ride with its first statement, so the tenant dies with the
// transaction whatever happens; statements a transaction issues together (Promise.all)
// share one round trip.
import pg from 'pg';
import { COMMIT, pipelinedTxQueryable, queryInOrder, scopedQueryable } from './scoped-query.js';

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface TxOptions {
  /** A consistent read-only snapshot (REPEATABLE READ READ ONLY), e.g. for verification. */
  snapshot?: boolean;
}

export interface Db {
  pool: pg.Pool;
  /** Queries on global (cross-tenant) tables; tenant tables return nothing here. */
  query: pg.Pool['query'];
  /** Runs fn with app.org_id set on its connection (no transaction). */
  withTenant<T>(orgId: string, fn: (db: Queryable) => Promise<T>): Promise<T>;
  /** Runs fn in a transaction with app.org_id set locally. */
  withTenantTx<T>(orgId: string, fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T>;
  /** Runs fn with app.user_id set locally: the user's own memberships become visible. */
  withUserTx<T>(userId: string, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A transaction without tenant context (global tables only). */
  tx<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function assertUuid(value: string, what: string): void {
  // The id is inlined into a simple-protocol statement below, so it must be exactly a uuid.
  if (!isUuid(value)) throw new TypeError(`${what} must be a uuid`);
}

// int8 (bigint) columns come back as numbers: audit sequences and counters stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export function createDb(options: { connectionString: string; max?: number; applicationName?: string; connectTimeoutMs?: number }): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'hirebox',
    idleTimeoutMillis: 30_000,
    // Also bounds how long a request waits for a free pooled connection: past it the caller
    // gets an error (503) rather than queueing behind a stalled database.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  });
  // An idle client that errors (e.g. server restart) must not crash the process.
  pool.on('error', () => undefined);
  // Nor a checked-out one whose server goes away between two queries (issue 19 fault suite:
  // Postgres restarted mid-request): the pending or next query fails (503), the pool drops it.
  pool.on('connect', (client) => void client.on('error', () => undefined));

  async function runTx<T>(prefix: readonly string[], fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    const { q, started, committed } = pipelinedTxQueryable(client, prefix);
    try {
      const result = await fn(q);
      if (started() && !committed()) await queryInOrder(client, 'COMMIT');
      client.release();
      return result;
    } catch (err) {
      if (!started()) client.release();
      else
        await queryInOrder(client, 'ROLLBACK').then(
          () => client.release(),
          (rollbackErr: Error) => client.release(rollbackErr), // destroys the connection instead of pooling it
        );
      throw err;
    }
  }

  return {
    pool,
    query: pool.query.bind(pool) as pg.Pool['query'],
    async withTenant(orgId, fn) {
      assertUuid(orgId, 'orgId');
      const client = await pool.connect();
      try {
        return await fn(scopedQueryable(client, [`SELECT set_config('app.org_id', '${orgId}', true)`]));
      } finally {
        client.release();
      }
    },
    withTenantTx(orgId, fn, options) {
      assertUuid(orgId, 'orgId');
      const begin = options?.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
      return runTx([begin, `SELECT set_config('app.org_id', '${orgId}', true)`], fn);
    },
    withUserTx(userId, fn) {
      assertUuid(userId, 'userId');
      return runTx(['BEGIN', `SELECT set_config('app.user_id', '${userId}', true)`], fn);
    },
    tx(fn, options) {
      return runTx([options?.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN'], fn);
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Commits a transaction of this module (withTenantTx, withUserTx, tx) inside the batch of
 * the statements issued with it, saving the COMMIT's own round trip. A transaction ends
 * with it when its last locks are hot (another transaction waits for them): they are then
 * held for no round trip at all, only while the server runs the batch. If a statement
 * before it fails, it is not run and the transaction rolls back as usual. Nothing may be
 * issued after it: only statements a helper issues at once belong with it (one that reads,
 * awaits, then writes, as an event hook does, would write after the COMMIT and fail).
 */
export function commitIn(tx: Queryable): Promise<unknown> {
  return tx.query(COMMIT);
}

/**
 * The tenant-scoped part of the handle: every query runs with app.org_id (or app.user_id) set,
 * so row-level security confines it. Services that only serve one org declare this.
 */
export type TenantDb = Pick<Db, 'withTenant' | 'withTenantTx' | 'withUserTx'>;

/**
 * The explicitly global part: queries without a tenant (global tables, cross-tenant sweeps,
 * SECURITY DEFINER lookups). A service typed with it escapes tenancy and says why in a comment.
 */
export type GlobalDb = Pick<Db, 'query' | 'tx' | 'pool'>;
