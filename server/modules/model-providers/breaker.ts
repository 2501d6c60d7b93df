// The model provider behind a circuit breaker (server/core/circuit-breaker.ts). One call
// to `complete` (which already ran the provider's own retries with backoff) is one breaker
// call: a retryable failure (5xx, timeout, connection error) counts toward opening; a 429
// is the provider throttling, not failing, and an abort or a 4xx means the provider is
// reachable, so those are neutral (they neither open nor close the breaker). While the
// breaker is open (or another process holds the half-open probe) `complete` throws
// CircuitOpenError without calling the provider; the AI job wrapper turns that into a
// re-delay of the job, so queued work waits and nothing is charged or lost. Requests made
// together through `together` (ai/model.ts) are one breaker call under one permit.
import { CircuitOpenError, type CallVerdict, type CircuitBreaker } from '../../core/circuit-breaker.js';
import { completeTogether, ProviderError, type ModelProvider } from '../ai/index.js';

export function classifyProviderError(err: unknown): { verdict: CallVerdict; code: string | null } {
  if (!(err instanceof ProviderError)) return { verdict: 'neutral', code: null };
  if (err.code === 'aborted' || err.code === 'http_429') return { verdict: 'neutral', code: err.code };
  return { verdict: err.retryable ? 'failure' : 'neutral', code: err.code };
}

export function withCircuitBreaker(provider: ModelProvider, breaker: CircuitBreaker): ModelProvider {
  return {
    name: provider.name,
    complete: (request, options) => breaker.run(() => provider.complete(request, options), classifyProviderError),
    // Requests sent together (a CV's screening call and its injection check) take ONE permit
    // and are one breaker call: their requests go to the unwrapped provider, the verdict is
    // how `work` ends, and a refusal throws CircuitOpenError before any of them goes out.
    together: (work) => breaker.run(() => completeTogether(provider, work), classifyProviderError),
  };
}

export { CircuitOpenError };
