import t from 'tap';
import { createPasswordHasher, type PasswordHasher } from '../../server/modules/auth/passwords.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { buildTestApp, ORIGIN } from '../helper.js';

// Counts every argon2 verification (real and dummy): the work a flood can force.
let hashes = 0;
// A high hash budget: these tests are about the per-account and per-IP limits (the budget has auth-hash-budget).
const real = createPasswordHasher({ maxPerSecond: 1000 });
const counting: PasswordHasher = {
  admit: () => real.admit(),
  hash: (p) => real.hash(p),
  verify: (h, p) => {
    hashes += 1;
    return real.verify(h, p);
  },
  verifyDummy: (p) => {
    hashes += 1;
    return real.verifyDummy(p);
  },
};

const ctx = await buildTestApp(t, { appDeps: { hasher: counting, authLimits: { baseLockMs: 5_000, maxLockMs: 20_000, ipFailuresBeforeBlock: 20 } } });
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const PASSWORD = 'quiet lantern orchard 7';
const victim = await orgs.createOrg({ name: 'Victim Co', adminEmail: 'victim@victim.test', adminPassword: PASSWORD });
for (let i = 0; i < 50; i++) await ctx.db.query('INSERT INTO users (email) VALUES ($1)', [`user${i}@many.test`]);

const attempt = (email: string, password: string, ip: string) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers: { origin: ORIGIN }, remoteAddress: ip });

t.test('50 wrong passwords for one account from 50 IPs: locked after 5, argon2 work bounded', async (t) => {
  hashes = 0;
  const statuses: number[] = [];
  for (let i = 0; i < 50; i++) statuses.push((await attempt('victim@victim.test', `wrong guess ${i}`, `198.51.100.${i + 1}`)).statusCode);
  t.same(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  t.ok(statuses.slice(5).every((s) => s === 429), 'every later attempt is refused before hashing');
  t.equal(hashes, 5, `argon2 ran ${hashes} times for 50 attempts`);
  const locked = await attempt('victim@victim.test', PASSWORD, '203.0.113.9');
  t.equal(locked.statusCode, 429, 'even the right password waits out the lock');
  t.match(locked.headers['retry-after'], /^\d+$/);
  t.match(locked.json(), { status: 429, detail: /locked/ });
  const alert = await ctx.db.withTenant(victim.orgId, (q) => q.query("SELECT metadata FROM audit_events WHERE action = 'security.alert'"));
  t.equal(alert.rowCount, 1, 'the burst raised one alert');
  await new Promise((r) => setTimeout(r, 5_300));
  const after = await attempt('victim@victim.test', PASSWORD, '203.0.113.9');
  t.equal(after.statusCode, 200, 'the owner signs in once the lock expires');
  const failed = await ctx.db.withTenant(victim.orgId, (q) => q.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.login_failed'"));
  t.equal(failed.rows[0].n, 5, 'each failure is audited');
});

t.test('one IP against 50 accounts: blocked after 20 failures', async (t) => {
  hashes = 0;
  const statuses: number[] = [];
  for (let i = 0; i < 50; i++) statuses.push((await attempt(`user${i}@many.test`, 'some guess here', '192.0.2.77')).statusCode);
  t.equal(statuses.filter((s) => s === 401).length, 20);
  t.ok(statuses.slice(20).every((s) => s === 429));
  t.ok(hashes <= 20, `argon2 ran ${hashes} times for 50 attempts`);
  const other = await attempt('victim@victim.test', PASSWORD, '192.0.2.78');
  t.equal(other.statusCode, 200, 'other addresses are unaffected');
});

t.test('the per-IP route ceiling stops a flood before any work', async (t) => {
  hashes = 0;
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) statuses.push((await attempt(`nobody${i}@none.test`, 'x'.repeat(12), '192.0.2.200')).statusCode);
  t.ok(statuses.filter((s) => s === 429).length >= 10, 'the route limit (20/min per IP) engaged');
  t.ok(hashes <= 20, `argon2 ran ${hashes} times for 30 requests`);
});
