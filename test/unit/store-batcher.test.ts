// store-batcher.ts against a fake connection that holds each statement until the test
// releases it: how many batches are on the wire at once (maxInFlight), what rides in the
// next batch, the batch size cap, and that each caller is answered by its own batch only.
import t from 'tap';
import type { Queryable } from '../../server/core/db.js';
import { createStoreBatcher } from '../../server/modules/webhooks/store-batcher.js';
import type { NewMessage } from '../../server/modules/webhooks/repo.js';

interface Call {
  ids: string[];
  release(): void;
}

function heldConnection() {
  const calls: Call[] = [];
  const q = {
    query: (_text: string, values: unknown[]) =>
      new Promise((resolve) => {
        const ids = values[0] as string[];
        calls.push({ ids, release: () => resolve({ rows: ids.map((id) => ({ id, outcome: 'stored' })) }) });
      }),
  } as unknown as Queryable;
  return { q, calls };
}

const message = (id: string): NewMessage => ({ id, orgId: 'org', endpointId: 'hook', callId: `call-${id}`, type: 'status-update', ts: 1, bodyEnc: Buffer.from('x') });
const turn = () => new Promise((resolve) => setImmediate(resolve));

t.test('maxInFlight 2: a second batch goes out while the first is on the wire; the rest wait for a free slot', async (t) => {
  const { q, calls } = heldConnection();
  const batcher = createStoreBatcher(q, { maxInFlight: 2 });
  const answered: string[] = [];
  const store = (id: string) => batcher.store(message(id)).then((o) => void answered.push(`${id}:${o}`));
  const a = store('a');
  const b = store('b');
  const c = store('c');
  const d = store('d');
  await turn();
  t.same(
    calls.map((c) => c.ids),
    [['a'], ['b']],
    'two batches on the wire at once, c and d wait',
  );
  calls[1]?.release();
  await b;
  t.same(answered, ['b:stored'], 'b is answered by its own batch, not held behind a');
  await turn();
  t.same(calls[2]?.ids, ['c', 'd'], 'what waited rides together in the freed slot');
  calls[0]?.release();
  calls[2]?.release();
  await Promise.all([a, c, d]);
  t.same(answered.sort(), ['a:stored', 'b:stored', 'c:stored', 'd:stored']);
});

t.test('maxInFlight 1: one batch at a time', async (t) => {
  const { q, calls } = heldConnection();
  const batcher = createStoreBatcher(q, { maxInFlight: 1 });
  const all = ['a', 'b', 'c'].map((id) => batcher.store(message(id)));
  await turn();
  t.same(
    calls.map((c) => c.ids),
    [['a']],
  );
  calls[0]?.release();
  await all[0];
  await turn();
  t.same(calls[1]?.ids, ['b', 'c']);
  calls[1]?.release();
  await Promise.all(all);
});

t.test('maxBatch caps what one statement carries', async (t) => {
  const { q, calls } = heldConnection();
  const batcher = createStoreBatcher(q, { maxInFlight: 1, maxBatch: 2 });
  const first = batcher.store(message('first'));
  const rest = ['a', 'b', 'c'].map((id) => batcher.store(message(id)));
  await turn();
  calls[0]?.release();
  await first;
  await turn();
  t.same(calls[1]?.ids, ['a', 'b']);
  calls[1]?.release();
  await Promise.all(rest.slice(0, 2));
  await turn();
  t.same(calls[2]?.ids, ['c']);
  calls[2]?.release();
  await rest[2];
});
