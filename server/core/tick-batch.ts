// Collects items pushed close together and hands them over in one call: requests answered
// by one database batch resolve in the same turn, so their follow-up work (e.g. one BullMQ
// addBulk instead of an add per request, one Redis round trip instead of many) rides
// together. With `windowMs` 0 the batch is one turn of the event loop (setImmediate).
// A positive window holds the batch open that long after its first item (or until
// `maxItems`), for follow-up work nobody waits on: each flush has a fixed cost on the
// event loop (for BullMQ, a Pipeline object with every Lua command defined on it, and a
// socket write), so fewer, larger flushes leave more of the loop to the requests.
export function createTickBatch<T>(
  flush: (items: T[]) => Promise<void>,
  onError: (err: unknown, items: T[]) => void,
  options: { windowMs?: number; maxItems?: number } = {},
): ((item: T) => void) & { flush(): Promise<void> } {
  const windowMs = options.windowMs ?? 0;
  const maxItems = options.maxItems ?? Infinity;
  let items: T[] = [];
  let timer: NodeJS.Timeout | null = null;
  let scheduled = false;
  const go = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    scheduled = false;
    const batch = items;
    items = [];
    return batch.length > 0 ? flush(batch).catch((err: unknown) => onError(err, batch)) : Promise.resolve();
  };
  const push = (item: T): void => {
    items.push(item);
    if (items.length >= maxItems) return void go();
    if (scheduled) return;
    scheduled = true;
    if (windowMs > 0) {
      // unref: a pending batch never holds a closing process open (its owner flushes on close).
      timer = setTimeout(() => void go(), windowMs);
      timer.unref();
    } else setImmediate(() => void go());
  };
  /** Hands over what is waiting now, without waiting for the window (e.g. before a shutdown closes the queue). */
  return Object.assign(push, { flush: go });
}
