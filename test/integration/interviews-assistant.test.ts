// The hirebox-managed Vapi assistant (no assistantId configured): created per job with
// POST /assistant from the plan (transcriber language and voice follow the job's
// language, AI disclosure first, recording off on the assistant), reused while the plan
// is unchanged, PATCHed when it changes, re-created when deleted in Vapi; calls use it
// with per-call overrides (recording only with consent). Vapi REST behind the shared
// circuit breaker: while open, interview-start jobs wait and the state is visible.
import t from 'tap';
import { DelayedError, type Job } from 'bullmq';
import { createCircuitBreaker } from '../../server/core/circuit-breaker.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { createCallService, RetryLaterError } from '../../server/modules/interviews/calls.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi, withVapiBreaker } from '../../server/modules/interviews/vapi.js';
import { createInterviewStartProcessor } from '../../worker/processors/interview-start.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, planQuestion, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const job = await createJob(ctx, recruiter, { title: 'Backend-Entwickler', interviewQuestions: ['Beschreiben Sie ein System, das Sie gebaut haben.'] });
await approvePlan(ctx, recruiter, job.id, ['Beschreiben Sie ein System, das Sie gebaut haben.']);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
// A phone number but no assistant: hirebox manages the assistant.
const settingsSaved = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: null, phoneNumberId: 'pn_outbound' } });
const planUrl = `/api/v1/interview-plans/${job.id}`;
const plan = { questions: ['Beschreiben Sie ein System, das Sie gebaut haben.'].map(planQuestion), maxDurationSeconds: 600, language: 'de', availability: [], voice: null };
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

t.test('concurrent first calls of a job sync its assistant once; a stuck claim is retried later, not reported as a Vapi failure', async (t) => {
  t.equal((await ctx.app.inject({ method: 'PUT', url: planUrl, headers: recruiter.headers, payload: { ...plan, maxDurationSeconds: 1200 } })).statusCode, 200);
  const ids = [await consented(), await consented(), await consented()];
  const before = assistantRequests().length;
  const outcomes = await Promise.all(ids.map((id) => calls.startCall(admin.orgId, id)));
  t.same(outcomes, ['placed', 'placed', 'placed']);
  const synced = assistantRequests().slice(before);
  t.equal(synced.length, 1, 'one PATCH for three concurrent calls');
  t.match(synced[0]?.body, { maxDurationSeconds: 1200 });

  // A worker that died mid-sync leaves its claim behind: others wait, then retry later.
  t.equal((await ctx.app.inject({ method: 'PUT', url: planUrl, headers: recruiter.headers, payload: { ...plan, maxDurationSeconds: 1500 } })).statusCode, 200);
  await owner.query("UPDATE interview_plans SET assistant_sync_until = now() + interval '1 minute' WHERE job_id = $1", [job.id]);
  const stuck = await consented();
  const impatient = createCallService({ db: ctx.db, audit: ctx.audit, keyring, vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }), reconcile: { enqueue: async () => undefined }, clock: () => new Date(), log, assistantWaitMs: 300 });
  const waited = await impatient.startCall(admin.orgId, stuck).then(
    () => null,
    (err: unknown) => err,
  );
  t.ok(waited instanceof RetryLaterError, 'a retryable error: the job tries again later');
  t.match(await interview(stuck), { status: 'scheduled', call: { error: null } }, 'not marked as a Vapi failure');
  await owner.query("UPDATE interview_plans SET assistant_sync_until = now() - interval '1 second' WHERE job_id = $1", [job.id]);
  t.equal(await calls.startCall(admin.orgId, stuck), 'placed', 'an expired claim does not block');
  const row = await owner.query<{ until: Date | null }>('SELECT assistant_sync_until AS until FROM interview_plans WHERE job_id = $1', [job.id]);
  t.equal(row.rows[0]?.until, null, 'the claim is released after the sync');
});

t.test("with the public URL known, the assistant's server is the org's webhook endpoint, with a Vapi credential that authenticates as the endpoint verifies", async (t) => {
  const routed = createCallService({ db: ctx.db, audit: ctx.audit, keyring, vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }), reconcile: { enqueue: async () => undefined }, clock: () => new Date(), log, publicUrl: new URL(address) });
  const callIdOf = async (interviewId: string) => (await owner.query<{ vapi_call_id: string }>('SELECT vapi_call_id FROM interviews WHERE id = $1', [interviewId])).rows[0]?.vapi_call_id as string;
  const storedFor = async (callId: string) => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages WHERE call_id = $1', [callId])).rows[0]?.n ?? 0;
  const before = fake.credentials.size;
  const first = await consented();
  t.equal(await routed.startCall(admin.orgId, first), 'placed');
  const created = [...fake.credentials.values()].slice(before);
  t.equal(created.length, 1, 'one credential for the endpoint');
  t.match(created[0]?.authenticationPlan, { type: 'hmac', secretKey: hook.secret, algorithm: 'sha256', signatureHeader: 'x-signature', timestampHeader: 'x-timestamp', payloadFormat: '{timestamp}.{body}', signatureEncoding: 'hex' });
  t.ok(fake.requests.some((r) => r.method === 'POST' && r.path === '/credential' && r.authorization === `Bearer ${fake.apiKey}`), 'created with the private key');
  const assistantId = String(lastCall().body.assistantId);
  t.match(fake.assistants.get(assistantId)?.server, { url: `${address}/webhooks/vapi/${hook.id}`, credentialId: created[0]?.id }, 'the assistant names the endpoint and the credential');

  // Vapi now sends by the assistant's server: a wrong manual webhook setting does not matter.
  fake.setWebhook({ url: `${address}/webhooks/vapi/00000000-0000-4000-8000-000000000000`, secret: 'not-the-secret' });
  const firstCall = await callIdOf(first);
  const deliveries = await fake.play(firstCall);
  t.ok(deliveries.length > 3 && deliveries.every((d) => d.status === 200), 'every message accepted by the endpoint');
  t.ok((await storedFor(firstCall)) > 3, 'and stored');

  const syncs = assistantRequests().length;
  t.equal(await routed.startCall(admin.orgId, await consented()), 'placed');
  t.equal(fake.credentials.size, before + 1, 'the credential is reused');
  t.equal(assistantRequests().length, syncs, 'an unchanged server: no PATCH');

  // A newer endpoint (bearer) takes over: a credential for it, one PATCH, and messages authenticate by bearer token.
  const bearer = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: { mode: 'bearer' } })).json<{ id: string; secret: string }>();
  const third = await consented();
  t.equal(await routed.startCall(admin.orgId, third), 'placed');
  const bearerCred = [...fake.credentials.values()].at(-1);
  t.match(bearerCred?.authenticationPlan, { type: 'bearer', token: bearer.secret });
  const patched = assistantRequests().slice(syncs);
  t.equal(patched.length, 1);
  t.match(patched[0], { method: 'PATCH', body: { server: { url: `${address}/webhooks/vapi/${bearer.id}`, credentialId: bearerCred?.id } } });
  const thirdCall = await callIdOf(third);
  t.ok((await fake.play(thirdCall)).every((d) => d.status === 200), 'bearer-authenticated messages are accepted');
  t.ok((await storedFor(thirdCall)) > 3);
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/vapi/${bearer.id}`, headers: admin.headers })).statusCode, 204);
  fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
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
