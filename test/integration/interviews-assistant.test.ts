// The hirebox-managed Vapi assistant (no assistantId configured): created per job with
// POST /assistant from the plan (transcriber language and voice follow the job's
// language, AI disclosure first, recording off on the assistant), reused while the plan
// is unchanged, PATCHed when it changes, re-created when deleted in Vapi; calls use it
// with per-call overrides (recording only with consent). Vapi REST behind the shared
// circuit breaker: while open, interview-start jobs wait and the state is visible.
import t from 'tap';
import pg from 'pg';
import { DelayedError, type Job } from 'bullmq';
import { createCircuitBreaker } from '../../server/core/circuit-breaker.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi, withVapiBreaker } from '../../server/modules/interviews/vapi.js';
import { createInterviewStartProcessor } from '../../worker/processors/interview-start.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = new pg.Client({ connectionString: ctx.services.migrationDatabaseUrl });
await owner.connect();
t.teardown(() => owner.end());
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const job = await createJob(ctx, recruiter, { title: 'Backend-Entwickler', interviewQuestions: ['Beschreiben Sie ein System, das Sie gebaut haben.'] });
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
// A phone number but no assistant: hirebox manages the assistant.
const settingsSaved = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: null, phoneNumberId: 'pn_outbound' } });
const planUrl = `/api/v1/interview-plans/${job.id}`;
const plan = { questions: ['Beschreiben Sie ein System, das Sie gebaut haben.'], maxDurationSeconds: 600, language: 'de', availability: [], voice: null };
const planSaved = await ctx.app.inject({ method: 'PUT', url: planUrl, headers: recruiter.headers, payload: plan });

const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const log = createLogger('silent');
const service = (apiKey = fake.apiKey) =>
  createCallService({ db: ctx.db, audit: ctx.audit, keyring, vapi: createVapiApi({ apiKey, baseUrl: fake.url, maxRetries: 0 }), reconcile: { enqueue: async () => undefined }, clock: () => new Date(), log });
const calls = service();

async function consented(recordingConsent = true): Promise<string> {
  const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(res.body);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] as string;
  const ok = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+4930901820', phoneConfirmed: true, recordingConsent },
  });
  if (ok.statusCode !== 200) throw new Error(ok.body);
  return res.json<{ id: string }>().id;
}
const assistantRequests = () => fake.requests.filter((r) => r.path === '/assistant' || r.path.startsWith('/assistant/'));
const lastCall = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').at(-1) as { body: Record<string, unknown> };
async function interview(id: string) {
  return (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: recruiter.cookie } })).json<{ status: string; call: { status: string | null; error: string | null } }>();
}

t.test('the first call creates the assistant from the plan (German: transcriber, voice, AI disclosure), then calls with it', async (t) => {
  t.equal(settingsSaved.statusCode, 204);
  t.equal(planSaved.statusCode, 200, planSaved.body);
  const id = await consented(true);
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  const created = assistantRequests();
  t.equal(created.length, 1);
  t.match(created[0], { method: 'POST', path: '/assistant', authorization: `Bearer ${fake.apiKey}` });
  t.match(created[0]?.body, {
    firstMessage: /KI-Interviewer, kein Mensch/,
    firstMessageMode: 'assistant-speaks-first',
    transcriber: { provider: 'deepgram', language: 'de' },
    voice: { provider: 'azure', voiceId: 'de-DE-ConradNeural' },
    maxDurationSeconds: 600,
    artifactPlan: { recordingEnabled: false },
    metadata: { managedBy: 'hirebox', orgId: admin.orgId, jobId: job.id },
    model: { provider: 'openai', messages: [{ role: 'system', content: /never comment on the candidate's voice, accent, tone or emotions/ }] },
  });
  const assistantId = [...fake.assistants.keys()][0] as string;
  t.match(lastCall().body, {
    assistantId,
    phoneNumberId: 'pn_outbound',
    assistantOverrides: { firstMessage: /KI-Interviewer/, artifactPlan: { recordingEnabled: true }, variableValues: { language: 'de' }, metadata: { interviewId: id } },
  });
  const p = (await ctx.app.inject({ method: 'GET', url: planUrl, headers: { cookie: recruiter.cookie } })).json<{ assistant: { id: string; synced: boolean } }>();
  t.same(p.assistant, { id: assistantId, synced: true }, 'the assistant id is stored with the plan');

  const second = await consented(false);
  t.equal(await calls.startCall(admin.orgId, second), 'placed');
  t.equal(assistantRequests().length, 1, 'an unchanged plan reuses the assistant: no POST or PATCH');
  t.match(lastCall().body, { assistantId, assistantOverrides: { artifactPlan: { recordingEnabled: false } } }, 'no recording without consent');
});

t.test('a plan change PATCHes the assistant once; one deleted in Vapi is created again', async (t) => {
  const assistantId = [...fake.assistants.keys()][0] as string;
  t.equal((await ctx.app.inject({ method: 'PUT', url: planUrl, headers: recruiter.headers, payload: { ...plan, language: 'fr', voice: { provider: '11labs', voiceId: 'voice-fr-1' } } })).statusCode, 200);
  const before = assistantRequests().length;
  t.equal(await calls.startCall(admin.orgId, await consented()), 'placed');
  const patch = assistantRequests().slice(before);
  t.equal(patch.length, 1);
  t.match(patch[0], { method: 'PATCH', path: `/assistant/${assistantId}`, authorization: `Bearer ${fake.apiKey}` });
  t.match(patch[0]?.body, { transcriber: { language: 'fr' }, voice: { provider: '11labs', voiceId: 'voice-fr-1' }, firstMessage: /intervieweur IA/ });
  t.match(fake.assistants.get(assistantId), { transcriber: { language: 'fr' } }, 'Vapi holds the new configuration');
  t.match(lastCall().body, { assistantId, assistantOverrides: { firstMessage: /intervieweur IA/ } });
  t.equal(await calls.startCall(admin.orgId, await consented()), 'placed');
  t.equal(assistantRequests().length, before + 1, 'patched once, not per call');

  fake.assistants.delete(assistantId);
  t.equal((await ctx.app.inject({ method: 'PUT', url: planUrl, headers: recruiter.headers, payload: { ...plan, language: 'en-GB' } })).statusCode, 200);
  t.equal(await calls.startCall(admin.orgId, await consented()), 'placed');
  const recreated = [...fake.assistants.keys()].find((k) => k !== assistantId) as string;
  t.ok(recreated, 'a new assistant after the 404');
  t.match(fake.assistants.get(recreated), { transcriber: { language: 'en-GB' }, voice: { voiceId: 'en-GB-RyanNeural' }, firstMessage: /AI interviewer, not a person/ });
  t.match(lastCall().body, { assistantId: recreated });
});

t.test('assistant-request webhooks are answered with the stored assistant and the call overrides', async (t) => {
  const id = await consented();
  const d = await fake.send({ type: 'assistant-request', timestamp: Date.now(), call: { id: `call-${id}`, assistantOverrides: { metadata: { interviewId: id } } } });
  t.equal(d.status, 200, d.body);
  const body = JSON.parse(d.body) as { assistantId?: string; assistantOverrides?: { metadata?: { interviewId?: string }; artifactPlan?: { recordingEnabled?: boolean } } };
  t.ok(body.assistantId && fake.assistants.has(body.assistantId), 'the managed assistant');
  t.equal(body.assistantOverrides?.metadata?.interviewId, id);
  t.equal(body.assistantOverrides?.artifactPlan?.recordingEnabled, true);
});

t.test('Vapi refusing the private key or failing: visible, retried only when retrying can help', async (t) => {
  t.equal((await ctx.app.inject({ method: 'PUT', url: planUrl, headers: recruiter.headers, payload: { ...plan, maxDurationSeconds: 900 } })).statusCode, 200);
  const bad = await consented();
  await t.rejects(service('not-the-key').startCall(admin.orgId, bad), /assistant failed: 401/);
  t.match(await interview(bad), { status: 'failed', call: { error: 'assistant_rejected_401' } }, 'a wrong key is a visible, permanent failure');

  const flaky = await consented();
  fake.failNext(503, 1);
  await t.rejects(calls.startCall(admin.orgId, flaky), /assistant sync failed: 503/);
  t.match(await interview(flaky), { status: 'scheduled', call: { status: 'retrying', error: 'vapi_503' } }, 'no call exists: released for a retry');
  t.equal(await calls.startCall(admin.orgId, flaky), 'placed');
});

t.test("while Vapi's circuit breaker is open, interview-start jobs wait (no call, no attempt used) and the state is visible", async (t) => {
  const breaker = createCircuitBreaker({ name: 'vapi', redis: ctx.redis, prefix: ctx.config.redisPrefix, failureThreshold: 1, openMs: 60_000 });
  const guarded = createCallService({
    db: ctx.db,
    audit: ctx.audit,
    keyring,
    vapi: withVapiBreaker(createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }), breaker),
    reconcile: { enqueue: async () => undefined },
    clock: () => new Date(),
    log,
  });
  const id = await consented();
  fake.failNext(500, 1);
  await t.rejects(guarded.startCall(admin.orgId, id), /POST \/call answered 500/);
  t.equal((await breaker.snapshot()).state, 'open', 'one 5xx opens it (threshold 1)');
  const postsBefore = fake.requests.length;

  let delayedUntil = 0;
  const processor = createInterviewStartProcessor({ calls: guarded });
  const jobStub = {
    data: { orgId: admin.orgId, interviewId: id },
    moveToDelayed: async (ts: number) => {
      delayedUntil = ts;
    },
  } as unknown as Job<JobPayloads['interview-start']>;
  await t.rejects(processor(jobStub, 'token'), DelayedError, 'the job goes back to the delayed set');
  const snap = await breaker.snapshot();
  t.ok(delayedUntil >= Date.parse(snap.retryAt ?? '') && delayedUntil <= Date.parse(snap.retryAt ?? '') + 5_000, 'until the cool-down ends (plus jitter)');
  t.equal(fake.requests.length, postsBefore, 'nothing reached Vapi');
  const v = await interview(id);
  t.match(v, { status: 'scheduled', call: { status: 'waiting-provider', error: 'vapi_circuit_open' } }, 'the recruiter sees why');
  const { rows } = await owner.query<{ attempts: number }>('SELECT attempts FROM interviews WHERE id = $1', [id]);
  t.equal(rows[0]?.attempts, 0, 'no attempt counted');
  const s = (await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: { cookie: admin.cookie } })).json<{ provider: { state: string; retryAt: string | null } }>();
  t.equal(s.provider.state, 'open', 'settings show the breaker open');
  t.equal(s.provider.retryAt, snap.retryAt);
});
