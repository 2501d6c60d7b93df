// Org offboarding (DESIGN sections 5 and 9): `hirebox org offboard` blocks sign-in (sessions
// revoked), public apply pages, interview links and webhooks while keeping the data for a
// 30-day export window; `--cancel` restores; after the window the daily retention sweep
// deletes the org's data and destroys its key, leaving a tombstone and the audit trail.
import t from 'tap';
import { erasureLedgerOf } from '../../server/cli-support.js';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { buildTestApp, connectOwner, createOrgWithMember, ORIGIN } from '../helper.js';
import { cliSync } from '../support/cli.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { signHmac } from '../fakes/vapi-server.js';
import { until } from '../support/until.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { KEPT_TABLES } from '../../server/modules/privacy/repo.js';
import { createOffboardingService } from '../../server/modules/privacy/offboarding.js';
import { createRetentionService } from '../../server/modules/retention/service.js';
import { createPostgresBlobStore } from '../../server/core/storage.js';
import { createRetentionSweepProcessor } from '../../worker/processors/retention-sweep.js';
import type { JobPayloads } from '../../server/core/queues.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const cli = (args: string[]) => cliSync(ctx.env, args);
const DAY = 24 * 3600 * 1000;
const PASSWORD = 'correct horse battery staple';

const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const adminEmail = (await owner.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [adminA.userId])).rows[0]?.email as string;
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [adminA.orgId])).rows[0]?.slug as string;
const job = await createJob(ctx, recruiterA, { title: 'Offboarding job' });
await approvePlan(ctx, recruiterA, job.id);
const jobB = await createJob(ctx, adminB, { title: 'B stays' });
await approvePlan(ctx, adminB, jobB.id);
const app = (await uploadCv(ctx, recruiterA, job.id, { name: 'Olive Offboard', email: `olive.${Date.now()}@example.test` })).json<{ applicationId: string; candidateId: string }>();
const appB = (await uploadCv(ctx, adminB, jobB.id, { name: 'Bert Stays', email: `bert.${Date.now()}@example.test` })).json<{ applicationId: string; candidateId: string }>();
await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${app.applicationId}/notes`, headers: recruiterA.headers, payload: { kind: 'note', body: 'Olive note' } });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: adminA.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound' } });
const mailsBefore = ctx.mailer.outbox.length;
const invited = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${app.applicationId}/interviews`, headers: recruiterA.headers, payload: {} });
const inviteToken = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[mailsBefore]?.text ?? '')?.[1] ?? '';
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: adminA.headers, payload: {} })).json<{ id: string; secret: string }>();

let seq = 0;
function webhook() {
  seq += 1;
  const body = JSON.stringify({ message: { type: 'status-update', status: 'queued', timestamp: 1_700_000_000_000 + seq, call: { id: `call-off-${seq}` } } });
  const ts = String(Date.now());
  return ctx.app.inject({ method: 'POST', url: `/webhooks/vapi/${hook.id}`, headers: { 'content-type': 'application/json', 'x-signature': signHmac(hook.secret, ts, Buffer.from(body)), 'x-timestamp': ts }, payload: body });
}
/** Signs the admin in with the password; the org the new session entered (null: none). */
async function loginOrg(): Promise<string | null> {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: ORIGIN }, payload: { email: adminEmail, password: PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  const { rows } = await owner.query<{ active_org_id: string | null }>('SELECT active_org_id FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1', [adminA.userId]);
  return rows[0]?.active_org_id ?? null;
}
const applyPage = () => ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/${job.slug}` });
const invitePage = () => ctx.app.inject({ method: 'GET', url: `/i/${inviteToken}` });
const jobsOf = (cookie: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { cookie } });

t.test('before offboarding: sign-in, apply page, interview link and webhooks work', async (t) => {
  t.equal(invited.statusCode, 201, invited.body);
  t.ok(inviteToken, 'an invite link was mailed');
  t.equal(await loginOrg(), adminA.orgId, 'signing in enters the org');
  t.equal((await applyPage()).statusCode, 200);
  t.equal((await invitePage()).statusCode, 200);
  t.equal((await webhook()).statusCode, 200);
  t.equal((await jobsOf(adminA.cookie)).statusCode, 200);
});

t.test('offboard: sessions revoked, sign-in, apply page, interview link and webhooks refused; data kept', async (t) => {
  const r = cli(['org', 'offboard', '--org', adminA.orgId, '--json']);
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { status: string; deleteAfter: string; startedAt: string; sessionsRevoked: number };
  t.match(out, { ok: true, orgId: adminA.orgId, status: 'offboarding' });
  t.ok(out.sessionsRevoked >= 2, 'the members\' sessions are revoked');
  t.equal(new Date(out.deleteAfter).getTime() - new Date(out.startedAt).getTime(), 30 * DAY, 'a 30-day export window');
  // The revocation reaches this process's 5-second session cache through Redis.
  await until('the admin session revoked', async () => (await jobsOf(adminA.cookie)).statusCode === 401);
  t.equal((await jobsOf(recruiterA.cookie)).statusCode, 401, 'the recruiter session is revoked');
  t.equal(await loginOrg(), null, 'signing in no longer enters the org');
  t.equal((await applyPage()).statusCode, 404, 'public apply page gone');
  const apply = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { origin: ORIGIN, 'content-type': 'application/json' }, payload: {} });
  t.not(apply.statusCode, 201, 'no application can be made');
  t.equal((await invitePage()).statusCode, 404, 'the interview link stops working');
  const hooked = await webhook();
  t.ok(hooked.statusCode >= 400 && hooked.statusCode < 500, `webhook refused (${hooked.statusCode})`);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { cookie: adminB.cookie } })).statusCode, 200, 'org B unaffected');
  t.equal((await owner.query('SELECT 1 FROM candidates WHERE org_id = $1', [adminA.orgId])).rowCount, 1, 'the data stays for the export window');
  const events = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'org.offboarding_started'", [adminA.orgId]);
  t.match(events.rows, [{ metadata: { exportWindowDays: 30, via: 'cli', sessionsRevoked: out.sessionsRevoked } }]);
  const twice = cli(['org', 'offboard', '--org', adminA.orgId]);
  t.equal(twice.status, 1, 'starting twice is refused');
  t.match(twice.stderr, /already started/);
});

t.test('cancel within the window restores sign-in, apply page, interview link and webhooks', async (t) => {
  const r = cli(['org', 'offboard', '--org', adminA.orgId, '--cancel', '--json']);
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { ok: true, status: 'active', startedAt: null });
  t.equal(await loginOrg(), adminA.orgId, 'signing in enters the org');
  t.equal((await applyPage()).statusCode, 200);
  t.equal((await invitePage()).statusCode, 200);
  // The webhook service remembers an unknown hook for 2 seconds.
  await until('webhooks accepted again', async () => (await webhook()).statusCode === 200);
  t.pass('webhooks are accepted again');
  t.equal((await jobsOf(adminA.cookie)).statusCode, 401, 'revoked sessions stay revoked: members sign in anew');
  t.equal(cli(['org', 'offboard', '--org', adminA.orgId, '--cancel']).status, 1, 'nothing to cancel now');
  for (const args of [['org', 'offboard'], ['org', 'offboard', '--org', 'abc'], ['org', 'offboard', '--org', adminA.orgId, '--cancel', '--status']]) {
    t.equal(cli(args).status, 2, `usage: ${args.slice(2).join(' ')}`);
  }
});

t.test('after 30 days the daily sweep deletes the data and destroys the org key; tombstone and audit chain stay', async (t) => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'hirebox-offboard-')), 'export');
  const r = cli(['org', 'offboard', '--org', adminA.orgId, '--out', dir, '--json']);
  t.equal(r.status, 0, r.stderr);
  t.notMatch(r.stdout, /Olive|@example/, 'no PII on stdout');
  t.equal(statSync(dir).mode & 0o777, 0o700);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { purpose: string; records: Record<string, number> };
  t.match(manifest, { purpose: 'offboarding', records: { candidates: 1, applications: 1, notes: 1, interviews: 1 } });
  const startedAt = new Date((JSON.parse(r.stdout) as { startedAt: string }).startedAt).getTime();
  const early = cli(['org', 'offboard', '--org', adminA.orgId, '--delete']);
  t.equal(early.status, 1, 'no deletion by hand inside the window');
  t.match(early.stderr, /export window is open until/);

  let now = new Date(startedAt + 29 * DAY);
  const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
  const offboarding = createOffboardingService({ db: ctx.db, audit: ctx.audit, ledger: erasureLedgerOf(ctx.config), clock: () => now, logger: createLogger('silent') });
  const retention = createRetentionService({ db: ctx.db, audit: ctx.audit, keyring, blobs: createPostgresBlobStore(), ledger: erasureLedgerOf(ctx.config), clock: () => now, logger: createLogger('silent') });
  const sweep = createRetentionSweepProcessor({ retention, logger: createLogger('silent'), offboarding });
  const run = () => sweep({ id: 'daily', data: {} } as unknown as Job<JobPayloads['retention-sweep']>);
  t.match(await run(), { orgsDeleted: 0 }, 'day 29: still in the export window');
  t.equal((await owner.query('SELECT 1 FROM org_keys WHERE org_id = $1', [adminA.orgId])).rowCount, 1);

  now = new Date(startedAt + 30 * DAY + 60_000);
  t.match(await run(), { orgsDeleted: 1 }, 'day 30: deleted');
  const tables = await owner.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'org_id' AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'public')",
  );
  for (const { table_name } of tables.rows) {
    const n = (await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table_name} WHERE org_id = $1`, [adminA.orgId])).rows[0]?.n;
    if (table_name === 'audit_events' || table_name === 'audit_heads') t.ok((n ?? 0) > 0, `${table_name}: kept`);
    else if ((KEPT_TABLES as readonly string[]).includes(table_name)) t.pass(`${table_name}: kept (${n ?? 0})`);
    else t.equal(n, 0, `${table_name}: no rows left`);
  }
  t.equal((await owner.query('SELECT 1 FROM org_keys WHERE org_id = $1', [adminA.orgId])).rowCount, 0, 'the org key is destroyed');
  await t.rejects(
    ctx.db.withTenantTx(adminA.orgId, (tx) => createKeyring({ masterKey: ctx.config.masterKey.reveal() }).orgKey(tx, adminA.orgId)),
    /offboarded: no new org key/,
    'and no new one can be made for the tombstone',
  );
  const org = (await owner.query<{ name: string; offboarded: boolean }>('SELECT name, offboarded_at IS NOT NULL AS offboarded FROM orgs WHERE id = $1', [adminA.orgId])).rows[0];
  t.same(org, { name: 'Offboarded organisation', offboarded: true }, 'a tombstone org row');
  t.equal((await owner.query('SELECT 1 FROM users WHERE id = ANY($1::uuid[])', [[adminA.userId, recruiterA.userId]])).rowCount, 0, 'member accounts with no other org are deleted');
  const verified = await ctx.audit.verify(adminA.orgId);
  t.ok(verified.ok, 'the audit chain still verifies');
  const deleted = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'org.deleted'", [adminA.orgId]);
  t.match(deleted.rows, [{ metadata: { reason: 'offboarding', orgKeyDestroyed: true, rowsDeleted: { candidates: 1, applications: 1 } } }]);
  t.notMatch(JSON.stringify(deleted.rows), /Olive|@example/);
  const ledger = await erasureLedgerOf(ctx.config).read();
  t.match(ledger.filter((e) => e.kind === 'org'), [{ orgId: adminA.orgId, candidateId: null, reason: 'offboarding', keyReceipt: /^sha256:[0-9a-f]{64}$/ }], 'the org deletion is in the erasure ledger');

  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${appB.candidateId}`, headers: { cookie: adminB.cookie } })).statusCode, 200, 'org B keeps its data');
  t.equal((await owner.query('SELECT 1 FROM org_keys WHERE org_id = $1', [adminB.orgId])).rowCount, 1, "and its key");
  t.match(await run(), { orgsDeleted: 0 }, 'idempotent: nothing more to delete');
  t.equal(cli(['org', 'offboard', '--org', adminA.orgId, '--cancel']).status, 1, 'too late to cancel');
  const exp = cli(['export', 'org', '--org', adminA.orgId, '--out', path.join(dir, '..', 'late')]);
  t.equal(exp.status, 1, 'nothing left to export');
});

t.test('org offboard --delete deletes by hand once the window is over', async (t) => {
  const adminC = await createOrgWithMember(ctx, 'admin');
  await createJob(ctx, adminC, { title: 'C job' });
  t.equal(cli(['org', 'offboard', '--org', adminC.orgId]).status, 0);
  await owner.query("UPDATE orgs SET offboarding_started_at = now() - interval '31 days' WHERE id = $1", [adminC.orgId]);
  const r = cli(['org', 'offboard', '--org', adminC.orgId, '--delete', '--json']);
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { ok: true, orgId: adminC.orgId, rowsDeleted: { jobs: 1, memberships: 1 }, usersDeleted: 1 });
  t.match(JSON.parse(cli(['org', 'offboard', '--org', adminC.orgId, '--status', '--json']).stdout), { status: 'offboarded' });
  t.equal((await owner.query('SELECT 1 FROM jobs WHERE org_id = $1', [adminC.orgId])).rowCount, 0);
});
