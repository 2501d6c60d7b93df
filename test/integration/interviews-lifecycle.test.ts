import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import type { Job } from 'bullmq';
import { createQueue, QUEUES, type JobPayloads } from '../../server/core/queues.js';
import { createInterviewReconcileProcessor } from '../../worker/processors/interview-reconcile.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { ORIGIN, buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { until } from '../support/until.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const startQueue = createQueue(QUEUES.interviewStart, ctx.redis, ctx.config.redisPrefix);
t.teardown(() => startQueue.close());

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const hm = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const outsider = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', interviewQuestions: ['Tell me about a system you designed.', 'How do you handle an incident?'] });
await approvePlan(ctx, recruiter, job.id, ['Tell me about a system you designed.', 'How do you handle an incident?']);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
const settings = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound' } });

// The worker's side, wired as worker.ts does, with reconcile jobs captured instead of delayed.
const reconciles: { interviewId: string; delayMs: number }[] = [];
const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }),
  reconcile: { enqueue: async (_orgId, interviewId, delayMs) => void reconciles.push({ interviewId, delayMs }) },
  clock: () => new Date(),
  log: createLogger('silent'),
});

async function newApplication(): Promise<string> {
  const res = await uploadCv(ctx, recruiter, job.id);
  return res.json<{ applicationId: string }>().applicationId;
}
async function invite(applicationId: string): Promise<{ id: string; token: string }> {
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(`invite: ${res.statusCode} ${res.body}`);
  const mail = ctx.mailer.outbox[before];
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error('no invite link mailed');
  return { id: res.json<{ id: string }>().id, token };
}
function answer(token: string, payload: Record<string, unknown>) {
  return ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload });
}
const consent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: true };
async function messageIds(callId: string): Promise<string[]> {
  const { rows } = await owner.query<{ id: string }>('SELECT id FROM webhook_messages WHERE call_id = $1 ORDER BY message_ts', [callId]);
  return rows.map((r) => r.id);
}
async function view(id: string, m = recruiter) {
  return ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: m.cookie } });
}
async function placeCall(interviewId: string): Promise<string> {
  t.equal(await calls.startCall(admin.orgId, interviewId), 'placed');
  const { rows } = await owner.query<{ vapi_call_id: string }>('SELECT vapi_call_id FROM interviews WHERE id = $1', [interviewId]);
  return rows[0]?.vapi_call_id as string;
}

t.test('invite -> consent -> call placed with the right payload -> signed webhooks (duplicated, out of order) -> transcript stored encrypted -> visible to the recruiter', async (t) => {
  t.equal(settings.statusCode, 204);
  const applicationId = await newApplication();
  const { id, token } = await invite(applicationId);
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /AI voice agent, not a person/);
  t.match(page.body, /recorded/);
  t.match(page.body, /Retention/);
  t.match(page.body, /human interviewer instead/);
  // The notice states the org's configured retention and privacy contact (issue 18), not a fixed 180 days.
  t.equal((await ctx.app.inject({ method: 'PATCH', url: '/api/v1/org/retention', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: { days: 30 } })).statusCode, 200);
  t.equal(
    (await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/privacy-contact', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: { email: 'dpo@interviews.example' } })).statusCode,
    200,
  );
  const stalePage = page.body;
  const fresh = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.match(fresh.body, /kept for up to 30 days after the final decision/);
  t.notMatch(fresh.body, /180 days/);
  t.match(fresh.body, /dpo@interviews\.example/);
  const staleRevision = Number(/name="noticeRevision" value="(\d+)"/.exec(stalePage)?.[1]);
  const freshRevision = Number(/name="noticeRevision" value="(\d+)"/.exec(fresh.body)?.[1]);
  t.ok(freshRevision > staleRevision, 'the settings change made a new notice version');
  t.equal((await answer(token, { ...consent, noticeRevision: staleRevision })).statusCode, 422, 'consent to a stale notice is refused');
  t.ok(page.body.includes(`value="${INTERVIEW_NOTICE_VERSION}"`), 'the form carries the notice version');
  t.notMatch(page.body, /<script|<style|style="/, 'no inline script or style');
  t.notMatch(String(page.headers['content-security-policy']), /unsafe-inline/);
  t.notOk(ctx.logs.some((l) => l.includes(token)), 'the token never reaches the logs');

  t.equal((await answer(token, { ...consent, phone: '12345' })).statusCode, 422, 'not an E.164 number');
  t.equal((await answer(token, { ...consent, phoneConfirmed: false })).statusCode, 422, 'number not confirmed');
  t.equal((await answer(token, { ...consent, noticeVersion: 'old' })).statusCode, 422, 'stale notice');
  const ok = await answer(token, { ...consent, noticeRevision: freshRevision });
  t.equal(ok.statusCode, 200, ok.body);
  t.same(ok.json(), { status: 'scheduled', scheduledFor: null });
  const stored = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ notice_revision: number }>('SELECT notice_revision FROM interviews WHERE id = $1', [id]));
  t.equal(stored.rows[0]?.notice_revision, freshRevision, 'consent records the notice version');
  t.equal((await answer(token, consent)).statusCode, 409, 'the link is single-use');
  const job1 = await startQueue.getJob(`interview-start-${id}`);
  t.same(job1?.data, { orgId: admin.orgId, interviewId: id }, 'interview-start enqueued with ids only');

  const callId = await placeCall(id);
  t.equal(await calls.startCall(admin.orgId, id), 'skipped', 'a second start places no second call');
  const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/call');
  t.equal(posts.length, 1);
  const sent = posts[0] as { authorization: string; body: Record<string, unknown> };
  t.equal(sent.authorization, `Bearer ${fake.apiKey}`);
  t.match(sent.body, {
    phoneNumberId: 'pn_outbound',
    assistantId: 'asst_interviewer',
    customer: { number: '+442079460958' },
    assistantOverrides: {
      firstMessage: /AI interviewer/,
      artifactPlan: { recordingEnabled: true },
      variableValues: { questions: '1. Tell me about a system you designed.\n2. How do you handle an incident?', questionCount: 2, language: 'en' },
      metadata: { orgId: admin.orgId, applicationId, interviewId: id },
    },
  });

  const deliveries = await fake.play(callId, { duplicate: true, shuffle: true });
  t.ok(deliveries.every((d) => d.status === 200), 'every delivery acknowledged');
  t.equal(deliveries.filter((d) => d.body.includes('"duplicate":true')).length, deliveries.length / 2, 'each duplicate recognised');
  const ids = await messageIds(callId);
  t.equal(ids.length, deliveries.length / 2, 'stored once per (call, type, timestamp)');
  const outcomes = [];
  for (const m of [...ids].reverse()) outcomes.push(await calls.applyMessage(admin.orgId, m));
  for (const m of ids) t.equal(await calls.applyMessage(admin.orgId, m), 'already_processed', 'processed once');
  t.ok(outcomes.includes('report_applied'));
  t.ok(outcomes.includes('status_stale'), 'an earlier status arriving late does not move the call backwards');

  const res = await view(id);
  t.equal(res.statusCode, 200);
  const v = res.json<{ status: string; transcript: string; recordingRef: string; consent: { noticeVersion: string; recording: boolean }; call: { status: string; endedReason: string; reportReceivedAt: string } }>();
  t.equal(v.status, 'ended');
  t.equal(v.call.status, 'ended');
  t.equal(v.call.endedReason, 'customer-ended-call');
  t.match(v.transcript, /billing ledger/);
  t.match(v.recordingRef, /recordings\/.*-mono\.wav/, 'the current artifact.recording shape');
  t.match(v.consent, { noticeVersion: INTERVIEW_NOTICE_VERSION, consentedAt: String, recording: true }, 'consent recorded with the notice version');
  const raw = await owner.query<{ transcript_enc: Buffer; recording_ref_enc: Buffer; phone_enc: Buffer }>('SELECT transcript_enc, recording_ref_enc, phone_enc FROM interviews WHERE id = $1', [id]);
  const r = raw.rows[0] as { transcript_enc: Buffer; recording_ref_enc: Buffer; phone_enc: Buffer };
  t.notOk(r.transcript_enc.includes(Buffer.from('billing ledger')), 'transcript encrypted at rest');
  t.notOk(r.recording_ref_enc.includes(Buffer.from('recordings')), 'recording reference encrypted at rest');
  t.notOk(r.phone_enc.includes(Buffer.from('7946')), 'phone encrypted at rest');
  const bodies = await owner.query('SELECT 1 FROM webhook_messages WHERE call_id = $1 AND body_enc IS NOT NULL', [callId]);
  t.equal(bodies.rowCount, 0, 'message bodies dropped once processed');
  t.same(reconciles.filter((x) => x.interviewId === id).map((x) => x.delayMs > 0), [true, true], 'a safety-net check at placement and one after the report');
  t.equal(await calls.reconcile(admin.orgId, id), 'reconciled');
  t.ok(fake.requests.some((q) => q.method === 'GET' && q.path === `/call/${callId}`), 'reconciliation asked GET /call/:id');
  t.equal((await view(id, outsider)).statusCode, 404, 'another org gets 404');
  t.equal((await view(id, hm)).statusCode, 404, 'a hiring manager not assigned to the job gets 404');
  t.notOk(ctx.logs.some((l) => l.includes('billing ledger') || l.includes('7946')), 'no transcript or phone in logs');
});

t.test('when the end-of-call report is lost, reconciliation via GET /call/:id still delivers the interview', async (t) => {
  const { id, token } = await invite(await newApplication());
  t.equal((await answer(token, consent)).statusCode, 200);
  const callId = await placeCall(id);
  const deliveries = await fake.play(callId, { loseReport: true });
  t.notOk(deliveries.some((d) => d.type === 'end-of-call-report'));
  for (const m of await messageIds(callId)) await calls.applyMessage(admin.orgId, m);
  const before = (await view(id)).json<{ status: string; transcript: string | null }>();
  t.equal(before.status, 'ended', 'the status-update said ended');
  t.equal(before.transcript, null, 'but no transcript yet');
  const safetyNet = reconciles.find((x) => x.interviewId === id);
  t.ok(safetyNet && safetyNet.delayMs >= 900_000, 'a reconcile was scheduled after the longest possible call');
  t.equal(await calls.reconcile(admin.orgId, id), 'reconciled');
  const after = (await view(id)).json<{ transcript: string; recordingRef: string; call: { reconciledAt: string; reportReceivedAt: string | null } }>();
  t.match(after.transcript, /blameless review/);
  t.ok(after.recordingRef);
  t.ok(after.call.reconciledAt);
  t.equal(after.call.reportReceivedAt, null);
  const audit = await owner.query("SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'interview.reconciled' AND target_id = $2", [admin.orgId, id]);
  t.equal(audit.rowCount, 1);
});

t.test('a recruiter hangs up a live call: Vapi live-call control ends it, the end arrives as usual, partial transcript kept', async (t) => {
  const { id, token } = await invite(await newApplication());
  t.equal((await answer(token, consent)).statusCode, 200);
  const hangUp = (m: typeof recruiter, target = id) => ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${target}/hang-up`, headers: m.headers });
  t.equal((await hangUp(recruiter)).statusCode, 409, 'no live call yet: nothing to hang up');
  const callId = await placeCall(id);
  await fake.answer(callId, [
    { role: 'assistant', text: 'Hello, I am an AI interviewer.' },
    { role: 'user', text: 'I led the migration of our billing system.' },
  ]);
  for (const m of await messageIds(callId)) await calls.applyMessage(admin.orgId, m);
  t.equal((await view(id)).json<{ status: string }>().status, 'in_progress');

  t.equal((await hangUp(hm)).statusCode, 403, 'hiring managers cannot');
  t.equal((await hangUp(outsider)).statusCode, 404, 'another org cannot see it');
  t.equal((await hangUp(recruiter, '00000000-0000-4000-8000-000000000000')).statusCode, 404);
  const malformed = await hangUp(recruiter, 'not-an-id');
  t.equal(malformed.statusCode, 400);
  t.match(malformed.headers['content-type'], /application\/problem\+json/);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${id}/hang-up`, headers: { origin: ORIGIN } })).statusCode, 401, 'no session');
  const oversized = await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${id}/hang-up`, headers: { ...recruiter.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(2_000_000) }) });
  t.equal(oversized.statusCode, 413, 'oversized body');
  t.match(oversized.headers['content-type'], /application\/problem\+json/);
  t.equal((await view(id)).json<{ status: string }>().status, 'in_progress', 'refused requests changed nothing');

  const reconcileQueue = createQueue(QUEUES.interviewReconcile, ctx.redis, ctx.config.redisPrefix);
  t.teardown(() => reconcileQueue.close());
  const res = await hangUp(recruiter);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { status: 'in_progress', call: { status: 'hanging-up' } });
  const job = (await reconcileQueue.getJobs(['wait', 'delayed'])).find((j) => j.name === 'hang-up' && j.data.interviewId === id);
  t.ok(job, 'a hang-up job for the worker');
  const before = fake.requests.length;
  const processor = createInterviewReconcileProcessor({ calls });
  t.equal(await processor(job as Job<JobPayloads['interview-reconcile']>), 'ended');
  t.ok(fake.requests.slice(before).some((r) => r.method === 'POST' && r.path === `/control/${callId}` && r.authorization === undefined && (r.body as { type?: string }).type === 'end-call'), 'end-call sent to the control URL, without the private key');
  await until('the end-of-call report after the hang-up', async () => (await owner.query("SELECT 1 FROM webhook_messages WHERE call_id = $1 AND message_type = 'end-of-call-report'", [callId])).rowCount);
  const ids = await messageIds(callId);
  for (const m of ids) await calls.applyMessage(admin.orgId, m);
  const ended = (await view(id)).json<{ status: string; transcript: string | null; call: { endedReason: string | null } }>();
  t.equal(ended.status, 'ended');
  t.equal(ended.call.endedReason, 'manually-canceled');
  t.match(ended.transcript, /billing system/, 'what was said before the hang-up is kept');
  t.equal((await hangUp(recruiter)).statusCode, 409, 'an ended call cannot be hung up again');
  t.equal(await processor(job as Job<JobPayloads['interview-reconcile']>), 'skipped', 'a repeated job does nothing');
  const events = await owner.query<{ type: string }>("SELECT type FROM application_events WHERE org_id = $1 AND data->>'interviewId' = $2 AND type IN ('interview.hang_up_requested', 'interview.hung_up') ORDER BY created_at", [admin.orgId, id]);
  t.same(events.rows.map((e) => e.type), ['interview.hang_up_requested', 'interview.hung_up']);
  const audited = await owner.query("SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'interview.hang_up_requested' AND target_id = $2 AND actor_id = $3", [admin.orgId, id, recruiter.userId]);
  t.equal(audited.rowCount, 1);
});

t.test('a call whose webhooks never arrive at all is recovered; a call still running is retried later', async (t) => {
  const { id, token } = await invite(await newApplication());
  t.equal((await answer(token, consent)).statusCode, 200);
  const callId = await placeCall(id);
  t.equal(await calls.reconcile(admin.orgId, id), 'not_ended', 'still queued at Vapi: try again later');
  fake.endSilently(callId, { legacyRecording: true });
  t.equal(await calls.reconcile(admin.orgId, id), 'reconciled');
  const v = (await view(id)).json<{ status: string; transcript: string; recordingRef: string }>();
  t.equal(v.status, 'ended');
  t.match(v.transcript, /billing ledger/);
  t.match(v.recordingRef, /mono\.wav/, 'the deprecated recordingUrl shape');
});

t.test('the deprecated recordingUrl on an end-of-call report is stored; without recording consent no reference is kept', async (t) => {
  const a = await invite(await newApplication());
  t.equal((await answer(a.token, consent)).statusCode, 200);
  const callA = await placeCall(a.id);
  await fake.play(callA, { legacyRecording: true });
  for (const m of await messageIds(callA)) await calls.applyMessage(admin.orgId, m);
  t.match((await view(a.id)).json<{ recordingRef: string }>().recordingRef, /mono\.wav/);

  const b = await invite(await newApplication());
  t.equal((await answer(b.token, { ...consent, recordingConsent: false })).statusCode, 200);
  const callB = await placeCall(b.id);
  const post = fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').at(-1) as { body: { assistantOverrides: { artifactPlan: { recordingEnabled: boolean } } } };
  t.equal(post.body.assistantOverrides.artifactPlan.recordingEnabled, false, 'recording off without consent');
  await fake.play(callB);
  for (const m of await messageIds(callB)) await calls.applyMessage(admin.orgId, m);
  const vb = (await view(b.id)).json<{ recordingRef: string | null; transcript: string }>();
  t.equal(vb.recordingRef, null);
  t.match(vb.transcript, /billing ledger/);
});

t.test('asking for a human interviewer or declining places no call, and the recruiter sees the request', async (t) => {
  const callsBefore = fake.requests.filter((r) => r.path === '/call').length;
  const human = await invite(await newApplication());
  const res = await answer(human.token, { action: 'human' });
  t.same(res.json(), { status: 'human_requested', scheduledFor: null });
  t.equal(await calls.startCall(admin.orgId, human.id), 'skipped');
  const hv = (await view(human.id)).json<{ status: string; humanRequestedAt: string | null; consent: unknown }>();
  t.equal(hv.status, 'human_requested');
  t.ok(hv.humanRequestedAt);
  t.equal(hv.consent, null, 'no consent recorded');
  const app = (await view(human.id)).json<{ applicationId: string }>().applicationId;
  const timeline = (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${app}`, headers: { cookie: recruiter.cookie } })).json<{ timeline: { type: string }[] }>().timeline;
  t.ok(timeline.some((e) => e.type === 'interview.human_requested'), 'the request is on the application timeline');

  const declined = await invite(await newApplication());
  const htmlAnswer = await ctx.app.inject({ method: 'POST', url: `/i/${declined.token}`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'action=decline' });
  t.equal(htmlAnswer.statusCode, 200);
  t.match(htmlAnswer.body, /No call will be made/);
  t.equal(await calls.startCall(admin.orgId, declined.id), 'skipped');
  t.equal((await view(declined.id)).json<{ status: string }>().status, 'declined');
  t.equal(fake.requests.filter((r) => r.path === '/call').length, callsBefore, 'no call placed');
});

t.test('invites: revocable, unknown tokens 404, only interview managers create them', async (t) => {
  const applicationId = await newApplication();
  const { id, token } = await invite(applicationId);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${id}/revoke`, headers: recruiter.headers })).statusCode, 204);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/i/${token}` })).statusCode, 404, 'a revoked link is dead');
  t.equal((await ctx.app.inject({ method: 'GET', url: `/i/${'x'.repeat(43)}` })).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: hm.headers, payload: {} })).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: outsider.headers, payload: {} })).statusCode, 404);
  const { rows } = await owner.query<{ invite_token_hash: Buffer }>('SELECT invite_token_hash FROM interviews WHERE id = $1', [id]);
  t.notOk(rows[0]?.invite_token_hash.toString('utf8').includes(token), 'only the hash is stored');
});

t.test('the fake driver: bad signatures and stale replays are refused; Vapi 5xx on POST /call is retried without a second call', async (t) => {
  const msg = { type: 'status-update', status: 'ringing', timestamp: Date.now(), call: { id: 'call-x' } };
  t.equal((await fake.send(msg, { secret: 'wrong' })).status, 401);
  t.equal((await fake.send(msg, { tsMs: Date.now() - 10 * 60_000 })).status, 401);
  const { id, token } = await invite(await newApplication());
  t.equal((await answer(token, consent)).statusCode, 200);
  fake.failNext(503, 1);
  await t.rejects(calls.startCall(admin.orgId, id), /503/);
  t.equal((await view(id)).json<{ status: string }>().status, 'scheduled', 'released for a retry');
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  fake.failNext(400, 1);
  const other = await invite(await newApplication());
  t.equal((await answer(other.token, consent)).statusCode, 200);
  await t.rejects(calls.startCall(admin.orgId, other.id), /call_rejected_400/);
  const ov = (await view(other.id)).json<{ status: string; call: { error: string } }>();
  t.equal(ov.status, 'failed');
  t.equal(ov.call.error, 'call_rejected_400', 'a visible failure for the recruiter');
});
