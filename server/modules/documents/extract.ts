// Text extraction from CV bytes: PDF (unpdf, a serverless build of pdf.js), DOCX
// (mammoth) and plain text, normalised. runExtraction() runs it in a pooled worker thread
// with a time limit and a heap cap, so one hostile document cannot stall or exhaust the worker.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { packageRoot } from '../../core/paths.js';
import { DOCX_LIMITS, docxDeclaredStats, MAX_CV_BYTES, MEDIA_TYPES } from './sniff.js';
import { HiddenCollector, type HiddenParts } from './hidden.js';
import type * as DocxHidden from './docx-hidden.js';
import type * as PdfHidden from './pdf-hidden.js';
import type { ThreadAnswer } from './extract-thread.js';

export const MAX_TEXT_CHARS = 200_000;
/** Below this many letters after normalisation, a document has no usable text layer. */
export const MIN_TEXT_LETTERS = 20;

export type ExtractResult = { status: 'parsed'; text: string; pages?: number; hidden?: HiddenParts } | { status: 'needs_manual_review'; reason: string };

/**
 * pdf.js 5 compiles font info with ArrayBuffer#transferToFixedLength (Node 21+). hirebox
 * ships and is tested on Node 24, but a developer machine's own Node may still be 20 (end
 * of life): there `npm run demo` and `npm test` would fail on every PDF. A copying stand-in
 * gives pdf.js the same result (it never touches the source buffer afterwards); on Node 24
 * this does nothing.
 */
function ensureTransferToFixedLength(): void {
  const proto = ArrayBuffer.prototype as ArrayBuffer & { transferToFixedLength?: (n?: number) => ArrayBuffer };
  if (typeof proto.transferToFixedLength === 'function') return;
  Object.defineProperty(ArrayBuffer.prototype, 'transferToFixedLength', {
    configurable: true,
    writable: true,
    value: function transferToFixedLength(this: ArrayBuffer, length?: number): ArrayBuffer {
      const n = length ?? this.byteLength;
      const out = new ArrayBuffer(n);
      new Uint8Array(out).set(new Uint8Array(this, 0, Math.min(n, this.byteLength)));
      return out;
    },
  });
}

export class ExtractionError extends Error {
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.name = 'ExtractionError';
    this.permanent = permanent;
  }
}

/** Why a document was refused before any text extraction, with the numbers behind it. */
export interface Refusal {
  reason: 'too_many_pages' | 'too_large' | 'docx_too_large';
  /** e.g. { pages: 30000, maxPages: 50 } or { bytes, maxBytes } */
  facts: Record<string, number>;
}

/**
 * A document refused by the cheap structural checks (page count, sizes) that run before
 * text extraction. Always permanent: the same bytes are refused again on every attempt.
 */
export class DocumentRefusedError extends ExtractionError {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(`refused: ${refusal.reason}`, true);
    this.name = 'DocumentRefusedError';
    this.refusal = refusal;
  }
}

/** What a candidate may be told about a refusal (no internals, no numbers they did not choose). */
export function candidateMessageFor(refusal: Refusal): string {
  switch (refusal.reason) {
    case 'too_many_pages':
      return `Your CV has more pages than we can process (the limit is ${refusal.facts.maxPages ?? ''} pages). Please send a shorter version.`;
    case 'too_large':
      return 'Your CV file is larger than we can process. Please send a smaller file.';
    case 'docx_too_large':
      return 'Your Word document expands to more data than we can process. Please send a PDF or a smaller document.';
  }
}

/**
 * Cheap checks on the raw bytes, run in the parser process before a worker thread is
 * started (no parsing library involved): the byte size, and for DOCX the entry count and
 * declared uncompressed size from the ZIP central directory. The PDF page count needs the
 * PDF's page tree and is checked inside the extraction thread, right after pdf.js opens the
 * document (which reads the xref and the catalog, not the pages) and before any page is read.
 */
export function preflightDocument(mediaType: string, bytes: Uint8Array, limits: Pick<ExtractionLimits, 'maxBytes'>): void {
  if (bytes.byteLength > limits.maxBytes) throw new DocumentRefusedError({ reason: 'too_large', facts: { bytes: bytes.byteLength, maxBytes: limits.maxBytes } });
  if (mediaType === MEDIA_TYPES.docx) {
    const stats = docxDeclaredStats(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    // A damaged package (null) is left to the extractor, which fails it as docx_unreadable.
    if (stats && (stats.entries > DOCX_LIMITS.maxEntries || stats.uncompressed > DOCX_LIMITS.maxTotalUncompressed)) {
      throw new DocumentRefusedError({
        reason: 'docx_too_large',
        facts: { entries: stats.entries, uncompressedBytes: stats.uncompressed, maxEntries: DOCX_LIMITS.maxEntries, maxUncompressedBytes: DOCX_LIMITS.maxTotalUncompressed },
      });
    }
  }
}

export function normaliseText(raw: string): string {
  return (
    raw
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      // control characters other than tab and newline
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u200b\ufeff]/g, '')
      .replace(/[ \t\u00a0]+/g, ' ')
      .replace(/ *\n */g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
      .slice(0, MAX_TEXT_CHARS)
  );
}

// The hidden-part scanners load on first use of their type (less to load per extraction
// thread for the other types); cached, because every import() walks the loader's resolve
// hooks again, which costs real time per document under a TypeScript loader.
let pdfHiddenModule: Promise<typeof PdfHidden> | undefined;
let docxHiddenModule: Promise<typeof DocxHidden> | undefined;

function letters(text: string): number {
  return (text.match(/\p{L}/gu) ?? []).length;
}

/** Extracts in the current thread (used inside the extraction worker thread and in tests). */
export async function extractInProcess(mediaType: string, bytes: Uint8Array, maxPages: number = DEFAULT_EXTRACTION_LIMITS.maxPages): Promise<ExtractResult> {
  let raw: string;
  let pages: number | undefined;
  const hidden = new HiddenCollector();
  if (mediaType === MEDIA_TYPES.pdf) {
    ensureTransferToFixedLength();
    const { extractText, getDocumentProxy, getResolvedPDFJS } = await import('unpdf');
    let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
    try {
      pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, stopAtErrors: false });
    } catch (err) {
      throw new ExtractionError(`pdf_unreadable: ${(err as Error).name}`, true);
    }
    // numPages is the page tree's /Count, read from the catalog without loading a page; it
    // is also the bound extractText iterates to, so a lower /Count cannot smuggle pages in.
    if (pdf.numPages > maxPages) {
      const pagesFound = pdf.numPages;
      await pdf.destroy();
      throw new DocumentRefusedError({ reason: 'too_many_pages', facts: { pages: pagesFound, maxPages } });
    }
    try {
      const result = await extractText(pdf, { mergePages: true });
      raw = result.text;
      pages = result.totalPages;
      // Hidden parts are for the injection detector only; a document pdf.js can read but
      // not replay (a broken content stream) still yields its text.
      try {
        pdfHiddenModule ??= import('./pdf-hidden.js');
        const { pdfHiddenParts } = await pdfHiddenModule;
        await pdfHiddenParts(pdf, (await getResolvedPDFJS()).OPS, hidden);
      } catch (err) {
        hidden.add('metadata', 'parser', `hidden-part scan failed: ${(err as Error).name}`);
      }
    } finally {
      await pdf.destroy();
    }
  } else if (mediaType === MEDIA_TYPES.docx) {
    const mammoth = (await import('mammoth')).default;
    try {
      raw = (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value;
    } catch (err) {
      throw new ExtractionError(`docx_unreadable: ${(err as Error).name}`, true);
    }
    try {
      docxHiddenModule ??= import('./docx-hidden.js');
      const { docxHiddenParts } = await docxHiddenModule;
      docxHiddenParts(Buffer.from(bytes), hidden);
    } catch (err) {
      hidden.add('metadata', 'parser', `hidden-part scan failed: ${(err as Error).name}`);
    }
  } else if (mediaType === MEDIA_TYPES.text) {
    raw = Buffer.from(bytes).toString('utf8');
  } else {
    throw new ExtractionError('unsupported_media_type', true);
  }
  const text = normaliseText(raw);
  if (letters(text) < MIN_TEXT_LETTERS) {
    return { status: 'needs_manual_review', reason: mediaType === MEDIA_TYPES.pdf ? 'no_text_layer' : 'no_text' };
  }
  return pages === undefined ? { status: 'parsed', text, hidden: hidden.result() } : { status: 'parsed', text, pages, hidden: hidden.result() };
}

export interface ExtractionLimits {
  timeoutMs: number;
  maxHeapMb: number;
  /** PDFs with more pages are refused before any page is read (CV_MAX_PAGES). */
  maxPages: number;
  /** Larger files are refused before a thread starts (the upload cap, again, for stored files). */
  maxBytes: number;
}

export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = { timeoutMs: 20_000, maxHeapMb: 256, maxPages: 50, maxBytes: MAX_CV_BYTES };

let threadUrlCache: URL | undefined;

/**
 * Production runs the built .js next to this file. Tests run the TypeScript sources, where
 * a worker thread compiles its whole import graph again: ~2 s per document against ~0.2 s
 * for the built file, the largest single cost of the test suite. `npm test` builds before
 * it runs the tests, so under the sources the built thread is used when it is at least as
 * new as every source it is built from (this folder and core/errors.ts); otherwise (tests
 * run without a build) the TypeScript thread.
 */
function threadUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./extract-thread.js', import.meta.url);
  if (threadUrlCache) return threadUrlCache;
  const sourceDir = path.dirname(fileURLToPath(import.meta.url));
  const built = path.join(packageRoot(), 'dist', path.relative(packageRoot(), sourceDir), 'extract-thread.js');
  let fresh = false;
  try {
    const sources = [...readdirSync(sourceDir).filter((f) => f.endsWith('.ts')).map((f) => path.join(sourceDir, f)), path.join(packageRoot(), 'server', 'core', 'errors.ts')];
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- paths of this package's own sources and build, never from input
    const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
    fresh = statSync(built).mtimeMs >= newestSource;
  } catch {
    fresh = false;
  }
  threadUrlCache = fresh ? pathToFileURL(built) : new URL('./extract-thread.ts', import.meta.url);
  return threadUrlCache;
}

// A reused, bounded pool of extraction threads (piscina) instead of a thread per document
// (~190 ms of start-up each). Each thread has the heap cap; a document that runs out of
// time gets its thread terminated (the abort), one that runs out of memory kills its
// thread (V8's limit); piscina replaces either. At most EXTRACTION_THREADS documents are
// handed to the pool at once and the time limit starts only then, so time spent waiting
// for a thread never counts against a document. One pool per heap cap (tests use small ones).
export const EXTRACTION_THREADS = Math.max(2, availableParallelism());
const pools = new Map<string, { pool: Piscina; running: number; waiting: (() => void)[] }>();

function poolFor(maxHeapMb: number) {
  const url = threadUrl();
  const key = `${maxHeapMb}:${url.href}`;
  let entry = pools.get(key);
  if (!entry) {
    const pool = new Piscina({
      filename: url.href,
      minThreads: 0,
      maxThreads: EXTRACTION_THREADS,
      // Idle threads are unref'd by piscina and leave after a minute without documents.
      idleTimeout: 60_000,
      atomics: 'disabled',
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 32 },
      // A built thread started from the TypeScript sources (tests) must not inherit the test runner's TypeScript loader.
      ...(url.pathname.endsWith('.js') && import.meta.url.endsWith('.ts') ? { execArgv: [] } : {}),
    });
    // A thread that dies between tasks is replaced on the next one; nothing waits on it.
    pool.on('error', () => undefined);
    entry = { pool, running: 0, waiting: [] };
    pools.set(key, entry);
  }
  return entry;
}

/** Extracts in a pooled worker thread with a time limit and heap cap. */
export async function runExtraction(mediaType: string, bytes: Uint8Array, limits: ExtractionLimits = DEFAULT_EXTRACTION_LIMITS): Promise<ExtractResult> {
  const entry = poolFor(limits.maxHeapMb);
  while (entry.running >= EXTRACTION_THREADS) await new Promise<void>((resolve) => entry.waiting.push(resolve));
  entry.running += 1;
  const copy = new Uint8Array(bytes);
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, limits.timeoutMs);
  try {
    const answer = (await entry.pool.run({ mediaType, bytes: copy, maxPages: limits.maxPages }, { transferList: [copy.buffer], signal: abort.signal })) as ThreadAnswer;
    if (answer.ok) return answer.result;
    throw answer.refusal ? new DocumentRefusedError(answer.refusal) : new ExtractionError(answer.message, answer.permanent);
  } catch (err) {
    if (err instanceof ExtractionError) throw err;
    if (timedOut) throw new ExtractionError('timeout', false);
    const code = (err as { code?: string }).code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') throw new ExtractionError('memory_limit', true);
    if (/worker exited/i.test((err as Error).message)) throw new ExtractionError(`extractor_exited: ${(err as Error).message.replace(/\D+/g, '') || 'unknown'}`, false);
    throw new ExtractionError(`extractor_crashed: ${(err as Error).name}`, false);
  } finally {
    clearTimeout(timer);
    entry.running -= 1;
    entry.waiting.shift()?.();
  }
}

/** Threads alive and documents done, over every pool of this process. */
export function extractionPoolStats(): { threads: number; completed: number } {
  let threads = 0;
  let completed = 0;
  for (const { pool } of pools.values()) {
    threads += pool.threads.length;
    completed += pool.completed;
  }
  return { threads, completed };
}

/** Stops every extraction thread (process shutdown; tests). */
export async function closeExtractionPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((e) => e.pool.destroy()));
}
