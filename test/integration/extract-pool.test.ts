// The CV extraction thread pool (issue 19, item 6): threads are reused across documents
// and bounded, and the caps of the security work still hold per document: the time limit
// (the thread is terminated and replaced), the heap cap (the thread dies of it and is
// replaced), the page cap, and a damaged file stays a permanent failure.
import t from 'tap';
import { closeExtractionPools, EXTRACTION_THREADS, extractionPoolStats, runExtraction, DEFAULT_EXTRACTION_LIMITS, ExtractionError, DocumentRefusedError } from '../../server/modules/documents/extract.js';
import { MEDIA_TYPES } from '../../server/modules/documents/sniff.js';
import { makeDocx, makePdf } from '../fixtures/make.js';

t.teardown(() => closeExtractionPools());
const LINES = ['Jane Doe', 'Experience', '6 years of TypeScript services at Northwind', 'Designed Postgres schemas for billing', 'Led a team of 4'];
const pdf = makePdf(LINES);
const docx = makeDocx(LINES);

t.test('documents reuse a bounded set of threads and come back parsed', async (t) => {
  const before = extractionPoolStats();
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runExtraction(i % 2 ? MEDIA_TYPES.docx : MEDIA_TYPES.pdf, i % 2 ? docx : pdf)));
  for (const r of results) t.match(r, { status: 'parsed', text: /TypeScript services at Northwind/ });
  const after = extractionPoolStats();
  t.equal(after.completed - before.completed, 8, 'eight documents done by the pool');
  t.ok(after.threads >= 1 && after.threads <= EXTRACTION_THREADS, `${after.threads} threads for 8 documents (at most ${EXTRACTION_THREADS})`);
});

t.test('the time limit terminates the thread, and the pool carries on', async (t) => {
  // A document that takes seconds to extract (20,000 paragraphs) against a 100 ms limit: a
  // small one against 1 ms was sometimes answered by a warm thread before the timer fired.
  const slow = makeDocx(Array.from({ length: 20_000 }, (_, i) => `${i} ${LINES.join(' ')}`));
  await t.rejects(runExtraction(MEDIA_TYPES.docx, slow, { ...DEFAULT_EXTRACTION_LIMITS, timeoutMs: 100 }), new ExtractionError('timeout', false));
  t.match(await runExtraction(MEDIA_TYPES.pdf, pdf), { status: 'parsed' }, 'the next document is parsed');
});

t.test('the heap cap holds in a pooled thread, and the pool carries on', async (t) => {
  // 600,000 paragraphs against a 64 MB heap: mammoth's document tree cannot fit.
  const big = makeDocx(Array.from({ length: 600_000 }, (_, i) => `${i} ${LINES.join(' ')}`));
  const err = await runExtraction(MEDIA_TYPES.docx, big, { ...DEFAULT_EXTRACTION_LIMITS, maxHeapMb: 64, timeoutMs: 60_000 }).catch((e: unknown) => e);
  t.ok(err instanceof ExtractionError, String(err));
  t.equal((err as ExtractionError).message, 'memory_limit');
  t.equal((err as ExtractionError).permanent, true);
  t.match(await runExtraction(MEDIA_TYPES.docx, docx), { status: 'parsed' }, 'the next document is parsed');
});

t.test('the page cap and a damaged file keep their permanent refusals through the pool', async (t) => {
  const long = makePdf(Array.from({ length: 3 }, (_, i) => `page ${i} ${LINES.join(' ')}`));
  const refused = await runExtraction(MEDIA_TYPES.pdf, long, { ...DEFAULT_EXTRACTION_LIMITS, maxPages: 0 }).catch((e: unknown) => e);
  t.ok(refused instanceof DocumentRefusedError, String(refused));
  t.match((refused as DocumentRefusedError).refusal, { reason: 'too_many_pages' });
  const damaged = await runExtraction(MEDIA_TYPES.pdf, Buffer.from('%PDF-1.7\nnot really a pdf')).catch((e: unknown) => e);
  t.ok(damaged instanceof ExtractionError && damaged.permanent, String(damaged));
  t.match((damaged as ExtractionError).message, /^pdf_unreadable/);
});
