// Screens an application's parsed CV (queue cv-screen, payload { orgId, applicationId }).
//
// - Per-org concurrency: a Redis sorted set of slot holders per org (entries expire, so a
//   crashed worker's slot frees itself); a job over the org's limit goes back to the
//   delayed set for a moment instead of blocking a worker slot. Global concurrency is the
//   Worker's own `concurrency`.
// - AI paused or monthly token budget used up: the screening shows "waiting" with the
//   reason and the job is delayed and re-checked; nothing is dropped.
// - Provider failures (429/5xx/timeouts after the provider's own retries) throw, so BullMQ
//   retries with exponential backoff; after the last attempt, or for a permanent error,
//   the screening is marked failed with the reason (visible, never lost).
// - A worker killed mid-job: BullMQ's stalled-job check hands the job to another worker;
//   the runner re-reads state and charges tokens only when it finishes the screening.
// - Provider circuit breaker open: the job goes back to the delayed set until the
//   cool-down ends, without using an attempt (ai-job.ts).
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CircuitBreaker } from '../../server/core/circuit-breaker.js';
import type { JobPayloads } from '../../server/core/queues.js';
import type { ScreeningRunner, ScreenOutcome } from '../../server/modules/screening/index.js';
import { runAiJob } from './ai-job.js';

export interface CvScreenDeps {
  runner: ScreeningRunner;
  redis: Redis;
  redisPrefix: string;
  logger: Logger;
  /** How long a paused / over-budget screening waits before it is checked again. */
  waitMs?: number;
  /** How long a job over its org's concurrency waits before trying again. */
  slotRetryMs?: number;
  /** A slot is forgotten after this long (a crashed holder). */
  slotTtlMs?: number;
  /** The model provider's circuit breaker: while open, screenings wait (see ai-job.ts). */
  breaker?: CircuitBreaker;
}

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 1
end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

export function createOrgSlots(redis: Redis, prefix: string, ttlMs: number) {
  const key = (orgId: string): string => `${prefix}:ai-slots:${orgId}`;
  return {
    async acquire(orgId: string, holder: string, limit: number): Promise<boolean> {
      const now = Date.now();
      const ok = await redis.eval(ACQUIRE, 1, key(orgId), String(now), String(now + ttlMs), holder, String(limit), String(ttlMs * 2));
      return ok === 1;
    },
    async release(orgId: string, holder: string): Promise<void> {
      await redis.zrem(key(orgId), holder);
    },
    async held(orgId: string): Promise<number> {
      await redis.zremrangebyscore(key(orgId), '-inf', String(Date.now()));
      return redis.zcard(key(orgId));
    },
  };
}

export function createCvScreenProcessor(deps: CvScreenDeps) {
  const waitMs = deps.waitMs ?? 60_000;
  const slotRetryMs = deps.slotRetryMs ?? 1_000;
  const slots = createOrgSlots(deps.redis, deps.redisPrefix, deps.slotTtlMs ?? 10 * 60_000);

  return async function processCvScreen(job: Job<JobPayloads['cv-screen']>, token?: string): Promise<ScreenOutcome> {
    const { orgId, applicationId } = job.data;
    const log = deps.logger.child({ queue: 'cv-screen', jobId: job.id, applicationId });
    const holder = `${job.id ?? applicationId}`;
    const limit = await deps.runner.orgConcurrency(orgId);
    if (!(await slots.acquire(orgId, holder, limit))) {
      await job.moveToDelayed(Date.now() + slotRetryMs + Math.floor(Math.random() * slotRetryMs), token);
      throw new DelayedError();
    }
    try {
      return await runAiJob({
        job,
        token,
        log,
        label: 'screening',
        waitMs,
        breaker: deps.breaker,
        run: () => deps.runner.screen(orgId, applicationId),
        markProviderFailure: (reason) => deps.runner.markProviderFailure(orgId, applicationId, reason),
      });
    } finally {
      await slots.release(orgId, holder);
    }
  };
}
