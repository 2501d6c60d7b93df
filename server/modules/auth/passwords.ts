// Password hashing and policy: argon2id at or above the OWASP minimum (m=19 MiB, t=2,
// p=1; parameters live in each hash and are upgraded on sign-in), 12-128 characters,
// no composition rules, refused when on the bundled list of common/breached passwords.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import argon2 from 'argon2';
import { ServiceUnavailableError, TooManyRequestsError } from '../../core/errors.js';
import { packageRoot } from '../../core/paths.js';

export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/**
 * Who a hash is for. `anonymous`: a sign-in from a browser the account has never signed in
 * from. `known`: a member already signed in (re-entering the password, changing it), a
 * sign-in from a device that signed in to this account before (device cookie, OWASP), or a
 * holder of a valid reset or invitation link. Each lane has its own budget, and known
 * hashes wait ahead of anonymous ones: a flood of wrong passwords from many addresses
 * spends the anonymous budget only, and members still sign in (issue 19, floods).
 */
export type HashLane = 'anonymous' | 'known';

export interface PasswordHasher {
  hash(password: string, lane?: HashLane): Promise<string>;
  /** Verifies; `rehash` is true when the stored parameters are below the current ones. */
  verify(hash: string, password: string, lane?: HashLane): Promise<{ ok: boolean; rehash: boolean }>;
  /** Spends the same work as verify for an unknown account (no timing oracle). */
  verifyDummy(password: string, lane?: HashLane): Promise<void>;
  /**
   * Throws the 429 (or 503) a hash would meet now, without taking from the budget: callers
   * check it before their own work (a database lookup), so a refused attempt costs no query.
   */
  admit(lane?: HashLane): void;
}

export interface HasherOptions {
  memoryCost?: number;
  timeCost?: number;
  /** Hashes running at once; the rest wait in a short queue (default: all cores but one, at least 1). */
  maxConcurrent?: number;
  /** Waiting hashes beyond this are refused at once with 503 (default 8). */
  maxQueue?: number;
  /**
   * Hashes started per second, as a token bucket of this size refilled continuously; beyond
   * it 429 before any argon2 work. Unset: calibrated at start-up from `cpuShare`.
   */
  maxPerSecond?: number;
  /** Share of one core argon2 may use (default 0.25): the budget is this over one hash's measured time. */
  cpuShare?: number;
  /** The budget never falls below this many hashes per second, so a small team can always sign in (default 2). */
  minPerSecond?: number;
}

/** The default share of one core for argon2 (PASSWORD_HASH_CPU_SHARE). */
export const DEFAULT_HASH_CPU_SHARE = 0.25;
/** Hashes the budget lets start at once after a quiet spell, whatever its rate. */
export const HASH_BURST = 5;
/** The default floor of the hash budget (PASSWORD_HASH_MIN_PER_SECOND). */
export const DEFAULT_MIN_HASHES_PER_SECOND = 2;

/** Hashes per second that keep argon2 within `cpuShare` of one core, given one hash's time. */
export function hashBudget(hashSeconds: number, cpuShare: number, minPerSecond: number): number {
  if (!(hashSeconds > 0)) return minPerSecond;
  return Math.max(minPerSecond, cpuShare / hashSeconds);
}

/**
 * The hash budget: a token bucket refilled at `perSecond`. Unless the rate is fixed, the rate
 * follows the fastest hash observed so far (`observe`): a start-up on a busy machine
 * (migrations, the worker starting) times a slow hash and would otherwise pin the budget at
 * the floor for good; every later hash that runs faster raises it towards the share the
 * operator set, and a slower one never lowers it. The bucket holds at least HASH_BURST
 * hashes, so a few people signing in in the same second (a team arriving at nine) are not
 * refused however low the rate; a flood empties it once and then meets the rate.
 */
export function createHashBudget(o: { cpuShare: number; minPerSecond: number; fixedPerSecond?: number; now?: () => number }) {
  const now = o.now ?? (() => performance.now());
  let perSecond = o.fixedPerSecond ?? o.minPerSecond;
  let fastestSeconds = Infinity;
  const capacity = (): number => Math.max(perSecond, HASH_BURST);
  let tokens = capacity();
  let refilledAt = now();
  function refill(): void {
    const t = now();
    tokens = Math.min(capacity(), tokens + ((t - refilledAt) / 1000) * perSecond);
    refilledAt = t;
  }
  return {
    get perSecond(): number {
      return perSecond;
    },
    /** One hash took `seconds`; returns the rate now in force. */
    observe(seconds: number): number {
      if (o.fixedPerSecond === undefined && seconds > 0 && seconds < fastestSeconds) {
        fastestSeconds = seconds;
        perSecond = hashBudget(seconds, o.cpuShare, o.minPerSecond);
      }
      return perSecond;
    },
    /** Whether a hash could start now, without spending it. */
    available(): boolean {
      refill();
      return tokens >= 1;
    },
    /** Spends one hash; false when the bucket is empty. */
    take(): boolean {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/**
 * argon2id with a process-wide cap: per-IP and per-account limits stop a flood from one
 * place; this cap bounds what a distributed flood can force, so argon2 can never take
 * more than its share of the CPU away from the rest of the app.
 */
export function createPasswordHasher(options: HasherOptions = {}): PasswordHasher & { readonly perSecond: number; readonly calibrated: Promise<number> } {
  const params = { ...ARGON2_OPTIONS, memoryCost: options.memoryCost ?? ARGON2_OPTIONS.memoryCost, timeCost: options.timeCost ?? ARGON2_OPTIONS.timeCost };
  // One core is always left to the event loop: a flood of wrong passwords from many
  // addresses (each under the per-IP and per-account limits) kept both cores of a 2-core
  // box in argon2 and members' requests waited seconds (npm run test:floods, issue 19).
  const maxConcurrent = options.maxConcurrent ?? Math.max(1, availableParallelism() - 1);
  const maxQueue = options.maxQueue ?? 8;
  const cpuShare = options.cpuShare ?? DEFAULT_HASH_CPU_SHARE;
  const minPerSecond = options.minPerSecond ?? DEFAULT_MIN_HASHES_PER_SECOND;
  // A fixed 50/s was more than a 2-core box can hash (one hash at m=19 MiB, t=2 takes about
  // 60 ms of one core), so only maxConcurrent held a flood back and argon2 kept a whole core
  // busy; members' p99 tripled (issue 19). The budget is a share of the machine instead: once
  // the dummy hash every process needs anyway exists, one verify of it (what a sign-in costs,
  // warm: the first hash also pays for loading and first-touching its memory) is timed at
  // start-up; until then the floor applies.
  const budgets: Record<HashLane, ReturnType<typeof createHashBudget>> = {
    anonymous: createHashBudget({ cpuShare, minPerSecond, fixedPerSecond: options.maxPerSecond }),
    known: createHashBudget({ cpuShare, minPerSecond, fixedPerSecond: options.maxPerSecond }),
  };
  const observe = (seconds: number): number => {
    budgets.known.observe(seconds);
    return budgets.anonymous.observe(seconds);
  };
  // A random password per process: the dummy hash only spends time, it must never match anything.
  const dummy = argon2.hash(randomBytes(32).toString('base64url'), params);
  const calibrated =
    options.maxPerSecond !== undefined
      ? Promise.resolve(budgets.anonymous.perSecond)
      : dummy
          .then(async (stored) => {
            const startedAt = performance.now();
            await argon2.verify(stored, randomBytes(32).toString('base64url'));
            return observe((performance.now() - startedAt) / 1000);
          })
          .catch(() => budgets.anonymous.perSecond);
  const busy = (): TooManyRequestsError => new TooManyRequestsError(1, { detail: 'Too many sign-in attempts right now; try again in a moment.' });
  const full = (): ServiceUnavailableError => new ServiceUnavailableError({ detail: 'Sign-in is busy; try again in a few seconds.' });
  let running = 0;
  // Known hashes wait in their own queue, served first; each queue has maxQueue places.
  const waiting: Record<HashLane, (() => void)[]> = { anonymous: [], known: [] };
  const queueFull = (lane: HashLane): boolean => running >= maxConcurrent && waiting[lane].length >= maxQueue;
  async function limited<T>(lane: HashLane, work: () => Promise<T>): Promise<T> {
    // Taken synchronously (before any await), or refused with 429.
    if (!budgets[lane].take()) throw busy();
    if (running >= maxConcurrent) {
      if (waiting[lane].length >= maxQueue) throw full();
      await new Promise<void>((resolve) => waiting[lane].push(resolve));
    }
    running += 1;
    const startedAt = performance.now();
    try {
      return await work();
    } finally {
      running -= 1;
      observe((performance.now() - startedAt) / 1000);
      (waiting.known.shift() ?? waiting.anonymous.shift())?.();
    }
  }
  const failedAsFalse = (err: unknown): false => {
    if (err instanceof ServiceUnavailableError || err instanceof TooManyRequestsError) throw err;
    return false;
  };
  return {
    get perSecond() {
      return budgets.anonymous.perSecond;
    },
    calibrated,
    admit(lane = 'anonymous') {
      if (!budgets[lane].available()) throw busy();
      if (queueFull(lane)) throw full();
    },
    hash: (password, lane = 'anonymous') => limited(lane, () => argon2.hash(password, params)),
    async verify(hash, password, lane = 'anonymous') {
      const ok = await limited(lane, () => argon2.verify(hash, password)).catch(failedAsFalse);
      return { ok, rehash: ok && argon2.needsRehash(hash, params) };
    },
    async verifyDummy(password, lane = 'anonymous') {
      const stored = await dummy;
      await limited(lane, () => argon2.verify(stored, password)).catch(failedAsFalse);
    },
  };
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

let commonPasswords: Set<string> | undefined;

function loadCommonPasswords(): Set<string> {
  if (!commonPasswords) {
    const text = readFileSync(path.join(packageRoot(), 'server', 'modules', 'auth', 'common-passwords.txt'), 'utf8');
    commonPasswords = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.toLowerCase()));
  }
  return commonPasswords;
}

export function commonPasswordCount(): number {
  return loadCommonPasswords().size;
}

export function passwordLengthProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Passwords need at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Passwords may have at most ${PASSWORD_MAX} characters.`;
  return null;
}

/** The reason a new password is refused, or null. */
export function newPasswordProblem(password: string, context: { email?: string } = {}): string | null {
  const length = passwordLengthProblem(password);
  if (length) return length;
  const lower = password.toLowerCase();
  if (loadCommonPasswords().has(lower)) return 'This password is on a list of common or breached passwords; choose another.';
  if (context.email && lower.includes(context.email.split('@')[0]?.toLowerCase() ?? '\u0000') && lower.length < 20) {
    return 'Passwords must not be built from your email address.';
  }
  return null;
}
