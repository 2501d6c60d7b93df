// Parse throughput on the fixture set, in process (one core, no worker-thread start-up):
// the 36 generated CVs of test/fakes/cv-corpus.ts, each as a PDF, a DOCX and plain text.
// `textOnly` is the extraction before hidden parts existed (unpdf extractText / mammoth
// raw text, what extractInProcess did before), `withHidden` is extractInProcess today;
// both run on each file in turn in the same process so machine load hits them alike.
// Run: node dist/test/bench/parse.js [rounds]   (one JSON line; needs `npm run build`)
import { generateCorpus } from '../fakes/cv-corpus.js';
import { makeDocx, makePdf } from '../fixtures/make.js';
import { Piscina } from 'piscina';
import { closeExtractionPools, DEFAULT_EXTRACTION_LIMITS, extractInProcess, normaliseText, runExtraction } from '../../server/modules/documents/extract.js';
import { MEDIA_TYPES } from '../../server/modules/documents/sniff.js';

const rounds = Number(process.argv[2] ?? 5);
// makePdf writes WinAnsi Helvetica: keep the PDF copy to Latin-1 so every CV has a text layer.
const latin1 = (s: string): string => s.replace(/[^\x20-\xff]/g, '?');
const files: { mediaType: string; bytes: Uint8Array }[] = [];
for (const cv of generateCorpus()) {
  const lines = cv.text.split('\n');
  files.push({ mediaType: MEDIA_TYPES.pdf, bytes: makePdf(lines.map(latin1)) });
  files.push({ mediaType: MEDIA_TYPES.docx, bytes: makeDocx(lines) });
  files.push({ mediaType: MEDIA_TYPES.text, bytes: Buffer.from(cv.text, 'utf8') });
}

type Extract = (mediaType: string, bytes: Uint8Array) => Promise<unknown>;

async function textOnly(mediaType: string, bytes: Uint8Array): Promise<string> {
  if (mediaType === MEDIA_TYPES.pdf) {
    const { extractText, getDocumentProxy } = await import('unpdf');
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, stopAtErrors: false });
    try {
      return normaliseText((await extractText(pdf, { mergePages: true })).text);
    } finally {
      await pdf.destroy();
    }
  }
  if (mediaType === MEDIA_TYPES.docx) return normaliseText((await (await import('mammoth')).default.extractRawText({ buffer: Buffer.from(bytes) })).value);
  return normaliseText(Buffer.from(bytes).toString('utf8'));
}

async function time(fn: Extract, f: (typeof files)[number]): Promise<number> {
  const started = process.hrtime.bigint();
  await fn(f.mediaType, f.bytes);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Both extractors on each file in turn, so a burst of load on the box hits both alike. */
async function compare(filter: (f: { mediaType: string }) => boolean): Promise<{ textOnly: number; withHidden: number; cost: string }> {
  const set = files.filter(filter);
  let a = 0;
  let b = 0;
  for (let r = 0; r < rounds; r++) {
    for (const f of set) {
      a += await time(textOnly, f);
      b += await time(extractInProcess, f);
    }
  }
  const rate = (s: number): number => Math.round(((set.length * rounds) / s) * 10) / 10;
  return { textOnly: rate(a), withHidden: rate(b), cost: `${Math.round((b / a - 1) * 100)}% more time per CV` };
}

// Threads (issue 19): the same small CVs through the extraction pool (runExtraction) and
// through a fresh thread per CV (what runExtraction did before: a new thread with the same
// heap cap, started, used once and stopped), CONCURRENCY at a time like the cv-parse
// worker, alternating per round. CVs/s of each round.
const CONCURRENCY = 2;
const THREAD_FILE = new URL('../../server/modules/documents/extract-thread.js', import.meta.url).href;
async function freshThread(mediaType: string, bytes: Uint8Array): Promise<unknown> {
  const pool = new Piscina({ filename: THREAD_FILE, minThreads: 1, maxThreads: 1, atomics: 'disabled', resourceLimits: { maxOldGenerationSizeMb: DEFAULT_EXTRACTION_LIMITS.maxHeapMb, maxYoungGenerationSizeMb: 32 } });
  try {
    return await pool.run({ mediaType, bytes: new Uint8Array(bytes), maxPages: DEFAULT_EXTRACTION_LIMITS.maxPages });
  } finally {
    await pool.destroy();
  }
}
async function throughput(fn: Extract, set: typeof files): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < set.length) {
        const f = set[next++] as (typeof files)[number];
        await fn(f.mediaType, f.bytes);
      }
    }),
  );
  return Math.round((set.length / ((performance.now() - started) / 1000)) * 10) / 10;
}
const small = files.filter((f) => f.mediaType !== MEDIA_TYPES.text).slice(0, 24);

await compare(() => true); // warm-up: module loading and JIT
const result = {
  rounds,
  files: files.length,
  all: await compare(() => true),
  pdf: await compare((f) => f.mediaType === MEDIA_TYPES.pdf),
  docx: await compare((f) => f.mediaType === MEDIA_TYPES.docx),
  threads: { concurrency: CONCURRENCY, fresh: [] as number[], pooled: [] as number[] },
};
await throughput(runExtraction, small.slice(0, 4)); // warm-up of the pool's threads
for (let r = 0; r < rounds; r++) {
  result.threads.fresh.push(await throughput(freshThread, small));
  result.threads.pooled.push(await throughput(runExtraction, small));
}
await closeExtractionPools();
process.stdout.write(`${JSON.stringify(result)}\n`);
