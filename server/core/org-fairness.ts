// Per-org fairness for shared queues with the free BullMQ (no Pro "groups").
//
// The cv-parse workers are a small pool (two extraction threads by default) shared by every
// org, and its jobs come mostly from anonymous public uploads. Two mechanisms keep one
// org's burst from starving the others:
//
// 1. Producer side, recent-volume priority: each enqueue bumps a per-org counter that
//    resets every 10 minutes and uses it as the BullMQ priority (lower runs first). An
//    org that just queued 200 CVs has its 200th job at priority 200, while another org's
//    first CV is at priority 1 and is taken ahead of the backlog: a queue ordered by how
//    much each org has recently asked for, which approximates round-robin between orgs.
//
// 2. Worker side, per-org concurrency leases: before a job starts, the worker takes a lease
//    in a Redis sorted set per org (member = job id, score = lease expiry). With the org at
//    its limit the job is moved back to delayed for a moment (DelayedError: not a failed
//    attempt) and the slot goes to the next job, so one org can never hold every slot even
//    when its documents each run to the extraction time limit. Leases expire on their own,
//    so a worker that dies mid-job cannot leave an org blocked (the lease outlives the
//    extraction time limit with margin). The check-and-take is one Lua script (atomic
//    across worker processes).
//
// Not work-conserving on purpose: a lone org with a big batch uses perOrg slots, not all.
import type { Redis } from 'ioredis';

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export interface OrgSlots {
  /** true when the job may run now (lease taken or renewed). */
  acquire(orgId: string, jobId: string): Promise<boolean>;
  release(orgId: string, jobId: string): Promise<void>;
  /** Jobs of the org holding a live lease (for tests and metrics). */
  active(orgId: string): Promise<number>;
}

export function createOrgSlots(deps: { redis: Redis; redisPrefix: string; queue: string; perOrg: number; leaseMs: number; clock?: () => number }): OrgSlots {
  const now = deps.clock ?? Date.now;
  const key = (orgId: string): string => `${deps.redisPrefix}:fair:${deps.queue}:active:${orgId}`;
  return {
    async acquire(orgId, jobId) {
      const t = now();
      const ok = await deps.redis.eval(ACQUIRE, 1, key(orgId), String(t), String(t + deps.leaseMs), jobId, String(deps.perOrg), String(deps.leaseMs * 2));
      return ok === 1;
    },
    async release(orgId, jobId) {
      await deps.redis.zrem(key(orgId), jobId);
    },
    async active(orgId) {
      return deps.redis.zcount(key(orgId), now(), '+inf');
    },
  };
}

/** BullMQ's highest allowed priority number. */
const MAX_PRIORITY = 2_097_152;

/**
 * The priority of an org's next job: how many jobs the org queued in the current window
 * (1 for the first). Redis failing here must not lose the upload: callers fall back to a
 * middling priority.
 */
export async function recentVolumePriority(deps: { redis: Redis; redisPrefix: string; queue: string; windowMs?: number }, orgId: string): Promise<number> {
  const windowMs = deps.windowMs ?? 600_000;
  // A fixed window (the key names it), so the counter needs no conditional expiry.
  const key = `${deps.redisPrefix}:fair:${deps.queue}:recent:${orgId}:${Math.floor(Date.now() / windowMs)}`;
  const replies = await deps.redis.multi().incr(key).pexpire(key, windowMs * 2).exec();
  const n = Number(replies?.[0]?.[1] ?? 1);
  return Math.min(Math.max(1, n), MAX_PRIORITY);
}
