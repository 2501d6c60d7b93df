// Counts database round trips at the wire: every Sync (end of an extended-protocol batch)
// and every simple Query message makes the server answer once, whatever the number of
// statements inside. Patches pg's Connection prototype while `count` runs its function.
import pg from 'pg';

interface WireProto {
  sync(): void;
  query(text: string): void;
}

/** Runs fn and returns its result with the round trips every pg connection in this process made meanwhile. */
export async function countRoundTrips<T>(fn: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
  const proto = (pg as unknown as { Connection: { prototype: WireProto } }).Connection.prototype;
  const { sync, query } = proto;
  let roundTrips = 0;
  proto.sync = function (this: WireProto) {
    roundTrips += 1;
    return sync.call(this);
  };
  proto.query = function (this: WireProto, text: string) {
    roundTrips += 1;
    return query.call(this, text);
  };
  try {
    const result = await fn();
    return { result, roundTrips };
  } finally {
    proto.sync = sync;
    proto.query = query;
  }
}
