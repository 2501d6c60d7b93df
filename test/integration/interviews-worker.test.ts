// The same lifecycle through the real queues and the real worker wiring (startWorkers):
// consent -> interview-start places the call -> signed webhooks -> webhook-ingest ->
// interview-reconcile; the recruiter sees the transcript without any test calling a
// processor by hand.
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { startWorkers } from '../../worker/worker.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember } from '../helper.js';
import { until } from '../support/until.js';

const ctx = await buildTestApp(t);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: redis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  interviews: { vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }), mailer: ctx.mailer },
});
t.teardown(async () => {
  await running.close();
  redis.disconnect();
});
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin, { title: 'SRE', interviewQuestions: ['How do you handle an incident?'] });
await approvePlan(ctx, admin, job.id, ['How do you handle an incident?']);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } });
const applicationId = (await uploadCv(ctx, admin, job.id)).json<{ applicationId: string }>().applicationId;


t.test('through the queues: consent places the call, webhooks reach the worker, the recruiter sees the transcript', async (t) => {
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: admin.headers, payload: {} });
  t.equal(created.statusCode, 201, created.body);
  const interviewId = created.json<{ id: string }>().id;
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  const started = Date.now();
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: `action=consent&noticeVersion=${INTERVIEW_NOTICE_VERSION}&phone=%2B14155550123&phoneConfirmed=true&recordingConsent=true`,
  });
  t.equal(consent.statusCode, 200, consent.body);
  t.match(consent.body, /will call you/);
  const call = await until('POST /call', async () => [...fake.calls.values()].find((c) => c.assistantOverrides?.metadata?.interviewId === interviewId));
  t.equal(call.customer?.number, '+14155550123');
  await until('call id stored', async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${interviewId}`, headers: { cookie: admin.cookie } })).json<{ call: { id: string | null } }>().call.id);
  const deliveries = await fake.play(call.id, { duplicate: true });
  t.ok(deliveries.every((d) => d.status === 200));
  const done = await until('transcript visible', async () => {
    const v = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${interviewId}`, headers: { cookie: admin.cookie } })).json<{ status: string; transcript: string | null; call: { reconciledAt: string | null } }>();
    return v.transcript && v.call.reconciledAt ? v : null;
  });
  t.comment(`consent -> transcript visible and reconciled through the queues: ${Date.now() - started} ms`);
  t.equal(done.status, 'ended');
  t.match(done.transcript, /blameless review/);
  t.equal(fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').length, 1, 'exactly one call placed');
});

t.test('through the queues: an unanswered call queues its re-dial as a delayed interview-start job; a booked slot gets its reminder mail', async (t) => {
  const startQueue = createQueue(QUEUES.interviewStart, redis, ctx.services.redisPrefix);
  const reminderQueue = createQueue(QUEUES.interviewReminder, redis, ctx.services.redisPrefix);
  t.teardown(() => Promise.all([startQueue.close(), reminderQueue.close()]));
  const appId = (await uploadCv(ctx, admin, job.id)).json<{ applicationId: string }>().applicationId;
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${appId}/interviews`, headers: admin.headers, payload: {} });
  const interviewId = created.json<{ id: string }>().id;
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+14155550123', phoneConfirmed: true },
  });
  t.equal(consent.statusCode, 200, consent.body);
  const call = await until('POST /call', async () => [...fake.calls.values()].find((c) => c.assistantOverrides?.metadata?.interviewId === interviewId));
  await until('call id stored', async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${interviewId}`, headers: { cookie: admin.cookie } })).json<{ call: { id: string | null } }>().call.id);
  await fake.unanswered(call.id, 'customer-did-not-answer');
  const retry = await until('re-dial queued', async () => startQueue.getJob(`interview-start-${interviewId}-r2`));
  t.same(retry.data, { orgId: admin.orgId, interviewId });
  t.ok((retry.opts.delay ?? 0) >= 899_000, 'after the default 15-minute delay');
  t.equal(await retry.getState(), 'delayed');

  // A booked interview's reminder, fired now by the real reminder worker.
  const app2 = (await uploadCv(ctx, admin, job.id)).json<{ applicationId: string }>().applicationId;
  const start = new Date(Math.ceil((Date.now() + 48 * 3600_000) / 3600_000) * 3600_000);
  const windows = [{ start: start.toISOString(), end: new Date(start.getTime() + 2 * 3600_000).toISOString() }];
  const booked = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${app2}/interviews`, headers: admin.headers, payload: { availability: windows } });
  const bookedId = booked.json<{ id: string }>().id;
  const token2 = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token2}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+14155550123', phoneConfirmed: true, startAt: start.toISOString(), timezone: 'Asia/Tokyo' },
  });
  t.equal(res.statusCode, 200, res.body);
  const mails = ctx.mailer.outbox.length;
  await reminderQueue.add('remind', { orgId: admin.orgId, interviewId: bookedId, kind: '24h', version: 1 }, { jobId: `test-reminder-${bookedId}` });
  const mail = await until('reminder mailed', async () => ctx.mailer.outbox.slice(mails).find((m) => m.subject.startsWith('Reminder')));
  t.match(mail.text, /\(Asia\/Tokyo\) = .*\(UTC\)/);
});
