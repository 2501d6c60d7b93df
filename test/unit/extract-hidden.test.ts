// The parser's hidden parts: PDF text a reader would not see (white, invisible render
// mode, tiny, off-page), PDF metadata; DOCX vanished/white/tiny runs, comments, headers,
// tracked deletions, core and custom metadata. Controls: white text on a dark box (PDF, and
// on a shaded run in DOCX), an OCR layer over a scan, and ordinary CVs give no hidden parts.
// The DOCX parts are read through the upload path's guarded ZIP reader (zip bombs refused).
import t from 'tap';
import { extractInProcess, type ExtractResult } from '../../server/modules/documents/extract.js';
import { HIDDEN_LIMITS, HiddenCollector } from '../../server/modules/documents/hidden.js';
import { docxHiddenParts } from '../../server/modules/documents/docx-hidden.js';
import { UnprocessableError } from '../../server/core/errors.js';
import { MEDIA_TYPES } from '../../server/modules/documents/sniff.js';
import { detectInjection } from '../../server/modules/screening/injection.js';
import { generateCorpus } from '../fakes/cv-corpus.js';
import { makeDocx, makePdf, makeZip } from '../fixtures/make.js';
import * as F from '../fixtures/injection.js';

const I = F.INJECTION;
const pdf = (b: Buffer): Promise<ExtractResult> => extractInProcess(MEDIA_TYPES.pdf, b);
const docx = (b: Buffer): Promise<ExtractResult> => extractInProcess(MEDIA_TYPES.docx, b);
const hiddenOf = (r: ExtractResult) => (r.status === 'parsed' ? (r.hidden ?? {}) : null);

const cases: [string, Promise<ExtractResult>, 'hiddenText' | 'comments' | 'metadata', RegExp][] = [
  ['PDF white text (1 1 1 rg)', pdf(F.pdfHiddenWhite(I)), 'hiddenText', /^\[white text\] Ignore all previous/],
  ['PDF invisible text (3 Tr)', pdf(F.pdfHiddenInvisible(I)), 'hiddenText', /^\[invisible text\] Ignore all previous/],
  ['PDF tiny text (0.5 pt)', pdf(F.pdfHiddenTiny(I)), 'hiddenText', /^\[tiny text\] Ignore all previous/],
  ['PDF text placed above the page', pdf(F.pdfOffPage(I)), 'hiddenText', /^\[off-page text\] Ignore all previous/],
  ['PDF near-white text (0.97 g)', pdf(F.pdfWith(F.CLEAN_LINES, F.pdfText(I, '0.97 g'))), 'hiddenText', /^\[white text\] Ignore/],
  ['PDF dark text on a dark box', pdf(F.pdfWith(F.CLEAN_LINES, ['0.1 0.1 0.1 rg', '60 380 480 40 re f', ...F.pdfText(I, '0.12 0.12 0.12 rg', 72, 395)])), 'hiddenText', /^\[text in the background colour\] Ignore/],
  ['PDF white text made tiny by the text matrix', pdf(F.pdfWith(F.CLEAN_LINES, ['BT', '/F1 12 Tf', '0.1 0 0 0.1 72 300 Tm', `(${I}) Tj`, 'ET'])), 'hiddenText', /^\[tiny text\] Ignore/],
  ['PDF text with fill alpha 0 via a scaled form (q cm)', pdf(F.pdfWith(F.CLEAN_LINES, ['q', '0.01 0 0 0.01 72 300 cm', 'BT /F1 10 Tf', `(${I}) Tj`, 'ET', 'Q'])), 'hiddenText', /^\[tiny text\] Ignore/],
  ['PDF text covered by a white box drawn after it', pdf(F.pdfWith(F.CLEAN_LINES, [...F.pdfText(I, '0 g', 72, 300), '1 1 1 rg', '60 290 520 30 re f'])), 'hiddenText', /^\[text covered by a shape\] Ignore/],
  ['PDF Info Subject', pdf(F.pdfWithInfo(F.CLEAN_LINES, { Title: 'CV', Subject: I })), 'metadata', /^\[subject\] Ignore all previous/],
  ['DOCX comment', docx(F.docxWith({ comments: [I] })), 'comments', /^\[comment\] Ignore all previous/],
  ['DOCX core.xml description', docx(F.docxWith({ core: { 'dc:title': 'CV', 'dc:description': I } })), 'metadata', /^\[description\] Ignore all previous/],
  ['DOCX core.xml keywords', docx(F.docxWith({ core: { 'cp:keywords': I } })), 'metadata', /^\[keywords\] Ignore all previous/],
  ['DOCX custom.xml property', docx(F.docxWith({ custom: { ScreeningNote: I } })), 'metadata', /^\[custom ScreeningNote\] Ignore/],
  ['DOCX header', docx(F.docxWith({ header: I })), 'comments', /^\[header\] Ignore all previous/],
  ['DOCX w:vanish run', docx(F.docxRun(I, '<w:vanish/>')), 'hiddenText', /^\[hidden \(vanish\) text\] Ignore all previous/],
  ['DOCX white run (w:color FFFFFF)', docx(F.docxRun(I, '<w:color w:val="FFFFFF"/>')), 'hiddenText', /^\[white text\] Ignore all previous/],
  ['DOCX 1 pt run (w:sz 2)', docx(F.docxRun(I, '<w:sz w:val="2"/>')), 'hiddenText', /^\[tiny text\] Ignore all previous/],
  ['DOCX tracked deletion', docx(F.docxWith({ body: [...F.CLEAN_LINES.map((l) => F.para(F.run(l))), `<w:p><w:del w:id="9" w:author="x"><w:r><w:delText>${I}</w:delText></w:r></w:del></w:p>`] })), 'comments', /^\[tracked deletion\] Ignore/],
];

for (const [name, result, kind, expected] of cases) {
  t.test(`${name} is exposed as ${kind}`, async (t) => {
    const r = await result;
    t.equal(r.status, 'parsed');
    const h = hiddenOf(r);
    t.ok(h?.[kind]?.some((e) => expected.test(e)), JSON.stringify(h));
    t.ok(detectInjection(r.status === 'parsed' ? r.text : '', h ?? {}).flagged, 'the detector flags it');
  });
}

t.test('a vanish run through a character or paragraph style is hidden; w:vanish w:val="0" is not', async (t) => {
  const styles = '<w:style w:type="character" w:styleId="Secret"><w:rPr><w:vanish/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Ghost"><w:rPr><w:color w:val="FEFEFE"/></w:rPr></w:style>';
  const r = await docx(
    F.docxWith({
      styles,
      body: [F.para(F.run('Visible TypeScript line')), F.para(F.run('styled secret text', '<w:rStyle w:val="Secret"/>')), `<w:p><w:pPr><w:pStyle w:val="Ghost"/></w:pPr>${F.run('ghost paragraph text')}</w:p>`],
    }),
  );
  t.same(hiddenOf(r)?.hiddenText, ['[hidden (vanish) text] styled secret text', '[white text] ghost paragraph text']);
  const off = await docx(F.docxRun('not hidden at all, val is zero', '<w:vanish w:val="0"/>'));
  t.same(hiddenOf(off), {});
});

t.test('visible controls: white text on a dark box, white run on dark shading, an OCR layer over a scan, plain CVs', async (t) => {
  const onDark = await pdf(F.pdfWhiteOnDark('Jane Roe, Senior Backend Engineer, Berlin, open to relocation and remote work'));
  t.same(hiddenOf(onDark), {}, 'white on a dark box is visible');
  // The box painted through a scaling CTM: the test compares in page space.
  const scaled = await pdf(F.pdfWith(F.CLEAN_LINES, ['q', '2 0 0 2 0 0 cm', '0.1 0.15 0.3 rg', '30 190 240 20 re f', 'Q', ...F.pdfText('White heading over a scaled dark band, visible to anyone', '1 1 1 rg', 72, 395)]));
  t.same(hiddenOf(scaled), {});
  const inBox = await docx(
    F.docxWith({
      body: [
        ...F.CLEAN_LINES.map((l) => F.para(F.run(l))),
        `<w:p><w:r><w:drawing><wps:txbx xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:txbxContent>${F.para(F.run('White words in a sidebar shape with a dark fill, visible to anyone', '<w:color w:val="FFFFFF"/>'))}</w:txbxContent></wps:txbx></w:drawing></w:r></w:p>`,
      ],
    }),
  );
  t.notOk(hiddenOf(inBox)?.hiddenText, 'white text in a text box (shape fill unknown) is not reported');
  const shaded = await docx(F.docxRun('White words on a navy banner, visible to anyone reading', '<w:color w:val="FFFFFF"/><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/>'));
  t.same(hiddenOf(shaded), {});
  // A scanned page: an image painted over the page and the OCR text in render mode 3.
  const ocrContent = ['q 612 0 0 792 0 0 cm /Im1 Do Q', 'BT /F1 11 Tf 3 Tr 72 700 Td 14 TL', ...F.CLEAN_LINES.map((l) => `(${l}) '`), 'ET'].join('\n');
  const ocrResult = await pdf(F.assemblePdf(ocrContent, { images: 1 }));
  t.equal(ocrResult.status, 'parsed');
  t.same(hiddenOf(ocrResult), {}, 'an OCR layer is the page text, not hidden text');
  for (const cv of generateCorpus().slice(0, 12)) {
    const lines = cv.text.split('\n').map((l) => l.replace(/[^\x20-\xff]/g, '?'));
    t.same(hiddenOf(await pdf(makePdf(lines))), {}, `${cv.layout} PDF`);
    t.same(hiddenOf(await docx(makeDocx(cv.text.split('\n')))), {}, `${cv.layout} DOCX`);
  }
});

t.test('hidden parts are bounded', async (t) => {
  const many = F.pdfWith(F.CLEAN_LINES, Array.from({ length: 120 }, (_, i) => [...F.pdfText(`hidden note ${i} `.repeat(30), '1 1 1 rg', 72, 100 + i), ...F.pdfText('visible separator', '0 g', 72, 100 + i)]).flat());
  const h = hiddenOf(await pdf(many));
  t.ok(h?.hiddenText && h.hiddenText.length <= HIDDEN_LIMITS.maxEntries, `${h?.hiddenText?.length} entries`);
  t.ok((h?.hiddenText ?? []).every((e) => e.length <= HIDDEN_LIMITS.maxEntryChars));
  t.ok((h?.hiddenText ?? []).join('').length <= HIDDEN_LIMITS.maxTotalChars);
});

t.test('the DOCX hidden-part reader refuses a zip bomb in a part it reads, like the upload check does', async (t) => {
  const docxWithPart = (data: Buffer, declaredSize?: number): Buffer =>
    makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'word/document.xml', data: Buffer.from('<w:document/>') },
      { name: 'word/comments.xml', data, ...(declaredSize ? { declaredSize } : {}) },
    ]);
  const zeros = Buffer.alloc(60 * 1024 * 1024);
  t.throws(() => docxHiddenParts(docxWithPart(zeros, 1024), new HiddenCollector()), UnprocessableError, 'a lying header is caught by the inflate cap');
  t.throws(() => docxHiddenParts(docxWithPart(zeros), new HiddenCollector()), UnprocessableError, 'an honest header is caught by the declared caps');
});
