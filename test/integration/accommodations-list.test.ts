// The org-wide list of open accommodation requests (issue 22 item 3, console side):
// GET /api/v1/accommodations?status=open, soonest due first with keyset paging, scoped to
// the org (and to a hiring manager's jobs), refusing unauthorised and malformed queries.
import t from 'tap';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const manager = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const assigned = await createJob(ctx, recruiter, { title: 'Assigned job', hiringManagerIds: [manager.userId] });
await approvePlan(ctx, recruiter, assigned.id);
const other = await createJob(ctx, recruiter, { title: 'Other job' });
await approvePlan(ctx, recruiter, other.id);
const jobB = await createJob(ctx, adminB, { title: 'B job' });
await approvePlan(ctx, adminB, jobB.id);

const json = { 'content-type': 'application/json', accept: 'application/json' };
let seq = 0;
/** An invited application with one accommodation request; due_at set so the order is known. */
async function requestOn(m: Member, jobId: string, type: string, dueAt: Date, note?: string): Promise<{ id: string; applicationId: string; interviewId: string }> {
  const email = `ada.acc${(seq += 1)}@example.test`;
  const applicationId = (await uploadCv(ctx, m, jobId, { email })).json<{ applicationId: string }>().applicationId;
  const inv = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: m.headers, payload: {} });
  if (inv.statusCode !== 201) throw new Error(`invite: ${inv.statusCode} ${inv.body}`);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  const res = await ctx.app.inject({ method: 'POST', url: `/i/${token}/accommodations`, headers: json, payload: note ? { type, note } : { type } });
  if (res.statusCode !== 201) throw new Error(`request: ${res.statusCode} ${res.body}`);
  const id = res.json<{ id: string }>().id;
  await owner.query('UPDATE interview_accommodations SET due_at = $2 WHERE id = $1', [id, dueAt]);
  return { id, applicationId, interviewId: inv.json<{ id: string }>().id };
}
const hours = (h: number) => new Date(Date.now() + h * 3600_000);
const overdue = await requestOn(recruiter, other.id, 'human_interviewer', hours(-5), 'I have a hearing impairment.');
const soon = await requestOn(recruiter, assigned.id, 'more_time', hours(3));
const later = await requestOn(recruiter, other.id, 'more_time', hours(30));
const toResolve = await requestOn(recruiter, assigned.id, 'human_interviewer', hours(10));
const autoTyped = await requestOn(recruiter, other.id, 'typed_mode', hours(1)); // granted at once: never open
const inB = await requestOn(adminB, jobB.id, 'more_time', hours(2));

interface Row {
  id: string;
  applicationId: string;
  jobTitle: string;
  type: string;
  hasNote: boolean;
  dueAt: string;
  overdue: boolean;
}
const list = (m: Member | null, query = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/accommodations${query}`, headers: m ? { cookie: m.cookie } : {} });

t.test('open requests of the org, soonest due first, overdue flagged, without notes', async (t) => {
  const res = await list(recruiter, '?status=open');
  t.equal(res.statusCode, 200, res.body);
  const rows = res.json<{ accommodations: Row[]; nextCursor: string | null }>();
  t.same(rows.accommodations.map((r) => r.id), [overdue.id, soon.id, toResolve.id, later.id], 'ordered by due time; the auto-granted typed request and org B are absent');
  t.equal(rows.nextCursor, null);
  t.match(rows.accommodations[0], { applicationId: overdue.applicationId, jobTitle: 'Other job', type: 'human_interviewer', hasNote: true, overdue: true });
  t.same(rows.accommodations.slice(1).map((r) => r.overdue), [false, false, false]);
  t.notMatch(res.body, /hearing impairment/, 'the candidate note stays on the application page');
  t.notOk(rows.accommodations.some((r) => r.id === autoTyped.id || r.id === inB.id));
  t.same((await list(recruiter)).json<{ accommodations: Row[] }>().accommodations.length, 4, 'status defaults to open');
});

t.test('cursor paging walks every open request once, in order', async (t) => {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i += 1) {
    const res = await list(admin, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    t.equal(res.statusCode, 200, res.body);
    const page = res.json<{ accommodations: Row[]; nextCursor: string | null }>();
    seen.push(...page.accommodations.map((r) => r.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  t.same(seen, [overdue.id, soon.id, toResolve.id, later.id]);
});

t.test('tenancy: another org sees only its own; a hiring manager only assigned jobs', async (t) => {
  t.same((await list(adminB)).json<{ accommodations: Row[] }>().accommodations.map((r) => r.id), [inB.id], "B's admin sees B's request only");
  t.same((await list(manager)).json<{ accommodations: Row[] }>().accommodations.map((r) => r.id), [soon.id, toResolve.id], 'assigned job only');
  // A cursor made from A's rows gives B nothing of A's.
  const aCursor = (await list(admin, '?limit=1')).json<{ nextCursor: string }>().nextCursor;
  const bPage = await list(adminB, `?cursor=${aCursor}`);
  t.equal(bPage.statusCode, 200);
  for (const leak of [overdue.id, soon.id, later.id, 'Other job', 'Assigned job']) t.notOk(bPage.body.includes(leak), `no ${leak} in B's page`);
});

t.test('unauthorised and malformed queries are refused with problem details', async (t) => {
  const anon = await list(null);
  t.equal(anon.statusCode, 401);
  t.match(anon.headers['content-type'], /application\/problem\+json/);
  const aud = await list(auditor);
  t.equal(aud.statusCode, 403, 'auditors do not read applications');
  for (const q of ['?status=granted', '?status=', '?limit=0', '?limit=101', '?limit=ten', '?cursor=!!', `?cursor=${Buffer.from('not|a cursor').toString('base64url')}`, `?cursor=${'A'.repeat(201)}`]) {
    const res = await list(recruiter, q);
    t.equal(res.statusCode, 400, `${q} -> 400`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
});

t.test('a resolved request leaves the list; granting more time reports the new call limit', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/accommodations/${soon.id}/resolve`, headers: recruiter.headers, payload: { outcome: 'granted', resolution: 'Take your time.' } });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json(), { id: soon.id, status: 'granted', maxDurationSeconds: 1350 }, 'the 15-minute limit grows by half');
  const declined = await ctx.app.inject({ method: 'POST', url: `/api/v1/accommodations/${toResolve.id}/resolve`, headers: recruiter.headers, payload: { outcome: 'declined', resolution: 'A person will call instead.' } });
  t.same(declined.json(), { id: toResolve.id, status: 'declined', maxDurationSeconds: null });
  t.same((await list(recruiter)).json<{ accommodations: Row[] }>().accommodations.map((r) => r.id), [overdue.id, later.id]);
});
