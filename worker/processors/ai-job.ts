// What every AI job (CV screening, interview scoring) does with its outcome: "waiting"
// (AI paused or budget used up) delays the job and re-checks later; a provider failure is
// thrown for BullMQ to retry with backoff, and after the last attempt (or a permanent
// error) the work is marked failed with the reason, visibly, and not retried again.
//
// The provider's circuit breaker (shared by all worker processes through Redis) pauses AI
// work while the provider is down: a job that finds the breaker open, or whose call is
// refused by it, or whose provider failure finds it open, goes back to the delayed set
// until the cool-down ends (plus jitter, so the queue does not come back as one burst).
// moveToDelayed + DelayedError does not use up an attempt and nothing is charged (tokens
// are charged only when a screening or score is stored), so an outage of any length
// costs no job and no budget; the first job after the cool-down is the half-open probe,
// and when it succeeds the breaker closes and the rest of the queue follows.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { CircuitOpenError, type BreakerState, type CircuitBreaker } from '../../server/core/circuit-breaker.js';
import { ProviderError } from '../../server/modules/screening/index.js';

export interface AiJobSteps<T extends { status: string }> {
  job: Job;
  token: string | undefined;
  log: Logger;
  /** e.g. 'screening' or 'interview scoring', for log lines. */
  label: string;
  waitMs: number;
  run(): Promise<T>;
  markProviderFailure(reason: string): Promise<void>;
  /** The model provider's circuit breaker, when the provider has one. */
  breaker?: CircuitBreaker;
}

/** While a half-open probe is out, others look again this soon (the probe usually answers in well under that). */
export const HALF_OPEN_RECHECK_MS = 2_000;
/** Spread of re-delayed jobs after a cool-down, at most. */
const MAX_JITTER_MS = 5_000;

/** When a job refused by the breaker should run again: the end of the cool-down (or a short re-check while a probe is out), plus jitter. */
export function breakerDelayUntil(state: BreakerState, retryAt: number, now: number, random: () => number = Math.random): number {
  let wait = Math.max(0, retryAt - now);
  if (state !== 'open') wait = Math.min(wait || HALF_OPEN_RECHECK_MS, HALF_OPEN_RECHECK_MS);
  const jitter = Math.floor(random() * Math.min(MAX_JITTER_MS, Math.max(250, wait / 4)));
  return now + wait + jitter;
}

async function waitForBreaker(steps: AiJobSteps<{ status: string }>, state: BreakerState, retryAt: number, why: string): Promise<never> {
  const until = breakerDelayUntil(state, retryAt, Date.now());
  steps.log.info({ breaker: steps.breaker?.name, state, why, until: new Date(until).toISOString() }, `${steps.label} waits for the provider circuit breaker`);
  await steps.job.moveToDelayed(until, steps.token);
  throw new DelayedError();
}

/** Open (cool-down running) or half-open with a probe out: calls would be refused, so do not even prepare one. */
async function refusedNow(breaker: CircuitBreaker): Promise<{ state: BreakerState; retryAt: number } | null> {
  const s = await breaker.status();
  if (s.state === 'closed') return null;
  return s.retryAt > Date.now() ? s : null;
}

export async function runAiJob<T extends { status: string }>(steps: AiJobSteps<T>): Promise<T> {
  const { job, log } = steps;
  if (steps.breaker) {
    const refused = await refusedNow(steps.breaker);
    if (refused) await waitForBreaker(steps, refused.state, refused.retryAt, 'breaker_open');
  }
  try {
    const outcome = await steps.run();
    if (outcome.status === 'waiting') {
      const reason = (outcome as { reason?: string }).reason ?? '';
      log.info({ reason: reason.split(':')[0] }, `${steps.label} waits`);
      await job.moveToDelayed(Date.now() + steps.waitMs, steps.token);
      throw new DelayedError();
    }
    return outcome;
  } catch (err) {
    if (err instanceof CircuitOpenError) await waitForBreaker(steps, err.state, err.retryAt, 'call_refused');
    if (err instanceof ProviderError) {
      if (steps.breaker && err.retryable) {
        // This failure may be the one that opened the breaker (or it opened meanwhile):
        // the outage is being handled for everyone, so wait it out instead of using an attempt.
        const s = await steps.breaker.status();
        if (s.state !== 'closed') await waitForBreaker(steps, s.state, s.retryAt, `provider_${err.code}`);
      }
      const attempts = job.opts.attempts ?? 1;
      const last = !err.retryable || job.attemptsMade + 1 >= attempts;
      log.warn({ code: err.code, attempt: job.attemptsMade + 1, attempts, retryable: err.retryable }, `${steps.label} provider call failed`);
      if (last) {
        await steps.markProviderFailure(`provider_${err.code}`);
        throw new UnrecoverableError(`provider_${err.code}`);
      }
    }
    throw err;
  }
}
