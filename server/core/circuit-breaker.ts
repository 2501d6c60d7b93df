// A circuit breaker for calls to an outside provider (OpenAI, Vapi), with its state in
// Redis so every app and worker process agrees: one process seeing the provider fail
// counts for all, and when the breaker opens nobody keeps hammering a provider that is
// down.
//
//   closed --(N consecutive failures, or a failure ratio over a window)--> open
//   open   --(cool-down elapsed; the next caller takes the single probe)--> half_open
//   half_open --(probe succeeds)--> closed      half_open --(probe fails)--> open
//
// Every transition is decided inside one Lua script (atomic across processes), appended to
// a short history list in Redis (what GET status endpoints show) and returned to the
// process that caused it, which logs it and calls `onTransition` (e.g. to audit it or to
// pause/resume queue work). Other processes learn of a transition through a pub/sub
// message on the breaker's channel (`subscribe`).
//
// Time comes from an injectable clock and is passed into the scripts, so tests can drive
// the state machine without sleeping. A probe permit expires after `probeTtlMs` so a
// process that dies mid-probe cannot leave the breaker half-open forever.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerTransition {
  breaker: string;
  from: BreakerState;
  to: BreakerState;
  /** Why: 'consecutive_failures', 'failure_ratio', 'cooldown_elapsed', 'probe_succeeded', 'probe_failed'. */
  reason: string;
  /** The failure code that tipped it (e.g. 'http_500', 'timeout'), if any. */
  code: string | null;
  at: string;
}

export interface BreakerSnapshot {
  breaker: string;
  state: BreakerState;
  consecutiveFailures: number;
  /** Calls and failures in the current ratio window. */
  window: { calls: number; failures: number; startedAt: string | null };
  openedAt: string | null;
  /** While open: when the next probe may go through. */
  retryAt: string | null;
  lastFailureCode: string | null;
  /** Most recent first. */
  history: BreakerTransition[];
}

/** What `acquire` hands out: either a go-ahead (maybe as the half-open probe) or a refusal with a time to come back. */
export type BreakerPermit = { allowed: true; probe: boolean; state: BreakerState } | { allowed: false; state: BreakerState; retryAt: number };

export interface CircuitBreakerOptions {
  /** Short stable name, e.g. 'openai' or 'vapi'; part of the Redis keys. */
  name: string;
  redis: Redis;
  /** The deployment's Redis key prefix (config.redisPrefix). */
  prefix: string;
  /** Open after this many failures in a row (default 5). */
  failureThreshold?: number;
  /** Also open when at least `minCalls` calls in a `windowMs` window failed at `failureRatio` or more (default 0.5 over 60 s, min 20 calls). */
  failureRatio?: number;
  windowMs?: number;
  minCalls?: number;
  /** How long the breaker stays open before letting a probe through (default 30 s). */
  openMs?: number;
  /** How long a probe permit is held before another caller may probe (default 5 min). */
  probeTtlMs?: number;
  /** Transitions kept in the history list (default 20). */
  historySize?: number;
  clock?: () => number;
  logger?: Logger;
  /** Called in the process that caused a transition (once per transition across all processes). */
  onTransition?: (t: BreakerTransition) => void | Promise<void>;
}

/** Thrown by `run` (and by wrappers) when the breaker refuses a call; carries when to try again. */
export class CircuitOpenError extends Error {
  readonly breaker: string;
  readonly retryAt: number;
  readonly state: BreakerState;
  constructor(breaker: string, state: BreakerState, retryAt: number) {
    super(`circuit breaker '${breaker}' is ${state}; retry after ${new Date(retryAt).toISOString()}`);
    this.name = 'CircuitOpenError';
    this.breaker = breaker;
    this.state = state;
    this.retryAt = retryAt;
  }
}

/** How a call ended, for the breaker: 'failure' counts toward opening; 'neutral' (e.g. a 429 or an abort) neither counts nor closes. */
export type CallVerdict = 'success' | 'failure' | 'neutral';

// KEYS[1] state hash, KEYS[2] history list, KEYS[3] pub/sub channel.
// Each script returns { allowed/changed flag, state, retryAt, transitionJson|'' }.
const COMMON = `
local function get(k) return redis.call('HGET', KEYS[1], k) end
local function num(k) return tonumber(get(k) or '0') or 0 end
local function transition(from, to, reason, code, now)
  local t = cjson.encode({ breaker = ARGV[1], from = from, to = to, reason = reason, code = code or cjson.null, at = now })
  redis.call('LPUSH', KEYS[2], t)
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
  redis.call('PUBLISH', KEYS[3], t)
  return t
end
`;

// ARGV: name, historySize, now, probeTtlMs, nowIso
const ACQUIRE = `${COMMON}
local now = tonumber(ARGV[3])
local state = get('state') or 'closed'
if state == 'closed' then return { 1, state, 0, '' } end
if state == 'open' then
  local untilMs = num('until')
  if now < untilMs then return { 0, state, untilMs, '' } end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe_until', now + tonumber(ARGV[4]))
  return { 2, 'half_open', 0, transition('open', 'half_open', 'cooldown_elapsed', nil, ARGV[5]) }
end
-- half_open: one probe at a time; a probe permit that outlived its TTL is taken over.
local probeUntil = num('probe_until')
if now < probeUntil then return { 0, state, probeUntil, '' } end
redis.call('HSET', KEYS[1], 'probe_until', now + tonumber(ARGV[4]))
return { 2, state, 0, '' }
`;

// ARGV: name, historySize, now, verdict, code, threshold, ratio, windowMs, minCalls, openMs, nowIso, wasProbe
const RECORD = `${COMMON}
local now = tonumber(ARGV[3])
local verdict = ARGV[4]
local code = ARGV[5]
if code == '' then code = nil end
local state = get('state') or 'closed'
local wasProbe = ARGV[12] == '1'
if verdict == 'neutral' then
  -- A probe that ended neither way hands the probe to the next caller.
  if wasProbe and state == 'half_open' then redis.call('HSET', KEYS[1], 'probe_until', 0) end
  return { 0, state, 0, '' }
end
if state == 'half_open' then
  if verdict == 'success' then
    redis.call('DEL', KEYS[1])
    redis.call('HSET', KEYS[1], 'state', 'closed')
    return { 1, 'closed', 0, transition('half_open', 'closed', 'probe_succeeded', nil, ARGV[11]) }
  end
  if not wasProbe then return { 0, state, 0, '' } end
  local untilMs = now + tonumber(ARGV[10])
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', now, 'until', untilMs, 'probe_until', 0, 'last_code', code or '')
  return { 1, 'open', untilMs, transition('half_open', 'open', 'probe_failed', code, ARGV[11]) }
end
if state == 'open' then
  -- Calls let through before the breaker opened finish now; they change nothing.
  return { 0, state, num('until'), '' }
end
-- closed: count in the ratio window and the consecutive run.
local windowMs = tonumber(ARGV[8])
local winStart = num('win_start')
if now - winStart >= windowMs then
  redis.call('HSET', KEYS[1], 'win_start', now, 'win_calls', 0, 'win_failures', 0)
end
local calls = redis.call('HINCRBY', KEYS[1], 'win_calls', 1)
if verdict == 'success' then
  redis.call('HSET', KEYS[1], 'consecutive', 0)
  return { 0, state, 0, '' }
end
local failures = redis.call('HINCRBY', KEYS[1], 'win_failures', 1)
local consecutive = redis.call('HINCRBY', KEYS[1], 'consecutive', 1)
redis.call('HSET', KEYS[1], 'last_code', code or '')
local reason = nil
if consecutive >= tonumber(ARGV[6]) then reason = 'consecutive_failures'
elseif calls >= tonumber(ARGV[9]) and failures / calls >= tonumber(ARGV[7]) then reason = 'failure_ratio' end
if not reason then return { 0, state, 0, '' } end
local untilMs = now + tonumber(ARGV[10])
redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', now, 'until', untilMs, 'probe_until', 0)
return { 1, 'open', untilMs, transition('closed', 'open', reason, code, ARGV[11]) }
`;

type ScriptReply = [number, BreakerState, number, string];

export interface CircuitBreaker {
  readonly name: string;
  /** Ask to make a call. In half-open state only one caller (the probe) is allowed at a time. */
  acquire(): Promise<BreakerPermit>;
  /** Report how a permitted call ended. */
  record(permit: BreakerPermit & { allowed: true }, verdict: CallVerdict, code?: string | null): Promise<void>;
  /** Runs fn under the breaker; throws CircuitOpenError when refused. `classify` maps a thrown error to a verdict (default: failure). */
  run<T>(fn: () => Promise<T>, classify?: (err: unknown) => { verdict: CallVerdict; code?: string | null }): Promise<T>;
  /** Current state without taking a permit (an elapsed cool-down still reads as open until someone probes). */
  snapshot(): Promise<BreakerSnapshot>;
  /** One cheap read for hot paths: the state and, when calls are refused, until when (open: end of cool-down; half_open: end of the probe permit, 0 when no probe is out). */
  status(): Promise<{ state: BreakerState; retryAt: number }>;
  /** Listens for transitions made by any process; returns an unsubscribe function. Needs a Redis connection it may put in subscriber mode. */
  subscribe(subscriber: Redis, listener: (t: BreakerTransition) => void): Promise<() => Promise<void>>;
  /** The pub/sub channel transitions are published on. */
  readonly channel: string;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { redis, name } = options;
  if (!/^[a-z0-9_-]{1,40}$/.test(name)) throw new Error(`circuit breaker name must be [a-z0-9_-]{1,40}: ${name}`);
  const clock = options.clock ?? Date.now;
  const threshold = options.failureThreshold ?? 5;
  const ratio = options.failureRatio ?? 0.5;
  const windowMs = options.windowMs ?? 60_000;
  const minCalls = options.minCalls ?? 20;
  const openMs = options.openMs ?? 30_000;
  const probeTtlMs = options.probeTtlMs ?? 5 * 60_000;
  const historySize = options.historySize ?? 20;
  const base = `${options.prefix}:breaker:${name}`;
  const keys = [base, `${base}:history`, `${base}:events`] as const;
  const log = options.logger?.child({ breaker: name });

  async function announce(json: string): Promise<void> {
    if (!json) return;
    const t = JSON.parse(json) as BreakerTransition;
    // Opening is a warning (the provider is failing); everything else is recovery progress.
    if (t.to === 'open') log?.warn({ from: t.from, to: t.to, reason: t.reason, code: t.code }, 'circuit breaker opened');
    else log?.info({ from: t.from, to: t.to, reason: t.reason }, `circuit breaker ${t.to === 'closed' ? 'closed' : 'half-open'}`);
    try {
      await options.onTransition?.(t);
    } catch (err) {
      log?.warn({ err: { message: (err as Error).message } }, 'circuit breaker transition hook failed');
    }
  }

  const breaker: CircuitBreaker = {
    name,
    channel: keys[2],

    async acquire() {
      const now = clock();
      const [flag, state, retryAt, t] = (await redis.eval(ACQUIRE, 3, ...keys, name, String(historySize), String(now), String(probeTtlMs), new Date(now).toISOString())) as ScriptReply;
      await announce(t);
      if (flag === 0) return { allowed: false, state, retryAt: Number(retryAt) };
      return { allowed: true, probe: flag === 2, state };
    },

    async record(permit, verdict, code = null) {
      const now = clock();
      const reply = (await redis.eval(
        RECORD,
        3,
        ...keys,
        name,
        String(historySize),
        String(now),
        verdict,
        code ?? '',
        String(threshold),
        String(ratio),
        String(windowMs),
        String(minCalls),
        String(openMs),
        new Date(now).toISOString(),
        permit.probe ? '1' : '0',
      )) as ScriptReply;
      await announce(reply[3]);
    },

    async run(fn, classify = () => ({ verdict: 'failure' })) {
      const permit = await breaker.acquire();
      if (!permit.allowed) throw new CircuitOpenError(name, permit.state, permit.retryAt);
      let result;
      try {
        result = await fn();
      } catch (err) {
        const c = classify(err);
        await breaker.record(permit, c.verdict, c.code ?? null);
        throw err;
      }
      await breaker.record(permit, 'success');
      return result;
    },

    async snapshot() {
      const [h, history] = await Promise.all([redis.hgetall(keys[0]), redis.lrange(keys[1], 0, historySize - 1)]);
      const state = (h.state as BreakerState | undefined) ?? 'closed';
      const iso = (v: string | undefined): string | null => (v && Number(v) > 0 ? new Date(Number(v)).toISOString() : null);
      return {
        breaker: name,
        state,
        consecutiveFailures: Number(h.consecutive ?? 0),
        window: { calls: Number(h.win_calls ?? 0), failures: Number(h.win_failures ?? 0), startedAt: iso(h.win_start) },
        openedAt: state === 'closed' ? null : iso(h.opened_at),
        retryAt: state === 'open' ? iso(h.until) : null,
        lastFailureCode: h.last_code ? h.last_code : null,
        history: history.map((s) => JSON.parse(s) as BreakerTransition),
      };
    },

    async status() {
      const [state, until, probeUntil] = await redis.hmget(keys[0], 'state', 'until', 'probe_until');
      const s = (state as BreakerState | null) ?? 'closed';
      return { state: s, retryAt: s === 'open' ? Number(until ?? 0) : s === 'half_open' ? Number(probeUntil ?? 0) : 0 };
    },

    async subscribe(subscriber, listener) {
      const onMessage = (channel: string, message: string): void => {
        if (channel !== keys[2]) return;
        try {
          listener(JSON.parse(message) as BreakerTransition);
        } catch (err) {
          log?.warn({ err: { message: (err as Error).message } }, 'circuit breaker listener failed');
        }
      };
      subscriber.on('message', onMessage);
      await subscriber.subscribe(keys[2]);
      return async () => {
        subscriber.off('message', onMessage);
        await subscriber.unsubscribe(keys[2]);
      };
    },
  };
  return breaker;
}
