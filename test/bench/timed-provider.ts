// The screening bench's model provider: the real openai SDK against the fake server, counting
// the time spent inside screening calls. The injection check runs alongside the screening
// call (screening/service.ts), so only the screening call's time is counted; the rest of a
// job's time is the pipeline's own cost.
import { createOpenAiProvider } from '../../server/modules/model-providers/openai.js';
import { CHECK_SCHEMA_NAME } from '../../server/modules/screening/injection-check.js';

export function createTimedProvider(baseUrl: string) {
  const sdk = createOpenAiProvider({ apiKey: 'sk-bench-not-a-key', baseUrl, timeoutMs: 30_000, maxRetries: 0 });
  let ms = 0;
  const provider: typeof sdk = {
    name: sdk.name,
    async complete(req, o) {
      const t0 = performance.now();
      try {
        return await sdk.complete(req, o);
      } finally {
        if (req.schemaName !== CHECK_SCHEMA_NAME) ms += performance.now() - t0;
      }
    },
  };
  return {
    provider,
    /** Milliseconds inside screening calls since creation or the last reset. */
    get providerMs(): number {
      return ms;
    },
    reset(): void {
      ms = 0;
    },
  };
}
