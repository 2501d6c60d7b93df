import t from 'tap';
import argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { ServiceUnavailableError, TooManyRequestsError } from '../../server/core/errors.js';
import { commonPasswordCount, createHashBudget, createPasswordHasher, HASH_BURST, hashBudget, newPasswordProblem } from '../../server/modules/auth/passwords.js';

t.test('policy: 12-128 characters, not common, no composition rules', async (t) => {
  t.ok(commonPasswordCount() >= 10_000, `${commonPasswordCount()} bundled common passwords`);
  t.match(newPasswordProblem('short'), /at least 12/);
  t.match(newPasswordProblem('x'.repeat(129)), /at most 128/);
  t.match(newPasswordProblem('password1234'), /common or breached/);
  t.match(newPasswordProblem('PASSWORD1234'), /common or breached/, 'case-insensitive');
  t.equal(newPasswordProblem('all lower case words ok'), null, 'no composition rules');
  t.equal(newPasswordProblem('🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊'), null, 'counts characters, not bytes');
  t.match(newPasswordProblem('jane.doe.2026', { email: 'jane.doe@x.test' }), /email/);
});

t.test('argon2id parameters are stored with the hash and upgraded when raised', async (t) => {
  const hasher = createPasswordHasher({ maxPerSecond: 1000 });
  const hash = await hasher.hash('correct pass phrase');
  t.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  t.same(await hasher.verify(hash, 'correct pass phrase'), { ok: true, rehash: false });
  t.same(await hasher.verify(hash, 'wrong pass phrase'), { ok: false, rehash: false });
  const weak = await argon2.hash('correct pass phrase', { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
  t.same(await hasher.verify(weak, 'correct pass phrase'), { ok: true, rehash: true }, 'old parameters are flagged for rehash');
  t.same(await hasher.verify('not a hash', 'x'), { ok: false, rehash: false });
  const started = performance.now();
  for (let i = 0; i < 10; i++) await hasher.verify(hash, 'correct pass phrase');
  t.comment(`argon2id m=19MiB t=2 p=1: ${((performance.now() - started) / 10).toFixed(1)} ms per verification`);
});

t.test('a process-wide cap bounds concurrent hashing; overflow is refused at once', async (t) => {
  const hasher = createPasswordHasher({ maxConcurrent: 1, maxQueue: 2, maxPerSecond: 1000 });
  const hash = await hasher.hash('correct pass phrase');
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => hasher.verify(hash, 'correct pass phrase')));
  const done = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof ServiceUnavailableError).length;
  t.equal(done, 3, 'one running + two queued');
  t.equal(refused, 7);
});

// Issue 19 floods: a distributed wrong-password flood is refused by a per-process budget
// before any argon2 work, and hashing never takes every core (one is left to the event loop).
t.test('a per-second hash budget refuses the surplus with 429 before hashing', async (t) => {
  const hasher = createPasswordHasher({ maxConcurrent: 4, maxQueue: 100, maxPerSecond: 3 });
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => hasher.verifyDummy('wrong pass phrase')));
  t.equal(results.filter((r) => r.status === 'fulfilled').length, HASH_BURST, `the bucket (a burst of ${HASH_BURST}, above the rate of 3) was spent`);
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(refused.length, 10 - HASH_BURST);
  t.ok(refused.every((r) => r.reason instanceof TooManyRequestsError && r.reason.headers['retry-after'] === '1'), '429 with Retry-After');
});

t.test('by default hashing leaves a core free: on this machine at most max(1, cores - 1) run at once', async (t) => {
  const hasher = createPasswordHasher({ maxQueue: 0, maxPerSecond: 1000 });
  const cap = Math.max(1, availableParallelism() - 1);
  const results = await Promise.allSettled(Array.from({ length: cap + 3 }, () => hasher.verifyDummy('wrong pass phrase')));
  // The first call also builds the dummy hash (not capped), so every capped call is counted here.
  t.equal(results.filter((r) => r.status === 'fulfilled').length, cap);
});

// Issue 19 floods: a fixed 50/s was more than a 2-core box can hash, so argon2 kept a whole
// core busy under a distributed flood. The default budget is a share of one core.
t.test('the default hash budget is a share of one core over the measured hash time, with a floor', async (t) => {
  t.equal(hashBudget(0.05, 0.25, 2), 5, '50 ms per hash, a quarter of a core: 5 per second');
  t.equal(hashBudget(0.5, 0.25, 2), 2, 'a slow machine still gets the floor');
  t.equal(hashBudget(0, 0.25, 3), 3, 'no measurement: the floor');
  // One hash at m=19 MiB takes between a few ms and a second on anything that runs this, so 64
  // cores' worth is far above a floor of 1, and 1% of a core far below a floor of 3.
  const generous = createPasswordHasher({ cpuShare: 64, minPerSecond: 1 });
  t.equal(generous.perSecond, 1, 'the floor applies until the start-up hash is timed');
  t.ok((await generous.calibrated) > 60, `calibrated to ${generous.perSecond.toFixed(1)}/s`);
  t.equal(generous.perSecond, await generous.calibrated);
  const frugal = createPasswordHasher({ cpuShare: 0.01, minPerSecond: 3 });
  t.equal(await frugal.calibrated, 3, 'the floor holds when the share allows fewer');
  const fixed = createPasswordHasher({ maxPerSecond: 7, cpuShare: 64 });
  t.equal(await fixed.calibrated, 7, 'a fixed budget is not calibrated');
});

// A start-up on a busy machine times a slow hash; the budget must not stay at the floor for good.
t.test('the calibrated budget follows the fastest hash seen, and never drops for a slow one', async (t) => {
  let clock = 0;
  const budget = createHashBudget({ cpuShare: 0.25, minPerSecond: 2, now: () => clock });
  t.equal(budget.perSecond, 2, 'the floor until a hash is timed');
  t.equal(budget.observe(0.5), 2, 'a busy start-up (500 ms a hash) leaves the floor');
  t.equal(budget.observe(0.05), 5, 'a later 50 ms hash raises it to a quarter of a core');
  t.equal(budget.observe(0.4), 5, 'a slow hash under load does not lower it');
  t.equal(budget.observe(0.025), 10);
  const fixed = createHashBudget({ cpuShare: 64, minPerSecond: 1, fixedPerSecond: 7, now: () => clock });
  t.equal(fixed.observe(0.001), 7, 'a fixed budget does not follow the hashes');
  // The bucket: a burst of HASH_BURST, then the rate.
  const bucket = createHashBudget({ cpuShare: 0.25, minPerSecond: 2, now: () => clock });
  for (let i = 0; i < HASH_BURST; i++) t.ok(bucket.take(), `burst hash ${i + 1}`);
  t.notOk(bucket.available(), 'the burst is spent');
  t.notOk(bucket.take());
  clock += 499;
  t.notOk(bucket.take(), 'at 2/s the next hash is due after 500 ms');
  clock += 2;
  t.ok(bucket.take(), 'and not before');
});

t.test('admit refuses with 429 once the budget is spent, without spending it itself', async (t) => {
  const hasher = createPasswordHasher({ maxPerSecond: 0.5, maxQueue: 100 });
  for (let i = 0; i < 2 * HASH_BURST; i++) hasher.admit();
  for (let i = 0; i < HASH_BURST; i++) await hasher.verifyDummy('wrong pass phrase');
  t.throws(() => hasher.admit(), TooManyRequestsError, 'the burst in the bucket is spent');
  await t.rejects(hasher.verifyDummy('wrong pass phrase'), TooManyRequestsError);
  await new Promise((r) => setTimeout(r, 2_100));
  t.doesNotThrow(() => hasher.admit(), 'the bucket refills (one every 2 seconds)');
});

// Issue 19 floods: known members (a session, a device cookie, a reset or invitation link)
// hash on their own lane, so a flood that empties the anonymous budget and fills its queue
// does not refuse them, and they wait ahead of anonymous attempts.
t.test('the known lane has its own budget and queue, and is served first', async (t) => {
  const hasher = createPasswordHasher({ maxConcurrent: 1, maxQueue: 2, maxPerSecond: 1 });
  const stored = await hasher.hash('correct pass phrase', 'known'); // one known token spent
  const anonymous = await Promise.allSettled(Array.from({ length: HASH_BURST + 2 }, () => hasher.verifyDummy('wrong pass phrase')));
  t.equal(anonymous.filter((r) => r.status === 'rejected' && r.reason instanceof TooManyRequestsError).length, 2, 'the anonymous bucket is spent');
  t.throws(() => hasher.admit(), TooManyRequestsError, 'anonymous: refused');
  t.doesNotThrow(() => hasher.admit('known'), 'known: still admitted');
  t.same(await hasher.verify(stored, 'correct pass phrase', 'known'), { ok: true, rehash: false });

  const order: string[] = [];
  const fresh = createPasswordHasher({ maxConcurrent: 1, maxQueue: 4, maxPerSecond: 1000 });
  const running = fresh.verify(stored, 'x', 'anonymous').then(() => order.push('first, running'));
  const queued = [
    fresh.verify(stored, 'x', 'anonymous').then(() => order.push('anonymous, queued first')),
    fresh.verify(stored, 'x', 'known').then(() => order.push('known, queued second')),
  ];
  await Promise.all([running, ...queued]);
  t.same(order, ['first, running', 'known, queued second', 'anonymous, queued first'], 'a waiting known hash goes ahead');

  const full = createPasswordHasher({ maxConcurrent: 1, maxQueue: 1, maxPerSecond: 1000 });
  const jammed = [full.verify(stored, 'a'), full.verify(stored, 'b')]; // one running, one waiting (both start synchronously)
  t.throws(() => full.admit(), ServiceUnavailableError, 'the anonymous queue is full');
  t.doesNotThrow(() => full.admit('known'), 'the known queue is not');
  await Promise.all(jammed);
});
