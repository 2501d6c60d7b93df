// Issue 14, finding H2 and the 403 flood, replayed through HTTP against the real app.
//
// Mallory is admin of org A ("attacker"); Alice is admin of org B ("victim") and has been
// pulled into org A as a member (here by a direct membership insert: the SSO domain
// pull-in itself is closed elsewhere). Mallory must not be able to strip Alice's second
// factor, end her sessions in B, or read her sign-in attempts, IPs and lockouts.
import t from 'tap';
import { Redis } from 'ioredis';
import { QueueEvents, Queue, Worker } from 'bullmq';
import { createLogger } from '../../server/core/logger.js';
import { bullPrefix, QUEUES } from '../../server/core/queues.js';
import { totpCode } from '../../server/modules/auth/totp.js';
import { upsertMembership } from '../../server/modules/orgs/repo.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { createAuditCheckpointProcessor } from '../../worker/processors/audit-checkpoint.js';
import { buildTestApp, connectOwner, createOrgWithMember, ORIGIN } from '../helper.js';
import { browser, cookieFrom, type Browser } from '../support/auth.js';
import { cli } from '../support/cli.js';

let nowMs = Date.now();
const clock = (): Date => new Date(nowMs);
// Short locks: the lockout test must not keep Alice out of the later ones.
const ctx = await buildTestApp(t, { clock, appDeps: { authLimits: { baseLockMs: 1_000, maxLockMs: 2_000 } } });
const owner = await connectOwner(t, ctx);
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock });
const MALLORY_PW = 'crimson harbour lantern 4';
const ALICE_PW = 'velvet summit orchard 9';
const victimOrg = await orgs.createOrg({ name: 'Victim Org', adminEmail: 'alice@victim.test', adminPassword: ALICE_PW, slug: 'victim-org' });
const attackerOrg = await orgs.createOrg({ name: 'Attacker Org', adminEmail: 'mallory@attacker.test', adminPassword: MALLORY_PW, slug: 'attacker-org' });
const ALICE = victimOrg.userId;
const ALICE_IP = '203.0.113.77';

const secrets = new Map<string, string>();

/** Signs in through the API for one org (orgSlug), enrolling MFA the first time. */
async function signIn(email: string, password: string, orgSlug: string, remoteAddress = '127.0.0.1'): Promise<Browser> {
  nowMs += 31_000; // a fresh TOTP step each time (replays are refused)
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, orgSlug }, headers: { origin: ORIGIN }, remoteAddress });
  if (res.statusCode !== 200) throw new Error(`login ${res.statusCode} ${res.body}`);
  const pending = browser(cookieFrom(res), res.json<{ csrfToken: string }>().csrfToken);
  let secret = secrets.get(email);
  if (res.json<{ mfa: string }>().mfa === 'enroll' || !secret) {
    const enrol = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: pending.headers });
    secret = enrol.json<{ secret: string }>().secret;
    secrets.set(email, secret);
  }
  const v = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: pending.headers, payload: { code: await totpCode(secret, clock()) }, remoteAddress });
  if (v.statusCode !== 200) throw new Error(`verify ${v.statusCode} ${v.body}`);
  return browser(cookieFrom(v), v.json<{ csrfToken: string }>().csrfToken);
}

const me = (b: Browser) => ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: b.headers });
const attempt = (email: string, password: string, ip: string, orgSlug?: string) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: orgSlug ? { email, password, orgSlug } : { email, password }, headers: { origin: ORIGIN }, remoteAddress: ip });

/** Every audit event org A's admin can page through (GET /api/v1/audit/events). */
async function orgEventsSeenBy(b: Browser): Promise<{ action: string; targetId: string | null; metadata: Record<string, unknown> }[]> {
  const all: { action: string; targetId: string | null; metadata: Record<string, unknown>; seq: number }[] = [];
  let after = 0;
  for (;;) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit/events?limit=200&afterSeq=${after}`, headers: b.headers });
    if (res.statusCode !== 200) throw new Error(`audit events ${res.statusCode} ${res.body}`);
    const page = res.json<{ events: typeof all; nextAfterSeq: number | null }>();
    all.push(...page.events);
    if (page.nextAfterSeq === null) return all;
    after = page.nextAfterSeq;
  }
}

async function platformEvents(): Promise<{ action: string; target_id: string | null; metadata: Record<string, unknown> }[]> {
  const { rows } = await ctx.db.query<{ action: string; target_id: string | null; metadata: Record<string, unknown> }>('SELECT action, target_id, metadata FROM platform_audit_events ORDER BY seq');
  return rows;
}

const totpEnabled = async (userId: string): Promise<boolean> =>
  (await ctx.db.query<{ on: boolean }>('SELECT totp_enabled_at IS NOT NULL AS on FROM users WHERE id = $1', [userId])).rows[0]?.on === true;

// Setup before the first subtest (tap ends the root test when its queue drains).
const aliceInB = await signIn('alice@victim.test', ALICE_PW, 'victim-org');
const mallory = await signIn('mallory@attacker.test', MALLORY_PW, 'attacker-org');
// The pull-in: Alice becomes a member of org A.
await ctx.db.withTenantTx(attackerOrg.orgId, (tx) => upsertMembership(tx, { orgId: attackerOrg.orgId, userId: ALICE, role: 'recruiter' }));
const aliceInA = await signIn('alice@victim.test', ALICE_PW, 'attacker-org');

t.test('H2 replay: the admin of org A resets the MFA of org B\'s admin: 409, nothing changes', async (t) => {
  t.equal((await me(aliceInB)).statusCode, 200);
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/members/${ALICE}/mfa-reset`, headers: mallory.headers });
  t.equal(res.statusCode, 409, 'what the attacker sees now');
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.json(), {
    status: 409,
    type: 'https://hirebox.dev/problems/member-belongs-to-other-organisations',
    title: 'Member Belongs To Other Organisations',
    detail: /other organisations.*operator.*hirebox user mfa-reset.*Nothing was changed/,
  });
  t.notMatch(res.body, /victim/i, 'the answer does not name the other orgs');
  t.ok(await totpEnabled(ALICE), "the victim's TOTP is intact");
  t.equal((await me(aliceInB)).statusCode, 200, "the victim's session in org B is intact");
  t.equal((await me(aliceInA)).statusCode, 200, 'and, nothing having changed, so is the one in org A');
  const resetLogged = (await orgEventsSeenBy(mallory)).filter((e) => e.action === 'member.mfa_reset');
  t.equal(resetLogged.length, 0, 'no reset recorded');
  // Without the second factor the password alone still does not reach org B.
  nowMs += 31_000;
  const passwordOnly = await attempt('alice@victim.test', ALICE_PW, '198.51.100.200', 'victim-org');
  t.equal(passwordOnly.json<{ mfa: string }>().mfa, 'required');
  const pending = browser(cookieFrom(passwordOnly), passwordOnly.json<{ csrfToken: string }>().csrfToken);
  t.equal((await me(pending)).statusCode, 401, 'a password-only session is not signed in');
});

t.test('a reset of another org\'s member by id is a 404; malformed ids are 400', async (t) => {
  const stranger = await ctx.app.inject({ method: 'POST', url: `/api/v1/members/${attackerOrg.userId}/mfa-reset`, headers: (await signIn('alice@victim.test', ALICE_PW, 'victim-org')).headers });
  t.equal(stranger.statusCode, 404);
  const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/members/not-a-uuid/mfa-reset', headers: mallory.headers });
  t.equal(bad.statusCode, 400);
  const anon = await ctx.app.inject({ method: 'POST', url: `/api/v1/members/${ALICE}/mfa-reset`, headers: { origin: ORIGIN } });
  t.equal(anon.statusCode, 401);
});

t.test('a role change in org A ends only the org A sessions', async (t) => {
  const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/members/${ALICE}`, headers: mallory.headers, payload: { role: 'auditor' } });
  t.equal(res.statusCode, 204);
  t.equal((await me(aliceInA)).statusCode, 401, 'the org A session ended');
  t.equal((await me(aliceInB)).statusCode, 200, 'the org B session lives on');
});

t.test('removing the victim from org A revokes only org A sessions', async (t) => {
  const inA = await signIn('alice@victim.test', ALICE_PW, 'attacker-org');
  t.equal((await me(inA)).statusCode, 200);
  const res = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/members/${ALICE}`, headers: mallory.headers });
  t.equal(res.statusCode, 204);
  t.equal((await me(inA)).statusCode, 401, 'the org A session ended');
  t.equal((await me(aliceInB)).statusCode, 200, 'the org B session lives on');
  t.ok(await totpEnabled(ALICE));
  const { rows } = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND active_org_id = $2', [ALICE, victimOrg.orgId]);
  t.ok((rows[0]?.n ?? 0) >= 1, 'org B sessions are not revoked in the database either');
});

t.test("the victim's failed sign-ins, IPs and lockouts never reach org A; they go to org B or the platform chain", async (t) => {
  // Alice is in both orgs again.
  await ctx.db.withTenantTx(attackerOrg.orgId, (tx) => upsertMembership(tx, { orgId: attackerOrg.orgId, userId: ALICE, role: 'recruiter' }));
  // No org chosen: five wrong passwords lock the account (a burst).
  for (let i = 0; i < 5; i++) t.equal((await attempt('alice@victim.test', `wrong guess ${i}`, ALICE_IP)).statusCode, 401);
  t.equal((await attempt('alice@victim.test', ALICE_PW, ALICE_IP)).statusCode, 429, 'locked');
  await new Promise((r) => setTimeout(r, 1_200));
  // An org chosen: the failure concerns org B only.
  t.equal((await attempt('alice@victim.test', 'wrong for b', ALICE_IP, 'victim-org')).statusCode, 401);
  // An address nobody has.
  t.equal((await attempt('nobody@nowhere.test', 'some password here', ALICE_IP)).statusCode, 401);
  await new Promise((r) => setTimeout(r, 300)); // failure events are appended off the answer path

  const seenByA = await orgEventsSeenBy(mallory);
  t.ok(seenByA.length > 0);
  t.notOk(JSON.stringify(seenByA).includes(ALICE_IP), "the victim's IP is nowhere in org A's audit log");
  t.same(seenByA.filter((e) => ['auth.login_failed', 'security.alert', 'auth.mfa_failed'].includes(e.action)), [], 'no sign-in failure or burst in org A');
  const alertsA = await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts?limit=100', headers: mallory.headers });
  t.equal(alertsA.statusCode, 200);
  t.same(alertsA.json<{ items: { kind: string }[] }>().items.filter((a) => a.kind === 'signin_burst'), [], 'no sign-in burst alert in org A');

  const platform = await platformEvents();
  const failures = platform.filter((e) => e.action === 'auth.login_failed' && e.target_id === ALICE);
  t.equal(failures.length, 5, 'the five failures with no org chosen are in the platform chain');
  t.ok(failures.every((e) => e.metadata.ip === ALICE_IP && e.metadata.reason === 'bad_password'));
  t.match(platform.filter((e) => e.action === 'security.alert'), [{ target_id: ALICE, metadata: { kind: 'login_burst', ip: ALICE_IP } }], 'the lockout is in the platform chain');
  const unknown = platform.filter((e) => e.action === 'auth.login_failed' && e.target_id === null);
  t.match(unknown, [{ metadata: { ip: ALICE_IP, reason: 'unknown_account', account: /^[0-9a-f]{16}$/ } }], 'an unknown address is a platform event');
  t.notOk(JSON.stringify(platform).includes('nobody@nowhere.test'), 'the typed address itself is not stored');

  await new Promise((r) => setTimeout(r, 2_200)); // the failure for org B locked the account again (briefly)
  const aliceAdmin = await signIn('alice@victim.test', ALICE_PW, 'victim-org');
  const seenByB = await orgEventsSeenBy(aliceAdmin);
  t.match(
    seenByB.filter((e) => e.action === 'auth.login_failed'),
    [{ targetId: ALICE, metadata: { ip: ALICE_IP, reason: 'bad_password' } }],
    'the failure for org B is in org B, once',
  );
  t.match(seenByB.filter((e) => e.action === 'security.alert'), [{ targetId: ALICE, metadata: { ip: ALICE_IP } }], 'and so is the lockout it caused');
});

t.test('`hirebox user mfa-reset`: the operator resets a multi-org person; audited in each org and the platform chain', async (t) => {
  const usage = await cli(ctx.env, ['user', 'mfa-reset', '--json']);
  t.equal(usage.status, 2, usage.stderr);
  t.match(usage.stderr, /exactly one of --email E or --user ID/);
  const unknown = await cli(ctx.env, ['user', 'mfa-reset', '--email', 'nobody@nowhere.test']);
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, /User not found/);
  t.ok(await totpEnabled(ALICE));

  const r = await cli(ctx.env, ['user', 'mfa-reset', '--email', 'Alice@Victim.test', '--json']);
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ok: boolean; userId: string; orgIds: string[]; sessionsRevoked: number };
  t.equal(out.ok, true);
  t.equal(out.userId, ALICE);
  t.same([...out.orgIds].sort(), [attackerOrg.orgId, victimOrg.orgId].sort());
  t.ok(out.sessionsRevoked >= 1);
  t.notOk(await totpEnabled(ALICE), 'TOTP cleared');
  const { rows } = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [ALICE]);
  t.equal(rows[0]?.n, 0, 'every session of the person ended, in every org');
  t.match((await platformEvents()).filter((e) => e.action === 'operator.mfa_reset'), [{ target_id: ALICE, metadata: { orgs: 2 } }]);
  for (const orgId of [attackerOrg.orgId, victimOrg.orgId]) {
    const audited = await ctx.db.withTenant(orgId, (q) => q.query("SELECT actor_type, actor_id, metadata FROM audit_events WHERE action = 'member.mfa_reset' AND target_id = $1", [ALICE]));
    t.match(audited.rows, [{ actor_type: 'system', actor_id: 'operator', metadata: { by: 'operator' } }], `org ${orgId === victimOrg.orgId ? 'B' : 'A'} is told`);
  }
  nowMs += 31_000;
  const again = await attempt('alice@victim.test', ALICE_PW, '198.51.100.201', 'victim-org');
  t.equal(again.json<{ mfa: string }>().mfa, 'enroll', 'the person enrols a new authenticator at next sign-in');
});

t.test('an admin still resets the MFA of a member of their org alone; only that org\'s sessions end', async (t) => {
  const solo = await createOrgWithMember(ctx, 'recruiter', victimOrg.orgId);
  await ctx.db.query("UPDATE users SET totp_enabled_at = now(), totp_secret_enc = '\\x00' WHERE id = $1", [solo.userId]);
  const admin = await signIn('alice@victim.test', ALICE_PW, 'victim-org');
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/members/${solo.userId}/mfa-reset`, headers: admin.headers });
  t.equal(res.statusCode, 204);
  t.notOk(await totpEnabled(solo.userId));
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: solo.headers })).statusCode, 401, 'their session in this org ended');
});

t.test('the platform chain is checkpointed by the worker and checked by `hirebox audit verify`', async (t) => {
  const connection = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents(QUEUES.auditCheckpoint, { connection: eventsConnection, prefix: bullPrefix(ctx.services.redisPrefix) });
  const queue = new Queue(QUEUES.auditCheckpoint, { connection, prefix: bullPrefix(ctx.services.redisPrefix) });
  const worker = new Worker(QUEUES.auditCheckpoint, createAuditCheckpointProcessor({ db: ctx.db, audit: ctx.audit, logger: createLogger('silent'), clock }), { connection, prefix: bullPrefix(ctx.services.redisPrefix) });
  t.teardown(async () => {
    await worker.close();
    await queue.close();
    await events.close();
    connection.disconnect();
    eventsConnection.disconnect();
  });
  await events.waitUntilReady();
  const job = await queue.add('checkpoint', {});
  const result = (await job.waitUntilFinished(events, 15_000)) as { signed: number };
  t.ok(result.signed >= 1);
  const verified = await ctx.audit.verifyPlatform();
  t.match(verified, { orgId: 'platform', ok: true });
  t.ok(verified.eventsChecked >= 8 && verified.checkpointsChecked === 1, `${verified.eventsChecked} platform events, 1 checkpoint`);

  const all = await cli(ctx.env, ['audit', 'verify', '--json']);
  t.equal(all.status, 0, all.stderr);
  const allOut = JSON.parse(all.stdout) as { ok: boolean; results: { orgId: string }[] };
  t.ok(allOut.results.some((r) => r.orgId === 'platform') && allOut.results.some((r) => r.orgId === victimOrg.orgId), 'every org and the platform chain');
  const both = await cli(ctx.env, ['audit', 'verify', '--org', victimOrg.orgId, '--platform']);
  t.equal(both.status, 2);

  // Tamper with one platform event as the database owner (triggers off): verify names it.
  await owner.query('BEGIN');
  await owner.query("SET LOCAL session_replication_role = 'replica'");
  await owner.query("UPDATE platform_audit_events SET metadata = metadata || '{\"ip\": \"10.9.9.9\"}'::jsonb WHERE seq = 2");
  await owner.query('COMMIT');
  const platformOnly = await cli(ctx.env, ['audit', 'verify', '--platform']);
  t.equal(platformOnly.status, 1);
  t.match(platformOnly.stdout, /BROKEN: platform chain: first bad event seq 2 .*hash_mismatch/);
  await t.rejects(ctx.db.query('DELETE FROM platform_audit_events'), /permission denied|append-only/, 'the app role cannot delete platform events');
});

t.test('300 forbidden requests write a bounded number of audit events, with the count recorded', async (t) => {
  const recruiter = await createOrgWithMember(ctx, 'recruiter', attackerOrg.orgId);
  const flood = { cookie: recruiter.cookie };
  const deny = () => ctx.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: flood, remoteAddress: '192.0.2.50' });
  const denials = async (): Promise<{ action: string; metadata: Record<string, unknown> }[]> =>
    (await ctx.db.withTenant(attackerOrg.orgId, (q) => q.query<{ action: string; metadata: Record<string, unknown> }>("SELECT action, metadata FROM audit_events WHERE action LIKE 'access.denied%' AND actor_id = $1 ORDER BY seq", [recruiter.userId]))).rows;
  for (let i = 0; i < 300; i++) {
    const res = await deny();
    if (res.statusCode !== 403) t.fail(`request ${i} answered ${res.statusCode}`);
  }
  const during = await denials();
  t.equal(during.length, 1, 'the first denial is recorded at once; the next 299 only count');
  t.match(during[0], { action: 'access.denied', metadata: { permission: 'audit:read', role: 'recruiter', method: 'GET', route: '/api/v1/audit/events' } });

  // The next window: its first denial is recorded and the closed window gets its summary.
  nowMs += 5 * 60_000;
  t.equal((await deny()).statusCode, 403);
  const after = await denials();
  t.same(after.map((e) => e.action).sort(), ['access.denied', 'access.denied', 'access.denied_repeated']);
  t.match(after.find((e) => e.action === 'access.denied_repeated'), { metadata: { permission: 'audit:read', route: '/api/v1/audit/events', denied: 300, notRecordedSeparately: 299 } });

  // A quiet tail is summarised by the worker's checkpoint run before it signs the tip.
  for (let i = 0; i < 49; i++) await deny();
  nowMs += 5 * 60_000;
  const processor = createAuditCheckpointProcessor({ db: ctx.db, audit: ctx.audit, logger: createLogger('silent'), clock });
  await processor({ id: 'tail', data: { orgId: attackerOrg.orgId } } as Parameters<typeof processor>[0]);
  const final = await denials();
  t.equal(final.length, 4, '350 denials, 4 audit events');
  t.match(final.at(-1), { action: 'access.denied_repeated', metadata: { denied: 50 } });
  t.ok((await ctx.audit.verify(attackerOrg.orgId)).ok, 'the chain stays sound');
  const left = await owner.query('SELECT count(*)::int AS n FROM access_denials');
  t.equal((left.rows[0] as { n: number }).n, 0, 'summarised windows are cleared');
});
