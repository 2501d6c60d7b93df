// The Redis-backed circuit breaker's state machine, driven by an injected clock against
// real Redis: closed -> open after N consecutive failures or a failure ratio, open for the
// cool-down, a single half-open probe, probe success closes / failure re-opens, expired
// probe permits, two "processes" (two breaker instances) agreeing, transitions published
// and kept in the history.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createCircuitBreaker, CircuitOpenError, type BreakerTransition, type CircuitBreakerOptions } from '../../server/core/circuit-breaker.js';
import { ensureTestServices, TEST_REDIS_URL } from '../support/services.js';

await ensureTestServices();
const redis = new Redis(TEST_REDIS_URL);
const subscriber = new Redis(TEST_REDIS_URL);
const prefix = `hb_test_cb_${randomBytes(6).toString('hex')}`;
t.teardown(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  subscriber.disconnect();
  await redis.quit();
});

let now = 1_000_000;
const clock = (): number => now;
let n = 0;
function make(o: Partial<CircuitBreakerOptions> = {}) {
  n += 1;
  const transitions: BreakerTransition[] = [];
  const name = o.name ?? `b${n}`;
  const breaker = createCircuitBreaker({ redis, prefix, name, clock, failureThreshold: 3, openMs: 10_000, probeTtlMs: 5_000, minCalls: 10, failureRatio: 0.5, windowMs: 60_000, onTransition: (tr) => void transitions.push(tr), ...o });
  return { breaker, transitions, name };
}
const fail = async (): Promise<never> => {
  throw new Error('provider down');
};

t.test('closed lets calls through; N consecutive failures open it; a success in between resets the run', async (t) => {
  const { breaker, transitions } = make();
  await t.rejects(breaker.run(fail), /provider down/);
  await t.rejects(breaker.run(fail), /provider down/);
  t.equal(await breaker.run(async () => 'ok'), 'ok');
  await t.rejects(breaker.run(fail), /provider down/);
  await t.rejects(breaker.run(fail), /provider down/);
  t.equal((await breaker.snapshot()).state, 'closed', 'two failures after a success are not three in a row');
  await t.rejects(breaker.run(fail), /provider down/);
  const s = await breaker.snapshot();
  t.equal(s.state, 'open');
  t.equal(s.retryAt, new Date(now + 10_000).toISOString());
  t.same(transitions.map((x) => [x.from, x.to, x.reason]), [['closed', 'open', 'consecutive_failures']]);
  await t.rejects(breaker.run(async () => 'never called'), CircuitOpenError, 'open: refused without calling');
});

t.test('open -> (cool-down) -> half-open lets exactly one probe through; its success closes the breaker', async (t) => {
  const { breaker, transitions } = make();
  for (let i = 0; i < 3; i += 1) await t.rejects(breaker.run(fail));
  const refused = await breaker.acquire();
  t.equal(refused.allowed, false);
  if (!refused.allowed) t.equal(refused.retryAt, now + 10_000);
  now += 9_999;
  t.equal((await breaker.acquire()).allowed, false, 'still cooling down');
  now += 1;
  const probe = await breaker.acquire();
  t.same(probe, { allowed: true, probe: true, state: 'half_open' });
  const second = await breaker.acquire();
  t.equal(second.allowed, false, 'only one probe at a time');
  t.equal((await breaker.snapshot()).state, 'half_open');
  if (probe.allowed) await breaker.record(probe, 'success');
  const s = await breaker.snapshot();
  t.equal(s.state, 'closed');
  t.equal(s.consecutiveFailures, 0);
  t.same(transitions.map((x) => `${x.from}->${x.to}:${x.reason}`), ['closed->open:consecutive_failures', 'open->half_open:cooldown_elapsed', 'half_open->closed:probe_succeeded']);
  t.same(s.history.map((x) => x.to), ['closed', 'half_open', 'open'], 'history, most recent first');
  t.same(await breaker.acquire(), { allowed: true, probe: false, state: 'closed' });
});

t.test('a failed probe re-opens the breaker for another cool-down', async (t) => {
  const { breaker, transitions } = make();
  for (let i = 0; i < 3; i += 1) await t.rejects(breaker.run(fail));
  now += 10_000;
  await t.rejects(breaker.run(fail), /provider down/, 'the probe runs and fails');
  const s = await breaker.snapshot();
  t.equal(s.state, 'open');
  t.equal(s.retryAt, new Date(now + 10_000).toISOString());
  t.equal(transitions.at(-1)?.reason, 'probe_failed');
});

t.test('a probe permit that is never reported expires so another caller can probe', async (t) => {
  const { breaker } = make();
  for (let i = 0; i < 3; i += 1) await t.rejects(breaker.run(fail));
  now += 10_000;
  t.equal((await breaker.acquire()).allowed, true, 'probe taken, then its process dies');
  now += 4_999;
  t.equal((await breaker.acquire()).allowed, false);
  now += 1;
  const again = await breaker.acquire();
  t.ok(again.allowed && again.probe, 'the expired permit is taken over');
});

t.test('a neutral outcome (e.g. 429) of the probe hands the probe on without changing state', async (t) => {
  const { breaker } = make();
  for (let i = 0; i < 3; i += 1) await t.rejects(breaker.run(fail));
  now += 10_000;
  const probe = await breaker.acquire();
  if (!probe.allowed) throw new Error('expected a probe');
  await breaker.record(probe, 'neutral', 'http_429');
  t.equal((await breaker.snapshot()).state, 'half_open');
  const next = await breaker.acquire();
  t.ok(next.allowed && next.probe);
});

t.test('a failure ratio over the window opens it even without a long run of failures', async (t) => {
  const { breaker, transitions } = make({ failureThreshold: 100 });
  for (let i = 0; i < 5; i += 1) {
    await breaker.run(async () => 1);
    await t.rejects(breaker.run(fail));
  }
  t.equal((await breaker.snapshot()).state, 'open');
  t.equal(transitions[0]?.reason, 'failure_ratio');
});

t.test('the ratio window rolls over: old calls do not count', async (t) => {
  const { breaker } = make({ failureThreshold: 100 });
  for (let i = 0; i < 4; i += 1) await t.rejects(breaker.run(fail));
  now += 60_000;
  for (let i = 0; i < 9; i += 1) await breaker.run(async () => 1);
  await t.rejects(breaker.run(fail));
  const s = await breaker.snapshot();
  t.equal(s.state, 'closed');
  t.same(s.window, { calls: 10, failures: 1, startedAt: new Date(now).toISOString() });
});

t.test('two processes share one state: failures seen by either count, both are refused once open, pub/sub tells listeners', async (t) => {
  const a = make({ name: 'shared' });
  const b = make({ name: 'shared' });
  const heard: BreakerTransition[] = [];
  const unsubscribe = await b.breaker.subscribe(subscriber, (tr) => heard.push(tr));
  t.teardown(unsubscribe);
  await t.rejects(a.breaker.run(fail));
  await t.rejects(b.breaker.run(fail));
  await t.rejects(a.breaker.run(fail));
  t.equal((await b.breaker.snapshot()).state, 'open');
  await t.rejects(b.breaker.run(async () => 1), CircuitOpenError);
  t.equal(a.transitions.length, 1, 'the process that tipped it reports the transition');
  t.equal(b.transitions.length, 0, 'and only that one');
  for (let i = 0; i < 50 && heard.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
  t.same(heard.map((x) => [x.breaker, x.to]), [['shared', 'open']]);
});

t.test('a success from a call let through before the breaker opened does not close it', async (t) => {
  const { breaker } = make();
  const early = await breaker.acquire();
  if (!early.allowed) throw new Error('expected a permit');
  for (let i = 0; i < 3; i += 1) await t.rejects(breaker.run(fail));
  await breaker.record(early, 'success');
  t.equal((await breaker.snapshot()).state, 'open');
});

t.test('breaker names are restricted to a safe key alphabet', async (t) => {
  t.throws(() => createCircuitBreaker({ redis, prefix, name: 'bad name:*' }), /name must be/);
});
