// One round trip for "set the tenant, then run the statement" (DESIGN §10).
//
// A ScopedQuery is a pg Query that, in the same extended-protocol message batch as its
// own Parse/Bind/Execute, first executes a few fixed statements (e.g. BEGIN, or
// set_config('app.org_id', <uuid>, true)); only the one Sync at the end makes the server
// answer. Statements before a Sync share one implicit transaction, so a setting made with
// set_config(..., true) applies to the statement that follows and dies at that Sync: the
// connection never carries a tenant between statements, let alone back into the pool, and
// no reset round trip is needed. The prefix statements' own replies (no row description,
// one data row or none, one command tag each) are consumed here and never reach the result.
import pg from 'pg';
import type { Queryable } from './db.js';

/** The pieces of pg's (untyped) connection and Query internals this class relies on. */
interface WireConnection {
  parse(msg: { text: string; name?: string }): void;
  bind(msg: { portal?: string; statement?: string }): void;
  execute(msg: { portal?: string; rows?: number }): void;
}
interface QueryInternals {
  queryMode?: string;
  prepare(connection: WireConnection): void;
  handleDataRow(msg: unknown): void;
  handleCommandComplete(msg: unknown, connection: WireConnection): void;
  submit(connection: WireConnection): Error | null;
}
type QueryCtor = new (config: string | pg.QueryConfig, values: unknown[] | undefined, callback: (err: Error | undefined, result: pg.QueryResult) => void) => QueryInternals;

const BaseQuery = pg.Query as unknown as QueryCtor;

class ScopedQuery extends BaseQuery {
  readonly #prefix: readonly string[];
  #skip: number;

  constructor(prefix: readonly string[], config: string | pg.QueryConfig, values: unknown[] | undefined, callback: (err: Error | undefined, result: pg.QueryResult) => void) {
    super(config, values, callback);
    this.#prefix = prefix;
    this.#skip = prefix.length;
    // Always the extended protocol: the prefix and the statement travel as one batch.
    this.queryMode = 'extended';
  }

  override prepare(connection: WireConnection): void {
    // The unnamed statement and portal are reused by each prefix statement and then by
    // the query itself (a named query still parses under its own name).
    for (const text of this.#prefix) {
      connection.parse({ text });
      connection.bind({});
      connection.execute({ portal: '', rows: 0 });
    }
    super.prepare(connection);
  }

  override handleDataRow(msg: unknown): void {
    if (this.#skip === 0) super.handleDataRow(msg);
  }

  override handleCommandComplete(msg: unknown, connection: WireConnection): void {
    if (this.#skip > 0) this.#skip -= 1;
    else super.handleCommandComplete(msg, connection);
  }
}

/** Runs `config` on `client` after the prefix statements, in one round trip. */
export function scopedQuery<R extends pg.QueryResultRow>(client: pg.ClientBase, prefix: readonly string[], config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
  return new Promise((resolve, reject) => {
    const query = new ScopedQuery(prefix, config, values, (err, result) => (err ? reject(err) : resolve(result as pg.QueryResult<R>)));
    client.query(query as unknown as pg.Submittable);
  });
}

/**
 * A Queryable whose every statement runs after `prefix` in the same round trip (the
 * tenant-scoped read path: prefix = set_config(..., true)).
 */
export function scopedQueryable(client: pg.ClientBase, prefix: readonly string[]): Queryable {
  const query = (config: string | pg.QueryConfig, values?: unknown[]) => scopedQuery(client, prefix, config, values);
  return { query } as unknown as Queryable;
}

/**
 * A Queryable whose FIRST statement runs after `prefix` in the same round trip, the rest
 * plainly (a transaction: prefix = BEGIN + set_config(..., true)). `started` tells
 * whether the prefix went out (a transaction that issued nothing has nothing to commit).
 */
export function firstScopedQueryable(client: pg.ClientBase, prefix: readonly string[]): { q: Queryable; started: () => boolean } {
  let started = false;
  const query = (config: string | pg.QueryConfig, values?: unknown[]) => {
    if (started) return client.query(config, values);
    started = true;
    return scopedQuery(client, prefix, config, values);
  };
  return { q: { query } as unknown as Queryable, started: () => started };
}
