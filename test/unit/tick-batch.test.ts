// core/tick-batch.ts: what is pushed in one turn is flushed together on the next; with a
// window, pushes over several turns ride in one flush when the window closes, or as soon
// as maxItems are waiting; a failed flush reports its own items.
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTickBatch } from '../../server/core/tick-batch.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

function recorder() {
  const flushes: number[][] = [];
  const failures: number[][] = [];
  return { flushes, failures, flush: async (items: number[]) => void flushes.push(items), onError: (_err: unknown, items: number[]) => void failures.push(items) };
}

t.test('without a window, one turn of pushes is one flush on the next turn', async (t) => {
  const r = recorder();
  const push = createTickBatch(r.flush, r.onError);
  push(1);
  push(2);
  t.same(r.flushes, [], 'nothing flushed in the pushing turn');
  await turn();
  push(3);
  await turn();
  t.same(r.flushes, [[1, 2], [3]]);
});

t.test('with a window, pushes over several turns are one flush when it closes', async (t) => {
  const r = recorder();
  // A window far longer than two turns, so a loaded machine's pause between them does not close it.
  const push = createTickBatch(r.flush, r.onError, { windowMs: 1_000 });
  push(1);
  await turn();
  push(2);
  await turn();
  push(3);
  t.same(r.flushes, [], 'held while the window is open');
  await sleep(1_300);
  t.same(r.flushes, [[1, 2, 3]]);
  push(4);
  await sleep(1_300);
  t.same(r.flushes, [[1, 2, 3], [4]], 'the next push opens a new window');
});

t.test('maxItems flushes at once, without waiting for the window', async (t) => {
  const r = recorder();
  const push = createTickBatch(r.flush, r.onError, { windowMs: 10_000, maxItems: 3 });
  push(1);
  push(2);
  push(3);
  t.same(r.flushes, [[1, 2, 3]]);
  push(4);
  t.same(r.flushes, [[1, 2, 3]], 'the fourth waits for its own window');
});

t.test('a failing flush hands its items to onError', async (t) => {
  const failures: number[][] = [];
  const push = createTickBatch<number>(
    async () => {
      throw new Error('redis is down');
    },
    (_err, items) => void failures.push(items),
    { windowMs: 5 },
  );
  push(7);
  push(8);
  await sleep(40);
  t.same(failures, [[7, 8]]);
});

t.test('flush hands over what waits at once, and resolves once the flush has finished', async (t) => {
  const done: number[][] = [];
  const push = createTickBatch<number>(
    async (items) => {
      await sleep(20);
      done.push(items);
    },
    () => undefined,
    { windowMs: 10_000 },
  );
  push(1);
  push(2);
  await push.flush();
  t.same(done, [[1, 2]], 'flushed without waiting for the window');
  await push.flush();
  t.same(done, [[1, 2]], 'nothing waiting: nothing flushed');
});
