// Issue 19 floods, the starvation replayed: applications accepted together each held one of
// the pool's connections for their whole transaction while they queued on the org's audit
// chain, so ten of them took all ten and signed-in members' requests waited behind them
// (members' p99 11-16x during the apply flood). Here the chain is held by the test, as a
// long transaction would hold it, while twelve applications arrive: at most two of them may
// hold a connection, members are answered meanwhile, and beyond fifty waiting an application
// is refused with 503 at once. Nothing is lost: when the chain is free every accepted one is stored.
import t from 'tap';
import pg from 'pg';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createJob } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t, { env: { APPLY_RATE_PER_JOB_HOUR: '1000', APPLY_RATE_PER_ORG_HOUR: '1000' } });
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const cv = makePdf(SAMPLE_CV_LINES);
let n = 0;
const apply = () => {
  n += 1;
  const { body, contentType } = multipartBody({ name: `Bulk Head ${n}`, email: `bulk${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.pdf', contentType: 'application/pdf', data: cv });
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType, accept: 'application/json' }, payload: body, remoteAddress: `10.77.${Math.floor(n / 250)}.${n % 250}` });
};
const stored = async (): Promise<number> => Number((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE job_id = $1', [job.id])).rows[0]?.n);
/** App connections waiting on a lock (the held audit chain). */
const waitingOnLock = async (): Promise<number> =>
  Number((await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).rows[0]?.n);
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function holdAuditChain(): Promise<pg.Client> {
  const locker = new pg.Client({ connectionString: ctx.services.migrationDatabaseUrl });
  await locker.connect();
  await locker.query('BEGIN');
  const { rowCount } = await locker.query('SELECT 1 FROM audit_heads WHERE org_id = $1 FOR UPDATE', [admin.orgId]);
  if (rowCount !== 1) throw new Error('the org has no audit chain head yet');
  return locker;
}

t.test('twelve applications stuck on the audit chain hold two connections; members are answered meanwhile', async (t) => {
  const before = await stored();
  const locker = await holdAuditChain();
  const pending = Array.from({ length: 12 }, () => apply());
  await settle(1_000);
  t.equal(await waitingOnLock(), 2, 'two applications wait on the chain inside a transaction; the other ten wait outside the pool');
  const member = await Promise.race([ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: admin.headers }), settle(5_000).then(() => null)]);
  t.equal(member?.statusCode, 200, 'a member is answered while the applications wait');
  await locker.query('COMMIT');
  await locker.end();
  const statuses = (await Promise.all(pending)).map((r) => r.statusCode);
  t.same(statuses, Array(12).fill(202), 'every application is accepted once the chain is free');
  t.equal((await stored()) - before, 12, 'and stored');
});

t.test('beyond fifty waiting, an application is refused at once with 503 problem+json and nothing stored', async (t) => {
  const before = await stored();
  const locker = await holdAuditChain();
  const pending = Array.from({ length: 52 }, () => apply()); // two stored at once, fifty waiting
  await settle(1_500);
  const refused = await apply();
  t.equal(refused.statusCode, 503);
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  t.match(refused.json(), { status: 503, detail: /many applications right now/ });
  await locker.query('COMMIT');
  await locker.end();
  const statuses = (await Promise.all(pending)).map((r) => r.statusCode);
  t.same(statuses, Array(52).fill(202));
  t.equal((await stored()) - before, 52, 'the refused one left nothing behind');
});
