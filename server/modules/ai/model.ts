// The one small interface between screening and a language model. ai/providers/
// implements it (the OpenAI SDK, or a deterministic simulation); screening code only
// ever sees this.

export interface StructuredRequest {
  model: string;
  system: string;
  user: string;
  /** Name and JSON schema for structured outputs (strict). */
  schemaName: string;
  schema: Record<string, unknown>;
  seed: number;
  maxOutputTokens?: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface StructuredResponse {
  /** The model's JSON text, or null when it refused. */
  content: string | null;
  refusal: string | null;
  /** The model that answered (as reported by the provider). */
  model: string;
  requestId: string | null;
  usage: TokenUsage;
  latencyMs: number;
  /** HTTP attempts made for this call (1 = no retry). */
  attempts: number;
  /** True for the deterministic stand-in: its output is not a model's judgement. */
  simulated: boolean;
}

/** A provider call that failed after its own retries (or could not be retried). */
export class ProviderError extends Error {
  readonly retryable: boolean;
  readonly status: number | null;
  readonly attempts: number;
  readonly code: string;
  constructor(message: string, options: { retryable: boolean; status?: number | null; attempts: number; code: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.retryable = options.retryable;
    this.status = options.status ?? null;
    this.attempts = options.attempts;
    this.code = options.code;
  }
}

export interface ModelProvider {
  readonly name: 'openai' | 'simulated';
  complete(request: StructuredRequest, options?: { signal?: AbortSignal }): Promise<StructuredResponse>;
  /**
   * Runs `work`, which may send several requests at once, as ONE provider call for whatever
   * wraps the provider: the circuit breaker (model-providers/breaker.ts) takes a single permit
   * for all of them and judges them by how `work` ends (its error, or success), so requests that
   * belong together count once during an outage, and a refusal means none of them went out.
   * `work` sends its requests through the provider it is given. Providers that wrap nothing
   * leave it out; callers go through `completeTogether`.
   */
  together?<T>(work: (provider: ModelProvider) => Promise<T>): Promise<T>;
}

/** Runs `work` as one provider call (see ModelProvider.together); a provider without wrappers simply runs it. */
export function completeTogether<T>(provider: ModelProvider, work: (provider: ModelProvider) => Promise<T>): Promise<T> {
  return provider.together ? provider.together(work) : work(provider);
}

/** Every model request sets this `store` flag (OpenAI keeps no copy of prompts or outputs); the trust page's ai_settings line states it (issue 23). */
export const PROVIDER_STORE = false as const;
