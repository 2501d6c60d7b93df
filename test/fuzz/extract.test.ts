// Issue 19 item 2: the CV extractors on mutated PDF and DOCX bytes (bit flips, truncation,
// spliced and duplicated chunks, zeroed runs, random insertions), through runExtraction()
// as the parser runs it (a worker thread with a time limit and a heap cap). Every document
// either yields a result or fails with an ExtractionError: the thread never takes the
// process down, never answers with anything else, and the process's memory stays bounded.
// Needs `npm run build` for the fast (built) extraction thread; FUZZ_RUNS scales the cases.
import t from 'tap';
import fc from 'fast-check';
import { DEFAULT_EXTRACTION_LIMITS, ExtractionError, runExtraction } from '../../server/modules/documents/extract.js';
import { MEDIA_TYPES } from '../../server/modules/documents/sniff.js';
import { makeDocx, makePdf, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { fuzzRuns, fuzzSeed } from './arbitraries.js';

const RUNS = fuzzRuns(15);
const SEED = fuzzSeed();
const LIMITS = { ...DEFAULT_EXTRACTION_LIMITS, timeoutMs: 15_000 };

type Edit = { kind: 'flip' | 'truncate' | 'splice' | 'duplicate' | 'zero' | 'insert'; at: number; len: number; bytes: Uint8Array };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom<Edit['kind']>('flip', 'truncate', 'splice', 'duplicate', 'zero', 'insert'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 400 }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});

function apply(seed: Buffer, edits: Edit[]): Buffer {
  let b = Buffer.from(seed);
  for (const e of edits) {
    const at = e.at % Math.max(1, b.length);
    if (e.kind === 'flip') {
      b[at] = (b[at] ?? 0) ^ (e.bytes[0] || 1);
    } else if (e.kind === 'truncate') {
      b = b.subarray(0, Math.max(1, at));
    } else if (e.kind === 'splice') {
      b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(Math.min(b.length, at + e.len))]);
    } else if (e.kind === 'duplicate') {
      b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + e.len), b.subarray(at)]);
    } else if (e.kind === 'zero') {
      b.fill(0, at, Math.min(b.length, at + e.len));
    } else {
      b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
    }
  }
  return b;
}

const seeds = [
  { mediaType: MEDIA_TYPES.pdf, bytes: makePdf(SAMPLE_CV_LINES) },
  { mediaType: MEDIA_TYPES.docx, bytes: makeDocx(SAMPLE_CV_LINES) },
];

for (const { mediaType, bytes } of seeds) {
  t.test(`${mediaType}: ${RUNS} mutated documents extract or fail cleanly`, async (t) => {
    const outcomes = new Map<string, number>();
    let peakRss = 0;
    const rssBefore = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
        const doc = apply(bytes, edits);
        let outcome: string;
        try {
          const result = await runExtraction(mediaType, doc, LIMITS);
          outcome = result.status;
        } catch (err) {
          if (!(err instanceof ExtractionError)) throw new Error(`not an ExtractionError: ${(err as Error).stack ?? String(err)}`);
          outcome = err.message.replace(/:.*$/, '');
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    t.comment(`${mediaType}: ${RUNS} mutated documents: ${JSON.stringify(Object.fromEntries(outcomes))}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB (start ${(rssBefore / 2 ** 20).toFixed(0)} MB)`);
    t.notOk(outcomes.has('timeout'), 'no document ran into the time limit');
    // Each thread's heap is capped (maxHeapMb); the process must not carry them: well under cap + start.
    t.ok(peakRss - rssBefore < (LIMITS.maxHeapMb + 256) * 2 ** 20, 'memory stays bounded');
  });
}
