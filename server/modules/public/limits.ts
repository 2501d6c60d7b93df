// Apply rates per job and per org (issue 14, M1): on top of the per-IP limit, so many IPs
// together cannot flood one job or one org with applications (and its CV parsing). Fixed
// one-hour windows counted in Redis (shared by every app process); both counters move in
// one MULTI. A refused application is a 429 problem with Retry-After and stores nothing.
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '../../core/errors.js';

export interface ApplyLimits {
  perJobPerHour: number;
  perOrgPerHour: number;
}

const WINDOW_MS = 3_600_000;

export function createApplyLimiter(deps: { redis: Redis; redisPrefix: string; limits: ApplyLimits; clock?: () => number }) {
  const now = deps.clock ?? Date.now;
  return {
    /** Counts one application to the job; throws TooManyRequestsError when the job or the org is over its hourly rate. */
    async take(orgId: string, jobId: string): Promise<void> {
      const t = now();
      const window = Math.floor(t / WINDOW_MS);
      const orgKey = `${deps.redisPrefix}:apply:org:${orgId}:${window}`;
      const jobKey = `${deps.redisPrefix}:apply:job:${jobId}:${window}`;
      const replies = await deps.redis.multi().incr(orgKey).pexpire(orgKey, WINDOW_MS).incr(jobKey).pexpire(jobKey, WINDOW_MS).exec();
      const orgCount = Number(replies?.[0]?.[1] ?? 0);
      const jobCount = Number(replies?.[2]?.[1] ?? 0);
      if (orgCount > deps.limits.perOrgPerHour || jobCount > deps.limits.perJobPerHour) {
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - t) / 1000));
        throw new TooManyRequestsError(retryAfter, {
          detail: `This ${jobCount > deps.limits.perJobPerHour ? 'job' : 'organisation'} is receiving too many applications right now; please try again in ${Math.ceil(retryAfter / 60)} minutes.`,
        });
      }
    },
  };
}

export type ApplyLimiter = ReturnType<typeof createApplyLimiter>;
