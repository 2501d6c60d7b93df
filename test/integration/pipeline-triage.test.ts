// Issue 21 item 2: triage in the pipeline. The job's application list carries the latest AI
// recommendation, overall score, triage flags and interview status; sorts by score or date
// (newest first by default) with keyset pages; filters by recommendation and flags; per-stage
// counts; saved views per member; job visits and the jobs summary with "new since your last
// visit". Bad input is a problem and changes nothing; other orgs and unassigned hiring
// managers get 404; auditors get 403.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const recruiter = await createOrgWithMember(ctx, 'recruiter');
const recruiter2 = await createOrgWithMember(ctx, 'recruiter', recruiter.orgId);
const hm = await createOrgWithMember(ctx, 'hiring_manager', recruiter.orgId);
const otherHm = await createOrgWithMember(ctx, 'hiring_manager', recruiter.orgId);
const auditor = await createOrgWithMember(ctx, 'auditor', recruiter.orgId);
const outsider = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', hiringManagerIds: [hm.userId] });
const stamp = Date.now();

// Five applications, oldest first, with hand-set screenings (the fixture a recruiter triages).
const fixture = [
  { key: 'ada', recommendation: 'advance', score: 91, flags: [] as string[] },
  { key: 'ben', recommendation: 'review', score: 55, flags: ['injection_suspected', 'recommendation_downgraded'] },
  { key: 'cy', recommendation: 'not_advance', score: 20, flags: ['must_have_without_evidence'] },
  { key: 'dee', recommendation: null, score: null, flags: [] },
  { key: 'eve', recommendation: 'review', score: 70, flags: ['ungrounded_evidence', 'injection_check_flagged'] },
];
const ids: Record<string, string> = {};
for (const [i, f] of fixture.entries()) {
  const res = await uploadCv(ctx, recruiter, job.id, { name: `Person ${f.key}`, email: `${f.key}.${stamp}@example.test` });
  if (res.statusCode !== 201) throw new Error(res.body);
  const id = res.json<{ applicationId: string }>().applicationId;
  ids[f.key] = id;
  await owner.query(`UPDATE applications SET created_at = now() - make_interval(mins => $2) WHERE id = $1`, [id, 100 - i * 10]);
  if (f.recommendation) {
    await owner.query(
      `INSERT INTO screenings (org_id, application_id, job_id, document_id, criteria_version, status, provider, recommendation, overall_score, flags, completed_at)
       SELECT a.org_id, a.id, a.job_id, d.id, 1, 'completed', 'simulated', $2, $3, $4, now() FROM applications a JOIN documents d ON d.application_id = a.id WHERE a.id = $1`,
      [id, f.recommendation, f.score, f.flags],
    );
  }
}
// dee chose the AI-free route; ada has an interview.
await owner.query('UPDATE applications SET human_review_only = true WHERE id = $1', [ids.dee]);
await owner.query(
  `INSERT INTO interviews (org_id, application_id, job_id, candidate_id, status, questions, max_duration_seconds, language, invite_token_hash, invite_expires_at)
   SELECT org_id, id, job_id, candidate_id, 'scheduled', '[]'::jsonb, 600, 'en', sha256(gen_random_uuid()::text::bytea), now() + interval '7 days' FROM applications WHERE id = $1`,
  [ids.ada],
);

interface Item {
  id: string;
  recommendation: string | null;
  overallScore: number | null;
  flags: string[];
  interviewStatus: string | null;
  stage: { id: string; kind: string };
}
const list = (m: Member, query = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications?${query}`, headers: { cookie: m.cookie } });
const keysOf = (items: Item[]) => items.map((a) => Object.entries(ids).find(([, v]) => v === a.id)?.[0]);

t.test('the list carries recommendation, score, flags and interview status, newest first by default', async (t) => {
  const res = await list(recruiter);
  t.equal(res.statusCode, 200);
  const items = res.json<{ applications: Item[] }>().applications;
  t.same(keysOf(items), ['eve', 'dee', 'cy', 'ben', 'ada'], 'newest first');
  const by = Object.fromEntries(items.map((a) => [keysOf([a])[0], a]));
  t.same([by.ada?.recommendation, by.ada?.overallScore, by.ada?.flags, by.ada?.interviewStatus], ['advance', 91, [], 'scheduled']);
  t.same(by.ben?.flags, ['injection']);
  t.same(by.cy?.flags, ['insufficient_evidence']);
  t.same(by.dee?.flags, ['ai_free']);
  t.same([by.dee?.recommendation, by.dee?.overallScore], [null, null], 'not screened');
  t.same(by.eve?.flags, ['injection', 'insufficient_evidence']);
});

t.test('sorts by score (unscored last) and oldest first, with keyset pages that neither skip nor repeat', async (t) => {
  t.same(keysOf((await list(recruiter, 'sort=score')).json<{ applications: Item[] }>().applications), ['ada', 'eve', 'ben', 'cy', 'dee']);
  t.same(keysOf((await list(recruiter, 'sort=oldest')).json<{ applications: Item[] }>().applications), ['ada', 'ben', 'cy', 'dee', 'eve']);
  for (const sort of ['score', 'oldest', 'newest']) {
    const seen: Item[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(recruiter, `sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      t.equal(res.statusCode, 200);
      const body = res.json<{ applications: Item[]; nextCursor: string | null }>();
      seen.push(...body.applications);
      cursor = body.nextCursor;
    } while (cursor);
    t.same(keysOf(seen), keysOf((await list(recruiter, `sort=${sort}`)).json<{ applications: Item[] }>().applications), `pages of 2 in ${sort} order`);
  }
});

t.test('filters by recommendation and flags (every flag given must apply)', async (t) => {
  const keys = async (q: string) => keysOf((await list(recruiter, q)).json<{ applications: Item[] }>().applications).sort();
  t.same(await keys('recommendation=review'), ['ben', 'eve']);
  t.same(await keys('recommendation=none'), ['dee']);
  t.same(await keys('flag=injection'), ['ben', 'eve']);
  t.same(await keys('flag=insufficient_evidence'), ['cy', 'eve']);
  t.same(await keys('flag=injection&flag=insufficient_evidence'), ['eve']);
  t.same(await keys('flag=ai_free'), ['dee']);
  t.same(await keys('recommendation=advance&flag=injection'), []);
});

t.test('per-stage counts follow the same filters', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications/counts`, headers: { cookie: recruiter.cookie } });
  t.equal(res.statusCode, 200);
  const body = res.json<{ total: number; stages: { kind: string; count: number }[] }>();
  t.equal(body.total, 5);
  t.equal(body.stages.find((s) => s.kind === 'new')?.count, 5);
  t.equal(body.stages.reduce((n, s) => n + s.count, 0), 5);
  const flagged = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications/counts?flag=injection`, headers: { cookie: recruiter.cookie } });
  t.equal(flagged.json<{ total: number }>().total, 2);
});

t.test('malformed triage input is a 400 problem', async (t) => {
  for (const q of ['sort=random', 'recommendation=hire', 'flag=spam', 'flag=injection&flag=injection', 'cursor=not*valid', `sort=score&cursor=${Buffer.from('500~abc').toString('base64url')}`]) {
    const res = await list(recruiter, q);
    t.equal(res.statusCode, 400, q);
    t.match(res.headers['content-type'], /problem\+json/);
  }
  const counts = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications/counts?recommendation=maybe`, headers: { cookie: recruiter.cookie } });
  t.equal(counts.statusCode, 400);
});

t.test('another org and an unassigned hiring manager get 404; an auditor 403; the assigned hiring manager sees it', async (t) => {
  t.equal((await list(outsider)).statusCode, 404);
  t.equal((await list(otherHm)).statusCode, 404);
  t.equal((await list(auditor)).statusCode, 403);
  t.equal((await list(hm)).statusCode, 200);
  for (const m of [outsider, otherHm]) {
    t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications/counts`, headers: { cookie: m.cookie } })).statusCode, 404);
    t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/visit`, headers: m.headers })).statusCode, 404);
  }
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/job-summaries', headers: { cookie: auditor.cookie } })).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/saved-views', headers: { cookie: auditor.cookie } })).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/saved-views' })).statusCode, 401);
});

t.test('saved views belong to the member who saved them', async (t) => {
  const create = (m: Member, payload: unknown) => ctx.app.inject({ method: 'POST', url: '/api/v1/saved-views', headers: m.headers, payload: payload as Record<string, unknown> });
  const made = await create(recruiter, { name: 'Flagged first', filters: { layout: 'board', sort: 'score', flag: ['injection'] } });
  t.equal(made.statusCode, 201);
  const view = made.json<{ id: string; name: string; filters: Record<string, unknown> }>();
  t.same(view.filters, { layout: 'board', sort: 'score', flag: ['injection'] });
  t.equal((await create(recruiter, { name: 'Flagged first', filters: {} })).statusCode, 409, 'a name is used once per member');
  t.equal((await create(recruiter2, { name: 'Flagged first', filters: {} })).statusCode, 201, 'another member may use the same name');

  const before = (await owner.query('SELECT count(*)::int AS n FROM saved_views')).rows[0].n as number;
  for (const bad of [
    { name: '', filters: {} },
    { name: '   ', filters: {} },
    { name: 'x'.repeat(81), filters: {} },
    { name: 'Bad sort', filters: { sort: 'random' } },
    { name: 'Bad flag', filters: { flag: ['spam'] } },
    { name: 'Too many', filters: { flag: ['injection', 'ai_free', 'insufficient_evidence', 'injection'] } },
    { name: 'Bad tag', filters: { tag: '<script>' } },
    { filters: {} },
  ]) {
    const res = await create(recruiter, bad);
    t.equal(res.statusCode, 400, JSON.stringify(bad).slice(0, 60));
    t.match(res.headers['content-type'], /problem\+json/);
  }
  const oversized = await ctx.app.inject({ method: 'POST', url: '/api/v1/saved-views', headers: { ...recruiter.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'big', filters: { tag: 'a'.repeat(2_000_000) } }) });
  t.ok([400, 413].includes(oversized.statusCode), `oversized body refused (${oversized.statusCode})`);
  const unknown = await create(recruiter, { name: 'Extra', filters: { stageId: 'x', orgId: outsider.orgId } });
  t.equal(unknown.statusCode, 201);
  t.same(unknown.json<{ filters: unknown }>().filters, {}, 'unknown filter keys are dropped, never stored');
  t.equal((await owner.query('SELECT count(*)::int AS n FROM saved_views')).rows[0].n, before + 1, 'bad input stored nothing');

  const mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/saved-views', headers: { cookie: recruiter.cookie } })).json<{ views: { name: string }[] }>().views.map((v) => v.name);
  t.same(mine, ['Extra', 'Flagged first']);
  const theirs = (await ctx.app.inject({ method: 'GET', url: '/api/v1/saved-views', headers: { cookie: recruiter2.cookie } })).json<{ views: { name: string }[] }>().views.map((v) => v.name);
  t.same(theirs, ['Flagged first']);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/saved-views', headers: { cookie: outsider.cookie } })).json<{ views: unknown[] }>().views.length, 0, 'another org sees none');

  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/saved-views/${view.id}`, headers: recruiter2.headers })).statusCode, 404, 'another member cannot delete it');
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/saved-views/${view.id}`, headers: outsider.headers })).statusCode, 404, 'another org cannot delete it');
  t.equal((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/saved-views/not-a-uuid', headers: recruiter.headers })).statusCode, 400);
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/saved-views/${view.id}`, headers: recruiter.headers })).statusCode, 204);
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/saved-views/${view.id}`, headers: recruiter.headers })).statusCode, 404, 'gone');
});

t.test('job summaries: per-stage counts and what is new since the member\'s last visit', async (t) => {
  const summary = async (m: Member) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/job-summaries', headers: { cookie: m.cookie } });
    t.equal(res.statusCode, 200);
    return res.json<{ jobs: { jobId: string; total: number; newSinceLastVisit: number; lastVisitAt: string | null; stages: { kind: string; count: number }[] }[] }>().jobs;
  };
  const first = (await summary(recruiter)).find((j) => j.jobId === job.id);
  t.same([first?.total, first?.newSinceLastVisit, first?.lastVisitAt], [5, 5, null], 'never visited: everything is new');
  t.equal(first?.stages.find((s) => s.kind === 'new')?.count, 5);

  const visit = await ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/visit`, headers: recruiter.headers });
  t.equal(visit.statusCode, 200);
  t.equal(visit.json<{ previousVisitAt: string | null }>().previousVisitAt, null);
  const again = await ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/visit`, headers: recruiter.headers });
  t.type(again.json<{ previousVisitAt: string | null }>().previousVisitAt, 'string', 'the second visit answers the first');
  t.equal((await summary(recruiter)).find((j) => j.jobId === job.id)?.newSinceLastVisit, 0);

  const late = await uploadCv(ctx, recruiter, job.id, { name: 'Person late', email: `late.${stamp}@example.test` });
  t.equal(late.statusCode, 201);
  t.equal((await summary(recruiter)).find((j) => j.jobId === job.id)?.newSinceLastVisit, 1, 'one arrived since');
  t.equal((await summary(recruiter2)).find((j) => j.jobId === job.id)?.newSinceLastVisit, 6, 'visits are per member');
  t.same((await summary(hm)).map((j) => j.jobId), [job.id], 'a hiring manager sees assigned jobs only');
  t.same(await summary(otherHm), []);
  t.notOk((await summary(outsider)).some((j) => j.jobId === job.id), 'another org never sees it');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/job-summaries?status=bogus', headers: { cookie: recruiter.cookie } })).statusCode, 400);
});
