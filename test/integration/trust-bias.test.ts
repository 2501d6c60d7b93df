// issue 23: the trust page's bias line, broken with real data. Candidates apply with voluntary
// demographics on the public page and members decide through the API: a biased set of
// decisions turns exactly the bias line to failing (org page and install page), and more fair
// decisions bring it back. Only aggregates appear: no applicant, no answer.
import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { wireTrust } from '../../server/modules/trust/wire.js';
import { createJob } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const slug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const trust = wireTrust({ db: ctx.db, config: ctx.config, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), clock: () => new Date(), logger: createLogger('silent'), audit: ctx.audit });

let ip = 0;
async function apply(jobSlug: string, demographics: Record<string, string>): Promise<void> {
  ip += 1;
  const fields: Record<string, string> = { name: `Applicant ${ip}`, email: `applicant${ip}.${Date.now()}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION };
  for (const [k, v] of Object.entries(demographics)) fields[`demographics.${k}`] = v;
  const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slug}/${jobSlug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.2.${Math.floor(ip / 250)}.${ip % 250}` });
  if (res.statusCode !== 202) throw new Error(`apply: ${res.statusCode} ${res.body}`);
}
async function pendingIds(m: Member, jobId: string): Promise<string[]> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}/applications?limit=100`, headers: { cookie: m.cookie } });
  return res
    .json<{ applications: { id: string; createdAt: string; stage: { kind: string } }[] }>()
    .applications.filter((a) => a.stage.kind === 'new')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((a) => a.id);
}
async function decide(id: string, outcome: 'advance' | 'reject'): Promise<void> {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/decision`, headers: recruiter.headers, payload: { outcome, reason: `trust test: ${outcome}` } });
  if (res.statusCode !== 201) throw new Error(`decide: ${res.statusCode} ${res.body}`);
}
async function advance(id: string): Promise<void> {
  await decide(id, 'advance');
  await decide(id, 'advance');
}
async function statuses(): Promise<Record<string, string>> {
  await trust.run({ force: true });
  return Object.fromEntries((await trust.installDocument()).lines.map((l) => [l.id, l.status]));
}
async function orgBiasLine() {
  return (await trust.orgDocument(slug))?.lines.find((l) => l.id === 'bias');
}

const job = await createJob(ctx, recruiter, { title: 'Analyst' });
for (let i = 0; i < 5; i++) await apply(job.slug, { gender: 'female', ethnicity: 'asian' });
for (let i = 0; i < 5; i++) await apply(job.slug, { gender: 'male', ethnicity: 'white' });

t.test('bias: biased decisions flip exactly the bias line, fair ones bring it back', async (t) => {
  const before = await statuses();
  t.equal(before.bias, 'pass', 'no decisions yet: nothing to compare');
  const [w0, w1, w2, w3, w4, m0, m1, m2, m3, m4] = await pendingIds(recruiter, job.id);
  await advance(w0 as string);
  for (const id of [w1, w2, w3, w4]) await decide(id as string, 'reject');
  for (const id of [m0, m1, m2, m3]) await advance(id as string);
  await decide(m4 as string, 'reject');
  const broken = await statuses();
  t.same(Object.keys(broken).filter((k) => broken[k] !== before[k]), ['bias'], 'only the bias line changed');
  t.equal(broken.bias, 'fail');
  const line = await orgBiasLine();
  t.equal(line?.status, 'fail');
  t.equal(line?.evidence.worstImpactRatio, 0.25, 'women advanced at a quarter of the men\'s rate');
  t.match(line?.summary, /below the impact-ratio threshold 0.8/);

  // Eight more women, all advanced: 9 of 13 against 4 of 5 men (ratio 0.87).
  for (let i = 0; i < 8; i++) await apply(job.slug, { gender: 'female', ethnicity: 'asian' });
  for (const id of await pendingIds(recruiter, job.id)) await advance(id);
  const back = await statuses();
  t.same(Object.keys(back).filter((k) => back[k] !== before[k]), [], 'back to where it was');
  const fixed = await orgBiasLine();
  t.equal(fixed?.status, 'pass');
  t.ok(Number(fixed?.evidence.worstImpactRatio) >= 0.8);
  const json = JSON.stringify(await trust.installDocument());
  t.notMatch(json, /Applicant \d|example\.test|female|asian/, 'the install page holds aggregates only');
});
