// issue 14, M1: apply rates per job and per org (429 problem+json with Retry-After,
// nothing stored), refusals before extraction and the one-retry rule for resource failures.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { countRows, createJob, HIRING_TABLES, parser, uploadCv } from '../fixtures/hiring.js';
import { makeDocx, makeManyPagePdf, makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { ExtractionError } from '../../server/modules/documents/extract.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';

const ctx = await buildTestApp(t, { env: { APPLY_RATE_PER_JOB_HOUR: '2', APPLY_RATE_PER_ORG_HOUR: '4' } });
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const other = await createOrgWithMember(ctx, 'admin');
const jobA = await createJob(ctx, admin);
const jobB = await createJob(ctx, admin, { title: 'Frontend Engineer' });
const otherJob = await createJob(ctx, other);
const slugOf = async (m: Member): Promise<string> => (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [m.orgId])).rows[0]?.slug as string;
const slug = await slugOf(admin);
const otherSlug = await slugOf(other);
const parse = parser(ctx);

let n = 0;
function apply(orgSlug: string, jobSlug: string) {
  n += 1;
  const { body, contentType } = multipartBody(
    { name: 'Applicant', email: `applicant${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION },
    { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf([...SAMPLE_CV_LINES, `variant ${n}`]) },
  );
  // A new address each time: the per-IP limit is not what is tested here.
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${jobSlug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.7.0.${n}` });
}

t.test('apply rate per job and per org: 429 problem+json with Retry-After, nothing stored; other orgs unaffected', async (t) => {
  t.equal((await apply(slug, jobA.slug)).statusCode, 202);
  t.equal((await apply(slug, jobA.slug)).statusCode, 202);
  let before = await countRows(owner, HIRING_TABLES);
  const overJob = await apply(slug, jobA.slug);
  t.equal(overJob.statusCode, 429, 'third application to one job in the hour');
  t.match(String(overJob.headers['content-type']), /^application\/problem\+json/);
  t.ok(Number(overJob.headers['retry-after']) >= 1 && Number(overJob.headers['retry-after']) <= 3600, `Retry-After: ${overJob.headers['retry-after']}`);
  t.match(overJob.json<{ detail: string }>().detail, /job is receiving too many applications/);
  t.same(await countRows(owner, HIRING_TABLES), before, 'nothing stored');

  t.equal((await apply(slug, jobB.slug)).statusCode, 202, 'another job of the org still takes applications');
  before = await countRows(owner, HIRING_TABLES);
  const overOrg = await apply(slug, jobB.slug);
  t.equal(overOrg.statusCode, 429, 'the org is over its hourly rate');
  t.match(overOrg.json<{ detail: string }>().detail, /organisation is receiving too many applications/);
  t.ok(Number(overOrg.headers['retry-after']) >= 1);
  t.same(await countRows(owner, HIRING_TABLES), before, 'nothing stored');

  t.equal((await apply(otherSlug, otherJob.slug)).statusCode, 202, 'another org is not affected');
});

t.test('a PDF over the page cap is refused before extraction, once, with the reason on the timeline', async (t) => {
  const res = await uploadCv(ctx, admin, jobA.id, {}, { filename: 'long.pdf', contentType: 'application/pdf', data: makeManyPagePdf(51, 'cap') });
  t.equal(res.statusCode, 201);
  const r = res.json<{ applicationId: string; documentId: string }>();
  await t.rejects(parse(admin.orgId, r.documentId, 0, 5), { name: 'UnrecoverableError', message: 'refused: too_many_pages' }, 'permanent on the first attempt');
  const view = (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${r.applicationId}`, headers: { cookie: admin.cookie } })).json<{
    documents: { parseStatus: string; parseError: string; parseAttempts: number }[];
    timeline: { type: string; data: Record<string, unknown> }[];
  }>();
  t.match(view.documents[0], { parseStatus: 'failed', parseError: 'refused: too_many_pages', parseAttempts: 1 });
  t.match(view.timeline.find((e) => e.type === 'document.refused')?.data, { reason: 'too_many_pages', pages: 51, maxPages: 50, candidateMessage: /shorter version/ });
  const audit = await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND action = 'document.refused'", [admin.orgId]);
  t.equal(audit.rows[0]?.n, 1, 'audited');

  const atCap = await uploadCv(ctx, admin, jobA.id, {}, { filename: 'ok.pdf', contentType: 'application/pdf', data: makeManyPagePdf(50, 'at cap') });
  t.same(await parse(admin.orgId, atCap.json<{ documentId: string }>().documentId), { status: 'parsed' }, 'exactly at the cap is parsed');
});

t.test('a stored DOCX or file over the caps is refused before a thread starts', async (t) => {
  const res = await uploadCv(ctx, admin, jobA.id, {}, { filename: 'cv.docx', contentType: 'application/octet-stream', data: makeDocx(SAMPLE_CV_LINES) });
  const r = res.json<{ documentId: string }>();
  let threads = 0;
  const small = parser(ctx, { limits: { maxBytes: 100 }, extract: async () => ((threads += 1), Promise.reject(new Error('must not run'))) });
  await t.rejects(small(admin.orgId, r.documentId, 0, 5), { name: 'UnrecoverableError', message: 'refused: too_large' });
  t.equal(threads, 0, 'the extractor never ran');
  const row = (await owner.query('SELECT parse_status, parse_error FROM documents WHERE id = $1', [r.documentId])).rows[0];
  t.same(row, { parse_status: 'failed', parse_error: 'refused: too_large' });
});

t.test('running out of time or memory is permanent after at most one retry', async (t) => {
  for (const [reason, permanent] of [
    ['timeout', false],
    ['extractor_exited: 1', false],
    ['memory_limit', true],
  ] as const) {
    const res = await uploadCv(ctx, admin, jobB.id, {}, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(`${SAMPLE_CV_LINES.join('\n')}\n${reason}`) });
    const { documentId } = res.json<{ documentId: string }>();
    const stuck = parser(ctx, { extract: async () => Promise.reject(new ExtractionError(reason, permanent)) });
    if (!permanent) {
      const first = await stuck(admin.orgId, documentId, 0, 5).catch((err: Error) => err);
      t.equal((first as Error).name, 'ExtractionError', `${reason}: the first attempt may retry`);
    }
    await t.rejects(stuck(admin.orgId, documentId, permanent ? 0 : 1, 5), { name: 'UnrecoverableError' }, `${reason}: no further retry (of 5 attempts)`);
    const row = (await owner.query('SELECT parse_status, parse_error FROM documents WHERE id = $1', [documentId])).rows[0];
    t.same(row, { parse_status: 'failed', parse_error: reason });
  }
});
