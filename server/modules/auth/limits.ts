// Brute-force limits counted in Redis (shared by every app process), checked before any
// argon2 work. Per account: progressive lockout (5 failures -> 30 s, doubling per further
// failure, capped at 15 min), unlocked automatically when the lock key expires. Per IP:
// failures across accounts block the IP for a while. A burst raises an alert.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LimitPolicy {
  accountFailuresBeforeLock: number;
  baseLockMs: number;
  maxLockMs: number;
  failureWindowMs: number;
  ipFailuresBeforeBlock: number;
  ipBlockMs: number;
}

export const DEFAULT_LIMITS: LimitPolicy = {
  accountFailuresBeforeLock: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  failureWindowMs: 15 * 60_000,
  ipFailuresBeforeBlock: 20,
  ipBlockMs: 10 * 60_000,
};

export type LimitKind = 'login' | 'mfa' | 'reset' | 'invite';

export interface Blocked {
  retryAfterSeconds: number;
  scope: 'account' | 'ip';
}

export interface FailureOutcome {
  failures: number;
  /** Set when this failure started a lock (account) or block (ip): raise an alert. */
  lockedForMs: number | null;
  ipBlocked: boolean;
}

const keyOf = (value: string): string => createHash('sha256').update(value.toLowerCase()).digest('hex').slice(0, 32);

export function createAuthLimiter(deps: { redis: Redis; prefix: string; policy?: Partial<LimitPolicy> }) {
  const policy = { ...DEFAULT_LIMITS, ...deps.policy };
  const k = (kind: LimitKind, what: string, id: string): string => `${deps.prefix}:auth:${kind}:${what}:${keyOf(id)}`;

  return {
    policy,
    async blocked(kind: LimitKind, account: string, ip: string): Promise<Blocked | null> {
      const [accountTtl, ipTtl] = await Promise.all([deps.redis.pttl(k(kind, 'lock', account)), deps.redis.pttl(k(kind, 'ipblock', ip))]);
      if (accountTtl > 0) return { retryAfterSeconds: Math.ceil(accountTtl / 1000), scope: 'account' };
      if (ipTtl > 0) return { retryAfterSeconds: Math.ceil(ipTtl / 1000), scope: 'ip' };
      return null;
    },

    async recordFailure(kind: LimitKind, account: string, ip: string): Promise<FailureOutcome> {
      const accountKey = k(kind, 'fail', account);
      const ipKey = k(kind, 'ipfail', ip);
      const result = await deps.redis
        .multi()
        .incr(accountKey)
        .pexpire(accountKey, policy.failureWindowMs)
        .incr(ipKey)
        .pexpire(ipKey, policy.failureWindowMs)
        .exec();
      const failures = Number(result?.[0]?.[1] ?? 0);
      const ipFailures = Number(result?.[2]?.[1] ?? 0);
      let lockedForMs: number | null = null;
      if (failures >= policy.accountFailuresBeforeLock) {
        const over = failures - policy.accountFailuresBeforeLock;
        lockedForMs = Math.min(policy.baseLockMs * 2 ** Math.min(over, 20), policy.maxLockMs);
        await deps.redis.set(k(kind, 'lock', account), '1', 'PX', lockedForMs);
      }
      let ipBlocked = false;
      if (ipFailures >= policy.ipFailuresBeforeBlock) {
        ipBlocked = (await deps.redis.set(k(kind, 'ipblock', ip), '1', 'PX', policy.ipBlockMs, 'NX')) === 'OK';
      }
      return { failures, lockedForMs, ipBlocked };
    },

    async recordSuccess(kind: LimitKind, account: string): Promise<void> {
      await deps.redis.del(k(kind, 'fail', account), k(kind, 'lock', account));
    },
  };
}

export type AuthLimiter = ReturnType<typeof createAuthLimiter>;
