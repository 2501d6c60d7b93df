// issue 18, item 1: erasure deletes every interview call at Vapi through the real
// vapi-delete worker (deterministic job per call, retried with backoff until a GET answers
// 404), leaves a PII-free receipt per call in the audit chain, and alerts the org when a
// deletion keeps failing. The pending deletions live in Postgres, so the sweep finishes
// them after their jobs failed out (or Redis lost them).
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { vapiDeleteJobId } from '../../server/core/queue-jobs.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { startWorkers } from '../../worker/worker.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { until } from '../support/until.js';

// Short backoff and few attempts (the app queues the erasures' jobs, the worker runs them) so failing out and the sweep run within the test.
const ctx = await buildTestApp(t, { appDeps: { vapiDeleteJob: { backoffMs: 150, attempts: 4 } } });
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const vapi = createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: redis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  interviews: { vapi, mailer: ctx.mailer },
  vapiDeletion: { redis, backoffMs: 150, attempts: 4, alertAfterAttempts: 3, sweepEveryMs: 3_600_000 },
});
const deleteQueue = createQueue(QUEUES.vapiDelete, redis, ctx.services.redisPrefix);
t.teardown(async () => {
  await deleteQueue.close();
  await running.close();
  redis.disconnect();
});
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin, { title: 'SRE', interviewQuestions: ['How do you handle an incident?'] });
await approvePlan(ctx, admin, job.id, ['How do you handle an incident?']);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } });

/** A candidate whose interview was called through the real queues; `earlier` more calls recorded as earlier attempts. */
async function candidateWithCalls(name: string, earlier: number, waitForReport = true): Promise<{ candidateId: string; interviewId: string; callIds: string[] }> {
  const up = (await uploadCv(ctx, admin, job.id, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now()}@example.test` })).json<{ applicationId: string; candidateId: string }>();
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${up.applicationId}/interviews`, headers: admin.headers, payload: {} });
  const interviewId = created.json<{ id: string }>().id;
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+14155550123', phoneConfirmed: true },
  });
  if (consent.statusCode !== 200) throw new Error(consent.body);
  const call = await until('POST /call', async () => [...fake.calls.values()].find((c) => c.assistantOverrides?.metadata?.interviewId === interviewId));
  await until('call id stored', async () => (await owner.query('SELECT 1 FROM interview_calls WHERE call_id = $1', [call.id])).rowCount);
  await fake.play(call.id);
  // The end-of-call report is applied before the erasure (the erasure must not race the ingest here).
  if (waitForReport) await until('report applied', async () => (await owner.query('SELECT 1 FROM interviews WHERE id = $1 AND transcript_enc IS NOT NULL', [interviewId])).rowCount);
  const callIds = [call.id];
  // Earlier attempts (re-dials) exist at Vapi too: placed there and recorded as this interview's calls.
  for (let i = 0; i < earlier; i += 1) {
    const c = await vapi.createCall({ phoneNumberId: 'pn_1', customer: { number: '+14155550123' }, assistantId: 'asst_1' });
    await owner.query("INSERT INTO interview_calls (org_id, call_id, interview_id, attempt, mode) VALUES ($1, $2, $3, $4, 'phone')", [admin.orgId, c.id, interviewId, 10 + i]);
    callIds.push(c.id);
  }
  return { candidateId: up.candidateId, interviewId, callIds };
}

const erase = (candidateId: string) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${candidateId}/erasure`, headers: admin.headers, payload: { reference: 'DSR-18', confirm: true } });

t.test('erasing a candidate with several calls deletes every one at Vapi, confirmed by a 404, with a receipt each', async (t) => {
  const ada = await candidateWithCalls('Ada Callme', 2);
  t.equal(ada.callIds.length, 3);
  for (const id of ada.callIds) t.ok(fake.calls.has(id), 'the call is at Vapi before');
  const res = await erase(ada.candidateId);
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.json<{ vapiCallsToDelete: number }>().vapiCallsToDelete, 3);
  await until('every call deleted at the fake', async () => ada.callIds.every((id) => fake.deletes.includes(id)));
  for (const id of ada.callIds) {
    t.notOk(fake.calls.has(id), `${id} is gone at Vapi`);
    t.equal(await vapi.callGone(id), true, 'GET /call/:id answers 404');
  }
  const rows = await until('confirmed', async () => {
    const r = await owner.query<{ call_id: string; reason: string; confirmed_at: Date | null }>('SELECT call_id, reason, confirmed_at FROM vapi_call_deletions WHERE org_id = $1 AND call_id = ANY($2)', [admin.orgId, ada.callIds]);
    return r.rows.length === 3 && r.rows.every((x) => x.confirmed_at) ? r.rows : null;
  });
  t.same(rows.map((r) => r.reason), ['erasure', 'erasure', 'erasure']);
  const receipts = await until('receipts', async () => {
    const r = await owner.query<{ target_id: string; metadata: Record<string, unknown> }>(
      "SELECT target_id, metadata FROM audit_events WHERE org_id = $1 AND action = 'interview.vapi_call_deleted' AND target_id = ANY($2)",
      [admin.orgId, ada.callIds],
    );
    return r.rows.length === 3 ? r.rows : null;
  });
  for (const r of receipts) {
    t.match(r.metadata, { callId: r.target_id, confirmedAt: String, reason: 'erasure' });
    t.notMatch(JSON.stringify(r.metadata), /Ada|Callme|example\.test|\+1415/, 'no PII in the receipt');
  }
  const jobs = await Promise.all(ada.callIds.map((id) => deleteQueue.getJob(vapiDeleteJobId(admin.orgId, id))));
  t.ok(jobs.every((j) => j?.name === 'delete'), 'one deterministic job per call');
});

t.test('DELETE failing for a while: retried with backoff, then confirmed; no alert', async (t) => {
  const bo = await candidateWithCalls('Bo Retry', 0);
  fake.failDeletes(503, 2);
  const erased = await erase(bo.candidateId);
  t.equal(erased.statusCode, 200, erased.body);
  const row = await until('confirmed after retries', async () => {
    const r = await owner.query<{ attempts: number; confirmed_at: Date | null; alerted_at: Date | null }>('SELECT attempts, confirmed_at, alerted_at FROM vapi_call_deletions WHERE call_id = $1', [bo.callIds[0]]);
    return r.rows[0]?.confirmed_at ? r.rows[0] : null;
  });
  t.equal(row.attempts, 3, 'two failures, then success');
  t.equal(row.alerted_at, null, 'below the alert threshold');
  t.ok(fake.deletes.includes(bo.callIds[0] as string));
  const alerts = await owner.query("SELECT 1 FROM alerts WHERE org_id = $1 AND kind = 'vapi_deletion'", [admin.orgId]);
  t.equal(alerts.rowCount, 0);
});

t.test('DELETE failing persistently: the org is alerted, the job fails out, the sweep re-queues it and it completes once Vapi recovers', async (t) => {
  const cy = await candidateWithCalls('Cy Stubborn', 0);
  const callId = cy.callIds[0] as string;
  fake.failDeletes(500, 1_000);
  t.equal((await erase(cy.candidateId)).statusCode, 200);
  const alert = await until('alert raised', async () => (await owner.query<{ severity: string; summary: string; details: Record<string, unknown> }>("SELECT severity, summary, details FROM alerts WHERE org_id = $1 AND kind = 'vapi_deletion'", [admin.orgId])).rows[0]);
  t.equal(alert.severity, 'critical');
  t.match(alert.details, { callId, lastError: 'http_500' });
  t.notMatch(JSON.stringify(alert), /Cy|Stubborn|example\.test/, 'no PII in the alert');
  const job = await until('job failed out', async () => {
    const j = await deleteQueue.getJob(vapiDeleteJobId(admin.orgId, callId));
    return j && (await j.isFailed()) ? j : null;
  });
  t.equal(job.attemptsMade, 4);
  t.ok(fake.calls.has(callId), 'still at Vapi');
  const pending = await owner.query<{ confirmed_at: Date | null; alerted_at: Date | null; attempts: number }>('SELECT confirmed_at, alerted_at, attempts FROM vapi_call_deletions WHERE call_id = $1', [callId]);
  t.match(pending.rows[0], { confirmed_at: null, alerted_at: Date, attempts: 4 });
  // Vapi recovers; the sweep (normally every 15 minutes) re-queues the failed-out deletion.
  fake.failDeletes(500, 0);
  await deleteQueue.add('sweep', { orgId: '', callId: '' });
  await until('confirmed after the sweep', async () => (await owner.query('SELECT 1 FROM vapi_call_deletions WHERE call_id = $1 AND confirmed_at IS NOT NULL', [callId])).rowCount);
  t.notOk(fake.calls.has(callId));
  t.equal((await owner.query("SELECT 1 FROM alerts WHERE org_id = $1 AND kind = 'vapi_deletion'", [admin.orgId])).rowCount, 1, 'one alert for the call');
});

t.test('Redis lost the job: the sweep queues the pending deletion again', async (t) => {
  const c = await vapi.createCall({ phoneNumberId: 'pn_1', customer: { number: '+14155550123' }, assistantId: 'asst_1' });
  // A row written by an erasure whose enqueue never happened.
  await owner.query("INSERT INTO vapi_call_deletions (org_id, call_id, reason) VALUES ($1, $2, 'retention')", [admin.orgId, c.id]);
  t.equal(await deleteQueue.getJob(vapiDeleteJobId(admin.orgId, c.id)), undefined, 'no job');
  const sweep = await deleteQueue.add('sweep', { orgId: '', callId: '' });
  await until('sweep done', async () => ((await sweep.getState()) === 'completed' || (await sweep.getState()) === 'failed'));
  await until('deleted', async () => fake.deletes.includes(c.id));
  await until('confirmed', async () => (await owner.query('SELECT 1 FROM vapi_call_deletions WHERE call_id = $1 AND confirmed_at IS NOT NULL', [c.id])).rowCount);
  t.pass('confirmed');
});

t.test('org offboarding: the daily sweep deletes the org and every one of its calls at Vapi; the pending rows stay with the tombstone', async (t) => {
  const other = await createOrgWithMember(ctx, 'admin');
  const c1 = await vapi.createCall({ phoneNumberId: 'pn_1', customer: { number: '+14155550123' }, assistantId: 'asst_1' });
  const c2 = await vapi.createCall({ phoneNumberId: 'pn_1', customer: { number: '+14155550123' }, assistantId: 'asst_1' });
  // The org's interview with two calls (an earlier attempt and the current one).
  const otherJob = await createJob(ctx, other, { title: 'Gone org job', interviewQuestions: ['Tell us about a project.'] });
  await approvePlan(ctx, other, otherJob.id, ['Tell us about a project.']);
  const up = (await uploadCv(ctx, other, otherJob.id)).json<{ applicationId: string }>();
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: other.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } });
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${up.applicationId}/interviews`, headers: other.headers, payload: {} });
  const interviewId = created.json<{ id: string }>().id;
  await owner.query("UPDATE interviews SET vapi_call_id = $2, status = 'ended' WHERE id = $1", [interviewId, c2.id]);
  await owner.query("INSERT INTO interview_calls (org_id, call_id, interview_id, attempt, mode) VALUES ($1, $2, $3, 1, 'phone'), ($1, $4, $3, 2, 'phone')", [other.orgId, c1.id, interviewId, c2.id]);
  // Offboarding started 31 days ago: the export window has closed.
  await owner.query("UPDATE orgs SET offboarding_started_at = now() - interval '31 days' WHERE id = $1", [other.orgId]);
  const sweepQueue = createQueue(QUEUES.retentionSweep, redis, ctx.services.redisPrefix);
  t.teardown(() => sweepQueue.close());
  await sweepQueue.add('sweep', {}, { jobId: `test-sweep-${Date.now()}` });
  await until('org deleted', async () => (await owner.query('SELECT 1 FROM orgs WHERE id = $1 AND offboarded_at IS NOT NULL', [other.orgId])).rowCount);
  await until('both calls deleted at Vapi', async () => fake.deletes.includes(c1.id) && fake.deletes.includes(c2.id));
  const rows = await until('confirmed', async () => {
    const r = await owner.query<{ reason: string }>('SELECT reason FROM vapi_call_deletions WHERE org_id = $1 AND confirmed_at IS NOT NULL', [other.orgId]);
    return r.rows.length === 2 ? r.rows : null;
  });
  t.same(rows.map((r) => r.reason), ['offboarding', 'offboarding']);
  t.equal((await owner.query('SELECT 1 FROM interviews WHERE org_id = $1', [other.orgId])).rowCount, 0, 'the org rows are gone');
  const receipts = await until('receipts', async () => {
    const r = await owner.query("SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'interview.vapi_call_deleted'", [other.orgId]);
    return (r.rowCount ?? 0) === 2 ? r : null;
  });
  t.equal(receipts.rowCount, 2, 'receipts in the tombstone org audit chain');
});

t.test('an erasure racing the webhook worker (report still being applied) succeeds and still deletes the calls', async (t) => {
  // Before the retry on deadlock, about half of these erasures failed with 500 (40P01 between the eraser and webhook-ingest).
  for (let i = 0; i < 4; i += 1) {
    const c = await candidateWithCalls(`Racing Person ${i}`, 0, false);
    const res = await erase(c.candidateId);
    t.equal(res.statusCode, 200, res.body);
    await until('deleted at Vapi', async () => fake.deletes.includes(c.callIds[0] as string));
  }
});
