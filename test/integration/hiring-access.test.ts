import t from 'tap';
import fc from 'fast-check';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { approvePlan, countRows, createJob, HIRING_TABLES, uploadCv } from '../fixtures/hiring.js';
import { makeDocx, makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { can } from '../../server/core/permissions.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const hmA = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const recruiterB = await createOrgWithMember(ctx, 'recruiter', adminB.orgId);
const assigned = await createJob(ctx, recruiterA, { title: 'Assigned job', hiringManagerIds: [hmA.userId] });
await approvePlan(ctx, recruiterA, assigned.id);
const unassigned = await createJob(ctx, recruiterA, { title: 'Other job' });
await approvePlan(ctx, recruiterA, unassigned.id);
const appAssigned = (await uploadCv(ctx, recruiterA, assigned.id)).json<{ applicationId: string; candidateId: string }>();
const appOther = (await uploadCv(ctx, recruiterA, unassigned.id)).json<{ applicationId: string; candidateId: string }>();
const stages = (await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${assigned.id}/pipeline`, headers: { cookie: recruiterA.cookie } })).json<{ stages: { id: string; kind: string }[] }>().stages;
const screening = stages.find((s) => s.kind === 'screening')?.id as string;
const orgSlugA = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [adminA.orgId])).rows[0]?.slug as string;
await createJob(ctx, recruiterB, { title: 'B job' });
const templateA = (await ctx.app.inject({ method: 'POST', url: '/api/v1/message-templates', headers: adminA.headers, payload: { name: 'Hello', kind: 'generic', subject: 'Hi', body: 'Hello {{candidate.firstName}}' } })).json<{ id: string }>().id;
const messageA = (await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${appAssigned.applicationId}/messages`, headers: recruiterA.headers, payload: { templateId: templateA } })).json<{ id: string }>().id;

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  route: string;
  payload?: unknown;
  multipart?: boolean;
}

function walk(jobId: string, applicationId: string, candidateId: string): Call[] {
  return [
    { method: 'GET', route: '/api/v1/jobs/:id', url: `/api/v1/jobs/${jobId}` },
    { method: 'PATCH', route: '/api/v1/jobs/:id', url: `/api/v1/jobs/${jobId}`, payload: { title: 'Hijacked' } },
    { method: 'GET', route: '/api/v1/jobs/:id/pipeline', url: `/api/v1/jobs/${jobId}/pipeline` },
    { method: 'PUT', route: '/api/v1/jobs/:id/pipeline', url: `/api/v1/jobs/${jobId}/pipeline`, payload: { stages: [{ name: 'New', kind: 'new' }, { name: 'Hired', kind: 'hired' }, { name: 'No', kind: 'rejected' }] } },
    { method: 'GET', route: '/api/v1/jobs/:id/applications', url: `/api/v1/jobs/${jobId}/applications` },
    { method: 'POST', route: '/api/v1/jobs/:id/applications', url: `/api/v1/jobs/${jobId}/applications`, multipart: true },
    { method: 'GET', route: '/api/v1/applications/:id', url: `/api/v1/applications/${applicationId}` },
    { method: 'POST', route: '/api/v1/applications/:id/notes', url: `/api/v1/applications/${applicationId}/notes`, payload: { kind: 'feedback', body: 'Strong', rating: 4 } },
    { method: 'POST', route: '/api/v1/applications/:id/stage', url: `/api/v1/applications/${applicationId}/stage`, payload: { stageId: screening } },
    { method: 'POST', route: '/api/v1/applications/:id/decision', url: `/api/v1/applications/${applicationId}/decision`, payload: { outcome: 'hold', reason: 'Waiting for references' } },
    { method: 'POST', route: '/api/v1/applications/bulk', url: '/api/v1/applications/bulk', payload: { action: 'tag', applicationIds: [applicationId], tag: 'x' } },
    { method: 'GET', route: '/api/v1/candidates/:id', url: `/api/v1/candidates/${candidateId}` },
    // issue 6 (screening) route, walked like the others.
    { method: 'GET', route: '/api/v1/applications/:id/screening', url: `/api/v1/applications/${applicationId}/screening` },
    // issue 7 (interviews) route, walked like the others.
    { method: 'POST', route: '/api/v1/applications/:id/interviews', url: `/api/v1/applications/${applicationId}/interviews`, payload: {} },
    // issue 5 item 8 (candidate messages) and item 7 (export).
    { method: 'POST', route: '/api/v1/applications/:id/messages', url: `/api/v1/applications/${applicationId}/messages`, payload: { subject: 'Hi', body: 'Hello' } },
    { method: 'GET', route: '/api/v1/applications/:id/messages', url: `/api/v1/applications/${applicationId}/messages` },
    { method: 'GET', route: '/api/v1/candidates/:id/export', url: `/api/v1/candidates/${candidateId}/export` },
    // Erasure on request (DESIGN §9): admins only (privacy:manage); nobody in this walk may reach A's candidate.
    { method: 'POST', route: '/api/v1/candidates/:id/erasure', url: `/api/v1/candidates/${candidateId}/erasure`, payload: { reference: 'DSR-1', confirm: true } },
    // Rectification (issue 18 item 6): admins only (privacy:manage), like erasure.
    { method: 'PATCH', route: '/api/v1/candidates/:id', url: `/api/v1/candidates/${candidateId}`, payload: { name: 'Hijacked' } },
    { method: 'PATCH', route: '/api/v1/message-templates/:id', url: `/api/v1/message-templates/${templateA}`, payload: { name: 'Hijacked' } },
    { method: 'DELETE', route: '/api/v1/message-templates/:id', url: `/api/v1/message-templates/${templateA}` },
    // issue 6 items 7-8 (rescreening, explanation, contest), walked like the others.
    { method: 'POST', route: '/api/v1/applications/:id/screening/rescreen', url: `/api/v1/applications/${applicationId}/screening/rescreen` },
    { method: 'POST', route: '/api/v1/jobs/:id/rescreen', url: `/api/v1/jobs/${jobId}/rescreen`, payload: {} },
    { method: 'GET', route: '/api/v1/applications/:id/explanation', url: `/api/v1/applications/${applicationId}/explanation` },
    { method: 'POST', route: '/api/v1/applications/:id/contest-link', url: `/api/v1/applications/${applicationId}/contest-link` },
    { method: 'POST', route: '/api/v1/applications/:id/contest', url: `/api/v1/applications/${applicationId}/contest`, payload: { reason: 'Please review' } },
    // Message retry (issue 5 follow-up): A's message, retried by anyone else.
    { method: 'POST', route: '/api/v1/messages/:id/retry', url: `/api/v1/messages/${messageA}/retry` },
    // issue 21 (triage): per-stage counts and the member's visit to a job's pipeline.
    { method: 'GET', route: '/api/v1/jobs/:id/applications/counts', url: `/api/v1/jobs/${jobId}/applications/counts` },
    { method: 'POST', route: '/api/v1/jobs/:id/visit', url: `/api/v1/jobs/${jobId}/visit` },
    // issue 21 item 4 (scorecards).
    { method: 'GET', route: '/api/v1/applications/:id/scorecards', url: `/api/v1/applications/${applicationId}/scorecards` },
    { method: 'GET', route: '/api/v1/applications/:id/accommodations', url: `/api/v1/applications/${applicationId}/accommodations` },
    { method: 'PUT', route: '/api/v1/applications/:id/scorecard', url: `/api/v1/applications/${applicationId}/scorecard`, payload: { ratings: [{ criterion: 'c1', rating: 5, evidence: 'x' }, { criterion: 'c2', rating: 5, evidence: 'x' }], recommendation: 'strong_yes', submit: true } },
    { method: 'GET', route: '/api/v1/jobs/:id/scorecards/summary', url: `/api/v1/jobs/${jobId}/scorecards/summary` },
    // issue 21 item 5 (application questions).
    { method: 'GET', route: '/api/v1/jobs/:id/questions', url: `/api/v1/jobs/${jobId}/questions` },
    { method: 'PUT', route: '/api/v1/jobs/:id/questions', url: `/api/v1/jobs/${jobId}/questions`, payload: { questions: [{ id: 'q1', label: 'Hijacked?', type: 'yes_no', required: true }], knockouts: [] } },
  ];
}

/** Whether the member's role passes the route's permission (otherwise 403 comes first). */
function allowed(m: Member, c: Call): boolean {
  const rule = ctx.app.routeAccess.find((r) => r.method === c.method && r.url === c.route)?.access;
  return !rule || !('permission' in rule) || can(m.role, rule.permission);
}

async function send(m: Member | null, c: Call) {
  if (c.multipart) {
    const { body, contentType } = multipartBody({ name: 'Mallory', email: 'mallory@example.test' }, { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) });
    return ctx.app.inject({ method: c.method, url: c.url, headers: { ...(m?.headers ?? {}), 'content-type': contentType }, payload: body });
  }
  return ctx.app.inject({ method: c.method, url: c.url, headers: m ? (c.method === 'GET' ? { cookie: m.cookie } : m.headers) : {}, ...(c.payload ? { payload: c.payload as object } : {}) });
}

t.test('the walk covers every hiring API route with an id', async (t) => {
  const walked = new Set(walk(assigned.id, appAssigned.applicationId, appAssigned.candidateId).map((c) => `${c.method} ${c.route}`));
  const hiring = ctx.app.routeAccess.filter((r) => /^\/api\/v1\/(jobs|applications|candidates|message-templates|messages)/.test(r.url) && r.method !== 'HEAD' && r.url.includes(':'));
  for (const r of hiring) t.ok(walked.has(`${r.method} ${r.url}`), `${r.method} ${r.url} is walked`);
});

t.test("org B's users get 404 (never A's data) on every route that names A's resources, and change nothing", async (t) => {
  const before = await countRows(owner, [...HIRING_TABLES, 'application_notes', 'decisions', 'messages', 'message_templates', 'scorecards', 'job_question_sets']);
  const jobBefore = (await owner.query('SELECT title, updated_at FROM jobs WHERE id = $1', [assigned.id])).rows[0];
  for (const m of [adminB, recruiterB]) {
    for (const c of walk(assigned.id, appAssigned.applicationId, appAssigned.candidateId)) {
      const res = await send(m, c);
      const expected = allowed(m, c) ? 404 : 403;
      t.equal(res.statusCode, expected, `${m.role} of B: ${c.method} ${c.route} -> ${expected}`);
      t.notMatch(res.body, /Ada Lovelace|Assigned job/, 'no data of A in the answer');
    }
  }
  t.same(await countRows(owner, [...HIRING_TABLES, 'application_notes', 'decisions', 'messages', 'message_templates', 'scorecards', 'job_question_sets']), before, 'no rows added anywhere');
  t.same((await owner.query('SELECT title, updated_at FROM jobs WHERE id = $1', [assigned.id])).rows[0], jobBefore, "A's job unchanged");
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs?limit=100', headers: { cookie: adminB.cookie } });
  t.same(list.json<{ jobs: { title: string }[] }>().jobs.map((j) => j.title), ['B job'], "B's list shows only B's jobs");
});

t.test('a hiring manager sees only assigned jobs and their applications', async (t) => {
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { cookie: hmA.cookie } });
  t.same(list.json<{ jobs: { id: string }[] }>().jobs.map((j) => j.id), [assigned.id]);
  for (const c of walk(unassigned.id, appOther.applicationId, appOther.candidateId).filter((c) => !['PATCH', 'PUT'].includes(c.method) && !c.multipart && !c.url.endsWith('/stage') && !c.url.endsWith('/bulk') && !c.url.endsWith('/interviews') && allowed(hmA, c))) {
    const res = await send(hmA, c);
    t.equal(res.statusCode, 404, `unassigned: ${c.method} ${c.route} -> 404`);
  }
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${appAssigned.applicationId}`, headers: { cookie: hmA.cookie } })).statusCode, 200);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${appAssigned.candidateId}`, headers: { cookie: hmA.cookie } })).statusCode, 200);
  const fb = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${appAssigned.applicationId}/notes`, headers: hmA.headers, payload: { kind: 'note', body: 'Good communicator', rating: 4 } });
  t.equal(fb.statusCode, 201);
  t.equal(fb.json<{ kind: string }>().kind, 'feedback', 'hiring managers give feedback');
  const dec = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${appAssigned.applicationId}/decision`, headers: hmA.headers, payload: { outcome: 'advance', reason: 'Meets the must-haves', followedAi: null } });
  t.equal(dec.statusCode, 201, dec.body);
  t.match(dec.json(), { decidedBy: hmA.userId, outcome: 'advance', reason: 'Meets the must-haves' });
  for (const [method, url, payload] of [
    ['POST', '/api/v1/jobs', { title: 'x', employmentType: 'full_time' }],
    ['PATCH', `/api/v1/jobs/${assigned.id}`, { title: 'Renamed' }],
    ['POST', `/api/v1/applications/${appAssigned.applicationId}/stage`, { stageId: screening }],
  ] as const) {
    const res = await ctx.app.inject({ method, url, headers: hmA.headers, payload });
    t.equal(res.statusCode, 403, `hiring manager ${method} ${url} -> 403`);
  }
});

t.test('an auditor cannot read candidate data or write anything', async (t) => {
  const before = await countRows(owner, [...HIRING_TABLES, 'application_notes', 'decisions', 'jobs', 'messages', 'message_templates']);
  for (const c of walk(assigned.id, appAssigned.applicationId, appAssigned.candidateId)) {
    const res = await send(auditorA, c);
    t.equal(res.statusCode, 403, `auditor ${c.method} ${c.route} -> 403`);
  }
  t.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auditorA.headers, payload: { title: 'x', employmentType: 'full_time' } })).statusCode, 403);
  t.same(await countRows(owner, [...HIRING_TABLES, 'application_notes', 'decisions', 'jobs', 'messages', 'message_templates']), before);
});

t.test('unauthenticated requests get 401 on every hiring API route', async (t) => {
  for (const c of walk(assigned.id, appAssigned.applicationId, appAssigned.candidateId)) {
    const res = await send(null, c);
    t.equal(res.statusCode, 401, `anonymous ${c.method} ${c.route}`);
  }
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs' })).statusCode, 401);
});

t.test('malformed and oversized input gets 400/413 problem+json', async (t) => {
  const cases: [string, string, unknown, number][] = [
    ['GET', '/api/v1/jobs/not-a-uuid', undefined, 400],
    ['GET', '/api/v1/applications/1', undefined, 400],
    ['GET', '/api/v1/candidates/%27;drop', undefined, 400],
    ['GET', '/api/v1/jobs?limit=1000', undefined, 400],
    ['GET', '/api/v1/jobs?cursor=bm9wZQ', undefined, 400],
    ['GET', '/api/v1/jobs?status=deleted', undefined, 400],
    ['POST', '/api/v1/jobs', { title: '', employmentType: 'full_time' }, 400],
    ['POST', '/api/v1/jobs', { title: 'x', employmentType: 'forever' }, 400],
    ['POST', '/api/v1/jobs', { title: 'x', employmentType: 'full_time', criteria: [{ name: 'a', weight: 1000 }] }, 400],
    ['POST', '/api/v1/jobs', { title: 'x', employmentType: 'full_time', criteria: Array.from({ length: 31 }, (_, i) => ({ name: `c${i}` })) }, 400],
    ['POST', '/api/v1/jobs', { title: 'x', employmentType: 'full_time', criteria: [{ name: 'A' }, { name: 'a' }] }, 422],
    ['POST', '/api/v1/jobs', { title: 'x', employmentType: 'full_time', hiringManagerIds: [recruiterA.userId] }, 422],
    ['POST', '/api/v1/jobs', { title: 'x'.repeat(2_000_000), employmentType: 'full_time' }, 413],
    ['PATCH', `/api/v1/jobs/${assigned.id}`, {}, 400],
    ['POST', `/api/v1/applications/${appAssigned.applicationId}/decision`, { outcome: 'fire', reason: 'x' }, 400],
    ['POST', `/api/v1/applications/${appAssigned.applicationId}/decision`, { outcome: 'reject', reason: '   ' }, 400],
    ['POST', `/api/v1/applications/${appAssigned.applicationId}/notes`, { body: '' }, 400],
    ['POST', '/api/v1/applications/bulk', { action: 'tag', applicationIds: [] }, 400],
  ];
  for (const [method, url, payload, status] of cases) {
    const res = await ctx.app.inject({ method: method as 'GET', url, headers: method === 'GET' ? { cookie: recruiterA.cookie } : recruiterA.headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    t.equal(res.statusCode, status, `${method} ${url.slice(0, 60)} -> ${status}`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
  const html = await ctx.app.inject({ method: 'GET', url: '/jobs/NOT_A_SLUG/x' });
  t.equal(html.statusCode, 400);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlugA}/no-such-job` })).statusCode, 404);
});

t.test('decisions, stage moves and bulk actions are recorded with a human in the loop', async (t) => {
  const a1 = (await uploadCv(ctx, recruiterA, assigned.id)).json<{ applicationId: string }>().applicationId;
  const a2 = (await uploadCv(ctx, recruiterA, assigned.id)).json<{ applicationId: string }>().applicationId;
  const rejectedStage = stages.find((s) => s.kind === 'rejected')?.id as string;
  const direct = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${a1}/stage`, headers: recruiterA.headers, payload: { stageId: rejectedStage } });
  t.equal(direct.statusCode, 422, 'rejecting needs a decision, not a bare stage move');
  const unconfirmed = await ctx.app.inject({ method: 'POST', url: '/api/v1/applications/bulk', headers: recruiterA.headers, payload: { action: 'reject', applicationIds: [a1, a2], reason: 'Role filled' } });
  t.equal(unconfirmed.statusCode, 409);
  t.match(unconfirmed.json(), { requiresConfirmation: true, count: 2 });
  const confirmed = await ctx.app.inject({ method: 'POST', url: '/api/v1/applications/bulk', headers: recruiterA.headers, payload: { action: 'reject', applicationIds: [a1, a2], reason: 'Role filled', confirm: true } });
  t.same(confirmed.json(), { action: 'reject', count: 2 });
  const view = (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${a1}`, headers: { cookie: recruiterA.cookie } })).json<{ stage: { kind: string }; decisions: { decidedBy: string; outcome: string; reason: string; at: string }[] }>();
  t.equal(view.stage.kind, 'rejected');
  t.match(view.decisions[0], { decidedBy: recruiterA.userId, outcome: 'reject', reason: 'Role filled', at: String });
  const again = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${a1}/decision`, headers: recruiterA.headers, payload: { outcome: 'reject', reason: 'twice' } });
  t.equal(again.statusCode, 409);
  const audited = await owner.query("SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND action = 'application.decided'", [adminA.orgId]);
  t.ok((audited.rows[0] as { n: number }).n >= 3);
  const viewed = await owner.query("SELECT actor_id, target_id FROM audit_events WHERE org_id = $1 AND action = 'candidate.viewed' AND actor_id = $2", [adminA.orgId, hmA.userId]);
  t.ok(viewed.rowCount && viewed.rowCount >= 2, 'candidate views are audited with who and whom');
  const tagged = await ctx.app.inject({ method: 'POST', url: '/api/v1/applications/bulk', headers: recruiterA.headers, payload: { action: 'tag', applicationIds: [appAssigned.applicationId], tag: 'referral' } });
  t.equal(tagged.statusCode, 200);
  const filtered = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${assigned.id}/applications?tag=referral`, headers: { cookie: recruiterA.cookie } });
  t.same(filtered.json<{ applications: { id: string }[] }>().applications.map((a) => a.id), [appAssigned.applicationId]);
});

t.test('jobs: cursor pagination and filters', async (t) => {
  const m = await createOrgWithMember(ctx, 'recruiter');
  for (let i = 0; i < 5; i++) await createJob(ctx, m, { title: `Role ${i}`, status: i % 2 ? 'open' : 'draft' });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res: { json: <T>() => T } = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: { cookie: m.cookie } });
    const page: { jobs: { title: string }[]; nextCursor: string | null } = res.json<{ jobs: { title: string }[]; nextCursor: string | null }>();
    seen.push(...page.jobs.map((j) => j.title));
    cursor = page.nextCursor;
  } while (cursor);
  t.same(seen, ['Role 4', 'Role 3', 'Role 2', 'Role 1', 'Role 0']);
  const open = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs?status=open&q=role', headers: { cookie: m.cookie } });
  t.same(open.json<{ jobs: { title: string }[] }>().jobs.map((j) => j.title), ['Role 3', 'Role 1']);
  const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${assigned.id}`, headers: recruiterA.headers, payload: { criteria: [{ name: 'Go', description: '', weight: 1, mustHave: true }] } });
  t.equal(patched.json<{ criteriaVersion: number }>().criteriaVersion, 2, 'changing criteria bumps the version');
});

t.test('public feed lists open jobs as RSS with no drafts', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlugA}/feed.xml` });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/rss\+xml/);
  t.match(res.body, /<rss version="2.0">/);
  t.match(res.body, /Assigned job/);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/jobs/no-such-org/feed.xml' })).statusCode, 404);
});

t.test('the apply API is rate limited per IP', async (t) => {
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const { body, contentType } = multipartBody({ name: 'Rate', email: `rate${i}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.docx', contentType: 'application/octet-stream', data: makeDocx(SAMPLE_CV_LINES) });
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlugA}/${assigned.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: '203.0.113.9' });
    statuses.push(res.statusCode);
  }
  t.same(statuses.slice(0, 10), Array(10).fill(202));
  t.equal(statuses[10], 429);
});

t.test('property: no input to the apply API yields a 500', async (t) => {
  const field = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', ' ', 'a@b.co', '+1 555 0100', '"><script>', '\u0000', 'x'.repeat(9000)));
  const fileBytes = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc.constantFrom('%PDF-', 'PK\u0003\u0004', 'MZ', '').chain((p) => fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.concat([Buffer.from(p, 'latin1'), Buffer.from(b)]))),
    fc.constant(makeDocx(['tiny'])),
  );
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom('name', 'email', 'phone', 'location', 'links', 'consent', 'noticeVersion', 'demographics.gender', 'demographics.x', '__proto__', 'constructor', 'cv'), field, { maxKeys: 8 }),
      fc.option(fc.record({ filename: fc.string({ maxLength: 60 }), contentType: fc.constantFrom('application/pdf', 'text/plain', 'application/x-msdownload', ''), data: fileBytes })),
      fc.constantFrom('ok', 'truncate', 'no-boundary', 'json', 'garbage'),
      async (fields, file, mangle) => {
        n += 1;
        const base = multipartBody({ consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, ...fields }, file ?? undefined);
        let payload: Buffer | string = base.body;
        let contentType = base.contentType;
        if (mangle === 'truncate') payload = base.body.subarray(0, Math.floor(base.body.length / 2));
        if (mangle === 'no-boundary') contentType = 'multipart/form-data';
        if (mangle === 'json') {
          contentType = 'application/json';
          payload = JSON.stringify(fields);
        }
        if (mangle === 'garbage') payload = Buffer.from(fields.name ?? 'zz');
        const res = await ctx.app.inject({
          method: 'POST',
          url: `/api/v1/public/jobs/${orgSlugA}/${assigned.slug}/apply`,
          headers: { 'content-type': contentType },
          payload,
          remoteAddress: `198.51.100.${n % 250}`,
        });
        return res.statusCode < 500 && /^application\/(problem\+)?json/.test(String(res.headers['content-type']));
      },
    ),
    { numRuns: 200 },
  );
  t.pass(`${n} generated requests, none answered 5xx`);
});

// Org-level hiring routes name no resource id: each member acts on their own org only.
const ORG_LEVEL: Call[] = [
  { method: 'GET', route: '/api/v1/pipeline', url: '/api/v1/pipeline' },
  { method: 'PUT', route: '/api/v1/pipeline', url: '/api/v1/pipeline' },
  { method: 'GET', route: '/api/v1/messages', url: '/api/v1/messages?status=failed' },
  { method: 'GET', route: '/api/v1/org/retention', url: '/api/v1/org/retention' },
  { method: 'PATCH', route: '/api/v1/org/retention', url: '/api/v1/org/retention', payload: { days: 180 } },
];

t.test('org-level hiring routes: the role matrix decides, anonymous is 401, and B never reaches A', async (t) => {
  const registered = ctx.app.routeAccess.filter((r) => ['/api/v1/pipeline', '/api/v1/messages', '/api/v1/org/retention'].includes(r.url) && r.method !== 'HEAD');
  t.same(registered.map((r) => `${r.method} ${r.url}`).sort(), ORG_LEVEL.map((c) => `${c.method} ${c.route}`).sort(), 'every org-level route is walked');
  const pipelineA = (await ctx.app.inject({ method: 'GET', url: '/api/v1/pipeline', headers: { cookie: adminA.cookie } })).json<{ stages: { id: string; name: string; kind: string }[] }>().stages;
  const putA = { stages: pipelineA.map((s) => ({ id: s.id, name: s.name, kind: s.kind })) };
  const payloadFor = (c: Call) => (c.method === 'PUT' ? putA : c.payload);
  for (const m of [adminA, recruiterA, hmA, auditorA]) {
    for (const c of ORG_LEVEL) {
      const res = await send(m, { ...c, payload: payloadFor(c) });
      const expected = allowed(m, c) ? 200 : 403;
      t.equal(res.statusCode, expected, `${m.role}: ${c.method} ${c.route} -> ${expected}`);
    }
  }
  for (const c of ORG_LEVEL) t.equal((await send(null, { ...c, payload: payloadFor(c) })).statusCode, 401, `anonymous ${c.method} ${c.route}`);
  // B's admin with A's stage ids: the ids are not B's, nothing of A changes.
  const hijack = await send(adminB, { method: 'PUT', route: '/api/v1/pipeline', url: '/api/v1/pipeline', payload: { stages: putA.stages.map((s) => ({ ...s, name: `${s.name} (B)` })) } });
  t.equal(hijack.statusCode, 422, "A's stage ids are unknown to B");
  t.same(
    (await ctx.app.inject({ method: 'GET', url: '/api/v1/pipeline', headers: { cookie: adminA.cookie } })).json<{ stages: { name: string }[] }>().stages.map((s) => s.name),
    pipelineA.map((s) => s.name),
    "A's pipeline unchanged",
  );
  const failedB = await send(adminB, { method: 'GET', route: '/api/v1/messages', url: '/api/v1/messages?status=failed' });
  t.same(failedB.json<{ messages: unknown[] }>().messages, [], "B lists none of A's messages");
  t.equal((await send(adminB, { method: 'PATCH', route: '/api/v1/org/retention', url: '/api/v1/org/retention', payload: { days: 7 } })).statusCode, 200);
  t.match((await send(adminA, { method: 'GET', route: '/api/v1/org/retention', url: '/api/v1/org/retention' })).json(), { days: 180 }, "B's setting is B's alone");
});
