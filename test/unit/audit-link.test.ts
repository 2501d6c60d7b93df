// The audit link the database computes (core/audit.ts appendIn) is sha256(prev + before +
// seq + after) over the two pieces bodyAroundSeq sends; it must equal eventHash, the
// verifier's formula, for every event whatever its metadata holds.
import { createHash, randomUUID } from 'node:crypto';
import t from 'tap';
import fc from 'fast-check';
import { bodyAroundSeq, eventHash } from '../../server/core/audit.js';
import type { Json } from '../../server/core/canonical-json.js';

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const text = fc.string({ unit: 'grapheme', maxLength: 30 });
// Values as jsonb gives them back (what appendIn hashes): no undefined, finite numbers.
const json: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as Json);

t.test('prev + before + seq + after hashes to eventHash, for any body and seq', async (t) => {
  fc.assert(
    fc.property(
      fc.record({ action: text, actorId: fc.option(text), targetType: fc.option(text), targetId: fc.option(text), requestId: fc.option(text), metadata: fc.dictionary(text, json, { maxKeys: 6 }) }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
      (e, seq, prev) => {
        const event = { ...e, id: randomUUID(), orgId: randomUUID(), occurredAt: new Date().toISOString(), actorType: 'system' as const };
        const [before, after] = bodyAroundSeq(event);
        return sha256(prev + before + String(seq) + after) === eventHash(prev, { ...event, seq });
      },
    ),
    { numRuns: 500 },
  );
  t.pass('500 generated events');
});

t.test('metadata that spells out a seq, or the word "seq" itself, does not move the split', async (t) => {
  const event = { id: randomUUID(), orgId: randomUUID(), occurredAt: new Date().toISOString(), actorType: 'system' as const, actorId: null, action: 'test.seq', targetType: null, targetId: null, requestId: null, metadata: { seq: 7, '"seq":': '"seq":1', nested: { seq: 'x' } } };
  const [before, after] = bodyAroundSeq(event);
  t.equal(sha256('p' + before + '12' + after), eventHash('p', { ...event, seq: 12 }));
  t.notOk(before.includes('"seq":12'), 'the pieces hold no seq of their own');
});
