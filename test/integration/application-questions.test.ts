// Custom application questions per job (issue 21 item 5), through the HTTP API: versioned
// question sets, bad definitions refused with nothing stored, answers checked on the public
// apply route, sealed with the candidate key, a knock-out flag that only asks for human
// review, answers in the export and gone with an erasure, and the bias report's knock-out step.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createPostgresBlobStore } from '../../server/core/storage.js';
import { createPrivacyExports } from '../../server/modules/privacy/export.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { SAMPLE_CV_LINES } from '../fixtures/make.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const manager = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
const otherAdmin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Warehouse lead', hiringManagerIds: [manager.userId] });
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;

const QUESTIONS = {
  questions: [
    { id: 'permit', label: 'Do you have a permit to work in Germany?', type: 'yes_no', required: true },
    { id: 'years', label: 'Years of forklift experience', type: 'number', required: true, min: 0, max: 60 },
    { id: 'shift', label: 'Preferred shift', type: 'single_choice', required: false, options: ['Early', 'Late', 'Night'] },
    { id: 'skills', label: 'Licences held', type: 'multiple_choice', required: false, options: ['Forklift', 'Crane', 'HGV'] },
    { id: 'start', label: 'Earliest start date', type: 'date', required: false },
    { id: 'intro', label: 'One line about you', type: 'short_text', required: false },
    { id: 'story', label: 'A warehouse problem you solved', type: 'long_text', required: false },
  ],
  knockouts: [
    { questionId: 'permit', operator: 'equals', value: false },
    { questionId: 'years', operator: 'less_than', value: 1 },
  ],
};

const put = (m: Member | null, jobId: string, payload: unknown) =>
  ctx.app.inject({ method: 'PUT', url: `/api/v1/jobs/${jobId}/questions`, headers: m ? m.headers : {}, payload: payload as Record<string, unknown> });
const get = (m: Member, jobId: string) => ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}/questions`, headers: m.headers });
const setCount = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM job_question_sets')).rows[0]?.n);
const appCount = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM applications')).rows[0]?.n);
const answerCount = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM application_answers')).rows[0]?.n);

function isProblem(t: Test, res: { statusCode: number; headers: Record<string, unknown> }, status: number, name: string): void {
  t.equal(res.statusCode, status, name);
  t.match(String(res.headers['content-type']), /application\/problem\+json/, `${name}: problem+json`);
}

/** A multipart body where a field may repeat (multiple choice). */
function form(fields: [string, string][]): { body: Buffer; contentType: string } {
  const b = `----q${Math.random().toString(16).slice(2)}`;
  const parts = fields.map(([k, v]) => Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`, 'utf8'));
  parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="cv"; filename="cv.txt"\r\nContent-Type: text/plain\r\n\r\n`), Buffer.from(SAMPLE_CV_LINES.join('\n')), Buffer.from(`\r\n--${b}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${b}` };
}

let ip = 0;
async function apply(answers: [string, string][], extra: [string, string][] = [], slug = job.slug) {
  ip += 1;
  const { body, contentType } = form([
    ['name', `Applicant ${ip}`],
    ['email', `applicant${ip}.${Date.now()}@example.test`],
    ['consent', 'true'],
    ['noticeVersion', PRIVACY_NOTICE_VERSION],
    ...extra,
    ...answers.map(([k, v]): [string, string] => [`answers.${k}`, v]),
  ]);
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.7.${Math.floor(ip / 250)}.${ip % 250}` });
}

t.test('invalid question definitions are refused as problem+json and nothing is stored', async (t) => {
  const q = QUESTIONS.questions;
  const cases: [string, unknown, number][] = [
    ['unknown type', { questions: [{ id: 'a', label: 'A', type: 'essay', required: false }], knockouts: [] }, 400],
    ['choice without options', { questions: [{ id: 'a', label: 'A', type: 'single_choice', required: false }], knockouts: [] }, 422],
    ['choice with one option', { questions: [{ id: 'a', label: 'A', type: 'multiple_choice', required: false, options: ['Only'] }], knockouts: [] }, 422],
    ['duplicate ids', { questions: [q[0], { ...q[1], id: 'permit' }], knockouts: [] }, 422],
    ['too many questions', { questions: Array.from({ length: 21 }, (_, i) => ({ id: `q${i}`, label: `Q${i}`, type: 'short_text', required: false })), knockouts: [] }, 400],
    ['label too long', { questions: [{ id: 'a', label: 'x'.repeat(301), type: 'short_text', required: false }], knockouts: [] }, 400],
    ['option too long', { questions: [{ id: 'a', label: 'A', type: 'single_choice', required: false, options: ['y'.repeat(101), 'n'] }], knockouts: [] }, 400],
    ['bad id', { questions: [{ id: 'Not An Id', label: 'A', type: 'short_text', required: false }], knockouts: [] }, 400],
    ['options on a text question', { questions: [{ id: 'a', label: 'A', type: 'short_text', required: false, options: ['x', 'y'] }], knockouts: [] }, 422],
    ['min above max', { questions: [{ id: 'a', label: 'A', type: 'number', required: false, min: 5, max: 1 }], knockouts: [] }, 422],
    ['knock-out on a missing question', { questions: [q[0]], knockouts: [{ questionId: 'nope', operator: 'equals', value: false }] }, 422],
    ['knock-out of the wrong type', { questions: [q[0]], knockouts: [{ questionId: 'permit', operator: 'less_than', value: 1 }] }, 422],
    ['knock-out value of the wrong type', { questions: [q[1]], knockouts: [{ questionId: 'years', operator: 'less_than', value: true }] }, 422],
    ['knock-out on an unknown option', { questions: [q[2]], knockouts: [{ questionId: 'shift', operator: 'any_of', value: ['Weekend'] }] }, 422],
    ['knock-out value not a list', { questions: [q[2]], knockouts: [{ questionId: 'shift', operator: 'any_of', value: 'Early' }] }, 422],
    ['malformed body', 'not json', 415],
  ];
  for (const [name, payload, status] of cases) isProblem(t, await put(recruiter, job.id, payload), status, name);
  const dup = await put(recruiter, job.id, cases[3]?.[1]);
  t.match(dup.json(), { errors: [{ path: 'body/questions/1/id' }] }, 'the problem names the field');
  t.equal(await setCount(), 0, 'no version was written');
});

t.test('access: unauthenticated, roles without permission, another org', async (t) => {
  isProblem(t, await put(null, job.id, QUESTIONS), 401, 'unauthenticated');
  isProblem(t, await put(manager, job.id, QUESTIONS), 403, 'hiring manager cannot change questions');
  isProblem(t, await put(auditor, job.id, QUESTIONS), 403, 'auditor cannot change questions');
  isProblem(t, await get(auditor, job.id), 403, 'auditor cannot read jobs');
  isProblem(t, await put(otherAdmin, job.id, QUESTIONS), 404, 'another org: put');
  isProblem(t, await get(otherAdmin, job.id), 404, 'another org: get');
  t.equal(await setCount(), 0);
  t.equal((await get(manager, job.id)).json<{ version: number }>().version, 0, 'an assigned hiring manager reads them (none yet)');
});

t.test('question sets are versioned; an unchanged set is not a new version', async (t) => {
  const first = await put(recruiter, job.id, QUESTIONS);
  t.equal(first.statusCode, 200, first.body);
  t.match(first.json(), { version: 1, questions: [{ id: 'permit', type: 'yes_no' }], knockouts: [{ questionId: 'permit', operator: 'equals', value: false }] });
  t.equal((await put(recruiter, job.id, QUESTIONS)).json<{ version: number }>().version, 1, 'same set, same version');
  const changed = await put(recruiter, job.id, { ...QUESTIONS, questions: QUESTIONS.questions.map((q) => (q.id === 'intro' ? { ...q, label: 'One sentence about you' } : q)) });
  t.equal(changed.json<{ version: number }>().version, 2);
  t.equal((await get(manager, job.id)).json<{ version: number }>().version, 2);
  const audit = await owner.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE action = 'job.questions_changed'");
  t.equal(Number(audit.rows[0]?.n), 2);
});

t.test('the apply page shows the questions', async (t) => {
  const page = await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/${job.slug}` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<legend>Do you have a permit to work in Germany\?<\/legend>/);
  t.match(page.body, /name="answers\.years" type="number" step="any" min="0" max="60" required/);
  t.match(page.body, /type="checkbox" name="answers\.skills" value="Crane"/);
  t.match(page.body, /name="questionsVersion" value="2"/);
  t.match(page.body, /No answer rejects an application automatically/);
});

t.test('bad answers get a clear problem and change nothing', async (t) => {
  const base = (): [string, string][] => [['permit', 'yes'], ['years', '4']];
  const cases: [string, [string, string][], number, [string, string][]][] = [
    ['missing a required question', [['permit', 'yes']], 400, []],
    ['wrong type (number)', [['permit', 'yes'], ['years', 'four']], 400, []],
    ['wrong type (yes/no)', [['permit', 'maybe'], ['years', '4']], 400, []],
    ['out of range', [['permit', 'yes'], ['years', '61']], 400, []],
    ['unknown option', [...base(), ['shift', 'Weekend']], 400, []],
    ['unknown option in a multiple choice', [...base(), ['skills', 'Forklift'], ['skills', 'Jetpack']], 400, []],
    ['two answers to a single choice', [...base(), ['shift', 'Early'], ['shift', 'Late']], 400, []],
    ['not a date', [...base(), ['start', '2027-02-30']], 400, []],
    ['short text too long', [...base(), ['intro', 'x'.repeat(201)]], 400, []],
    ['unknown question', [...base(), ['salary', '100']], 400, []],
    ['stale questions version', base(), 422, [['questionsVersion', '1']]],
  ];
  const before = await appCount();
  for (const [name, answers, status, extra] of cases) {
    const res = await apply(answers, extra);
    isProblem(t, res, status, name);
  }
  const missing = await apply([['permit', 'yes']]);
  t.match(missing.json(), { errors: [{ path: 'body/answers.years', message: 'is required' }] });
  t.equal(await appCount(), before, 'no application was stored');
  t.equal(await answerCount(), 0);
});

const latestApplicationId = async () => (await owner.query<{ id: string }>('SELECT id FROM applications ORDER BY created_at DESC LIMIT 1')).rows[0]?.id as string;

let passedId = '';
let knockedId = '';
t.test('answers are sealed; a knock-out flags for human review and never rejects', async (t) => {
  const ok = await apply([['permit', 'yes'], ['years', '4'], ['shift', 'Late'], ['skills', 'Forklift'], ['skills', 'HGV'], ['start', '2027-01-04'], ['intro', 'Zebra-striped pallets']], [['questionsVersion', '2']]);
  t.equal(ok.statusCode, 202, ok.body);
  passedId = await latestApplicationId();
  const knocked = await apply([['permit', 'no'], ['years', '0.5']], [['questionsVersion', '2']]);
  t.equal(knocked.statusCode, 202, knocked.body);
  knockedId = await latestApplicationId();
  t.not(passedId, knockedId);

  const rows = await owner.query<{ application_id: string; knocked_out: boolean; knockout_assessed: boolean; questions_version: number; answers_enc: Buffer }>('SELECT * FROM application_answers ORDER BY created_at');
  t.equal(rows.rows.length, 2);
  t.same(rows.rows.map((r) => [r.knocked_out, r.knockout_assessed, r.questions_version]), [[false, true, 2], [true, true, 2]]);
  for (const r of rows.rows) t.notOk(r.answers_enc.toString('latin1').includes('Zebra') || r.answers_enc.toString('latin1').includes('HGV'), 'answers are ciphertext');
  const stage = await owner.query<{ stage_kind: string }>('SELECT stage_kind FROM applications WHERE id = $1', [knockedId]);
  t.equal(stage.rows[0]?.stage_kind, 'new', 'a knock-out does not move or reject the application');
  t.equal(Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM decisions WHERE application_id = $1', [knockedId])).rows[0]?.n), 0, 'no decision was recorded');

  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${knockedId}`, headers: manager.headers });
  t.equal(view.statusCode, 200);
  const a = view.json<{ answers: { questionsVersion: number; knockedOut: boolean; items: { id: string; text: string | null; knockout: boolean }[] }; timeline: { type: string; data: Record<string, unknown> }[] }>();
  t.equal(a.answers.knockedOut, true);
  t.equal(a.answers.questionsVersion, 2);
  t.same(a.answers.items.filter((i) => i.knockout).map((i) => i.id), ['permit', 'years'], 'both rules matched');
  t.equal(a.answers.items.find((i) => i.id === 'permit')?.text, 'No');
  t.match(a.timeline.find((e) => e.type === 'consent.recorded')?.data, { questionsVersion: 2 }, 'consent records the questions asked');
  t.ok(a.timeline.some((e) => e.type === 'knockout.flagged'));
  t.notMatch(JSON.stringify(a.timeline), /permit/, 'the timeline does not say which answer matched');

  const passed = (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${passedId}`, headers: recruiter.headers })).json<{ answers: { knockedOut: boolean; items: { id: string; answer: unknown }[] } }>();
  t.equal(passed.answers.knockedOut, false);
  t.same(passed.answers.items.find((i) => i.id === 'skills')?.answer, ['Forklift', 'HGV']);
  t.equal(passed.answers.items.find((i) => i.id === 'years')?.answer, 4);

  const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications?flag=knockout`, headers: recruiter.headers });
  t.same(list.json<{ applications: { id: string; flags: string[] }[] }>().applications.map((x) => [x.id, x.flags]), [[knockedId, ['knockout']]], 'the triage filter finds the flagged one');
  const all = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications`, headers: recruiter.headers });
  t.same(all.json<{ applications: { id: string; flags: string[] }[] }>().applications.find((x) => x.id === passedId)?.flags, []);
  const counts = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications/counts?flag=knockout`, headers: recruiter.headers });
  t.equal(counts.statusCode, 200, counts.body);
  t.equal(counts.json<{ total: number }>().total, 1, 'stage counts under the knock-out filter');
});

t.test('the org export holds the question sets and the decrypted answers', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-q-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exporter = createPrivacyExports({ db: ctx.db, audit: ctx.audit, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), blobs: createPostgresBlobStore(), clock: () => new Date() });
  const summary = await exporter.exportOrg(admin.orgId, dir);
  t.equal(summary.records.job_question_sets, 2);
  t.equal(summary.records.application_answers, 2);
  const lines = readFileSync(path.join(summary.dir, 'application_answers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { application_id: string; answers: string; knocked_out: boolean });
  const passed = lines.find((l) => l.application_id === passedId);
  t.match(JSON.parse(passed?.answers ?? '{}'), { values: { intro: 'Zebra-striped pallets', skills: ['Forklift', 'HGV'] }, knockedOutBy: [] }, 'answers decrypted with the candidate key');
});

t.test('answers are in the candidate export and gone after an erasure', async (t) => {
  const cand = (await owner.query<{ candidate_id: string }>('SELECT candidate_id FROM applications WHERE id = $1', [passedId])).rows[0]?.candidate_id as string;
  const exp = await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${cand}/export`, headers: admin.headers });
  t.equal(exp.statusCode, 200, exp.body);
  const app = exp.json<{ applications: { id: string; answers: { items: { id: string; text: string | null }[] } }[] }>().applications.find((x) => x.id === passedId);
  t.equal(app?.answers.items.find((i) => i.id === 'intro')?.text, 'Zebra-striped pallets');
  const erase = await ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${cand}/erasure`, headers: admin.headers, payload: { reference: 'ticket 42', confirm: true } });
  t.equal(erase.statusCode, 200, erase.body);
  t.equal(erase.json<{ answers: number }>().answers, 1, 'the erasure reports the answers deleted');
  t.equal(Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM application_answers WHERE application_id = $1', [passedId])).rows[0]?.n), 0);
});

t.test('bias report: the knock-out step has its own selection rate and is flagged under the threshold', async (t) => {
  const fair = await createJob(ctx, recruiter, { title: 'Picker' });
  t.equal((await put(recruiter, fair.id, { questions: [QUESTIONS.questions[0]], knockouts: [QUESTIONS.knockouts[0]] })).statusCode, 200);
  // 6 female applicants all pass; of 6 male applicants 3 are knocked out: rates 1.0 and 0.5, ratio 0.5.
  for (let i = 0; i < 6; i += 1) t.equal((await apply([['permit', 'yes']], [['demographics.gender', 'female']], fair.slug)).statusCode, 202);
  for (let i = 0; i < 6; i += 1) t.equal((await apply([['permit', i < 3 ? 'no' : 'yes']], [['demographics.gender', 'male']], fair.slug)).statusCode, 202);
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${fair.id}`, headers: auditor.headers });
  t.equal(res.statusCode, 200, res.body);
  const r = res.json<{
    totals: { knockoutAssessed: number; knockedOut: number };
    dimensions: { key: string; categories: { category: string; knockout: { assessed: number; selected: number; rate: number; impactRatio: number; flagged: boolean } }[] }[];
    breaches: { metric: string; category: string; impactRatio: number }[];
    method: Record<string, string>;
  }>();
  t.same(r.totals, { ...r.totals, knockoutAssessed: 12, knockedOut: 3 });
  const gender = r.dimensions.find((d) => d.key === 'gender');
  t.match(gender?.categories.find((c) => c.category === 'Female')?.knockout, { assessed: 6, selected: 6, rate: 1, impactRatio: 1, flagged: false });
  t.match(gender?.categories.find((c) => c.category === 'Male')?.knockout, { assessed: 6, selected: 3, rate: 0.5, impactRatio: 0.5, flagged: true });
  t.same(r.breaches.filter((b) => b.metric === 'knockout'), [{ dimension: 'gender', category: 'Male', metric: 'knockout', impactRatio: 0.5 }]);
  t.match(r.method.knockout, /never rejected automatically/);
});
