import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { makeDocx, makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const job = await createJob(ctx, recruiter, { title: 'Staff Engineer' });
const parse = parser(ctx);

t.test('a recruiter creates a job, a candidate applies on the public page, the worker extracts the text, the recruiter sees it', async (t) => {
  const page = await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/${job.slug}` });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.body, /Staff Engineer/);
  t.match(page.body, /AI system assists with screening/);
  t.ok(page.body.includes(`name="noticeVersion" value="${PRIVACY_NOTICE_VERSION}"`), 'the form carries the notice version');
  t.match(page.body, /"@type":"JobPosting"/);
  t.notMatch(page.body, /<script(?![^>]*application\/ld\+json)/, 'no executable script');
  t.notMatch(page.body, /<style|style="/, 'no inline style');
  t.notMatch(String(page.headers['content-security-policy']), /unsafe-inline/);

  const { body, contentType } = multipartBody(
    { name: 'Grace Hopper', email: 'grace@example.test', phone: '+1 555 0100 200', consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, 'demographics.gender': 'female' },
    { filename: 'grace.docx', contentType: 'application/octet-stream', data: makeDocx(SAMPLE_CV_LINES) },
  );
  const applied = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body });
  t.equal(applied.statusCode, 202, applied.body);
  t.same(applied.json(), { status: 'received', noticeVersion: PRIVACY_NOTICE_VERSION });

  const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications`, headers: { cookie: recruiter.cookie } });
  t.equal(list.statusCode, 200);
  const [item] = list.json<{ applications: { id: string; candidateName: string }[] }>().applications;
  t.equal(item?.candidateName, 'Grace Hopper');

  const before = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${item?.id}`, headers: { cookie: recruiter.cookie } });
  const doc = before.json<{ documents: { id: string; parseStatus: string }[] }>().documents[0];
  t.equal(doc?.parseStatus, 'pending');
  t.same(await parse(admin.orgId, doc?.id as string), { status: 'parsed' });
  const after = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${item?.id}`, headers: { cookie: recruiter.cookie } });
  t.equal(after.statusCode, 200);
  const view = after.json<{ candidate: { email: string }; consent: { noticeVersion: string }; documents: { parseStatus: string; text: string }[]; timeline: { type: string }[] }>();
  t.equal(view.candidate.email, 'grace@example.test');
  t.equal(view.consent.noticeVersion, PRIVACY_NOTICE_VERSION);
  t.equal(view.documents[0]?.parseStatus, 'parsed');
  t.match(view.documents[0]?.text, /Led the migration of a billing platform/);
  t.ok(view.timeline.some((e) => e.type === 'consent.recorded'));
  t.ok(view.timeline.some((e) => e.type === 'document.parsed'));
  t.notOk(JSON.stringify(view).includes('female'), 'demographics are never shown');
});

t.test('recruiter upload of a PDF parses to the expected text', async (t) => {
  const res = await uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) });
  t.equal(res.statusCode, 201, res.body);
  const r = res.json<{ applicationId: string; documentId: string }>();
  t.same(await parse(admin.orgId, r.documentId), { status: 'parsed' });
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${r.applicationId}`, headers: { cookie: recruiter.cookie } });
  t.equal(view.json<{ documents: { text: string }[] }>().documents[0]?.text, SAMPLE_CV_LINES.join('\n'));
});

t.test('a decision stores whether it followed the AI as sent: null stays null, true and false as given', async (t) => {
  const res = await uploadCv(ctx, recruiter, job.id);
  t.equal(res.statusCode, 201, res.body);
  const { applicationId } = res.json<{ applicationId: string }>();
  const cases: [string, unknown, boolean | null][] = [
    ['null', null, null],
    ['true', true, true],
    ['false', false, false],
    ['left out', undefined, null],
  ];
  for (const [label, sent, stored] of cases) {
    const payload = { outcome: 'hold', reason: `followedAi ${label}`, ...(sent === undefined ? {} : { followedAi: sent }) };
    const dec = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/decision`, headers: recruiter.headers, payload });
    t.equal(dec.statusCode, 201, `${label}: recorded`);
    const { id, followedAi } = dec.json<{ id: string; followedAi: boolean | null }>();
    t.equal(followedAi, stored, `${label}: the answer says ${String(stored)}`);
    const row = await owner.query<{ followed_ai: boolean | null }>('SELECT followed_ai FROM decisions WHERE id = $1', [id]);
    t.equal(row.rows[0]?.followed_ai, stored, `${label}: the database holds ${String(stored)}`);
    const audit = await owner.query<{ metadata: { followedAi: boolean | null } }>("SELECT metadata FROM audit_events WHERE action = 'application.decided' AND metadata->>'decisionId' = $1", [id]);
    t.equal(audit.rows[0]?.metadata.followedAi, stored, `${label}: so does the audit event`);
  }
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}`, headers: { cookie: recruiter.cookie } });
  t.same(
    view.json<{ decisions: { reason: string; followedAi: boolean | null }[] }>().decisions.map((d) => [d.reason, d.followedAi]).sort(),
    cases.map(([label, , stored]) => [`followedAi ${label}`, stored]).sort(),
    'the application shows each as stored',
  );
  const bad = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/decision`, headers: recruiter.headers, payload: { outcome: 'hold', reason: 'x', followedAi: 'maybe' } });
  t.equal(bad.statusCode, 400, 'anything else is refused');
});
