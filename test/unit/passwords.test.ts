import t from 'tap';
import argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { ServiceUnavailableError, TooManyRequestsError } from '../../server/core/errors.js';
import { commonPasswordCount, createPasswordHasher, newPasswordProblem } from '../../server/modules/auth/passwords.js';

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
  const hasher = createPasswordHasher();
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
  const hasher = createPasswordHasher({ maxConcurrent: 1, maxQueue: 2 });
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
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 3, 'the budget of 3 was spent');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(refused.length, 7);
  t.ok(refused.every((r) => r.reason instanceof TooManyRequestsError && r.reason.headers['retry-after'] === '1'), '429 with Retry-After');
});

t.test('by default hashing leaves a core free: on this machine at most max(1, cores - 1) run at once', async (t) => {
  const hasher = createPasswordHasher({ maxQueue: 0, maxPerSecond: 1000 });
  const cap = Math.max(1, availableParallelism() - 1);
  const results = await Promise.allSettled(Array.from({ length: cap + 3 }, () => hasher.verifyDummy('wrong pass phrase')));
  // The first call also builds the dummy hash (not capped), so every capped call is counted here.
  t.equal(results.filter((r) => r.status === 'fulfilled').length, cap);
});
