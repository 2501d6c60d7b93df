import { randomBytes } from 'node:crypto';
import t from 'tap';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { DEV_DEVICE_COOKIE } from '../../server/modules/auth/devices.js';
import { HASH_BURST } from '../../server/modules/auth/passwords.js';
import { browser, cookieFrom, enrolMfa } from '../support/auth.js';
import { buildTestApp, connectOwner, ORIGIN } from '../helper.js';

// Issue 19 floods, the attack replayed: a flood of wrong passwords for a member's address
// from many addresses locks the account (5 failures) and empties the hash budget, so the
// member could not sign in until the flood stopped. A browser that signed in to the account
// before carries a device cookie (OWASP device cookies): it is held only by its own lock and
// hashes on its own lane, so the member signs in through the flood. The budget is fixed at 2
// hashes per second, as an operator would set it.
const ctx = await buildTestApp(t, { env: { PASSWORD_HASHES_PER_SECOND: '2' } });
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const PASSWORD = `device ${randomBytes(12).toString('base64url')}`;
const OWNER = 'owner@device.test';
await orgs.createOrg({ name: 'Device Co', adminEmail: OWNER, adminPassword: PASSWORD });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let lastIp = 0;
const nextIp = (): string => `198.51.100.${(lastIp += 1)}`;
const attempt = (password: string, opts: { cookie?: string; email?: string; ip?: string } = {}) =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: opts.email ?? OWNER, password },
    headers: { origin: ORIGIN, ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    remoteAddress: opts.ip ?? nextIp(),
  });
const flood = async (n: number) => (await Promise.all(Array.from({ length: n }, (_, i) => attempt(`wrong guess ${lastIp}-${i}`)))).map((r) => r.statusCode);

await pause(1_100); // the org's creation hashed the password: a full bucket
const first = await attempt(PASSWORD, { ip: '203.0.113.5' });
const device = cookieFrom(first, DEV_DEVICE_COOKIE);

t.test('a correct password gets a device cookie: HttpOnly, SameSite=Strict, long-lived, no email in it', async (t) => {
  t.equal(first.statusCode, 200);
  const raw = ([] as string[]).concat(first.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${DEV_DEVICE_COOKIE}=`)) ?? '';
  t.match(raw, /HttpOnly/);
  t.match(raw, /SameSite=Strict/);
  t.match(raw, /Max-Age=15552000/, '180 days');
  t.notMatch(decodeURIComponent(device), /owner|device\.test/);
  const wrong = await attempt('not the password at all', { ip: '203.0.113.6' });
  t.equal(wrong.statusCode, 401);
  t.notOk(([] as string[]).concat(wrong.headers['set-cookie'] ?? []).some((c) => c.startsWith(`${DEV_DEVICE_COOKIE}=`)), 'a wrong password gets none');
});

t.test('replay: a distributed flood locks the account and spends the budget; the known browser still signs in', async (t) => {
  await pause(2_600); // refill the anonymous bucket, so the flood can lock the account
  const statuses = await flood(12);
  // The burst; one more if the flood took over 500 ms to reach the hasher (a loaded machine).
  const hashed = statuses.filter((s) => s === 401).length;
  t.ok(hashed >= HASH_BURST && hashed <= HASH_BURST + 1, `the burst was hashed (${hashed}), and locked the account`);
  t.ok(statuses.filter((s) => s !== 401).every((s) => s === 429), 'the rest refused');
  const stranger = await attempt(PASSWORD, { ip: '203.0.113.7' });
  t.equal(stranger.statusCode, 429, 'from a browser the account never used, even the right password is refused while locked');
  t.match(stranger.json(), { detail: /locked/ });

  // The flood goes on while the member signs in from their own browser.
  const [known, during] = await Promise.all([attempt(PASSWORD, { cookie: device, ip: '203.0.113.5' }), flood(10)]);
  t.equal(known.statusCode, 200, 'the known browser signs in through the lock and the empty budget');
  t.ok(during.every((s) => s === 429), 'the flood is still refused');
  const renewed = cookieFrom(known, DEV_DEVICE_COOKIE);
  t.not(renewed, device, 'each sign-in renews the device cookie');

  const owner = await connectOwner(t, ctx);
  const events = await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.password_ok' AND (metadata->>'knownDevice')::boolean");
  t.ok((events.rows[0]?.n ?? 0) >= 1, 'the audit log says the sign-in came from a known device');
});

t.test('the cookie only works for its own account, and a forged one is a stranger', async (t) => {
  await orgs.createOrg({ name: 'Other Co', adminEmail: 'other@device.test', adminPassword: PASSWORD });
  await pause(600);
  const flooded = await Promise.all(Array.from({ length: 6 }, (_, i) => attempt(`other wrong ${i}`, { email: 'other@device.test' })));
  t.ok(flooded.some((r) => r.statusCode === 401 || r.statusCode === 429));
  // Spend the anonymous bucket, then lock the other account for sure.
  await pause(2_600);
  for (let i = 0; i < 5; i++) await attempt(`other wrong again ${i}`, { email: 'other@device.test' });
  const borrowed = await attempt(PASSWORD, { email: 'other@device.test', cookie: device });
  t.equal(borrowed.statusCode, 429, "the owner's device cookie does not open another account's lock");
  // Lock the owner's account again (their sign-in above cleared it), one guess at a time.
  await pause(2_600);
  for (let i = 0; i < 5; i++) t.equal((await attempt(`owner wrong again ${i}`)).statusCode, 401);
  const [name, value] = device.split('=') as [string, string];
  const forged = `${name}=${value.slice(0, -2)}${value.endsWith('AA') ? 'BB' : 'AA'}`;
  const tampered = await attempt(PASSWORD, { cookie: forged });
  t.equal(tampered.statusCode, 429, 'a cookie with a wrong MAC is ignored: the account lock holds');
  t.match(tampered.json(), { detail: /locked/ });
  t.equal((await attempt(PASSWORD, { cookie: device })).statusCode, 200, 'the genuine cookie passes the same lock');
});

t.test("wrong passwords from the known browser lock that browser, not the account's other devices", async (t) => {
  await pause(3_000); // the known lane's bucket refills
  const stolen = await attempt(PASSWORD, { cookie: device, ip: '203.0.113.9' });
  t.equal(stolen.statusCode, 200);
  const cookie = cookieFrom(stolen, DEV_DEVICE_COOKIE);
  await pause(3_000);
  const guesses: number[] = [];
  for (let i = 0; i < 6; i++) guesses.push((await attempt(`guess with the cookie ${i}`, { cookie, ip: '203.0.113.9' })).statusCode);
  t.same(guesses, [401, 401, 401, 401, 401, 429], 'five failures lock the device cookie');
  const right = await attempt(PASSWORD, { cookie, ip: '203.0.113.9' });
  t.equal(right.statusCode, 429, 'a locked device is refused even with the right password');
  await pause(600); // one hash back in the known lane's bucket
  const other = await attempt(PASSWORD, { cookie: device, ip: '203.0.113.10' });
  t.equal(other.statusCode, 200, "the account's other known browser is not locked by it");
});

t.test('a signed-in member re-enters the password during the flood: their own lock, the known lane', async (t) => {
  await pause(3_000);
  const signedIn = await attempt(PASSWORD, { cookie: device, ip: '203.0.113.11' });
  t.equal(signedIn.statusCode, 200);
  const half = browser(cookieFrom(signedIn), signedIn.json<{ csrfToken: string }>().csrfToken);
  const { browser: member } = await enrolMfa(ctx.app, half, () => new Date());
  // The account is locked by the flood and the anonymous budget is empty.
  await flood(12);
  const reauth = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/reauthenticate', headers: member.headers, payload: { password: PASSWORD }, remoteAddress: '203.0.113.11' });
  t.equal(reauth.statusCode, 200, 'the flood neither locks nor starves a member mid-session');
  const fresh = browser(cookieFrom(reauth), reauth.json<{ csrfToken: string }>().csrfToken);
  await pause(2_600); // a full known bucket: what follows is refused by the lock, not the budget
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/reauthenticate', headers: fresh.headers, payload: { password: `wrong in session ${i}` }, remoteAddress: '203.0.113.11' });
    statuses.push(r.statusCode);
  }
  t.same(statuses, [401, 401, 401, 401, 401, 429], "the member's own wrong passwords still meet a lock");
});
