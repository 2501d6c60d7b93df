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
  t.same(page.body.match(/<script(?![^>]*application\/ld\+json)[^>]*>/g), ['<script src="/assets/tz.js" defer>'], 'no inline script: the only executable one is the external time-zone script');
  t.notMatch(page.body, /<style|style="/, 'no inline style');
  t.notMatch(String(page.headers['content-security-policy']), /unsafe-inline/);

  const { body, contentType } = multipartBody(
    { name: 'Grace Hopper', email: 'grace@example.test', phone: '+1 555 0100 200', consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, 'demographics.gender': 'female' },
    { filename: 'grace.docx', contentType: 'application/octet-stream', data: makeDocx(SAMPLE_CV_LINES) },
  );
  const applied = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body });
  t.equal(applied.statusCode, 202, applied.body);
  t.match(applied.json(), { status: 'received', noticeVersion: PRIVACY_NOTICE_VERSION, humanReviewOnly: false });

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

t.test('"followed the AI" is derived from the latest AI recommendation and the outcome; a client-sent flag is ignored', async (t) => {
  async function withRecommendation(recommendation: string | null, generations: string[] = []): Promise<string> {
    const res = await uploadCv(ctx, recruiter, job.id);
    t.equal(res.statusCode, 201, res.body);
    const { applicationId, documentId } = res.json<{ applicationId: string; documentId: string }>();
    // Completed screenings as the cv-screen processor leaves them; the latest one counts.
    for (const [i, rec] of [...generations, ...(recommendation ? [recommendation] : [])].entries()) {
      await owner.query(
        `INSERT INTO screenings (org_id, application_id, job_id, document_id, criteria_version, generation, status, recommendation, completed_at)
         VALUES ($1, $2, $3, $4, 1, $5::int, 'completed', $6, now() + make_interval(secs => $5::int))`,
        [admin.orgId, applicationId, job.id, documentId, i + 1, rec],
      );
    }
    return applicationId;
  }
  const decide = (applicationId: string, payload: Record<string, unknown>) =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/decision`, headers: recruiter.headers, payload });
  const cases: [string, string | null, 'advance' | 'reject' | 'hire' | 'hold', boolean | null, unknown][] = [
    ['advance after "advance" followed it', 'advance', 'advance', true, false],
    ['reject after "advance" departed from it', 'advance', 'reject', false, true],
    ['hire after "advance" followed it', 'advance', 'hire', true, undefined],
    ['reject after "not_advance" followed it', 'not_advance', 'reject', true, null],
    ['advance after "not_advance" departed from it', 'not_advance', 'advance', false, undefined],
    ['"review" is not applicable', 'review', 'reject', null, true],
    ['no screening is not applicable', null, 'advance', null, true],
    ['a hold is not applicable', 'advance', 'hold', null, undefined],
  ];
  for (const [label, rec, outcome, expected, sent] of cases) {
    const applicationId = await withRecommendation(rec);
    // An older client may still send followedAi: it keeps working, the value is ignored.
    const dec = await decide(applicationId, { outcome, reason: `note: ${label}`, ...(sent === undefined ? {} : { followedAi: sent }) });
    t.equal(dec.statusCode, 201, `${label}: recorded ${dec.body}`);
    const body = dec.json<{ id: string; followedAi: boolean | null; aiRecommendation: string | null; reason: string }>();
    t.equal(body.followedAi, expected, `${label}: derived ${String(expected)} whatever the client sent (${String(sent)})`);
    t.equal(body.aiRecommendation, rec, `${label}: the recommendation is kept beside it`);
    t.equal(body.reason, `note: ${label}`, 'the recruiter\'s text stays as the note');
    const row = await owner.query<{ followed_ai: boolean | null; ai_recommendation: string | null }>('SELECT followed_ai, ai_recommendation FROM decisions WHERE id = $1', [body.id]);
    t.same(row.rows[0], { followed_ai: expected, ai_recommendation: rec });
    const audit = await owner.query<{ metadata: { followedAi: boolean | null } }>("SELECT metadata FROM audit_events WHERE action = 'application.decided' AND metadata->>'decisionId' = $1", [body.id]);
    t.equal(audit.rows[0]?.metadata.followedAi, expected, `${label}: so does the audit event`);
  }
  // The latest screening decides: "not_advance" then "advance" -> advancing follows it.
  const rescreened = await withRecommendation('advance', ['not_advance']);
  t.equal((await decide(rescreened, { outcome: 'advance', reason: 'after a re-screen' })).json<{ followedAi: boolean | null }>().followedAi, true);
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${rescreened}`, headers: { cookie: recruiter.cookie } });
  t.match(view.json<{ decisions: unknown[] }>().decisions, [{ followedAi: true, aiRecommendation: 'advance' }]);
  const bad = await decide(rescreened, { outcome: 'maybe', reason: 'x' });
  t.equal(bad.statusCode, 400, 'a malformed decision is still refused');
});
