// The re-dial policy for calls nobody talked on (customer-did-not-answer, customer-busy,
// failed to connect ...), driven by the fake Vapi's signed webhooks and GET /call/:id:
// retries after the org's delays up to its limit, then 'unreachable' for the recruiter
// and on the timeline; earlier attempts' late messages change nothing; recruiter
// cancellation stops a pending re-dial.
import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { isRetryableEndedReason, retryDelayMs } from '../../server/modules/interviews/schedule.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const hm = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const outsider = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Support Engineer', interviewQuestions: ['Tell me about a hard customer problem you solved.'] });
await approvePlan(ctx, recruiter, job.id, ['Tell me about a hard customer problem you solved.']);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
const saved = await ctx.app.inject({
  method: 'PUT',
  url: '/api/v1/interviews/settings',
  headers: admin.headers,
  payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound', maxCallRetries: 2, retryDelaysSeconds: [600, 1800] },
});

// The worker's side with an injected clock; retries and reconciles are captured instead of delayed.
let nowMs = Date.now();
const retries: { interviewId: string; delayMs: number; key: string }[] = [];
const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }),
  reconcile: { enqueue: async () => undefined },
  retry: { enqueue: async (_orgId, interviewId, delayMs, key) => void retries.push({ interviewId, delayMs, key }) },
  clock: () => new Date(nowMs),
  log: createLogger('silent'),
});

async function scheduledInterview(): Promise<{ id: string; applicationId: string }> {
  const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(res.body);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] as string;
  const ok = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+14155550123', phoneConfirmed: true, recordingConsent: false },
  });
  if (ok.statusCode !== 200) throw new Error(ok.body);
  return { id: res.json<{ id: string }>().id, applicationId };
}
async function currentCall(id: string): Promise<string> {
  const { rows } = await owner.query<{ vapi_call_id: string }>('SELECT vapi_call_id FROM interviews WHERE id = $1', [id]);
  return rows[0]?.vapi_call_id as string;
}
async function applyAll(callId: string, order: 'message_ts' | 'received_at' = 'message_ts'): Promise<string[]> {
  const { rows } = await owner.query<{ id: string }>(`SELECT id FROM webhook_messages WHERE call_id = $1 AND processed_at IS NULL ORDER BY ${order}, message_ts`, [callId]);
  const out: string[] = [];
  for (const r of rows) out.push(await calls.applyMessage(admin.orgId, r.id));
  return out;
}
type View = {
  status: string;
  call: { id: string | null; status: string | null; endedReason: string | null };
  attempts: { attempt: number; callId: string; endedReason: string | null }[];
  schedule: { nextAttemptAt: string | null };
  cancelled: { by: string } | null;
  transcript: string | null;
};
async function view(id: string): Promise<View> {
  return (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: recruiter.cookie } })).json<View>();
}
async function timeline(applicationId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}`, headers: { cookie: recruiter.cookie } });
  return res.json<{ timeline: { type: string; data: Record<string, unknown> }[] }>().timeline;
}
const postCalls = (): number => fake.requests.filter((r) => r.method === 'POST' && r.path === '/call').length;

t.test('the retry policy in isolation: which ended reasons re-dial, and the delay per retry', async (t) => {
  for (const r of ['customer-did-not-answer', 'customer-busy', 'voicemail', 'twilio-failed-to-connect-call', 'vonage-failed-to-connect-call']) t.ok(isRetryableEndedReason(r), r);
  for (const r of ['customer-ended-call', 'assistant-ended-call', 'exceeded-max-duration', 'twilio-reported-customer-misdialed', '', null]) t.notOk(isRetryableEndedReason(r), String(r));
  t.equal(retryDelayMs([600, 1800], 1), 600_000);
  t.equal(retryDelayMs([600, 1800], 2), 1_800_000);
  t.equal(retryDelayMs([600, 1800], 5), 1_800_000, 'the last delay repeats');
});

t.test('no answer, then busy, then answered: two re-dials after the configured delays, one interview with its transcript', async (t) => {
  t.equal(saved.statusCode, 204, saved.body);
  const { id, applicationId } = await scheduledInterview();
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  const first = await currentCall(id);
  const d1 = await fake.unanswered(first, 'customer-did-not-answer');
  t.ok(d1.every((d) => d.status === 200));
  const outcomes1 = await applyAll(first);
  t.ok(outcomes1.includes('retry_scheduled'), 'the ended status-update schedules the re-dial');
  t.ok(outcomes1.includes('earlier_attempt'), 'the report of the same call arrives after the retry was scheduled and changes nothing');
  t.same(retries.at(-1), { interviewId: id, delayMs: 600_000, key: 'r2' });
  let v = await view(id);
  t.equal(v.status, 'scheduled');
  t.equal(v.call.status, 'retry-scheduled');
  t.equal(v.call.endedReason, 'customer-did-not-answer');
  t.equal(v.schedule.nextAttemptAt, new Date(nowMs + 600_000).toISOString());
  t.match(v.attempts, [{ attempt: 1, callId: first, endedReason: 'customer-did-not-answer' }]);
  t.ok((await timeline(applicationId)).some((e) => e.type === 'interview.retry_scheduled' && e.data.endedReason === 'customer-did-not-answer'), 'on the timeline');

  t.equal(await calls.startCall(admin.orgId, id), 'not_due', 'a start before the delay places no call');
  const before = postCalls();
  nowMs += 600_000;
  t.equal(await calls.startCall(admin.orgId, id), 'placed', 'the re-dial');
  t.equal(postCalls(), before + 1);
  const second = await currentCall(id);
  t.not(second, first);
  await fake.unanswered(second, 'customer-busy', { reportFirst: true });
  const outcomes2 = await applyAll(second, 'received_at');
  t.equal(outcomes2[0], 'retry_scheduled', 'the report alone (arriving first) also schedules it');
  t.same(retries.at(-1), { interviewId: id, delayMs: 1_800_000, key: 'r3' }, 'the second delay');

  // A late duplicate from the first call must not touch the retried interview.
  const late = await fake.send({ type: 'status-update', status: 'in-progress', timestamp: Date.now() + 5, call: { id: first } });
  t.equal(late.status, 200);
  t.same(await applyAll(first), ['earlier_attempt']);

  nowMs += 1_800_000;
  t.equal(await calls.startCall(admin.orgId, id), 'placed', 'the last allowed re-dial');
  const third = await currentCall(id);
  await fake.play(third);
  await applyAll(third);
  v = await view(id);
  t.equal(v.status, 'ended');
  t.match(v.transcript, /billing ledger/);
  t.same(
    v.attempts.map((a) => [a.attempt, a.endedReason]),
    [
      [1, 'customer-did-not-answer'],
      [2, 'customer-busy'],
      [3, 'customer-ended-call'],
    ],
  );
  const starts = await owner.query("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'interview.call_started' AND target_id = $2", [admin.orgId, id]);
  t.equal(starts.rowCount, 3, 'three calls, each audited');
});

t.test('after the last allowed retry the interview is unreachable, for the recruiter, on the timeline and in the audit log', async (t) => {
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound', maxCallRetries: 1, retryDelaysSeconds: [300] } })).statusCode, 204);
  const { id, applicationId } = await scheduledInterview();
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  const firstCall = await currentCall(id);
  await fake.unanswered(firstCall, 'customer-did-not-answer');
  t.ok((await applyAll(firstCall)).includes('retry_scheduled'), 'one retry allowed');
  nowMs += 300_000;
  const retriesBefore = retries.length;
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  const last = await currentCall(id);
  await fake.unanswered(last, 'twilio-failed-to-connect-call');
  t.ok((await applyAll(last)).includes('unreachable'));
  t.equal(retries.length, retriesBefore, 'no further re-dial queued');
  const v = await view(id);
  t.equal(v.status, 'unreachable');
  t.equal(v.call.endedReason, 'twilio-failed-to-connect-call');
  t.equal(v.attempts.length, 2);
  t.ok((await timeline(applicationId)).some((e) => e.type === 'interview.unreachable' && e.data.attempts === 2));
  const audit = await owner.query("SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'interview.unreachable' AND target_id = $2", [admin.orgId, id]);
  t.equal(audit.rowCount, 1);
  nowMs += 3_600_000;
  t.equal(await calls.startCall(admin.orgId, id), 'skipped', 'nothing dials an unreachable interview');
  t.equal(await calls.reconcile(admin.orgId, id), 'reconciled');
  t.equal((await view(id)).status, 'unreachable', 'reconciliation does not turn it into an ended interview');
});

t.test('when every webhook of an unanswered call is lost, reconciliation (GET /call/:id) applies the retry policy', async (t) => {
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound', maxCallRetries: 2, retryDelaysSeconds: [600] } })).statusCode, 204);
  const { id } = await scheduledInterview();
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  const callId = await currentCall(id);
  await fake.unanswered(callId, 'customer-busy', { lose: true });
  t.equal(await calls.reconcile(admin.orgId, id), 'reconciled');
  t.same(retries.at(-1), { interviewId: id, delayMs: 600_000, key: 'r2' });
  const v = await view(id);
  t.equal(v.status, 'scheduled');
  t.equal(v.call.status, 'retry-scheduled');
  t.match(v.attempts, [{ callId, endedReason: 'customer-busy' }]);
});

t.test('a recruiter cancels an interview waiting for its re-dial: no call is placed afterwards', async (t) => {
  const { id, applicationId } = await scheduledInterview();
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  const callId = await currentCall(id);
  await fake.unanswered(callId, 'customer-did-not-answer');
  await applyAll(callId);
  t.equal((await view(id)).status, 'scheduled');

  const url = `/api/v1/interviews/${id}/cancel`;
  t.equal((await ctx.app.inject({ method: 'POST', url, headers: hm.headers })).statusCode, 403, 'a hiring manager may not cancel');
  t.equal((await ctx.app.inject({ method: 'POST', url, headers: outsider.headers })).statusCode, 404, 'another org gets 404');
  t.equal((await ctx.app.inject({ method: 'POST', url })).statusCode, 401, 'no session');
  t.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/interviews/not-a-uuid/cancel', headers: recruiter.headers })).statusCode, 400, 'malformed id');
  const res = await ctx.app.inject({ method: 'POST', url, headers: recruiter.headers });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { status: 'cancelled', cancelled: { by: 'recruiter' }, schedule: { nextAttemptAt: null } });
  t.equal((await ctx.app.inject({ method: 'POST', url, headers: recruiter.headers })).statusCode, 409, 'cancelling twice is a conflict');

  const before = postCalls();
  nowMs += 3_600_000;
  t.equal(await calls.startCall(admin.orgId, id), 'skipped', 'the pending re-dial job does nothing');
  t.equal(postCalls(), before, 'no call placed');
  t.ok((await timeline(applicationId)).some((e) => e.type === 'interview.cancelled'), 'on the timeline');
  const audit = await owner.query("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'interview.cancelled' AND target_id = $2", [admin.orgId, id]);
  t.equal(audit.rowCount, 1);
});

t.test('an ended interview cannot be cancelled; a call in progress is a conflict', async (t) => {
  const { id } = await scheduledInterview();
  t.equal(await calls.startCall(admin.orgId, id), 'placed');
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${id}/cancel`, headers: recruiter.headers })).statusCode, 409, 'calling');
  await fake.play(await currentCall(id));
  await applyAll(await currentCall(id));
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${id}/cancel`, headers: recruiter.headers })).statusCode, 409, 'ended');
});

t.test('retry settings: bounded, admin only', async (t) => {
  const put = (m: typeof admin, payload: Record<string, unknown>) => ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: m.headers, payload });
  const base = { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound' };
  t.equal((await put(admin, { ...base, maxCallRetries: 6 })).statusCode, 400, 'more than 5 retries');
  t.equal((await put(admin, { ...base, retryDelaysSeconds: [10] })).statusCode, 400, 'a delay under a minute');
  t.equal((await put(admin, { ...base, retryDelaysSeconds: [] })).statusCode, 400, 'no delays');
  t.equal((await put(admin, { ...base, retryDelaysSeconds: Array(6).fill(600) })).statusCode, 400, 'too many delays');
  t.equal((await put(admin, { ...base, maxCallRetries: 'two' })).statusCode, 400, 'malformed');
  t.equal((await put(recruiter, { ...base, maxCallRetries: 1 })).statusCode, 403, 'a recruiter may not change it');
  const big = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ ...base, pad: 'x'.repeat(2_000_000) }) });
  t.equal(big.statusCode, 413, 'oversized');
  t.equal((await put(admin, { ...base, maxCallRetries: 0, retryDelaysSeconds: [120, 240] })).statusCode, 204);
  const got = (await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: { cookie: admin.cookie } })).json<{ maxCallRetries: number; retryDelaysSeconds: number[]; provider: { state: string } }>();
  t.equal(got.maxCallRetries, 0);
  t.same(got.retryDelaysSeconds, [120, 240]);
  t.equal(got.provider.state, 'closed', "Vapi's breaker state is shown");
  const other = (await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: { cookie: outsider.cookie } })).json<{ maxCallRetries: number }>();
  t.equal(other.maxCallRetries, 2, "another org keeps its own (default) policy");
});
