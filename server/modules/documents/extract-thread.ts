// Worker-thread entry for runExtraction(): extracts one document and posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import { DocumentRefusedError, ExtractionError, extractInProcess } from './extract.js';

const { mediaType, bytes, maxPages } = workerData as { mediaType: string; bytes: Uint8Array; maxPages?: number };
try {
  parentPort?.postMessage({ ok: true, result: await extractInProcess(mediaType, bytes, maxPages) });
} catch (err) {
  parentPort?.postMessage({
    ok: false,
    message: err instanceof ExtractionError ? err.message : `extract_failed: ${(err as Error).name}`,
    permanent: err instanceof ExtractionError ? err.permanent : false,
    ...(err instanceof DocumentRefusedError ? { refusal: err.refusal } : {}),
  });
}
