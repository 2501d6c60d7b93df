// Decides what an uploaded file is from its bytes (never its name or declared type) and
// refuses anything outside the allowlist: PDF, DOCX and plain UTF-8 text. DOCX files are
// ZIP archives, so they are checked for zip bombs by actually inflating every entry
// with a hard output cap (a lying header cannot get past a cap on real output).
import { inflateRawSync } from 'node:zlib';
import { UnprocessableError, UnsupportedMediaTypeError } from '../../core/errors.js';

/** What a candidate reads for any damaged or refused file (issue 22); recruiters keep the precise detail. */
const CV_UNREADABLE = { key: 'apply.cvUnreadable' } as const;

export const MEDIA_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  text: 'text/plain',
} as const;
export type MediaType = (typeof MEDIA_TYPES)[keyof typeof MEDIA_TYPES];

export const MAX_CV_BYTES = 10 * 1024 * 1024;
export const DOCX_LIMITS = {
  maxEntries: 500,
  maxTotalUncompressed: 50 * 1024 * 1024,
  maxEntryUncompressed: 25 * 1024 * 1024,
  maxRatio: 200,
};

const ALLOWED_DETAIL = 'Upload a PDF, a Word document (.docx) or a plain text file.';

export function detectMediaType(bytes: Buffer): MediaType {
  if (bytes.length === 0) throw new UnprocessableError({ detail: 'The file is empty.', i18n: CV_UNREADABLE });
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    checkPdf(bytes);
    return MEDIA_TYPES.pdf;
  }
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) {
    checkDocx(bytes);
    return MEDIA_TYPES.docx;
  }
  if (isPlainText(bytes)) return MEDIA_TYPES.text;
  throw new UnsupportedMediaTypeError({ detail: `This file type is not accepted. ${ALLOWED_DETAIL}`, i18n: { key: 'apply.cvWrongType' } });
}

function checkPdf(bytes: Buffer): void {
  const tail = bytes.subarray(Math.max(0, bytes.length - 2048)).toString('latin1');
  if (!tail.includes('%%EOF')) throw new UnprocessableError({ detail: 'The PDF is truncated or damaged.', i18n: CV_UNREADABLE });
}

function isPlainText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  let control = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) control += 1;
  }
  return control <= text.length * 0.01;
}

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

function readCentralDirectory(bytes: Buffer): CentralEntry[] {
  const damaged = (): never => {
    throw new UnprocessableError({ detail: 'The Word document is damaged (not a valid ZIP package).', i18n: CV_UNREADABLE });
  };
  // End of central directory: 22 bytes + up to 64 KiB comment.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return damaged();
  const count = bytes.readUInt16LE(eocd + 10);
  const cdSize = bytes.readUInt32LE(eocd + 12);
  const cdOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new UnprocessableError({ detail: 'ZIP64 Word documents are not accepted.', i18n: CV_UNREADABLE });
  if (count > DOCX_LIMITS.maxEntries) throw new UnprocessableError({ detail: `The Word document has too many parts (over ${DOCX_LIMITS.maxEntries}).` });
  if (cdOffset + cdSize > eocd) return damaged();
  const entries: CentralEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || bytes.readUInt32LE(p) !== 0x02014b50) return damaged();
    const nameLen = bytes.readUInt16LE(p + 28);
    const extraLen = bytes.readUInt16LE(p + 30);
    const commentLen = bytes.readUInt16LE(p + 32);
    entries.push({
      flags: bytes.readUInt16LE(p + 8),
      method: bytes.readUInt16LE(p + 10),
      compressedSize: bytes.readUInt32LE(p + 20),
      uncompressedSize: bytes.readUInt32LE(p + 24),
      localOffset: bytes.readUInt32LE(p + 42),
      name: bytes.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function docxBomb(): never {
  throw new UnprocessableError({ detail: 'The Word document expands to more data than allowed.', i18n: CV_UNREADABLE });
}

/** Checks the central directory's declared sizes against the caps. */
function checkDeclared(entries: CentralEntry[]): void {
  let total = 0;
  for (const e of entries) {
    if (e.flags & 0x1) throw new UnprocessableError({ detail: 'Encrypted Word documents are not accepted.', i18n: CV_UNREADABLE });
    if (e.method !== 0 && e.method !== 8) throw new UnprocessableError({ detail: 'The Word document uses an unsupported compression method.', i18n: CV_UNREADABLE });
    if (e.uncompressedSize > DOCX_LIMITS.maxEntryUncompressed) docxBomb();
    total += e.uncompressedSize;
    if (total > DOCX_LIMITS.maxTotalUncompressed) docxBomb();
    if (e.compressedSize > 0 && e.uncompressedSize / e.compressedSize > DOCX_LIMITS.maxRatio && e.uncompressedSize > 1024 * 1024) docxBomb();
  }
}

/** Inflates one entry with a hard cap on real output (`budget` bytes left of the total cap). */
function inflateEntry(bytes: Buffer, e: CentralEntry, budget: number): Buffer {
  const lp = e.localOffset;
  if (lp + 30 > bytes.length || bytes.readUInt32LE(lp) !== 0x04034b50) {
    throw new UnprocessableError({ detail: 'The Word document is damaged (not a valid ZIP package).', i18n: CV_UNREADABLE });
  }
  const start = lp + 30 + bytes.readUInt16LE(lp + 26) + bytes.readUInt16LE(lp + 28);
  const data = bytes.subarray(start, start + e.compressedSize);
  if (e.method === 0) {
    if (data.length > budget) docxBomb();
    return data;
  }
  const cap = Math.min(DOCX_LIMITS.maxEntryUncompressed, budget) + 1;
  let out: Buffer;
  try {
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, cap) });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger/.test(String(err))) docxBomb();
    throw new UnprocessableError({ detail: 'The Word document is damaged (a part cannot be decompressed).', i18n: CV_UNREADABLE });
  }
  if (out.length !== e.uncompressedSize) docxBomb();
  return out;
}

function checkDocx(bytes: Buffer): void {
  const entries = readCentralDirectory(bytes);
  const names = new Set(entries.map((e) => e.name));
  if (!names.has('[Content_Types].xml') || !names.has('word/document.xml')) {
    throw new UnsupportedMediaTypeError({ detail: `This ZIP file is not a Word document. ${ALLOWED_DETAIL}` });
  }
  checkDeclared(entries);
  // The declared sizes may lie: inflate every entry with a cap on real output.
  let inflatedTotal = 0;
  for (const e of entries) {
    inflatedTotal += inflateEntry(bytes, e, DOCX_LIMITS.maxTotalUncompressed - inflatedTotal).length;
    if (inflatedTotal > DOCX_LIMITS.maxTotalUncompressed) docxBomb();
  }
}

/**
 * Entry count and declared uncompressed total from the central directory only (no
 * inflating): the parser's cheap re-check before it hands a stored DOCX to mammoth.
 * null when the package is damaged or over the entry cap (both refused at upload).
 */
export function docxDeclaredStats(bytes: Buffer): { entries: number; uncompressed: number } | null {
  try {
    const entries = readCentralDirectory(bytes);
    return { entries: entries.length, uncompressed: entries.reduce((n, e) => n + e.uncompressedSize, 0) };
  } catch {
    return null;
  }
}

/**
 * Reads the named parts of a DOCX package under the same caps as the upload check (entry
 * count, declared and real inflated sizes): the parser's view of the parts mammoth skips
 * (comments, headers, metadata) goes through this guarded reader, never a second unzip.
 */
export function readDocxParts(bytes: Buffer, wanted: (name: string) => boolean): Map<string, Buffer> {
  const entries = readCentralDirectory(bytes);
  checkDeclared(entries);
  const out = new Map<string, Buffer>();
  let inflatedTotal = 0;
  for (const e of entries) {
    if (!wanted(e.name) || out.has(e.name)) continue;
    const data = inflateEntry(bytes, e, DOCX_LIMITS.maxTotalUncompressed - inflatedTotal);
    inflatedTotal += data.length;
    if (inflatedTotal > DOCX_LIMITS.maxTotalUncompressed) docxBomb();
    out.set(e.name, data);
  }
  return out;
}
