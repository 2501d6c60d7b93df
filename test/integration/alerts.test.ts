// Org alerts end to end: the alert channel settings (validation, roles, tenancy, the
// signing secret shown once and stored sealed), a real sign-in burst raising an alert
// that the real worker delivers to a loopback webhook (signature verified here) and a
// fake SMTP server, webhook signature failures and mass exports raising alerts,
// throttling, and a failing receiver retried until the failure is recorded.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { Redis } from 'ioredis';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createMailer } from '../../server/core/mailer.js';
import { createOutbound } from '../../server/core/outbound.js';
import { createAlertService, MASS_EXPORT_THRESHOLD, webhookUrlProblem } from '../../server/modules/alerts/service.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { startWorkers } from '../../worker/worker.js';
import { startFakeSmtp } from '../fakes/smtp-server.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember, ORIGIN, type Member } from '../helper.js';
import { until } from '../support/until.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.statusCode = req.url?.startsWith('/fail') ? 500 : 204;
    res.end();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const smtp = await startFakeSmtp();
t.teardown(() => smtp.close());
// The receiver listens on loopback: OUTBOUND_ALLOW_LOOPBACK is the development/test setting that allows it.
const ctx = await buildTestApp(t, { env: { OUTBOUND_ALLOW_LOOPBACK: 'true' }, appDeps: { authLimits: { baseLockMs: 60_000 }, alertRetryDelayMs: 100 } });
const workerRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerRedis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  alerts: { mailer: createMailer({ smtpUrl: smtp.url, from: 'alerts@hirebox.test', outboxDir: ctx.env.HIREBOX_DATA_DIR ?? '/tmp' }), nodeEnv: 'test', publicUrl: ctx.config.publicUrl, outbound: { allowLoopback: true } },
});
t.teardown(async () => {
  await running.close();
  workerRedis.disconnect();
});

const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const PASSWORD = 'quiet lantern orchard 7';
const orgA = await orgs.createOrg({ name: 'Alerted Co', adminEmail: 'owner@alerted.test', adminPassword: PASSWORD });
const orgB = await orgs.createOrg({ name: 'Failing Co', adminEmail: 'owner@failing.test', adminPassword: PASSWORD });
const adminA = await createOrgWithMember(ctx, 'admin', orgA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin', orgB.orgId);
const recruiterA = await createOrgWithMember(ctx, 'recruiter', orgA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', orgA.orgId);
const ALL_KINDS = ['signin_burst', 'webhook_signature', 'mass_export'];

const put = (m: Member, payload: unknown) => ctx.app.inject({ method: 'PUT', url: '/api/v1/org/alerts', headers: m.headers, payload: payload as Record<string, unknown> });
const list = (m: Member, query = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/alerts${query}`, headers: m.headers });
const burst = async (email: string, ipBase: number) => {
  for (let i = 0; i < 5; i++) {
    await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: `wrong ${i}` }, headers: { origin: ORIGIN }, remoteAddress: `198.51.100.${ipBase + i}` });
  }
};
const outbound = createOutbound({ allowLoopback: true });
t.teardown(() => outbound.close());
/** The alert service as the app builds it, with the delivery producer and environment given. */
const alertService = (over: Pick<Parameters<typeof createAlertService>[0], 'deliver' | 'nodeEnv'>) =>
  createAlertService({ db: ctx.db, audit: ctx.audit, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), redis: ctx.redis, redisPrefix: ctx.services.redisPrefix, clock: () => new Date(), log: createLogger('silent'), outbound, ...over });
const alertRows = (orgId: string) =>
  ctx.db.withTenant(orgId, async (q) => (await q.query<{ kind: string; summary: string; details: unknown; suppressed: number; email_status: string; webhook_status: string; delivery_attempts: number; last_error: string | null }>('SELECT * FROM alerts ORDER BY created_at')).rows);

t.test('settings validation: bad, too many, non-https, unknown kind, oversized', async (t) => {
  const ok = { emails: ['sec@alerted.test'], webhookUrl: null, kinds: ALL_KINDS };
  t.equal((await put(adminA, { ...ok, emails: ['not-an-address'] })).statusCode, 400, 'malformed address');
  t.equal((await put(adminA, { ...ok, emails: ['a@x.test\r\nBcc: evil@x.test'] })).statusCode, 400, 'header injection');
  const tooMany = await put(adminA, { ...ok, emails: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test', 'f@x.test'] });
  t.equal(tooMany.statusCode, 400);
  t.match(tooMany.json(), { detail: /At most 5/ });
  t.equal((await put(adminA, { ...ok, webhookUrl: 'http://hooks.example.com/alerts' })).statusCode, 400, 'plain http to a remote host');
  t.equal((await put(adminA, { ...ok, webhookUrl: 'https://user:pw@hooks.example.com/a' })).statusCode, 400, 'credentials in the URL');
  t.equal((await put(adminA, { ...ok, webhookUrl: 'not a url at all' })).statusCode, 400);
  t.equal((await put(adminA, { ...ok, kinds: ['coffee_low'] })).statusCode, 400, 'unknown kind');
  t.equal((await put(adminA, { emails: 'sec@alerted.test', webhookUrl: null })).statusCode, 400, 'wrong shape');
  const big = await put(adminA, { ...ok, webhookUrl: `https://hooks.example.com/${'a'.repeat(20_000)}` });
  t.equal(big.statusCode, 413, 'oversized body');
  // The production rule: https only, loopback http included, through the service as a production app builds it.
  const prod = alertService({ deliver: { enqueue: async () => undefined }, nodeEnv: 'production' });
  const adminCtx = { orgId: adminA.orgId, userId: adminA.userId, role: 'admin' as const, requestId: 'test-prod', sessionId: 'test' };
  await t.rejects(prod.putSettings(adminCtx, { emails: [], webhookUrl: 'http://127.0.0.1:9000/a', kinds: [] }), { status: 400, message: /https/ }, 'production refuses http even to loopback');
  await t.rejects(prod.putSettings(adminCtx, { emails: [], webhookUrl: 'http://hooks.example.com/a', kinds: [] }), { status: 400, message: /https/ }, 'and http to a remote host');
  t.match(webhookUrlProblem('http://127.0.0.1:9000/a', 'production'), /https/);
  t.equal(webhookUrlProblem('https://hooks.example.com/a', 'production'), null);
  t.equal(webhookUrlProblem('http://127.0.0.1:9000/a', 'test'), null);
  const after = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/alerts', headers: adminA.headers });
  t.same(after.json(), { emails: [], webhookUrl: null, webhookSecretSet: false, kinds: [], updatedAt: null }, 'nothing was stored');
});

t.test('roles and sessions', async (t) => {
  for (const [m, name] of [[recruiterA, 'recruiter'], [auditorA, 'auditor']] as const) {
    t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/org/alerts', headers: m.headers })).statusCode, 403, `${name} cannot read the channel`);
    t.equal((await put(m, { emails: [], webhookUrl: null, kinds: [] })).statusCode, 403, `${name} cannot change it`);
    t.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/org/alerts/rotate-secret', headers: m.headers })).statusCode, 403);
  }
  t.equal((await list(recruiterA)).statusCode, 403, 'recruiters do not see alerts');
  t.equal((await list(auditorA)).statusCode, 200, 'auditors do');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/org/alerts', headers: { origin: ORIGIN } })).statusCode, 401);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts', headers: { origin: ORIGIN } })).statusCode, 401);
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/alerts', headers: { origin: ORIGIN }, payload: { emails: [], webhookUrl: null, kinds: [] } })).statusCode, 401);
  t.equal((await list(adminA, '?cursor=bm9wZQ')).statusCode, 400, 'malformed cursor');
  t.equal((await list(adminA, '?limit=1000')).statusCode, 400, 'limit bounded');
});

let secretA = '';
t.test('the signing secret: created once, shown once, sealed, rotated, audited', async (t) => {
  const first = await put(adminA, { emails: ['Sec@Alerted.test', 'oncall@alerted.test'], webhookUrl: `${receiverUrl}/hook`, kinds: ALL_KINDS });
  t.equal(first.statusCode, 200);
  const body = first.json<{ secret?: string; emails: string[]; webhookSecretSet: boolean }>();
  t.type(body.secret, 'string');
  t.same(body.emails, ['sec@alerted.test', 'oncall@alerted.test']);
  t.equal(body.webhookSecretSet, true);
  const again = await put(adminA, { emails: ['sec@alerted.test', 'oncall@alerted.test'], webhookUrl: `${receiverUrl}/hook`, kinds: ALL_KINDS });
  t.notOk('secret' in again.json<object>(), 'not shown again');
  const got = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/alerts', headers: adminA.headers });
  t.notOk('secret' in got.json<object>());
  const stored = await ctx.db.withTenant(orgA.orgId, (q) => q.query<{ webhook_secret_enc: Buffer }>('SELECT webhook_secret_enc FROM org_alert_settings'));
  t.notOk(stored.rows[0]?.webhook_secret_enc.includes(Buffer.from(body.secret ?? '')), 'stored sealed, not in clear');
  const rotated = await ctx.app.inject({ method: 'POST', url: '/api/v1/org/alerts/rotate-secret', headers: adminA.headers });
  t.equal(rotated.statusCode, 200);
  secretA = rotated.json<{ secret: string }>().secret;
  t.not(secretA, body.secret);
  const events = await ctx.db.withTenant(orgA.orgId, (q) => q.query<{ action: string; metadata: Record<string, unknown> }>("SELECT action, metadata FROM audit_events WHERE action LIKE 'alerts.%' ORDER BY seq"));
  t.same(events.rows.map((r) => r.action), ['alerts.settings_changed', 'alerts.settings_changed', 'alerts.secret_rotated']);
  t.notOk(JSON.stringify(events.rows).includes(secretA), 'no secret in the audit log');
  t.notOk(JSON.stringify(events.rows).includes('sec@alerted.test'), 'no recipients in the audit log');
  // Org B: a receiver that always fails, no e-mail.
  const b = await put(adminB, { emails: [], webhookUrl: `${receiverUrl}/fail`, kinds: ['signin_burst'] });
  t.equal(b.statusCode, 200);
  t.notSame((await ctx.app.inject({ method: 'GET', url: '/api/v1/org/alerts', headers: adminA.headers })).json<{ webhookUrl: string }>().webhookUrl, `${receiverUrl}/fail`, 'orgs do not share settings');
});

t.test('a sign-in burst is delivered to the webhook (valid signature) and by e-mail', async (t) => {
  await burst('owner@alerted.test', 1);
  const delivered = await until('delivery', async () => {
    const rows = await alertRows(orgA.orgId);
    const r = rows.find((x) => x.kind === 'signin_burst');
    return r && r.email_status === 'delivered' && r.webhook_status === 'delivered' ? r : null;
  });
  t.equal(delivered.delivery_attempts, 1);
  const hit = received.find((r) => r.path === '/hook');
  t.ok(hit, 'the webhook received the alert');
  if (!hit) return;
  const ts = String(hit.headers['x-hirebox-timestamp']);
  const expected = `sha256=${createHmac('sha256', secretA).update(`${ts}.${hit.body}`).digest('hex')}`;
  const sig = String(hit.headers['x-hirebox-signature']);
  t.ok(sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected)), 'signature verifies with the rotated secret');
  t.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60, 'fresh timestamp');
  t.match(JSON.parse(hit.body), { kind: 'signin_burst', severity: 'warning', orgId: orgA.orgId });
  const mails = smtp.received.filter((m) => m.data.includes('signin_burst'));
  t.same(mails.flatMap((m) => m.to).sort(), ['<oncall@alerted.test>', '<sec@alerted.test>'], 'mailed to each recipient');
  t.equal(mails.length, 2, 'one mail per recipient');
  const page = (await list(auditorA)).json<{ items: { kind: string; webhookStatus: string }[] }>();
  t.match(page.items, [{ kind: 'signin_burst', webhookStatus: 'delivered' }], 'the console list shows it');
  t.same((await list(adminB)).json<{ items: unknown[] }>().items, [], 'other orgs do not see it');
});

t.test('throttle: the same kind at most once per 10 minutes, the rest counted', async (t) => {
  const enqueued: string[] = [];
  const alerts = alertService({ deliver: { enqueue: async (_o, id) => void enqueued.push(id) }, nodeEnv: 'test' });
  const before = received.length;
  await burst('owner@alerted.test', 50); // still locked: refused before counting
  await Promise.all([alerts.raise(orgA.orgId, 'signin_burst', 'again'), alerts.raise(orgA.orgId, 'signin_burst', 'and again')]);
  const rows = (await alertRows(orgA.orgId)).filter((r) => r.kind === 'signin_burst');
  t.equal(rows.length, 1, 'one row');
  t.equal(rows[0]?.suppressed, 2, 'suppressed ones counted');
  t.same(enqueued, [], 'nothing sent');
  await alerts.raise(orgA.orgId, 'stale_backup', 'not enabled for this org');
  const stale = (await alertRows(orgA.orgId)).find((r) => r.kind === 'stale_backup');
  t.match(stale, { email_status: 'skipped', webhook_status: 'skipped' }, 'a kind not enabled is recorded, not sent');
  t.same(enqueued, []);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(received.length, before, 'the receiver got nothing more');
  // Cursor pagination over the two rows.
  const p1 = (await list(adminA, '?limit=1')).json<{ items: { kind: string }[]; nextCursor: string | null }>();
  t.equal(p1.items.length, 1);
  t.type(p1.nextCursor, 'string');
  const p2 = (await list(adminA, `?limit=1&cursor=${p1.nextCursor ?? ''}`)).json<{ items: { kind: string }[]; nextCursor: string | null }>();
  t.equal(p2.items.length, 1);
  t.not(p2.items[0]?.kind, p1.items[0]?.kind);
});

t.test('a failing receiver is retried with backoff, then the failure is recorded', async (t) => {
  await burst('owner@failing.test', 100);
  const row = await until('final failure', async () => (await alertRows(orgB.orgId)).find((r) => r.webhook_status === 'failed'), 20_000);
  t.equal(row.delivery_attempts, 5, 'every attempt recorded');
  t.equal(row.email_status, 'skipped');
  t.equal(row.last_error, 'webhook: HTTP 500');
  t.equal(received.filter((r) => r.path === '/fail').length, 5, 'five POSTs');
});

t.test('webhook signature failures and mass exports raise alerts, without PII', async (t) => {
  const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: adminA.headers, payload: {} })).json<{ id: string }>();
  const forged = await ctx.app.inject({
    method: 'POST',
    url: `/webhooks/vapi/${hook.id}`,
    headers: { 'content-type': 'application/json', 'x-signature': 'deadbeef', 'x-timestamp': String(Date.now()) },
    payload: '{"message":{"type":"status-update"}}',
  });
  t.equal(forged.statusCode, 401);
  await until('webhook alert', async () => (await alertRows(orgA.orgId)).find((r) => r.kind === 'webhook_signature'));

  const job = await createJob(ctx, adminA, { title: 'Analyst' });
  const up = await uploadCv(ctx, adminA, job.id, { name: 'Grace Hopper', email: 'grace.hopper@navy.test' });
  t.equal(up.statusCode, 201);
  const candidateId = (await ctx.db.withTenant(orgA.orgId, (q) => q.query<{ id: string }>('SELECT id FROM candidates LIMIT 1'))).rows[0]?.id ?? '';
  for (let i = 0; i < MASS_EXPORT_THRESHOLD; i++) {
    t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${candidateId}/export`, headers: adminA.headers })).statusCode, 200);
  }
  t.notOk((await alertRows(orgA.orgId)).some((r) => r.kind === 'mass_export'), `${MASS_EXPORT_THRESHOLD} exports are fine`);
  await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${candidateId}/export`, headers: adminA.headers });
  const mass = await until('mass export alert', async () => (await alertRows(orgA.orgId)).find((r) => r.kind === 'mass_export'));
  t.match(mass.details, { userId: adminA.userId });
  const all = JSON.stringify(await alertRows(orgA.orgId));
  for (const pii of ['Grace', 'Hopper', 'grace.hopper', 'navy.test', '@', '198.51.100']) t.notOk(all.includes(pii), `no "${pii}" in alert rows`);
});
