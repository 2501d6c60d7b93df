// Parse throughput on the fixture set, in process (one core, no worker-thread start-up):
// the 36 generated CVs of test/fakes/cv-corpus.ts, each as a PDF, a DOCX and plain text.
// Run: node --import tsx test/bench/parse.ts [rounds]   (prints one JSON line)
import { generateCorpus } from '../fakes/cv-corpus.js';
import { makeDocx, makePdf } from '../fixtures/make.js';
import { extractInProcess } from '../../server/modules/documents/extract.js';
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

async function pass(filter: (f: { mediaType: string }) => boolean): Promise<number> {
  const set = files.filter(filter);
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const f of set) await extractInProcess(f.mediaType, f.bytes);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return Math.round(((set.length * rounds) / seconds) * 10) / 10;
}

await pass(() => true); // warm-up: module loading and JIT
const result = {
  rounds,
  files: files.length,
  allCvsPerSec: await pass(() => true),
  pdfCvsPerSec: await pass((f) => f.mediaType === MEDIA_TYPES.pdf),
  docxCvsPerSec: await pass((f) => f.mediaType === MEDIA_TYPES.docx),
  textCvsPerSec: await pass((f) => f.mediaType === MEDIA_TYPES.text),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
