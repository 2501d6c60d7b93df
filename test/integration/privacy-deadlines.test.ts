// Privacy-request deadlines (issue 18 item 6): the real worker's daily privacy-deadlines
// job, run on demand through its queue with an injected clock, raises a due-soon alert
// and, once the GDPR deadline has passed, an overdue alert, per org, through the alerts
// service (with its delivery queue). Closed requests and other orgs' requests never alert.
import t from 'tap';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { createMailer } from '../../server/core/mailer.js';
import { bullPrefix, QUEUES } from '../../server/core/queues.js';
import type { DeadlineCheck } from '../../server/modules/rights/service.js';
import { PRIVACY_DEADLINES_PATTERN, PRIVACY_DEADLINES_SCHEDULER } from '../../worker/processors/privacy-deadlines.js';
import { startWorkers } from '../../worker/worker.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const DAY = 86_400_000;
let now = new Date('2026-05-04T08:00:00Z');
const clock = (): Date => now;

const ctx = await buildTestApp(t, { clock });
const owner = await connectOwner(t, ctx);
const workerRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerRedis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  alerts: { mailer: createMailer({ smtpUrl: null, from: 'alerts@hirebox.test', outboxDir: ctx.env.HIREBOX_DATA_DIR ?? '/tmp' }), nodeEnv: 'test', publicUrl: ctx.config.publicUrl },
  // A pattern that never fires during the test: checks run only when the test asks.
  privacyDeadlines: { redis: workerRedis, clock, pattern: '0 0 1 1 *' },
});
const queue = new Queue(QUEUES.privacyDeadlines, { connection: workerRedis, prefix: bullPrefix(ctx.services.redisPrefix) });
const eventsRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const events = new QueueEvents(QUEUES.privacyDeadlines, { connection: eventsRedis, prefix: bullPrefix(ctx.services.redisPrefix) });
await events.waitUntilReady();
t.teardown(async () => {
  await running.close();
  await queue.close();
  await events.close();
  workerRedis.disconnect();
  eventsRedis.disconnect();
});

const orgA = await createOrgWithMember(ctx, 'admin');
const orgB = await createOrgWithMember(ctx, 'admin');
const orgC = await createOrgWithMember(ctx, 'admin');
// Alerts are e-mailed only when the org asked for the kind.
const alertSettings = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/alerts', headers: orgA.headers, payload: { emails: ['dpo@example.test'], webhookUrl: null, kinds: ['privacy_request_overdue', 'privacy_request_due'] } });
if (alertSettings.statusCode !== 200) throw new Error(alertSettings.body);

let runs = 0;
async function checkNow(): Promise<DeadlineCheck> {
  runs += 1;
  const job = await queue.add('check', {}, { jobId: `test-check-${runs}` });
  return (await job.waitUntilFinished(events, 15_000)) as DeadlineCheck;
}
async function alertsOf(kind: string): Promise<{ org_id: string; summary: string; severity: string; details: Record<string, unknown>; email_status: string }[]> {
  const { rows } = await owner.query("SELECT org_id, summary, severity, details, email_status FROM alerts WHERE kind = $1 ORDER BY created_at, org_id", [kind]);
  return rows;
}
async function register(m: Member, body: Record<string, unknown>): Promise<string> {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/privacy-requests', headers: m.headers, payload: body });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json<{ id: string }>().id;
}

// Org A: one access request received 2026-04-10 (due 2026-05-10), one erasure received 2026-05-01 (due 2026-06-01).
await register(orgA, { reference: 'A-ACCESS-1', type: 'access', receivedOn: '2026-04-10' });
await register(orgA, { reference: 'A-ERASE-1', type: 'erasure', receivedOn: '2026-05-01' });
// Org B: a request due as soon, but closed (refused): never alerts.
const refused = await register(orgB, { reference: 'B-OBJ-1', type: 'objection', receivedOn: '2026-04-10' });
await ctx.app.inject({ method: 'PATCH', url: `/api/v1/privacy-requests/${refused}`, headers: orgB.headers, payload: { status: 'refused', refusalReason: 'Not a data subject of this org' } });

t.test('the worker registers one daily privacy-deadlines schedule', async (t) => {
  const schedulers = await queue.getJobSchedulers();
  t.equal(schedulers.length, 1);
  t.equal(schedulers[0]?.key, PRIVACY_DEADLINES_SCHEDULER);
  t.equal(PRIVACY_DEADLINES_PATTERN, '5 7 * * *', 'default: 07:05 UTC every day');
});

t.test('six days before the deadline: one due-soon alert for org A only, delivered by e-mail', async (t) => {
  const result = await checkNow();
  t.same(result, { day: '2026-05-04', orgs: 1, overdue: 0, dueSoon: 1 });
  const due = await alertsOf('privacy_request_due');
  t.equal(due.length, 1);
  t.equal(due[0]?.org_id, orgA.orgId);
  t.equal(due[0]?.severity, 'warning');
  t.match(due[0]?.summary, /A-ACCESS-1 \(access, due 2026-05-10\)/);
  t.notMatch(due[0]?.summary, /A-ERASE-1/, 'the erasure is not due within 7 days');
  t.same(await alertsOf('privacy_request_overdue'), []);
  for (let i = 0; i < 50; i += 1) {
    const [row] = await alertsOf('privacy_request_due');
    if (row?.email_status !== 'pending') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal((await alertsOf('privacy_request_due'))[0]?.email_status, 'delivered', 'sent to the org alert channel');
});

t.test('the day after the deadline: an overdue alert (critical) for org A; org B and C get nothing', async (t) => {
  now = new Date('2026-05-11T07:05:00Z');
  const result = await checkNow();
  t.same(result, { day: '2026-05-11', orgs: 1, overdue: 1, dueSoon: 0 });
  const overdue = await alertsOf('privacy_request_overdue');
  t.equal(overdue.length, 1);
  t.equal(overdue[0]?.org_id, orgA.orgId);
  t.equal(overdue[0]?.severity, 'critical');
  t.match(overdue[0]?.summary, /1 privacy request\(s\) past the GDPR deadline: A-ACCESS-1 \(access, due 2026-05-10\)/);
  t.match(overdue[0]?.details, { count: 1, oldestDueOn: '2026-05-10' });
  const others = await owner.query('SELECT 1 FROM alerts WHERE org_id = ANY($1::uuid[])', [[orgB.orgId, orgC.orgId]]);
  t.equal(others.rowCount, 0, 'no alert for the org whose request is closed, nor for the org with none');
});

t.test('an extension with a reason moves the deadline: no overdue alert any more', async (t) => {
  const { rows } = await owner.query<{ id: string }>("SELECT id FROM privacy_requests WHERE reference = 'A-ACCESS-1'");
  const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/privacy-requests/${rows[0]?.id}`, headers: orgA.headers, payload: { extensionMonths: 1, extensionReason: 'Complex request across many applications' } });
  t.match(res.json(), { dueOn: '2026-06-10', overdue: false });
  now = new Date(now.getTime() + DAY);
  const result = await checkNow();
  t.same(result, { day: '2026-05-12', orgs: 0, overdue: 0, dueSoon: 0 });
});
