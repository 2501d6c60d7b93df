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
import { countRoundTrips } from '../support/round-trips.js';

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

t.test('a refused application is refused before its upload is read and without touching the database', async (t) => {
  // The cap of the first test is used up for this minute (unless the minute turned): fill it again if needed.
  const cap = burstLimit(PER_HOUR);
  for (let i = 0; i < cap + 1; i++) if ((await apply(job.slug)).statusCode === 429) break;
  // A body the multipart parser rejects (400) if it ever reads it.
  const garbage = () =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/public/jobs/${slug}/${job.slug}/apply`,
      headers: { 'content-type': 'multipart/form-data; boundary=nothing-like-this' },
      payload: Buffer.from('--not-the-boundary\r\nthis is not a form\r\n'),
      remoteAddress: `10.8.0.${++n & 255}`,
    });
  const counted = await countRoundTrips(garbage);
  t.equal(counted.result.statusCode, 429, 'the limiter answered, not the parser (which would answer 400)');
  t.match(String(counted.result.headers['content-type']), /^application\/problem\+json/);
  t.equal(counted.roundTrips, 0, `no database round trip for a refused application (${counted.statements.join('; ')})`);
});

t.test('a job closed while the limiter remembers it is refused with 404 once the limiter lets a request through', async (t) => {
  const late = await createJob(ctx, admin, { title: 'Data Engineer' });
  t.equal((await apply(late.slug)).statusCode, 202);
  await owner.query("UPDATE jobs SET status = 'closed' WHERE id = $1", [late.id]);
  const res = await apply(late.slug);
  t.equal(res.statusCode, 404, 'the job is read again before the application is taken');
  t.match(String(res.headers['content-type']), /^application\/problem\+json/);
});
