// Counts database round trips at the wire: every Sync (end of an extended-protocol batch)
// and every simple Query message makes the server answer once, whatever the number of
// statements inside. `statements` lists the statements sent (extended-protocol Parse
// messages and simple queries; a named statement already prepared is not parsed again). Patches pg's Connection prototype while `count` runs its function.
import pg from 'pg';

interface WireProto {
  sync(): void;
  query(text: string): void;
  parse(msg: { text: string }): void;
}

/** Runs fn and returns its result with the round trips every pg connection in this process made meanwhile. */
export async function countRoundTrips<T>(fn: () => Promise<T>): Promise<{ result: T; roundTrips: number; statements: string[] }> {
  const proto = (pg as unknown as { Connection: { prototype: WireProto } }).Connection.prototype;
  const { sync, query, parse } = proto;
  let roundTrips = 0;
  const statements: string[] = [];
  proto.parse = function (this: WireProto, msg: { text: string }) {
    statements.push(msg.text.replace(/\s+/g, ' ').slice(0, 80));
    return parse.call(this, msg);
  };
  proto.sync = function (this: WireProto) {
    roundTrips += 1;
    return sync.call(this);
  };
  proto.query = function (this: WireProto, text: string) {
    roundTrips += 1;
    statements.push(`${text.replace(/\s+/g, ' ').slice(0, 80)} (simple)`);
    return query.call(this, text);
  };
  try {
    const result = await fn();
    return { result, roundTrips, statements };
  } finally {
    proto.sync = sync;
    proto.query = query;
    proto.parse = parse;
  }
}
