// Apply rates per job and per org (issue 14, M1): on top of the per-IP limit, so many IPs
// together cannot flood one job or one org with applications (and its CV parsing). Fixed
// one-hour windows counted in Redis (shared by every app process); both counters move in
// one MULTI. A refused application is a 429 problem with Retry-After and stores nothing.
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '../../core/errors.js';

export interface ApplyLimits {
  perJobPerHour: number;
  perOrgPerHour: number;
  /** Per job per minute; unset = burstLimit(perJobPerHour). */
  perJobPerMinute?: number | null;
}

const WINDOW_MS = 3_600_000;
const BURST_WINDOW_MS = 60_000;

/**
 * Applications per job per minute: a twelfth of the hourly rate, at least 10. Without it a
 * flood from many addresses spent the whole hourly allowance (120) in 2-3 seconds, and the
 * parses it forced at once starved members' requests (npm run test:floods, issue 19).
 */
export function burstLimit(perJobPerHour: number): number {
  return Math.max(10, Math.ceil(perJobPerHour / 12));
}

export function createApplyLimiter(deps: { redis: Redis; redisPrefix: string; limits: ApplyLimits; clock?: () => number }) {
  const now = deps.clock ?? Date.now;
  return {
    /** Counts one application to the job; throws TooManyRequestsError when the job or the org is over its hourly rate. */
    async take(orgId: string, jobId: string): Promise<void> {
      const t = now();
      const window = Math.floor(t / WINDOW_MS);
      const orgKey = `${deps.redisPrefix}:apply:org:${orgId}:${window}`;
      const jobKey = `${deps.redisPrefix}:apply:job:${jobId}:${window}`;
      const minute = Math.floor(t / BURST_WINDOW_MS);
      const burstKey = `${deps.redisPrefix}:apply:jobmin:${jobId}:${minute}`;
      const replies = await deps.redis.multi().incr(orgKey).pexpire(orgKey, WINDOW_MS).incr(jobKey).pexpire(jobKey, WINDOW_MS).incr(burstKey).pexpire(burstKey, BURST_WINDOW_MS).exec();
      const orgCount = Number(replies?.[0]?.[1] ?? 0);
      const jobCount = Number(replies?.[2]?.[1] ?? 0);
      const burstCount = Number(replies?.[4]?.[1] ?? 0);
      if (burstCount > (deps.limits.perJobPerMinute ?? burstLimit(deps.limits.perJobPerHour))) {
        throw new TooManyRequestsError(Math.max(1, Math.ceil(((minute + 1) * BURST_WINDOW_MS - t) / 1000)), {
          detail: 'This job is receiving too many applications right now; please try again in a minute.',
          i18n: { key: 'apply.tooManyJob', values: { minutes: 1 } },
        });
      }
      if (orgCount > deps.limits.perOrgPerHour || jobCount > deps.limits.perJobPerHour) {
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - t) / 1000));
        throw new TooManyRequestsError(retryAfter, {
          detail: `This ${jobCount > deps.limits.perJobPerHour ? 'job' : 'organisation'} is receiving too many applications right now; please try again in ${Math.ceil(retryAfter / 60)} minutes.`,
          i18n: { key: jobCount > deps.limits.perJobPerHour ? 'apply.tooManyJob' : 'apply.tooManyOrg', values: { minutes: Math.ceil(retryAfter / 60) } },
        });
      }
    },
  };
}

export type ApplyLimiter = ReturnType<typeof createApplyLimiter>;
