// Worker-thread entry for runExtraction(): extracts one document and posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import { ExtractionError, extractInProcess } from './extract.js';

const { mediaType, bytes } = workerData as { mediaType: string; bytes: Uint8Array };
try {
  parentPort?.postMessage({ ok: true, result: await extractInProcess(mediaType, bytes) });
} catch (err) {
  parentPort?.postMessage({
    ok: false,
    message: err instanceof ExtractionError ? err.message : `extract_failed: ${(err as Error).name}`,
    permanent: err instanceof ExtractionError ? err.permanent : false,
  });
}
