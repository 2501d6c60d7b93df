// Collects what is pushed during one turn of the event loop and hands it over in one call
// on the next (setImmediate): requests answered by one database batch resolve in the same
// turn, so their follow-up work (e.g. one BullMQ addBulk instead of an add per request,
// one Redis round trip instead of many) rides together without any waiting timer.
export function createTickBatch<T>(flush: (items: T[]) => Promise<void>, onError: (err: unknown, items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  let scheduled = false;
  return (item) => {
    items.push(item);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      const batch = items;
      items = [];
      scheduled = false;
      flush(batch).catch((err: unknown) => onError(err, batch));
    });
  };
}
