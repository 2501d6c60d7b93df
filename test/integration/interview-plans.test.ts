// Issue 22 item 4: interview plans drafted from the job, through the HTTP API, with the
// model behind the real OpenAI SDK talking to the fake OpenAI server. The draft is seeded
// and reproducible, every question maps to one criterion with a rubric anchor, must-haves
// are covered, protected-characteristic questions are refused (from the model and from a
// recruiter's edit), invalid answers are not stored, and invites wait for an approval.
import t from 'tap';
import { startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { PLAN_SCHEMA_NAME, PLAN_SEED, readPlanPrompt } from '../../server/modules/interviews/plan-draft.js';

const fake = await startFakeOpenAI();
t.teardown(() => fake.close());
const ctx = await buildTestApp(t, { env: { AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-fake', OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODEL: 'gpt-plan-test' } });
const owner = await connectOwner(t, ctx);

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const hm = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const outsider = await createOrgWithMember(ctx, 'admin');
const criteria = [
  { name: 'TypeScript', description: 'Production TypeScript', weight: 3, mustHave: true },
  { name: 'Postgres', description: 'Schema design', weight: 2, mustHave: false },
  { name: 'Incident response', description: 'On-call and postmortems', weight: 2, mustHave: true },
];
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', criteria });
const url = `/api/v1/interview-plans/${job.id}`;

/** A well-behaved model: one question per criterion, in the order given. */
const goodDraft = (body: ChatRequestBody): string => {
  const { criteria: cs } = readPlanPrompt(body.messages[0]?.content ?? '', body.messages[1]?.content ?? '');
  return JSON.stringify({ questions: cs.map((c) => ({ criterion: c.key, text: `Tell me about your work with ${c.name}.`, anchor: `Names a concrete ${c.name} problem, what they did and the measured result.` })) });
};
const draftWith = (content: string | ((body: ChatRequestBody) => string), payload: Record<string, unknown> = {}) => {
  fake.script({ kind: 'valid', content });
  return ctx.app.inject({ method: 'POST', url: `${url}/draft`, headers: recruiter.headers, payload });
};
const getPlan = async () => (await ctx.app.inject({ method: 'GET', url, headers: recruiter.headers })).json<{ status: string; source: string | null; questions: { text: string; criterion: string | null; criterionName: string | null; anchor: string | null }[]; problems: unknown[]; approvedBy: string | null; draft: { model: string; seed: number } | null }>();
const planRow = async () => (await owner.query('SELECT status, source, items FROM interview_plans WHERE job_id = $1', [job.id])).rows[0] as { status: string; source: string; items: unknown } | undefined;
const countInterviews = async () => ((await owner.query('SELECT count(*)::int AS n FROM interviews WHERE job_id = $1', [job.id])).rows[0] as { n: number }).n;
const application = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
const invite = () => ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${application}/interviews`, headers: recruiter.headers, payload: {} });

t.test('no plan yet: the plan reads as none and an invite is refused with 409', async (t) => {
  const plan = await getPlan();
  t.equal(plan.status, 'none');
  t.same(plan.questions, []);
  const res = await invite();
  t.equal(res.statusCode, 409);
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(res.json(), { title: 'Interview plan not approved', planStatus: 'none', detail: /approve/ });
  t.equal(await countInterviews(), 0, 'no interview stored');
});

t.test('the model drafts a plan: seeded, temperature 0, strict schema; stored as a draft; the same job gives the same draft', async (t) => {
  const before = fake.requests.length;
  const res = await draftWith(goodDraft);
  t.equal(res.statusCode, 200, res.body);
  const req = fake.requests[before]?.body as ChatRequestBody;
  t.equal(req.seed, PLAN_SEED);
  t.equal(req.temperature, 0);
  t.equal(req.store, false);
  t.equal(req.model, 'gpt-plan-test');
  t.equal(req.response_format?.json_schema?.name, PLAN_SCHEMA_NAME);
  t.equal(req.response_format?.json_schema?.strict, true);
  t.match(req.messages[1]?.content, /c1 \| must-have \| TypeScript/);
  t.match(req.messages[1]?.content, /c3 \| must-have \| Incident response/);
  const plan = res.json<Awaited<ReturnType<typeof getPlan>>>();
  t.equal(plan.status, 'draft');
  t.equal(plan.source, 'ai');
  t.same(plan.draft, { model: 'gpt-plan-test', seed: PLAN_SEED });
  t.same(plan.questions.map((q) => [q.criterion, q.criterionName]), [['c1', 'TypeScript'], ['c2', 'Postgres'], ['c3', 'Incident response']]);
  t.ok(plan.questions.every((q) => q.anchor && q.anchor.length > 10), 'each question has a rubric anchor');
  t.same(plan.problems, []);

  const again = await draftWith(goodDraft);
  t.equal(again.statusCode, 200);
  const second = fake.requests[fake.requests.length - 1]?.body as ChatRequestBody;
  t.same(second.messages, req.messages, 'the same job sends the same prompt');
  t.same(again.json<{ questions: unknown }>().questions, plan.questions, 'and stores the same plan');

  const de = await draftWith(goodDraft, { language: 'de' });
  t.equal(de.statusCode, 200);
  t.match((fake.requests[fake.requests.length - 1]?.body as ChatRequestBody).messages[0]?.content, /Write questions in German/);
  await draftWith(goodDraft);
});

t.test('a draft is not enough to invite', async (t) => {
  const res = await invite();
  t.equal(res.statusCode, 409);
  t.match(res.json(), { planStatus: 'draft' });
  t.equal(await countInterviews(), 0);
});

t.test('invalid model answers are refused with 502 and nothing is stored', async (t) => {
  const stored = await planRow();
  const cases: [string, string | null][] = [
    ['unknown criterion', JSON.stringify({ questions: [{ criterion: 'c1', text: 'Tell me about TypeScript.', anchor: 'A concrete example.' }, { criterion: 'c9', text: 'Tell me about incidents.', anchor: 'A concrete example.' }] })],
    ['must-have not covered', JSON.stringify({ questions: [{ criterion: 'c1', text: 'Tell me about TypeScript.', anchor: 'A concrete example.' }] })],
    ['protected characteristic', JSON.stringify({ questions: [{ criterion: 'c1', text: 'Tell me about TypeScript.', anchor: 'A concrete example.' }, { criterion: 'c3', text: 'Wie alt sind Sie, und haben Sie Kinder?', anchor: 'Any answer.' }] })],
    ['not JSON', 'this is not json'],
    ['schema violation', JSON.stringify({ questions: [{ criterion: 'c1', text: 'Tell me about TypeScript.' }] })],
  ];
  for (const [label, content] of cases) {
    const res = await draftWith(content as string);
    t.equal(res.statusCode, 502, label);
    t.match(res.json(), { title: 'Bad Gateway', detail: /refused and not stored/ }, label);
    t.same(await planRow(), stored, `${label}: the stored plan is unchanged`);
  }
  fake.script({ kind: 'refusal', message: 'I cannot help with that.' });
  const refused = await ctx.app.inject({ method: 'POST', url: `${url}/draft`, headers: recruiter.headers, payload: {} });
  t.equal(refused.statusCode, 502, 'a refusal is refused too');
  const protectedOne = await draftWith(cases[2]?.[1] as string);
  t.match(protectedOne.json<{ problems: { code: string }[] }>().problems, [{ code: 'protected_characteristic' }]);
  const audit = await owner.query("SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND action = 'interview.plan_draft_refused'", [admin.orgId]);
  t.ok((audit.rows[0] as { n: number }).n >= 6, 'each refused draft is audited');
});

const editBody = (questions: { text: string; criterion: string; anchor: string }[]) => ({ questions, maxDurationSeconds: 900, language: 'en', availability: [], voice: null });
const good = [
  { text: 'Describe a TypeScript service you shipped.', criterion: 'c1', anchor: 'Types at the boundaries, tests, and a production outcome.' },
  { text: 'Walk me through an incident you led.', criterion: 'c3', anchor: 'Timeline, mitigation, and a postmortem with follow-ups.' },
];

t.test('a recruiter edit is checked: protected question 422 with the reason, unknown criterion 422, oversized 422/413, malformed 400', async (t) => {
  const stored = await planRow();
  const put = (payload: unknown) => ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: payload as Record<string, unknown> });
  for (const text of ['Are you planning to start a family soon?', 'Êtes-vous enceinte ?', '¿Cuál es su religión?', 'Heeft u een handicap?']) {
    const res = await put(editBody([good[0] as (typeof good)[0], { text, criterion: 'c3', anchor: 'Any answer.' }]));
    t.equal(res.statusCode, 422, text);
    t.match(res.json(), { detail: /protected characteristic/, problems: [{ question: 1, code: 'protected_characteristic' }] }, text);
  }
  const unknown = await put(editBody([...good, { text: 'How do you tune queries?', criterion: 'c7', anchor: 'Explains plans.' }]));
  t.equal(unknown.statusCode, 422);
  t.match(unknown.json(), { problems: [{ question: 2, code: 'unknown_criterion' }] });
  const uncovered = await put(editBody([good[0] as (typeof good)[0]]));
  t.equal(uncovered.statusCode, 422);
  t.match(uncovered.json(), { problems: [{ code: 'must_have_uncovered', detail: /Incident response/ }] });
  const many = await put(editBody(Array.from({ length: 25 }, (_v, i) => ({ text: `Question number ${i} about TypeScript?`, criterion: i % 2 ? 'c1' : 'c3', anchor: 'Specific.' }))));
  t.equal(many.statusCode, 422);
  t.match(many.json(), { problems: [{ code: 'too_many' }] });
  const huge = await put(editBody(Array.from({ length: 100 }, () => ({ text: 'x'.repeat(500), criterion: 'c1', anchor: 'y'.repeat(500) }))));
  t.equal(huge.statusCode, 413);
  const malformed = await put({ ...editBody(good), questions: [{ text: 'No criterion here.' }] });
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.same(await planRow(), stored, 'nothing was stored');
});

t.test('permissions and tenancy: hiring manager 403, other org 404 (get, save, draft, approve)', async (t) => {
  const stored = await planRow();
  const requests = [
    { method: 'GET' as const, url },
    { method: 'PUT' as const, url, payload: editBody(good) },
    { method: 'POST' as const, url: `${url}/draft`, payload: {} },
    { method: 'POST' as const, url: `${url}/approve` },
  ];
  for (const r of requests) {
    t.equal((await ctx.app.inject({ ...r, headers: hm.headers })).statusCode, 403, `hiring manager ${r.method} ${r.url}`);
    t.equal((await ctx.app.inject({ ...r, headers: outsider.headers })).statusCode, 404, `other org ${r.method} ${r.url}`);
  }
  t.equal((await ctx.app.inject({ method: 'GET', url })).statusCode, 401);
  t.same(await planRow(), stored);
});

t.test('edit, approve, invite: the interview carries each question with its criterion and rubric anchor', async (t) => {
  const saved = await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: editBody(good) });
  t.equal(saved.statusCode, 200, saved.body);
  t.match(saved.json(), { status: 'draft', source: 'recruiter' });
  const approved = await ctx.app.inject({ method: 'POST', url: `${url}/approve`, headers: recruiter.headers });
  t.equal(approved.statusCode, 200, approved.body);
  t.match(approved.json(), { status: 'approved', approvedBy: recruiter.userId });
  // Changing only the hours keeps the approval; changing a question needs a new one.
  const hours = await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: { ...editBody(good), maxDurationSeconds: 1200 } });
  t.match(hours.json(), { status: 'approved', maxDurationSeconds: 1200 });

  const res = await invite();
  t.equal(res.statusCode, 201, res.body);
  t.same(res.json<{ questions: string[] }>().questions, good.map((q) => q.text));
  const row = (await owner.query('SELECT rubric FROM interviews WHERE id = $1', [res.json<{ id: string }>().id])).rows[0] as { rubric: unknown };
  t.same(row.rubric, [
    { criterion: 'c1', criterionName: 'TypeScript', anchor: good[0]?.anchor },
    { criterion: 'c3', criterionName: 'Incident response', anchor: good[1]?.anchor },
  ]);
  const actions = (await owner.query("SELECT action FROM audit_events WHERE org_id = $1 AND action LIKE 'interview.plan_%' ORDER BY seq", [admin.orgId])).rows.map((r: { action: string }) => r.action);
  t.ok(actions.includes('interview.plan_drafted') && actions.includes('interview.plan_changed') && actions.includes('interview.plan_approved'));

  const edited = await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: editBody([{ ...(good[0] as (typeof good)[0]), text: 'Describe the TypeScript service you are proudest of.' }, good[1] as (typeof good)[0]]) });
  t.match(edited.json(), { status: 'draft' });
  t.equal((await invite()).statusCode, 409, 'an edited plan needs approval again');
  t.equal((await ctx.app.inject({ method: 'POST', url: `${url}/approve`, headers: recruiter.headers })).statusCode, 200);
});

t.test('criteria changed after approval: invites wait until the plan is saved and approved again', async (t) => {
  const changed = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${job.id}`, headers: recruiter.headers, payload: { criteria: [...criteria, { name: 'Kubernetes', description: '', weight: 1, mustHave: false }] } });
  t.equal(changed.statusCode, 200, changed.body);
  const res = await invite();
  t.equal(res.statusCode, 409);
  t.match(res.json(), { planStatus: 'stale', detail: /criteria changed/ });
  const plan = await getPlan();
  t.match(plan.problems, [{ detail: /criteria changed/ }]);
  t.equal((await ctx.app.inject({ method: 'POST', url: `${url}/approve`, headers: recruiter.headers })).statusCode, 422, 'a stale plan cannot be approved as is');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: editBody(good) })).statusCode, 200);
  t.equal((await ctx.app.inject({ method: 'POST', url: `${url}/approve`, headers: recruiter.headers })).statusCode, 200);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${(await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId}/interviews`, headers: recruiter.headers, payload: {} })).statusCode, 201);
});

t.test("the org's AI controls apply: tokens are counted, a pinned model is used, a pause refuses drafting", async (t) => {
  const used = async () => ((await owner.query('SELECT coalesce(sum(input_tokens + output_tokens), 0)::int AS n FROM ai_usage WHERE org_id = $1', [admin.orgId])).rows[0] as { n: number }).n;
  t.ok((await used()) > 0, 'earlier drafts were counted in the monthly usage');
  const pin = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { model: 'gpt-org-pinned' } });
  t.equal(pin.statusCode, 200, pin.body);
  const before = fake.requests.length;
  t.equal((await draftWith(goodDraft)).statusCode, 200);
  t.equal((fake.requests[before]?.body as ChatRequestBody).model, 'gpt-org-pinned');
  const paused = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { paused: true, pausedReason: 'audit week' } });
  t.equal(paused.statusCode, 200, paused.body);
  const stored = await planRow();
  const count = fake.requests.length;
  const res = await ctx.app.inject({ method: 'POST', url: `${url}/draft`, headers: recruiter.headers, payload: {} });
  t.equal(res.statusCode, 409);
  t.match(res.json(), { title: 'AI paused', detail: /audit week/ });
  t.equal(fake.requests.length, count, 'the model was not called');
  t.same(await planRow(), stored);
});
