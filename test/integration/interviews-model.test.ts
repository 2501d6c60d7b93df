// issue 18, item 8: the voice assistant's language model is the operator's default
// (VAPI_ASSISTANT_MODEL_PROVIDER / VAPI_ASSISTANT_MODEL) unless the org chose another in
// the interview settings; the managed assistant Vapi receives says so, and every
// interview records (and the API returns) the model its call was placed with.
import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t, { env: { VAPI_ASSISTANT_MODEL_PROVIDER: 'openai', VAPI_ASSISTANT_MODEL: 'gpt-4.1-mini' } });
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Model job', interviewQuestions: ['Tell me about a system you built.'] });
await approvePlan(ctx, recruiter, job.id, ['Tell me about a system you built.']);
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: null, phoneNumberId: 'pn_outbound' } });
const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }),
  reconcile: { enqueue: async () => undefined },
  clock: () => new Date(),
  log: createLogger('silent'),
  assistantModel: ctx.config.vapi.assistantModel,
});

async function placedInterview(): Promise<string> {
  const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] as string;
  const ok = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+4930901820', phoneConfirmed: true },
  });
  if (ok.statusCode !== 200) throw new Error(ok.body);
  const id = res.json<{ id: string }>().id;
  if ((await calls.startCall(admin.orgId, id)) !== 'placed') throw new Error('not placed');
  return id;
}
const interview = async (id: string) => (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: recruiter.headers })).json<{ assistantModel: unknown }>();
const assistantModelAtVapi = () => ([...fake.assistants.values()].at(-1)?.model ?? null) as { provider?: string; model?: string } | null;

t.test('the operator default reaches Vapi and is recorded', async (t) => {
  const settings = (await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: admin.headers })).json();
  t.match(settings, { assistantModelProvider: null, assistantModel: null, defaultAssistantModel: { provider: 'openai', model: 'gpt-4.1-mini' } });
  const id = await placedInterview();
  t.match(assistantModelAtVapi(), { provider: 'openai', model: 'gpt-4.1-mini' });
  t.same((await interview(id)).assistantModel, { provider: 'openai', model: 'gpt-4.1-mini' });
});

t.test("the org's choice changes the assistant Vapi receives and what is recorded; earlier interviews keep theirs", async (t) => {
  const first = await placedInterview();
  const saved = await ctx.app.inject({
    method: 'PUT',
    url: '/api/v1/interviews/settings',
    headers: admin.headers,
    payload: { assistantId: null, phoneNumberId: 'pn_outbound', assistantModelProvider: 'anthropic', assistantModel: 'claude-3-5-sonnet-20241022' },
  });
  t.equal(saved.statusCode, 204, saved.body);
  const patches = fake.requests.filter((r) => r.method === 'PATCH').length;
  const id = await placedInterview();
  t.equal(fake.requests.filter((r) => r.method === 'PATCH').length, patches + 1, 'the managed assistant was updated');
  t.match(assistantModelAtVapi(), { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022' });
  t.same((await interview(id)).assistantModel, { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022' });
  t.same((await interview(first)).assistantModel, { provider: 'openai', model: 'gpt-4.1-mini' }, 'recorded at the time of the call');
  // Back to the operator's default.
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: null, phoneNumberId: 'pn_outbound', assistantModelProvider: null, assistantModel: null } })).statusCode, 204);
  await placedInterview();
  t.match(assistantModelAtVapi(), { provider: 'openai', model: 'gpt-4.1-mini' });
});

t.test('an org with its own Vapi assistant records no model (hirebox does not choose it)', async (t) => {
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_own', phoneNumberId: 'pn_outbound', assistantModelProvider: 'anthropic', assistantModel: 'claude-3-5-sonnet-20241022' } });
  const id = await placedInterview();
  t.equal((await interview(id)).assistantModel, null);
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: null, phoneNumberId: 'pn_outbound', assistantModelProvider: null, assistantModel: null } });
});

t.test('bad settings are refused and change nothing', async (t) => {
  const base = { assistantId: null, phoneNumberId: 'pn_outbound' };
  const cases: [typeof admin, object, number, string][] = [
    [admin, { ...base, assistantModelProvider: 'anthropic' }, 422, 'provider without model'],
    [admin, { ...base, assistantModelProvider: null, assistantModel: 'gpt-4o' }, 422, 'model without provider'],
    [admin, { ...base, assistantModelProvider: 'Open AI!', assistantModel: 'gpt-4o' }, 400, 'malformed provider'],
    [admin, { ...base, assistantModelProvider: 'openai', assistantModel: 'x'.repeat(101) }, 400, 'oversized model'],
    [admin, { ...base, assistantModelProvider: 'openai', assistantModel: 'gpt-4o; drop' }, 400, 'malformed model'],
    [recruiter, { ...base, assistantModelProvider: 'openai', assistantModel: 'gpt-4o' }, 403, 'recruiter'],
  ];
  for (const [m, payload, status, what] of cases) {
    const res = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: m.headers, payload });
    t.equal(res.statusCode, status, what);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
  t.match((await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: admin.headers })).json(), { assistantModelProvider: null, assistantModel: null });
  // Another org's settings are its own.
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: adminB.headers, payload: { ...base, assistantModelProvider: 'groq', assistantModel: 'llama-3.1-70b' } })).statusCode, 204);
  t.match((await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: admin.headers })).json(), { assistantModelProvider: null, assistantModel: null });
});
