// Task module of the extraction thread pool (runExtraction() in extract.ts, run by
// piscina): extracts one document per call and answers a plain object, so an error's kind
// (permanent, refusal) survives the trip back to the parser process.
import { DocumentRefusedError, ExtractionError, extractInProcess, type ExtractResult, type Refusal } from './extract.js';

export type ThreadAnswer = { ok: true; result: ExtractResult } | { ok: false; message: string; permanent: boolean; refusal?: Refusal };

// A thread serves many documents: parser warnings (pdf.js writes to the console) must not
// reach the worker's log, where they could carry document text (a per-thread stdout pipe,
// as the one-thread-per-document extractor had, is not a pool option).
const quiet = (): undefined => undefined;
Object.assign(globalThis.console, { log: quiet, info: quiet, warn: quiet, debug: quiet });

export default async function extractTask(task: { mediaType: string; bytes: Uint8Array; maxPages: number }): Promise<ThreadAnswer> {
  try {
    return { ok: true, result: await extractInProcess(task.mediaType, task.bytes, task.maxPages) };
  } catch (err) {
    return {
      ok: false,
      message: err instanceof ExtractionError ? err.message : `extract_failed: ${(err as Error).name}`,
      permanent: err instanceof ExtractionError ? err.permanent : false,
      ...(err instanceof DocumentRefusedError ? { refusal: err.refusal } : {}),
    };
  }
}
