// Browser interviews: the candidate chooses a browser call on /i/:token (no phone number),
// the page loads the bundled Vapi web SDK module same-origin (no inline script) under a
// CSP that opens connect-src to Vapi and Daily on that page only, the start endpoint
// hands out the call configuration only after consent, and the first webhook of the
// browser-created call ties it to the interview.
import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { browserCallCsp } from '../../server/modules/interviews/routes.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { findInviteCallScript } from '../../server/modules/interviews/wire.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const startQueue = createQueue(QUEUES.interviewStart, ctx.redis, ctx.config.redisPrefix);
t.teardown(() => startQueue.close());

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const otherAdmin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Frontend Engineer', interviewQuestions: ['Tell me about an accessible UI you built.'] });
await approvePlan(ctx, recruiter, job.id, ['Tell me about an accessible UI you built.']);
const otherJob = await createJob(ctx, otherAdmin, { title: 'Other', interviewQuestions: ['Anything?'] });
await approvePlan(ctx, otherAdmin, otherJob.id, ['Anything?']);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
const saved = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: null, phoneNumberId: 'pn_1', publicKey: 'vapi-public-restricted-1' } });
const script = findInviteCallScript();

const reconciles: { interviewId: string; delayMs: number }[] = [];
const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  vapi: null,
  reconcile: { enqueue: async (_orgId, interviewId, delayMs) => void reconciles.push({ interviewId, delayMs }) },
  clock: () => new Date(),
  log: createLogger('silent'),
});

async function invite(m: Member = recruiter, jobId = job.id): Promise<{ id: string; token: string; applicationId: string }> {
  const applicationId = (await uploadCv(ctx, m, jobId)).json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: m.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(res.body);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] as string;
  return { id: res.json<{ id: string }>().id, token, applicationId };
}
const json = { 'content-type': 'application/json', accept: 'application/json' };
const browserConsent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, mode: 'browser', recordingConsent: true };
const startBrowser = (token: string) => ctx.app.inject({ method: 'POST', url: `/i/${token}/browser-call`, headers: json, payload: {} });

t.test('the console build holds the browser-interview module', async (t) => {
  t.equal(saved.statusCode, 204, saved.body);
  t.match(script, /^\/app\/assets\/invite-call-[A-Za-z0-9_-]+\.js$/, 'built by Vite as a second entry');
  const res = await ctx.app.inject({ method: 'GET', url: script as string });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /javascript/);
  t.match(res.body, /browser-call/, 'the module drives the page');
});

t.test('no configuration before consent; after choosing a browser call, the page loads the module under its own CSP and no call is dialled', async (t) => {
  const { id, token } = await invite();
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.match(page.body, /name="mode" value="browser"/, 'offered because the org has a public key');
  t.notMatch(page.body, /<script/, 'no script before consent');
  t.match(String(page.headers['content-security-policy']), /connect-src 'self'(;|$)/, 'the global CSP before consent');

  const early = await startBrowser(token);
  t.equal(early.statusCode, 409, 'no call configuration before consent');
  t.notMatch(early.body, /vapi-public|assistant/);

  const ok = await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: json, payload: browserConsent });
  t.equal(ok.statusCode, 200, ok.body);
  t.same(ok.json(), { status: 'scheduled', scheduledFor: null });
  t.equal(await startQueue.getJob(`interview-start-${id}`), undefined, 'nothing dials a browser interview');
  t.equal(await calls.startCall(admin.orgId, id), 'skipped');

  const booked = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.equal(booked.statusCode, 200);
  t.ok(booked.body.includes(`<script type="module" src="${script}"></script>`), 'the same-origin module');
  t.notMatch(booked.body.replace(`<script type="module" src="${script}"></script>`, ''), /<script|<style|style="|\son[a-z]+="/i, 'no inline script, style or handler');
  const csp = String(booked.headers['content-security-policy']);
  t.equal(csp, browserCallCsp(ctx.config.vapi.baseUrl), 'the per-route policy');
  t.match(csp, /script-src 'self' https:\/\/c\.daily\.co;/);
  t.ok(csp.includes(`connect-src 'self' ${new URL(ctx.config.vapi.baseUrl).origin} https://*.daily.co wss://*.daily.co`), 'connect-src opens Vapi (as configured) and Daily only');
  t.notMatch(csp, /unsafe-inline|unsafe-eval|\*;|connect-src \*/, 'nothing loosened beyond Vapi and Daily');
  const elsewhere = await ctx.app.inject({ method: 'GET', url: '/healthz' });
  t.notMatch(String(elsewhere.headers['content-security-policy'] ?? ''), /vapi|daily/, 'other routes keep the global CSP');
});

t.test('the start endpoint returns the assistant and overrides with ids as metadata; the first webhook ties the call to the interview', async (t) => {
  const { id, token, applicationId } = await invite();
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: json, payload: browserConsent })).statusCode, 200);
  const res = await startBrowser(token);
  t.equal(res.statusCode, 200, res.body);
  const config = res.json<{ publicKey: string; apiBaseUrl: string; assistantId: string | null; assistant: Record<string, unknown> | null; assistantOverrides: Record<string, unknown> }>();
  t.equal(config.publicKey, 'vapi-public-restricted-1', 'the restricted public key, never the private one');
  t.equal(config.apiBaseUrl, ctx.config.vapi.baseUrl, "the browser reaches Vapi where the deployment does (VAPI_BASE_URL)");
  t.notOk(JSON.stringify(config).includes(fake.apiKey));
  t.equal(config.assistantId, null);
  t.match(config.assistant, { firstMessage: /AI interviewer, not a person/, transcriber: { language: 'en' }, artifactPlan: { recordingEnabled: false } }, 'the managed assistant, not created yet');
  t.match(config.assistantOverrides, { artifactPlan: { recordingEnabled: true }, metadata: { orgId: admin.orgId, applicationId, interviewId: id }, variableValues: { questionCount: 1 } });
  t.equal((await startBrowser(token)).statusCode, 200, 'a reload before connecting gets it again');
  const { rows } = await owner.query<{ attempts: number }>('SELECT attempts FROM interviews WHERE id = $1', [id]);
  t.equal(rows[0]?.attempts, 1, 'as the same attempt');

  const callId = `web-${id}`;
  const d = await fake.send({ type: 'status-update', status: 'in-progress', timestamp: Date.now(), call: { id: callId, type: 'webCall', assistantOverrides: { metadata: { interviewId: id } } } });
  t.equal(d.status, 200);
  const msg = (await owner.query<{ id: string }>('SELECT id FROM webhook_messages WHERE call_id = $1', [callId])).rows[0]?.id as string;
  t.equal(await calls.applyMessage(admin.orgId, msg), 'status_applied');
  t.same(reconciles, [{ interviewId: id, delayMs: 900_000 + 300_000 }], 'a safety-net reconcile after the longest possible call, as for phone calls');
  const v = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: recruiter.cookie } })).json<{ status: string; mode: string; call: { id: string }; attempts: { mode: string; callId: string }[] }>();
  t.equal(v.mode, 'browser');
  t.equal(v.status, 'in_progress');
  t.equal(v.call.id, callId);
  t.match(v.attempts, [{ mode: 'browser', callId }]);
  t.equal((await startBrowser(token)).statusCode, 409, 'no second configuration once connected');
});

t.test('the start endpoint refuses phone interviews, cancelled ones, unknown, expired and revoked links, and malformed or oversized requests', async (t) => {
  const phone = await invite();
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${phone.token}`, headers: json, payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+14155550123', phoneConfirmed: true } })).statusCode, 200);
  t.equal((await startBrowser(phone.token)).statusCode, 409, 'a phone interview has no browser call');

  const cancelled = await invite();
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${cancelled.token}`, headers: json, payload: browserConsent })).statusCode, 200);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${cancelled.token}/cancel`, headers: json, payload: {} })).statusCode, 200);
  t.equal((await startBrowser(cancelled.token)).statusCode, 409, 'cancelled');

  const expired = await invite();
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${expired.token}`, headers: json, payload: browserConsent })).statusCode, 200);
  await owner.query("UPDATE interviews SET invite_expires_at = now() - interval '1 second' WHERE id = $1", [expired.id]);
  t.equal((await startBrowser(expired.token)).statusCode, 404, 'expired');

  const revoked = await invite();
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${revoked.id}/revoke`, headers: recruiter.headers })).statusCode, 204);
  t.equal((await startBrowser(revoked.token)).statusCode, 404, 'revoked');
  t.equal((await startBrowser('y'.repeat(43))).statusCode, 404, 'unknown');
  t.equal((await startBrowser('bad!token')).statusCode, 400, 'malformed token');
  const big = await ctx.app.inject({ method: 'POST', url: `/i/${phone.token}/browser-call`, headers: json, payload: JSON.stringify({ pad: 'x'.repeat(2_000_000) }) });
  t.equal(big.statusCode, 413, 'oversized');
});

t.test("an org without a public key offers no browser call; one org's key never serves another's invite", async (t) => {
  const other = await invite(otherAdmin, otherJob.id);
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${other.token}` });
  t.notMatch(page.body, /value="browser"/, 'not offered');
  const res = await ctx.app.inject({ method: 'POST', url: `/i/${other.token}`, headers: json, payload: browserConsent });
  t.equal(res.statusCode, 422, 'refused without a public key');
  t.equal((await startBrowser(other.token)).statusCode, 409);
  const settings = (await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: { cookie: otherAdmin.cookie } })).json<{ publicKey: string | null }>();
  t.equal(settings.publicKey, null);
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: recruiter.headers, payload: { assistantId: null, phoneNumberId: null, publicKey: 'x' } })).statusCode, 403, 'only admins set keys');
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: null, phoneNumberId: 'pn_1', publicKey: 'not a key!' } })).statusCode, 400, 'malformed key');
});
