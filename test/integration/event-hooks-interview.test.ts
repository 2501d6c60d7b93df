// interview.completed (issue 20, outbound event webhooks): a real voice interview (invite,
// consent, call placed on the fake Vapi server, its signed server messages applied as the
// webhook-ingest worker does) ends, and the real worker delivers the event to a loopback
// receiver, signed per Standard Webhooks, with ids only: no transcript, phone or name.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { startWorkers } from '../../worker/worker.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { until } from '../support/until.js';

const received: { headers: IncomingMessage['headers']; body: string }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.statusCode = 200;
    res.end('ok');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));

const ctx = await buildTestApp(t, { env: { OUTBOUND_ALLOW_LOOPBACK: 'true' } });
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const workerRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerRedis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  eventHooks: { redis: workerRedis, outbound: { allowLoopback: true }, sweepEveryMs: 200, nodeEnv: 'test' },
});
t.teardown(async () => {
  await running.close();
  workerRedis.disconnect();
});

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer' });
await approvePlan(ctx, recruiter, job.id);
const vapiHook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${vapiHook.id}`, secret: vapiHook.secret });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound' } });
const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }),
  reconcile: { enqueue: async () => undefined },
  clock: () => new Date(),
  log: createLogger('silent'),
});

t.test('an ended interview is delivered as interview.completed with ids only', async (t) => {
  const sub = await ctx.app.inject({ method: 'POST', url: '/api/v1/org/event-hooks', headers: admin.headers, payload: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, events: ['interview.completed'] } });
  t.equal(sub.statusCode, 201, sub.body);
  const secret = sub.json<{ secret: string }>().secret;
  const up = await uploadCv(ctx, recruiter, job.id, { name: 'Iris Interviewee', phone: '+44 20 7946 0958' });
  const applicationId = up.json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const inv = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
  t.equal(inv.statusCode, 201, inv.body);
  const interviewId = inv.json<{ id: string }>().id;
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] ?? '';
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: true },
  });
  t.equal(consent.statusCode, 200, consent.body);
  t.equal(await calls.startCall(admin.orgId, interviewId), 'placed');
  const callId = (await owner.query<{ vapi_call_id: string }>('SELECT vapi_call_id FROM interviews WHERE id = $1', [interviewId])).rows[0]?.vapi_call_id ?? '';
  await fake.play(callId);
  const ids = (await owner.query<{ id: string }>('SELECT id FROM webhook_messages WHERE call_id = $1 ORDER BY message_ts', [callId])).rows.map((r) => r.id);
  for (const id of ids) await calls.applyMessage(admin.orgId, id);

  const hit = await until('interview.completed delivery', async () => received[0] ?? null);
  const event = new Webhook(secret).verify(hit.body, { 'webhook-id': String(hit.headers['webhook-id']), 'webhook-timestamp': String(hit.headers['webhook-timestamp']), 'webhook-signature': String(hit.headers['webhook-signature']) });
  t.same(event, { type: 'interview.completed', timestamp: JSON.parse(hit.body).timestamp, data: { applicationId, jobId: job.id, interviewId } });
  for (const pii of ['Iris', 'Interviewee', '7946', 'billing ledger', 'transcript']) t.notOk(hit.body.includes(pii), `no "${pii}"`);
  await new Promise((r) => setTimeout(r, 500));
  t.equal(received.length, 1, 'one event for one interview (the report and reconciliation do not both emit)');
});
