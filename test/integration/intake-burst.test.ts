// Issue 19 floods: a flood of applications from many addresses used to spend a job's whole
// hourly allowance (APPLY_RATE_PER_JOB_HOUR) in seconds, forcing that many CV parses at once.
// A per-minute cap per job (a twelfth of the hourly rate, at least 10) now refuses the
// surplus with 429 problem+json and stores nothing; other jobs keep taking applications.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { countRows, createJob, HIRING_TABLES } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { burstLimit } from '../../server/modules/public/limits.js';

const PER_HOUR = 240;
// APPLY_BURST_PER_JOB_MINUTE empty (test/helper.ts sets a high one for other tests): the
// production default, a cap derived from the hourly rate.
const ctx = await buildTestApp(t, { env: { APPLY_RATE_PER_JOB_HOUR: String(PER_HOUR), APPLY_RATE_PER_ORG_HOUR: '10000', APPLY_BURST_PER_JOB_MINUTE: '' } });
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const otherJob = await createJob(ctx, admin, { title: 'Frontend Engineer' });
const slug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const pdf = makePdf(SAMPLE_CV_LINES);

let n = 0;
function apply(jobSlug: string) {
  n += 1;
  const { body, contentType } = multipartBody({ name: 'Applicant', email: `burst${n}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION }, { filename: 'cv.pdf', contentType: 'application/pdf', data: pdf });
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slug}/${jobSlug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.9.${n >> 8}.${n & 255}` });
}

t.test('burst cap: a twelfth of the hourly rate per minute, at least 10', async (t) => {
  t.equal(burstLimit(120), 10);
  t.equal(burstLimit(240), 20);
  t.equal(burstLimit(2), 10, 'small hourly rates are limited by the hour, not the minute');
});

t.test('applications from many addresses beyond the per-minute cap: 429, nothing stored; other jobs unaffected', async (t) => {
  // A minute boundary in the middle would reset the count; start just after one if close.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
  const cap = burstLimit(PER_HOUR);
  for (let i = 0; i < cap; i++) t.equal((await apply(job.slug)).statusCode, 202, `application ${i + 1} of ${cap}`);
  const before = await countRows(owner, HIRING_TABLES);
  const over = await apply(job.slug);
  t.equal(over.statusCode, 429);
  t.match(String(over.headers['content-type']), /^application\/problem\+json/);
  t.ok(Number(over.headers['retry-after']) >= 1 && Number(over.headers['retry-after']) <= 60, `Retry-After: ${over.headers['retry-after']}`);
  t.match(over.json<{ detail: string }>().detail, /try again in a minute/);
  t.same(await countRows(owner, HIRING_TABLES), before, 'nothing stored');
  t.equal((await apply(otherJob.slug)).statusCode, 202, 'another job still takes applications');
});
