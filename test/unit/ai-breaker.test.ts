// How provider outcomes count for the breaker, and when a job refused by it comes back.
import t from 'tap';
import { ProviderError } from '../../server/modules/screening/model.js';
import { classifyProviderError } from '../../server/modules/model-providers/breaker.js';
import { breakerDelayUntil, HALF_OPEN_RECHECK_MS } from '../../worker/processors/ai-job.js';

const err = (code: string, retryable: boolean, status: number | null = null) => new ProviderError('x', { code, retryable, status, attempts: 1 });

t.test('5xx, timeouts and connection errors are failures; 429, aborts, 4xx and foreign errors are neutral', async (t) => {
  t.same(classifyProviderError(err('http_500', true, 500)), { verdict: 'failure', code: 'http_500' });
  t.same(classifyProviderError(err('timeout', true)), { verdict: 'failure', code: 'timeout' });
  t.same(classifyProviderError(err('connection', true)), { verdict: 'failure', code: 'connection' });
  t.same(classifyProviderError(err('http_429', true, 429)), { verdict: 'neutral', code: 'http_429' });
  t.same(classifyProviderError(err('aborted', true)), { verdict: 'neutral', code: 'aborted' });
  t.same(classifyProviderError(err('http_400', false, 400)), { verdict: 'neutral', code: 'http_400' });
  t.same(classifyProviderError(new Error('bug')), { verdict: 'neutral', code: null });
});

t.test('open: back at the end of the cool-down plus a bounded jitter; half-open: a short re-check', async (t) => {
  const now = 1_000_000;
  t.equal(breakerDelayUntil('open', now + 30_000, now, () => 0), now + 30_000);
  t.equal(breakerDelayUntil('open', now + 30_000, now, () => 0.999), now + 30_000 + 4_995, 'jitter at most 5 s');
  t.equal(breakerDelayUntil('open', now - 5, now, () => 0), now, 'an elapsed cool-down: now');
  t.equal(breakerDelayUntil('half_open', now + 300_000, now, () => 0), now + HALF_OPEN_RECHECK_MS, 'a long probe permit does not park the queue');
  t.equal(breakerDelayUntil('half_open', 0, now, () => 0), now + HALF_OPEN_RECHECK_MS);
});
