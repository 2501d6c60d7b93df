import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const hmA = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const hmOther = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiterA, { title: 'Scored job', hiringManagerIds: [hmA.userId] });
const app1 = (await uploadCv(ctx, recruiterA, job.id)).json<{ applicationId: string }>().applicationId;
const app2 = (await uploadCv(ctx, recruiterA, job.id)).json<{ applicationId: string }>().applicationId;

const full = (a: number, b: number, submit: boolean, who = 'rc') => ({
  ratings: [
    { criterion: 'c1', rating: a, evidence: `${who}: walked through a typed API design.` },
    { criterion: 'c2', rating: b, evidence: 'Explained index choices for a tenant table.' },
  ],
  recommendation: 'yes',
  submit,
});
const put = (m: { headers: Record<string, string> }, applicationId: string, payload: unknown) =>
  ctx.app.inject({ method: 'PUT', url: `/api/v1/applications/${applicationId}/scorecard`, headers: m.headers, payload: payload as Record<string, unknown> });
const list = (m: { headers: Record<string, string> }, applicationId: string) => ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/scorecards`, headers: m.headers });
const count = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM scorecards')).rows[0]?.n);

t.test('bad input is refused as problem+json and nothing is stored', async (t) => {
  const cases: [string, unknown, number][] = [
    ['missing evidence', { ...full(3, 3, true), ratings: [{ criterion: 'c1', rating: 3 }, { criterion: 'c2', rating: 3, evidence: 'ok' }] }, 400],
    ['blank evidence', { ...full(3, 3, true), ratings: [{ criterion: 'c1', rating: 3, evidence: '   ' }, { criterion: 'c2', rating: 3, evidence: 'ok' }] }, 400],
    ['rating out of range', full(6, 3, true), 400],
    ['rating zero', full(0, 3, true), 400],
    ['unknown recommendation', { ...full(3, 3, true), recommendation: 'maybe' }, 400],
    ['oversized evidence', { ...full(3, 3, true), ratings: [{ criterion: 'c1', rating: 3, evidence: 'x'.repeat(2001) }] }, 400],
    ['criterion not of the job', { ...full(3, 3, true), ratings: [...full(3, 3, true).ratings, { criterion: 'c3', rating: 2, evidence: 'n/a' }] }, 422],
    ['criterion rated twice', { ...full(3, 3, false), ratings: [full(3, 3, true).ratings[0], full(3, 3, true).ratings[0]] }, 422],
    ['submit with a criterion missing', { ...full(3, 3, true), ratings: [full(3, 3, true).ratings[0]] }, 422],
    ['no ratings', { ...full(3, 3, true), ratings: [] }, 400],
    ['malformed body', 'not json at all', 415],
  ];
  for (const [name, payload, status] of cases) {
    const res = await put(hmA, app1, payload);
    t.equal(res.statusCode, status, name);
    t.match(res.headers['content-type'], /application\/problem\+json/, name);
  }
  t.equal(await count(), 0);
});

t.test('access: unauthenticated, auditor, unassigned hiring manager, other org', async (t) => {
  t.equal((await ctx.app.inject({ method: 'PUT', url: `/api/v1/applications/${app1}/scorecard`, payload: full(3, 3, true) })).statusCode, 401);
  t.equal((await put(auditorA, app1, full(3, 3, true))).statusCode, 403);
  const hidden = await put(hmOther, app1, full(3, 3, true));
  t.equal(hidden.statusCode, 404, 'a hiring manager not on the job cannot see the application');
  t.equal((await list(hmOther, app1)).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/scorecards/summary`, headers: hmOther.headers })).statusCode, 404);
  t.equal((await put(adminB, app1, full(3, 3, true))).statusCode, 404, 'another org');
  t.equal((await list(adminB, app1)).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/scorecards/summary`, headers: adminB.headers })).statusCode, 404);
  t.equal(await count(), 0);
});

t.test('others stay hidden until you submit; one scorecard per interviewer', async (t) => {
  const hmCard = await put(hmA, app1, full(4, 2, true, 'hm'));
  t.equal(hmCard.statusCode, 200, hmCard.body);
  t.equal(hmCard.json<{ status: string }>().status, 'submitted');

  const draft = await put(recruiterA, app1, full(3, 4, false));
  t.equal(draft.statusCode, 200);
  const peek = list(recruiterA, app1);
  const peeked = (await peek).json<{ othersHidden: boolean; othersSubmitted: number; others: unknown[]; mine: { status: string } }>();
  t.equal(peeked.othersHidden, true, 'a draft does not reveal the others');
  t.equal(peeked.othersSubmitted, 1);
  t.same(peeked.others, []);
  t.notMatch(JSON.stringify(peeked), /hm: /, 'no one else\'s evidence in the body');

  const submitted = await put(recruiterA, app1, full(3, 4, true));
  t.equal(submitted.json<{ status: string }>().status, 'submitted');
  const after = (await list(recruiterA, app1)).json<{ othersHidden: boolean; others: { ratings: { criterion: string; rating: number; evidence: string }[] }[] }>();
  t.equal(after.othersHidden, false);
  t.equal(after.others.length, 1);
  t.equal(after.others[0]?.ratings.find((r) => r.criterion === 'c1')?.evidence, 'hm: walked through a typed API design.');

  // Editing keeps one row per interviewer and stays submitted.
  const edited = await put(recruiterA, app1, full(2, 4, false));
  t.equal(edited.json<{ status: string }>().status, 'submitted');
  t.equal(await count(), 2);
  const stored = await owner.query<{ evidence_enc: Buffer }>('SELECT evidence_enc FROM scorecards');
  t.notOk(stored.rows.some((r) => r.evidence_enc.toString('latin1').includes('typed API')), 'evidence is sealed at rest');
  const audits = await owner.query<{ action: string }>(`SELECT action FROM audit_events WHERE action LIKE 'scorecard.%' ORDER BY seq`);
  t.same(audits.rows.map((r) => r.action), ['scorecard.submitted', 'scorecard.created', 'scorecard.submitted', 'scorecard.updated']);
});

t.test('job summary: agreement within 1 point and AI divergence', async (t) => {
  t.equal((await put(hmA, app2, full(5, 1, true))).statusCode, 200);
  t.equal((await put(recruiterA, app2, full(1, 2, true))).statusCode, 200);
  // An AI screening for app1 on the current criteria version (scores 0-4).
  await owner.query(
    `INSERT INTO screenings (org_id, application_id, job_id, document_id, criteria_version, status, scores)
     SELECT a.org_id, a.id, a.job_id, d.id, j.criteria_version, 'completed', '{"c1": 3, "c2": 1}'::jsonb
       FROM applications a JOIN jobs j ON j.id = a.job_id JOIN documents d ON d.application_id = a.id WHERE a.id = $1 LIMIT 1`,
    [app1],
  );
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/scorecards/summary`, headers: hmA.headers });
  t.equal(res.statusCode, 200, res.body);
  const s = res.json<{ scorecards: number; criteria: { key: string; raterPairs: number; agreementWithin1: number; humanMean: number; aiCompared: number; aiMeanDifference: number; aiMeanAbsDifference: number }[] }>();
  t.equal(s.scorecards, 4);
  const c1 = s.criteria.find((c) => c.key === 'c1');
  const c2 = s.criteria.find((c) => c.key === 'c2');
  // c1: app1 4 vs 2 (apart), app2 5 vs 1 (apart); c2: app1 2 vs 4 (apart), app2 1 vs 2 (agree)
  t.equal(c1?.raterPairs, 2);
  t.equal(c1?.agreementWithin1, 0);
  t.equal(c2?.agreementWithin1, 0.5);
  t.equal(c1?.humanMean, 3);
  // AI c1 = 3 -> 4 on 1-5; humans' mean on app1 = 3 -> +1. AI c2 = 1 -> 2; humans 3 -> -1.
  t.equal(c1?.aiCompared, 1);
  t.equal(c1?.aiMeanDifference, 1);
  t.equal(c2?.aiMeanDifference, -1);
  t.equal(c2?.aiMeanAbsDifference, 1);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/scorecards/summary`, headers: auditorA.headers })).statusCode, 403);
});

t.test('a decided application locks its scorecards', async (t) => {
  const d = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${app2}/decision`, headers: recruiterA.headers, payload: { outcome: 'reject', reason: 'Not enough Postgres depth' } });
  t.equal(d.statusCode, 201, d.body);
  const res = await put(hmA, app2, full(3, 3, true));
  t.equal(res.statusCode, 409);
  t.equal((await list(hmA, app2)).json<{ locked: boolean }>().locked, true);
});
