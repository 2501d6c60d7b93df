// Truthful notices (issue 18 item 4): the apply page, the interview mail and candidate mails
// state the org's configured retention and privacy contact; changing them makes a new notice
// version that consent records; publishing needs a contact; "a person reviews my application
// without AI screening" never reaches the (fake) model, not even through "screen again".
import t from 'tap';
import { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, parser } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createScreeningRunner } from '../../server/modules/screening/service.js';
import { createOpenAiProvider } from '../../server/modules/model-providers/openai.js';
import { simulateScreening } from '../../server/modules/model-providers/simulated.js';
import { createCvScreenProcessor } from '../../worker/processors/cv-screen.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const redis = new Redis(ctx.config.redisUrl.reveal(), { maxRetriesPerRequest: null });
t.teardown(() => redis.disconnect());
const fake = await startFakeOpenAI();
t.teardown(() => fake.close());
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const job = await createJob(ctx, recruiter);
const json = (m: { headers: Record<string, string> }) => ({ ...m.headers, 'content-type': 'application/json' });

const logger = createLogger('silent');
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const provider = createOpenAiProvider({ apiKey: 'sk-test-fake', baseUrl: fake.baseUrl, timeoutMs: 2_000, maxRetries: 1, baseDelayMs: 5 });
const screen = createCvScreenProcessor({
  runner: createScreeningRunner({ db: ctx.db, audit: ctx.audit, keyring, provider, defaultModel: 'gpt-test', logger }),
  redis,
  redisPrefix: ctx.config.redisPrefix,
  logger,
});
const runScreen = (applicationId: string) =>
  screen({ id: `t-${applicationId}`, data: { orgId: admin.orgId, applicationId }, attemptsMade: 0, opts: { attempts: 3 }, moveToDelayed: async () => undefined } as unknown as Job<{ orgId: string; applicationId: string }>);
// The worker's wiring: a parsed CV is handed to the screening queue; here straight to the processor.
const handedToScreening: string[] = [];
const parse = parser(ctx, {
  onParsed: async (_orgId, applicationId) => {
    handedToScreening.push(applicationId);
    await runScreen(applicationId);
  },
});

async function apply(fields: Record<string, string>) {
  const { body, contentType } = multipartBody(
    { name: 'Grace Hopper', email: `grace.${Math.random().toString(36).slice(2)}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, ...fields },
    { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) },
  );
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body });
}
const latestApplication = async (): Promise<{ id: string; documentId: string }> => {
  const { rows } = await owner.query<{ id: string; application_id: string }>('SELECT id, application_id FROM documents WHERE org_id = $1 ORDER BY created_at DESC LIMIT 1', [admin.orgId]);
  return { id: rows[0]?.application_id as string, documentId: rows[0]?.id as string };
};
const revisionOnPage = (html: string): number => Number(/name="noticeRevision" value="(\d+)"/.exec(html)?.[1]);

t.test('the apply notice states the configured retention and privacy contact, and a change makes a new version that consent records', async (t) => {
  let res = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/org/retention', headers: json(admin), payload: { days: 45 } });
  t.equal(res.statusCode, 200, res.body);
  res = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/privacy-contact', headers: json(admin), payload: { email: 'Privacy@Acme.example', url: 'https://acme.example/privacy' } });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json<{ privacyContact: unknown }>().privacyContact, { email: 'privacy@acme.example', url: 'https://acme.example/privacy' });
  const page = await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/${job.slug}` });
  t.equal(page.statusCode, 200);
  t.match(page.body, /keep application data for 45 days after a final decision/, 'the configured retention');
  t.notMatch(page.body, /180 days/, 'not the old hard-coded figure');
  t.match(page.body, /privacy@acme\.example/, 'the privacy contact email');
  t.match(page.body, /https:\/\/acme\.example\/privacy/, 'the privacy contact URL');
  t.match(page.body, /A person reviews my application without AI screening/, 'the AI-free choice is offered');
  const v1 = revisionOnPage(page.body);
  t.ok(v1 >= 1, 'the form carries the notice revision');

  // Changing the retention changes the text: a new version.
  res = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/org/retention', headers: json(admin), payload: { days: 90 } });
  t.equal(res.statusCode, 200);
  const page2 = await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/${job.slug}` });
  const v2 = revisionOnPage(page2.body);
  t.equal(v2, v1 + 1, 'retention change -> version + 1');
  t.match(page2.body, /for 90 days after/);
  // Changing the contact: another version. Viewing again without a change: the same one.
  res = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/privacy-contact', headers: json(admin), payload: { email: 'dpo@acme.example' } });
  t.equal(res.json<{ noticeVersion: number }>().noticeVersion, v2 + 1, 'contact change -> version + 1');
  const page3 = await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/${job.slug}` });
  t.equal(revisionOnPage(page3.body), v2 + 1, 'an unchanged notice keeps its version');
  const versions = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/notice-versions', headers: admin.headers });
  const list = versions.json<{ versions: { version: number; retentionDays: number; contentSha256: string; privacyContact: { email: string | null } }[] }>().versions;
  t.match(list[0], { version: v2 + 1, retentionDays: 90, privacyContact: { email: 'dpo@acme.example' } });
  t.match(list[1], { version: v2, retentionDays: 90 });
  t.equal(new Set(list.map((v) => v.contentSha256)).size, list.length, 'each version has its own content hash');

  // A page read before the change is stale: 422, nothing stored.
  const before = (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE org_id = $1', [admin.orgId])).rows[0]?.n;
  const stale = await apply({ noticeRevision: String(v1) });
  t.equal(stale.statusCode, 422, stale.body);
  t.equal(stale.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(stale.json(), { noticeRevision: v2 + 1 });
  t.equal((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE org_id = $1', [admin.orgId])).rows[0]?.n, before, 'nothing stored');

  const ok = await apply({ noticeRevision: String(v2 + 1) });
  t.equal(ok.statusCode, 202, ok.body);
  t.match(ok.json(), { noticeRevision: v2 + 1, humanReviewOnly: false });
  const { id } = await latestApplication();
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${id}`, headers: recruiter.headers });
  t.match(view.json(), { consent: { noticeVersion: PRIVACY_NOTICE_VERSION, noticeRevision: v2 + 1 }, humanReviewOnly: false }, 'consent stores the version');
});

t.test('candidate mails carry the retention and privacy contact', async (t) => {
  const { id } = await latestApplication();
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/messages`, headers: json(recruiter), payload: { subject: 'Hello', body: 'Thanks for applying.' } });
  t.equal(res.statusCode < 300, true, res.body);
  const body = res.json<{ body: string }>().body;
  t.match(body, /Thanks for applying\./);
  t.match(body, /keeps your application data for 90 days after a final decision/);
  t.match(body, /dpo@acme\.example/);
});

t.test('privacy contact: validated, admin only, and required before a job is published', async (t) => {
  for (const payload of [{}, { email: 'not-an-email' }, { url: 'http://acme.example/privacy' }, { url: 'https://user:pw@acme.example/' }, { url: 'x'.repeat(501) }]) {
    const res = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/privacy-contact', headers: json(admin), payload });
    t.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 60)} -> ${res.body}`);
  }
  const denied = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/privacy-contact', headers: json(recruiter), payload: { email: 'evil@attacker.example' } });
  t.equal(denied.statusCode, 403);
  const now = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/privacy-contact', headers: admin.headers });
  t.match(now.json(), { privacyContact: { email: 'dpo@acme.example' } }, 'nothing changed');

  const fresh = await createOrgWithMember(ctx, 'admin');
  await ctx.db.withTenantTx(fresh.orgId, (tx) => tx.query('DELETE FROM notice_settings'));
  const create = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: json(fresh), payload: { title: 'Analyst', employmentType: 'full_time', status: 'open' } });
  t.equal(create.statusCode, 409, create.body);
  t.equal(create.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(create.json(), { title: 'Privacy contact missing', missing: 'privacyContact' });
  const draft = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: json(fresh), payload: { title: 'Analyst', employmentType: 'full_time' } });
  t.equal(draft.statusCode, 201, 'a draft is fine');
  const publish = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${draft.json<{ id: string }>().id}`, headers: json(fresh), payload: { status: 'open' } });
  t.equal(publish.statusCode, 409, 'publishing a draft is refused too');
  t.equal((await owner.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [draft.json<{ id: string }>().id])).rows[0]?.status, 'draft');
  const set = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/privacy-contact', headers: json(fresh), payload: { url: 'https://fresh.example/privacy' } });
  t.equal(set.statusCode, 200);
  const again = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${draft.json<{ id: string }>().id}`, headers: json(fresh), payload: { status: 'open' } });
  t.equal(again.statusCode, 200, 'with a contact it publishes');
  const other = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/privacy-contact', headers: fresh.headers });
  t.match(other.json(), { privacyContact: { email: null, url: 'https://fresh.example/privacy' } }, 'each org sees its own contact');
});

t.test('an AI-free application never reaches the model, not even when "screen again" is asked', async (t) => {
  fake.reset();
  fake.setFallback({ kind: 'valid', content: (body) => JSON.stringify(simulateScreening(body.messages[1]?.content ?? '')) });
  // Control: an ordinary application is screened through the same path.
  const normal = await apply({});
  t.equal(normal.statusCode, 202);
  const n = await latestApplication();
  t.match(await parse(admin.orgId, n.documentId), { status: 'parsed' });
  t.ok(handedToScreening.includes(n.id), 'the ordinary one is handed to screening');
  t.ok(fake.requests.length > 0, 'and the model was called for it');

  fake.reset();
  const res = await apply({ humanReviewOnly: 'true' });
  t.equal(res.statusCode, 202, res.body);
  t.match(res.json(), { humanReviewOnly: true });
  const a = await latestApplication();
  t.match(await parse(admin.orgId, a.documentId), { status: 'parsed' }, 'the CV is still parsed for the people reviewing it');
  t.notOk(handedToScreening.includes(a.id), 'not handed to screening');
  // A stale queued job (or any other path) reaching the processor does nothing.
  t.match(await runScreen(a.id), { status: 'missing', reason: 'human_review_only' });
  const rescreen = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/screening/rescreen`, headers: json(recruiter), payload: {} });
  t.equal(rescreen.statusCode, 409, rescreen.body);
  t.match(rescreen.json(), { title: 'Human review only', humanReviewOnly: true });
  const jobRescreen = await ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/rescreen`, headers: json(recruiter), payload: {} });
  t.equal(jobRescreen.statusCode < 300, true, jobRescreen.body);
  t.ok(jobRescreen.json<{ humanReviewOnly: number }>().humanReviewOnly >= 1, 'the job re-screen counts it apart');
  const queued = jobRescreen.json<{ applications: { applicationId: string; status: string }[] }>().applications.find((x) => x.applicationId === a.id);
  t.equal(queued?.status, 'human_review_only');
  t.match(await runScreen(a.id), { status: 'missing', reason: 'human_review_only' });
  t.equal(fake.requests.length, 0, 'the fake model received no request for it');
  t.equal((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM screenings WHERE application_id = $1', [a.id])).rows[0]?.n, 0, 'no screening recorded');

  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${a.id}`, headers: recruiter.headers });
  t.match(view.json(), { humanReviewOnly: true }, 'flagged for a human in the API');
  const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications`, headers: recruiter.headers });
  t.equal(list.json<{ applications: { id: string; humanReviewOnly: boolean }[] }>().applications.find((x) => x.id === a.id)?.humanReviewOnly, true, 'and in the list');
  const report = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}`, headers: admin.headers });
  t.equal(report.statusCode, 200, report.body);
  t.equal(report.json<{ totals: { humanReviewOnly: number } }>().totals.humanReviewOnly, 1, 'counted separately in the bias report');

  const bad = await apply({ humanReviewOnly: 'maybe' });
  t.equal(bad.statusCode, 400, 'an unclear choice is refused, not defaulted');
  const badRevision = await apply({ noticeRevision: '1; DROP TABLE x' });
  t.equal(badRevision.statusCode, 400, 'a malformed revision is a 400');
});
