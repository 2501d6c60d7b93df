// The real provider: the official `openai` SDK against OPENAI_BASE_URL (OpenAI, Azure
// OpenAI's v1 endpoint, or any OpenAI-compatible server). Every request sets store:false,
// temperature 0 and a fixed seed, and asks for structured output (json_schema, strict).
//
// Retries are ours, not the SDK's (it runs with maxRetries: 0), so they are bounded and
// observable: 408/409/429/5xx, connection errors and timeouts are retried with
// exponential backoff and full jitter; a Retry-After (or retry-after-ms) header sets the
// wait instead, capped at maxRetryAfterMs. What is still failing after the last attempt
// surfaces as a ProviderError (retryable or not) for the queue to handle.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { PROVIDER_STORE, ProviderError, type ModelProvider, type StructuredRequest, type StructuredResponse } from '../ai/index.js';

export interface OpenAiProviderOptions {
  apiKey: string;
  baseUrl?: string | null;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Upper bound for a server-requested Retry-After wait. */
  maxRetryAfterMs?: number;
  /** Replaceable for tests (record waits without sleeping). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const RETRYABLE_STATUS = (s: number): boolean => s === 408 || s === 409 || s === 429 || s >= 500;

/** Wait before retry number `retry` (1-based): server-requested, else exponential with full jitter. */
export function retryDelayMs(retry: number, headers: Headers | undefined, o: { baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number; random: () => number }, now = Date.now()): number {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.min(Number(ms), o.maxRetryAfterMs);
  const ra = headers?.get('retry-after');
  if (ra) {
    const seconds = Number(ra);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, o.maxRetryAfterMs);
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.min(Math.max(0, date - now), o.maxRetryAfterMs);
  }
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (retry - 1));
  // "Full jitter" between half and all of the ceiling: spreads retries, keeps progress.
  return Math.round(ceiling / 2 + o.random() * (ceiling / 2));
}

export function createOpenAiProvider(options: OpenAiProviderOptions): ModelProvider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl ?? undefined,
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: 0,
  });
  const maxRetries = options.maxRetries ?? 3;
  const delays = {
    baseDelayMs: options.baseDelayMs ?? 1_000,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    random: options.random ?? Math.random,
  };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  return {
    name: 'openai',
    async complete(req: StructuredRequest, callOptions = {}): Promise<StructuredResponse> {
      const started = Date.now();
      for (let attempt = 1; ; attempt += 1) {
        try {
          const { data, request_id } = await client.chat.completions
            .create(
              {
                model: req.model,
                messages: [
                  { role: 'system', content: req.system },
                  { role: 'user', content: req.user },
                ],
                response_format: { type: 'json_schema', json_schema: { name: req.schemaName, strict: true, schema: req.schema } },
                store: PROVIDER_STORE,
                temperature: 0,
                seed: req.seed,
                ...(req.maxOutputTokens ? { max_completion_tokens: req.maxOutputTokens } : {}),
              },
              { signal: callOptions.signal },
            )
            .withResponse();
          const choice = data.choices[0];
          const usage = data.usage;
          return {
            content: choice?.message.content ?? null,
            refusal: choice?.message.refusal ?? null,
            model: data.model,
            requestId: request_id ?? data.id ?? null,
            usage: {
              inputTokens: usage?.prompt_tokens ?? 0,
              outputTokens: usage?.completion_tokens ?? 0,
              totalTokens: usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
            },
            latencyMs: Date.now() - started,
            attempts: attempt,
            simulated: false,
          };
        } catch (err) {
          if (err instanceof APIUserAbortError) throw new ProviderError('aborted', { retryable: true, attempts: attempt, code: 'aborted', cause: err });
          const timeout = err instanceof APIConnectionTimeoutError;
          const connection = err instanceof APIConnectionError;
          const status = err instanceof APIError && typeof err.status === 'number' ? err.status : null;
          const retryable = timeout || connection || (status !== null && RETRYABLE_STATUS(status));
          const code = timeout ? 'timeout' : connection ? 'connection' : status !== null ? `http_${status}` : 'unexpected';
          if (!retryable || attempt > maxRetries) {
            throw new ProviderError(`provider call failed: ${code} after ${attempt} attempt(s)`, { retryable, status, attempts: attempt, code, cause: err });
          }
          const headers = err instanceof APIError ? (err.headers as Headers | undefined) : undefined;
          await sleep(retryDelayMs(attempt, headers, delays));
        }
      }
    },
  };
}
