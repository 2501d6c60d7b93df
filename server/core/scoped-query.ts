// Fewer round trips for tenant-scoped work (DESIGN §10).
//
// A PipelineQuery is one pg submittable that sends several statements as one
// extended-protocol message batch ending in ONE Sync, so the server answers them all in
// one round trip: first a few fixed prefix statements (e.g. BEGIN, or
// set_config('app.org_id', <uuid>, true)) whose replies are consumed here, then the
// caller's statements, each answered to its own promise. Statements before a Sync share
// one implicit transaction, so a setting made with set_config(..., true) applies to the
// statements that follow and dies at that Sync: the connection never carries a tenant
// between batches, let alone back into the pool, and no reset round trip is needed. If a
// statement fails, the server skips the rest of the batch: the failed one rejects with
// the server's error, the ones after it with a "not run" error.
//
// Statements are prepared once per connection (named statements, see `nameFor`): an unnamed
// statement is parsed, analysed and planned by the server every time. Measured here (issue
// 19), two tenant reads with BEGIN, set_config and COMMIT took 0.51 ms of server CPU
// unnamed and 0.14 ms prepared; with 40 screenings starting at once, the SQL parser was
// where the database spent its burst.
import pg from 'pg';
import type { Queryable } from './db.js';

/** The pieces of pg's (untyped) connection and Query internals used here. */
interface WireConnection {
  parse(msg: { text: string; name?: string }): void;
  bind(msg: { portal?: string; statement?: string }): void;
  execute(msg: { portal?: string; rows?: number }): void;
  sync(): void;
  sendCopyFail(msg: string): void;
  stream: { cork?: () => void; uncork?: () => void };
  /** pg's record of the named statements this connection has prepared (name -> text). */
  parsedStatements: Record<string, string>;
  /** pg's record of named statements sent but not yet confirmed by ParseComplete. */
  submittedNamedStatements: Record<string, string>;
  on(event: 'parseComplete', listener: () => void): void;
  removeListener(event: 'parseComplete', listener: () => void): void;
}
interface QueryInternals {
  portal: string;
  name?: string;
  text: string;
  /** pg's own check: the connection holds this statement's name, or has a Parse of it on the wire. */
  hasBeenParsed(connection: WireConnection): boolean;
  prepare(connection: WireConnection): void;
  handleRowDescription(msg: unknown): void;
  handleDataRow(msg: unknown): void;
  handleCommandComplete(msg: unknown, connection: WireConnection): void;
  handleEmptyQuery(connection: WireConnection): void;
  handleError(err: Error, connection: WireConnection): void;
  handleReadyForQuery(connection: WireConnection): void;
}
type Callback = (err: Error | undefined, result: pg.QueryResult) => void;
type QueryCtor = new (config: pg.QueryConfig, values: undefined, callback: Callback) => QueryInternals;

const BaseQuery = pg.Query as unknown as QueryCtor;

/**
 * Statement texts get a process-wide name the first time they are seen, so a connection
 * prepares each once and then only binds and executes it. Bounded both ways: at most
 * MAX_NAMES texts are named (texts built at run time beyond that go out unnamed, as
 * before), and one connection holds at most MAX_PER_CONNECTION prepared statements (a
 * backend keeps each one's parse tree and plans). Only plain DML and queries are named:
 * transaction control and utility statements stay unnamed, and so do statements whose
 * columns follow the schema (`SELECT *`, `t.*`, `RETURNING *`): once prepared, their result
 * shape is fixed, so a column added by a migration while this process runs would make them
 * fail ("cached plan must not change result type") until it restarts.
 */
const MAX_NAMES = 2_000;
const MAX_PER_CONNECTION = 300;
const NAMEABLE = /^\s*(?:select|insert|update|delete|with)\b/i;
const SCHEMA_SHAPED = /(?:select|returning|distinct)\s+\*|\.\*/i;
const names = new Map<string, string>();

function nameFor(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMES && NAMEABLE.test(text) && !SCHEMA_SHAPED.test(text)) {
    name = `hirebox_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/** One statement of a batch: pg's own Query (parsing rows and types), minus its own Sync. */
class BatchedStatement extends BaseQuery {
  _getRows(connection: WireConnection): void {
    connection.execute({ portal: this.portal, rows: 0 });
  }
}

export interface Statement {
  text: string;
  values?: unknown[];
}

class PipelineQuery {
  /** Replies still to skip (prefix statements), then the statements still to answer. */
  #skip: number;
  #index = 0;
  #finished = false;
  readonly #prefix: readonly string[];
  readonly #statements: BatchedStatement[];
  /** The name each Parse of this batch creates (null: unnamed), in the order they were sent. */
  readonly #parses: (string | null)[] = [];
  #confirmed = 0;
  #connection: WireConnection | null = null;
  // pg's client reads these on the active query.
  readonly name = undefined;
  readonly text = 'pipelined batch';
  callback: Callback | undefined = undefined;
  /** Called once, when the batch is over (answered or failed): the client's next batch may go. */
  readonly #onDone: () => void;

  constructor(prefix: readonly string[], statements: readonly { config: Statement; callback: Callback }[], onDone: () => void) {
    this.#prefix = prefix;
    this.#onDone = onDone;
    this.#skip = prefix.length;
    // A caller's own statement name is dropped: names come from `nameFor`, one per text, so
    // the per-connection bookkeeping below sees every prepared statement.
    this.#statements = statements.map((s) => new BatchedStatement({ text: s.config.text, ...(s.config.values ? { values: s.config.values } : {}) }, undefined, s.callback));
  }

  submit(connection: WireConnection): null {
    this.#connection = connection;
    connection.on('parseComplete', this.#onParseComplete);
    connection.stream.cork?.();
    try {
      for (const text of this.#prefix) {
        this.#parses.push(null);
        connection.parse({ text });
        connection.bind({});
        connection.execute({ portal: '', rows: 0 });
      }
      for (const s of this.#statements) {
        this.#name(connection, s);
        s.prepare(connection);
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  /** Names `s` when its text has a name and the connection holds it or has room for it; records the Parse it will send, if any. */
  #name(connection: WireConnection, s: BatchedStatement): void {
    const name = nameFor(s.text);
    if (name !== undefined) {
      s.name = name;
      if (s.hasBeenParsed(connection)) return; // binds to the statement the connection holds
      const held = Object.keys(connection.parsedStatements).length + Object.keys(connection.submittedNamedStatements).length;
      if (held < MAX_PER_CONNECTION) {
        this.#parses.push(name);
        return;
      }
      s.name = undefined;
    }
    this.#parses.push(null);
  }

  // pg's client records a parsed name only for a query that is itself named; this batch's
  // ParseCompletes answer its Parses in order, so each confirms the next one sent.
  readonly #onParseComplete = (): void => {
    const name = this.#parses[this.#confirmed];
    this.#confirmed += 1;
    const connection = this.#connection;
    if (!name || !connection) return;
    connection.parsedStatements[name] = connection.submittedNamedStatements[name] ?? '';
    delete connection.submittedNamedStatements[name];
  };

  /** The batch is over: Parses the server skipped after an error created nothing, so they are forgotten and sent again next time. */
  #settleParses(): void {
    const connection = this.#connection;
    if (!connection) return;
    connection.removeListener('parseComplete', this.#onParseComplete);
    for (const name of this.#parses.slice(this.#confirmed)) if (name) delete connection.submittedNamedStatements[name];
  }

  #current(): BatchedStatement | undefined {
    return this.#skip > 0 ? undefined : this.#statements[this.#index];
  }

  handleRowDescription(msg: unknown): void {
    this.#current()?.handleRowDescription(msg);
  }

  handleDataRow(msg: unknown): void {
    this.#current()?.handleDataRow(msg);
  }

  handleCommandComplete(msg: unknown, connection: WireConnection): void {
    if (this.#skip > 0) {
      this.#skip -= 1;
      return;
    }
    this.#current()?.handleCommandComplete(msg, connection);
    this.#index += 1;
  }

  handleEmptyQuery(connection: WireConnection): void {
    if (this.#skip > 0) this.#skip -= 1;
    else {
      this.#current()?.handleEmptyQuery(connection);
      this.#index += 1;
    }
  }

  handlePortalSuspended(): void {
    // Every statement runs to completion (rows: 0), so the server never suspends a portal.
  }

  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('COPY is not supported in a pipelined batch');
  }

  handleCopyData(): void {}

  /** The server skips the rest of the batch after an error; pg delivers no ReadyForQuery to the query then. */
  handleError(err: Error, connection: WireConnection): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#settleParses();
    const failed = this.#skip > 0 ? 0 : this.#index;
    // The statements skipped after the failure carry its code and cause: whichever of them a
    // caller's Promise.all settles on first (a bare query promise settles before one behind
    // an async helper), the failure is classified as the server's error (e.g. 53100, disk
    // full: 503, not 500).
    const code = (err as Error & { code?: unknown }).code;
    const notRun = (): Error => Object.assign(new Error('not run: an earlier statement of its pipelined batch failed', { cause: err }), code === undefined ? {} : { code });
    this.#statements.forEach((s, i) => {
      if (i < failed) s.handleReadyForQuery(connection);
      else s.handleError(i === failed ? err : notRun(), connection);
    });
    this.#onDone();
  }

  handleReadyForQuery(connection: WireConnection): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#settleParses();
    for (const s of this.#statements) s.handleReadyForQuery(connection);
    this.#onDone();
  }
}

type Pending = { config: Statement; callback: Callback };

function toStatement(config: string | pg.QueryConfig, values?: unknown[]): Statement {
  if (typeof config === 'string') return values ? { text: config, values } : { text: config };
  const v = values ?? config.values;
  return v ? { text: config.text, values: v as unknown[] } : { text: config.text };
}

/**
 * Batches waiting for their client, which runs one at a time. pg queues a query issued while
 * another runs, but that queue is deprecated and goes in pg 9 ("Calling client.query() when
 * the client is already executing a query"), and callers here do issue concurrently: a
 * Promise.all over a scoped queryable, or the next batch of a transaction while a helper's
 * earlier one is out. A client is in this map while a batch of it is out.
 */
const waiting = new WeakMap<pg.ClientBase, PipelineQuery[]>();

function send(client: pg.ClientBase, prefix: readonly string[], batch: readonly Pending[]): void {
  const query = new PipelineQuery(prefix, batch, () => {
    const next = waiting.get(client)?.shift();
    if (next) client.query(next as unknown as pg.Submittable);
    else waiting.delete(client);
  });
  const queue = waiting.get(client);
  if (queue) queue.push(query);
  else {
    waiting.set(client, []);
    client.query(query as unknown as pg.Submittable);
  }
}

/** One statement on `client` after every batch issued before it (a transaction's COMMIT or ROLLBACK, core/db.ts). */
export function queryInOrder(client: pg.ClientBase, text: string): Promise<pg.QueryResult> {
  return promised((p) => send(client, [], [p]), text);
}

function promised<R extends pg.QueryResultRow>(push: (p: Pending) => void, config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
  return new Promise((resolve, reject) => push({ config: toStatement(config, values), callback: (err, result) => (err ? reject(err) : resolve(result as pg.QueryResult<R>)) }));
}

/**
 * A Queryable whose every statement runs after `prefix` in its own one-round-trip batch
 * (the tenant-scoped read path: prefix = set_config(..., true)); statements are not
 * batched with each other, so each keeps autocommit semantics.
 */
export function scopedQueryable(client: pg.ClientBase, prefix: readonly string[]): Queryable {
  const query = (config: string | pg.QueryConfig, values?: unknown[]) => promised((p) => send(client, prefix, [p]), config, values);
  return { query } as unknown as Queryable;
}

/** The statement that ends a pipelined transaction inside its last batch (commitIn, core/db.ts). */
export const COMMIT = 'COMMIT';

/**
 * A Queryable for a transaction: statements issued in the same tick (e.g. under one
 * Promise.all) go out as one batch, one round trip; the first batch carries `prefix`
 * (BEGIN + set_config(..., true)). `started` tells whether anything went out (a
 * transaction that issued nothing has nothing to commit). A COMMIT issued with a batch
 * ends the transaction in that round trip (`committed`); anything issued after it would
 * run outside the transaction and without its tenant, so it is refused.
 */
export function pipelinedTxQueryable(client: pg.ClientBase, prefix: readonly string[]): { q: Queryable; started: () => boolean; committed: () => boolean } {
  let started = false;
  let committed = false;
  let queued: Pending[] = [];
  const push = (p: Pending): void => {
    if (committed) {
      p.callback(new Error('the transaction was already committed with an earlier batch'), undefined as unknown as pg.QueryResult);
      return;
    }
    if (p.config.text === COMMIT) committed = true;
    queued.push(p);
    if (queued.length > 1) return;
    queueMicrotask(() => {
      const batch = queued;
      queued = [];
      send(client, started ? [] : prefix, batch);
      started = true;
    });
  };
  const query = (config: string | pg.QueryConfig, values?: unknown[]) => promised(push, config, values);
  return { q: { query } as unknown as Queryable, started: () => started || queued.length > 0, committed: () => committed };
}
