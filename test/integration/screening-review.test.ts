// Oversight of AI-assisted outcomes through the real HTTP entry points, Postgres and Redis:
// explicit rescreening after a criteria change (stale flag, history kept, the cv-screen job
// enqueued, AI pause respected), the candidate's explanation (JSON and text, audited as an
// export), contest links and the public contest page (single use, expiring, rate-limited,
// reason encrypted), contests relayed by a member, and resolving the review task; with
// malformed, oversized, unauthorised and cross-tenant requests. The last test runs the
// real worker on the queued rescreens.
import t from 'tap';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { bullPrefix, QUEUES } from '../../server/core/queues.js';
import { createScreeningRunner } from '../../server/modules/screening/service.js';
import { rescreenJobId } from '../../server/core/queue-jobs.js';
import { createSimulatedProvider } from '../../server/modules/model-providers/simulated.js';
import { startWorkers } from '../../worker/worker.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const queue = new Queue(QUEUES.cvScreen, { connection: ctx.redis, prefix: bullPrefix(ctx.config.redisPrefix) });
t.teardown(() => queue.close());
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const manager = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
const other = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter);
const parse = parser(ctx);
const runner = createScreeningRunner({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  provider: createSimulatedProvider(),
  defaultModel: 'gpt-test',
  logger: createLogger('silent'),
});

async function applyWith(text: string, fields: Record<string, string>): Promise<string> {
  const res = await uploadCv(ctx, recruiter, job.id, fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(text, 'utf8') });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`upload ${res.statusCode} ${res.body}`);
  const { applicationId, documentId } = res.json<{ applicationId: string; documentId: string }>();
  const parsed = await parse(admin.orgId, documentId);
  if (parsed.status !== 'parsed') throw new Error(`parse ${JSON.stringify(parsed)}`);
  return applicationId;
}

const cv = (name: string, email: string) =>
  `${name}\n${email}\n\nExperience\n6 years of TypeScript services at Northwind (contact ${email})\nDesigned Postgres schemas for billing\nKubernetes operations on call`;
const appA = await applyWith(cv('Jane Doe', 'jane.review@doe.example'), { name: 'Jane Doe', email: 'jane.review@doe.example' });
const appB = await applyWith(cv('Ali Khan', 'ali.review@khan.example'), { name: 'Ali Khan', email: 'ali.review@khan.example' });
const appC = await applyWith(cv('Mei Lin', 'mei.review@lin.example'), { name: 'Mei Lin', email: 'mei.review@lin.example' });
for (const a of [appA, appB, appC]) {
  const out = await runner.screen(admin.orgId, a);
  if (out.status !== 'completed') throw new Error(`screen ${JSON.stringify(out)}`);
}
// An application in another org, for cross-tenant checks.
const otherJob = await createJob(ctx, other);
const otherUpload = await uploadCv(ctx, other, otherJob.id, { name: 'Zed Other', email: 'zed@other.example' }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from('Zed\nTypeScript', 'utf8') });
const otherApp = otherUpload.json<{ applicationId: string }>().applicationId;

interface ScreeningView {
  stale: boolean;
  staleReason: string | null;
  jobCriteriaVersion: number;
  latest: { id: string; status: string; criteriaVersion: number; generation: number; promptVersion: string | null; requestedBy: string | null } | null;
  history: { id: string; status: string; criteriaVersion: number; promptVersion: string | null }[];
}
const view = async (applicationId: string): Promise<ScreeningView> => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/screening`, headers: { cookie: recruiter.cookie } });
  if (res.statusCode !== 200) throw new Error(`view ${res.statusCode} ${res.body}`);
  return res.json<ScreeningView>();
};
const changeCriteria = async (extra: string) => {
  const res = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    headers: recruiter.headers,
    payload: {
      criteria: [
        { name: 'TypeScript', description: 'Production TypeScript', weight: 3, mustHave: true },
        { name: 'Postgres', description: 'Schema design', weight: 2, mustHave: false },
        { name: extra, description: `${extra} in production`, weight: 1, mustHave: false },
      ],
    },
  });
  if (res.statusCode !== 200) throw new Error(`patch ${res.statusCode} ${res.body}`);
};
const post = (m: typeof recruiter | null, url: string, payload?: unknown, extraHeaders: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, headers: { ...(m ? m.headers : {}), ...extraHeaders }, ...(payload === undefined ? {} : { payload: payload as object }) });
const auditCount = async (action: string): Promise<number> =>
  (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND action = $2', [admin.orgId, action])).rows[0]?.n ?? 0;

t.test('a criteria change marks the screening stale but does not redo it; an explicit rescreen queues a new generation and keeps history', async (t) => {
  const before = await view(appA);
  t.equal(before.stale, false);
  t.equal(before.latest?.criteriaVersion, 1);
  await changeCriteria('Kubernetes');
  const after = await view(appA);
  t.equal(after.stale, true, 'stale after the criteria change');
  t.match(after.staleReason, /criteria changed \(version 1 -> 2\)/);
  t.equal(after.latest?.id, before.latest?.id, 'the old screening was not silently redone');
  t.equal((await owner.query("SELECT count(*)::int AS n FROM screenings WHERE application_id = $1", [appA])).rows[0].n, 1, 'no new screening row without a request');

  const res = await post(recruiter, `/api/v1/applications/${appA}/screening/rescreen`);
  t.equal(res.statusCode, 202, res.body);
  const body = res.json<{ status: string; screeningId: string; criteriaVersion: number; generation: number; previousScreeningId: string; waitingFor: string | null }>();
  t.match(body, { status: 'queued', criteriaVersion: 2, generation: 1, previousScreeningId: before.latest?.id, waitingFor: null });
  const queued = await queue.getJob(rescreenJobId(appA, body.screeningId));
  t.ok(queued, 'a cv-screen job was enqueued');
  t.same(queued?.data, { orgId: admin.orgId, applicationId: appA }, 'payload carries ids only');

  const pending = await view(appA);
  t.equal(pending.latest?.status, 'pending');
  t.equal(pending.latest?.requestedBy, recruiter.userId);
  t.equal(pending.history[0]?.id, before.latest?.id, 'the earlier screening is kept as history');

  const out = await runner.screen(admin.orgId, appA);
  t.match(out, { status: 'completed', screeningId: body.screeningId }, 'the worker screens the requested generation');
  const done = await view(appA);
  t.equal(done.stale, false);
  t.equal(done.latest?.criteriaVersion, 2);
  t.equal(done.history.length, 1);
  t.match(done.history[0], { criteriaVersion: 1, status: 'completed', promptVersion: /^[0-9a-f]{16}$/ }, 'history shows criteria and prompt versions');
  t.equal(await auditCount('screening.rescreen_requested'), 1, 'audited');
  const ev = await owner.query("SELECT actor_id FROM application_events WHERE application_id = $1 AND type = 'screening.rescreen_requested'", [appA]);
  t.equal(ev.rows[0]?.actor_id, recruiter.userId, 'on the timeline');
});

t.test('a repeated rescreen while one is queued returns the queued one; a rescreen with unchanged criteria adds a generation', async (t) => {
  const first = (await post(admin, `/api/v1/applications/${appA}/screening/rescreen`)).json<{ status: string; screeningId: string; generation: number }>();
  t.match(first, { status: 'queued', generation: 2 });
  const second = (await post(admin, `/api/v1/applications/${appA}/screening/rescreen`)).json<{ status: string; screeningId: string }>();
  t.match(second, { status: 'already_queued', screeningId: first.screeningId });
  t.match(await runner.screen(admin.orgId, appA), { status: 'completed', screeningId: first.screeningId });
  t.equal((await view(appA)).history.length, 2);
});

t.test('with AI paused a rescreen waits with the reason and completes after resume (nothing lost)', async (t) => {
  const pause = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { paused: true, pausedReason: 'review of the model' } });
  t.equal(pause.statusCode, 200);
  const res = (await post(recruiter, `/api/v1/applications/${appB}/screening/rescreen`)).json<{ status: string; screeningId: string; waitingFor: string }>();
  t.match(res, { status: 'queued', waitingFor: 'ai_paused' });
  t.match(await runner.screen(admin.orgId, appB), { status: 'waiting', screeningId: res.screeningId });
  t.equal((await view(appB)).latest?.status, 'waiting');
  await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { paused: false } });
  t.match(await runner.screen(admin.orgId, appB), { status: 'completed', screeningId: res.screeningId });
});

t.test('rescreening a job queues only stale applications by default, all with onlyStale false', async (t) => {
  await changeCriteria('Terraform');
  const res = await post(recruiter, `/api/v1/jobs/${job.id}/rescreen`, {});
  t.equal(res.statusCode, 202, res.body);
  const body = res.json<{ queued: number; alreadyQueued: number; upToDate: number; criteriaVersion: number; applications: { applicationId: string; status: string; screeningId: string }[] }>();
  t.match(body, { queued: 3, alreadyQueued: 0, upToDate: 0, criteriaVersion: 3 });
  for (const a of body.applications) t.ok(await queue.getJob(rescreenJobId(a.applicationId, a.screeningId)), `job enqueued for ${a.applicationId}`);
  const again = (await post(recruiter, `/api/v1/jobs/${job.id}/rescreen`)).json<{ queued: number; alreadyQueued: number }>();
  t.match(again, { queued: 0, alreadyQueued: 3 }, 'no duplicates');
  for (const a of [appA, appB, appC]) t.match(await runner.screen(admin.orgId, a), { status: 'completed' });
  t.match((await post(recruiter, `/api/v1/jobs/${job.id}/rescreen`, { onlyStale: true })).json(), { queued: 0, upToDate: 3 });
  t.match((await post(recruiter, `/api/v1/jobs/${job.id}/rescreen`, { onlyStale: false })).json(), { queued: 3 });
  for (const a of [appA, appB, appC]) await runner.screen(admin.orgId, a);
  t.equal(await auditCount('screening.job_rescreen_requested'), 4);
});

t.test('rescreen access: roles, sessions, other orgs, malformed and oversized input', async (t) => {
  const rows = async () => (await owner.query('SELECT count(*)::int AS n FROM screenings')).rows[0].n as number;
  const before = await rows();
  for (const url of [`/api/v1/applications/${appC}/screening/rescreen`, `/api/v1/jobs/${job.id}/rescreen`]) {
    t.equal((await post(manager, url)).statusCode, 403, `hiring manager: ${url}`);
    t.equal((await post(auditor, url)).statusCode, 403, `auditor: ${url}`);
    t.equal((await post(null, url)).statusCode, 401, `no session: ${url}`);
    t.equal((await post(recruiter, url, undefined, { 'x-csrf-token': 'wrong' })).statusCode, 403, `bad csrf: ${url}`);
  }
  t.equal((await post(other, `/api/v1/applications/${appC}/screening/rescreen`)).statusCode, 404, 'another org: application');
  t.equal((await post(other, `/api/v1/jobs/${job.id}/rescreen`)).statusCode, 404, 'another org: job');
  t.equal((await post(recruiter, `/api/v1/applications/${otherApp}/screening/rescreen`)).statusCode, 404, "other org's application from here");
  t.equal((await post(recruiter, '/api/v1/applications/not-a-uuid/screening/rescreen')).statusCode, 400);
  t.equal((await post(recruiter, `/api/v1/jobs/${job.id}/rescreen`, { onlyStale: 'perhaps' })).statusCode, 400);
  t.equal((await post(recruiter, `/api/v1/jobs/${job.id}/rescreen`, { onlyStale: true, pad: 'x'.repeat(1_100_000) })).statusCode, 413);
  t.equal(await rows(), before, 'nothing was queued by refused requests');
});

t.test('the explanation shows criteria, evidence from the own CV, scores, the advisory AI recommendation and the human decision', async (t) => {
  const decided = await post(recruiter, `/api/v1/applications/${appA}/decision`, { outcome: 'reject', reason: 'Another candidate had more Terraform experience', followedAi: false });
  t.equal(decided.statusCode, 201, decided.body);
  const before = await auditCount('candidate.explanation_exported');
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${appA}/explanation`, headers: { cookie: recruiter.cookie } });
  t.equal(res.statusCode, 200, res.body);
  const e = res.json<{
    aiAssisted: boolean;
    advisoryNotice: string;
    screening: { aiRecommendationIsAdvisory: boolean; aiRecommendation: string; criteriaVersion: number; criteria: { name: string; score: number; maxScore: number; evidence: { quote: string; foundInCv: boolean }[] }[] };
    decision: { outcome: string; reason: string; decidedAt: string; decidedBy: { role: string }; followedAiRecommendation: boolean | null };
  }>();
  t.equal(e.aiAssisted, true);
  t.match(e.advisoryNotice, /advisory only: a person/);
  t.equal(e.screening.aiRecommendationIsAdvisory, true);
  t.equal(e.screening.criteriaVersion, 3);
  t.same(e.screening.criteria.map((c) => c.name), ['TypeScript', 'Postgres', 'Terraform']);
  const ts = e.screening.criteria[0];
  t.ok(ts && ts.score >= 1 && ts.maxScore === 4, 'score per criterion');
  const quotes = e.screening.criteria.flatMap((c) => c.evidence.map((q) => q.quote)).join('\n');
  t.match(quotes, /jane\.review@doe\.example/, "evidence is the candidate's own CV text, un-redacted");
  t.notMatch(quotes, /\[EMAIL_\d+\]/, 'no placeholders');
  // Derived from the recommendation shown (a client-sent followedAi is ignored): rejecting follows "not_advance", departs from "advance".
  const derived = e.screening.aiRecommendation === 'advance' ? false : e.screening.aiRecommendation === 'not_advance' ? true : null;
  t.match(e.decision, { outcome: 'reject', reason: 'Another candidate had more Terraform experience', decidedBy: { role: 'recruiter' } });
  t.equal(e.decision.followedAiRecommendation, derived);
  t.equal(await auditCount('candidate.explanation_exported'), before + 1, 'audited as an export');

  const text = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${appA}/explanation?format=text`, headers: { cookie: admin.cookie } });
  t.equal(text.statusCode, 200);
  t.match(text.headers['content-type'], /^text\/markdown/);
  t.match(text.body, /advisory only/);
  t.match(text.body, /### TypeScript \(required\)\n- Score: \d of 4/);
  t.match(text.body, /Decision: reject, made by a recruiter \(a person\) on \d{4}-\d{2}-\d{2}/);
  t.match(text.body, /Reason given: Another candidate had more Terraform experience/);
  if (derived === false) t.match(text.body, /did not follow the AI recommendation/);
  else if (derived === true) t.match(text.body, /The decision followed the AI recommendation/);
  else t.notMatch(text.body, /follow(ed)? the AI recommendation/);
  t.match(text.body, /SIMULATED AI/, 'simulated output is labelled');
});

t.test('explanation access: roles, sessions, other orgs, malformed', async (t) => {
  const url = `/api/v1/applications/${appA}/explanation`;
  t.equal((await ctx.app.inject({ method: 'GET', url, headers: { cookie: manager.cookie } })).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'GET', url, headers: { cookie: auditor.cookie } })).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'GET', url })).statusCode, 401);
  t.equal((await ctx.app.inject({ method: 'GET', url, headers: { cookie: other.cookie } })).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'GET', url: `${url}?format=pdf`, headers: { cookie: recruiter.cookie } })).statusCode, 400);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/applications/123/explanation', headers: { cookie: recruiter.cookie } })).statusCode, 400);
});

let linkToken = '';
t.test('a contest link opens a strict-CSP page; the candidate contests once; a review task is opened, encrypted, on the timeline and audited', async (t) => {
  const link = await post(recruiter, `/api/v1/applications/${appA}/contest-link`);
  t.equal(link.statusCode, 201, link.body);
  const l = link.json<{ url: string; expiresAt: string; messageText: string }>();
  const m = /\/contest\/([A-Za-z0-9_-]{43})$/.exec(l.url);
  t.ok(m, l.url);
  linkToken = m?.[1] as string;
  t.match(l.messageText, l.url);
  const stored = await owner.query('SELECT token_hash FROM contest_links WHERE application_id = $1', [appA]);
  t.equal(stored.rowCount, 1);
  t.notOk(stored.rows[0].token_hash.toString('utf8').includes(linkToken), 'only a hash is stored');

  const page = await ctx.app.inject({ method: 'GET', url: `/contest/${linkToken}`, remoteAddress: '10.0.0.1' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.body, /<form method="post" action="\/contest\//);
  t.match(page.body, /Backend Engineer/);
  t.notMatch(page.body, /<script|style=|<style/, 'no inline script or style');
  const csp = String(page.headers['content-security-policy']);
  t.notMatch(csp, /unsafe-inline/);

  const reason = 'I have 6 years of TypeScript — the score for it looks wrong. Café ünïcode.';
  const sent = await ctx.app.inject({
    method: 'POST',
    url: `/contest/${linkToken}`,
    remoteAddress: '10.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams({ reason }).toString(),
  });
  t.equal(sent.statusCode, 201, sent.body);
  t.match(sent.body, /Request received/);
  const task = await owner.query('SELECT id, org_id, status, opened_via, reason_enc FROM review_tasks WHERE application_id = $1', [appA]);
  t.equal(task.rowCount, 1);
  t.match(task.rows[0], { org_id: admin.orgId, status: 'open', opened_via: 'candidate_link' });
  t.notOk(task.rows[0].reason_enc.toString('utf8').includes('TypeScript'), 'reason stored encrypted');
  const ev = await owner.query("SELECT actor_type FROM application_events WHERE application_id = $1 AND type = 'review.contest_opened'", [appA]);
  t.equal(ev.rows[0]?.actor_type, 'candidate');
  t.equal(await auditCount('review.contest_opened'), 1);

  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks', headers: { cookie: recruiter.cookie } });
  t.equal(list.statusCode, 200);
  const tasks = list.json<{ tasks: { id: string; applicationId: string; reason: string; status: string; jobTitle: string }[] }>().tasks;
  t.equal(tasks.length, 1);
  t.match(tasks[0], { applicationId: appA, reason, status: 'open', jobTitle: 'Backend Engineer' }, 'recruiters see the open task with the reason');
  t.same((await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks', headers: { cookie: other.cookie } })).json(), { tasks: [] }, 'not visible to another org');
});

t.test('a used, expired, unknown or malformed contest token is refused and opens nothing', async (t) => {
  const count = async () => (await owner.query('SELECT count(*)::int AS n FROM review_tasks')).rows[0].n as number;
  const before = await count();
  const reused = await ctx.app.inject({ method: 'POST', url: `/contest/${linkToken}`, remoteAddress: '10.0.0.2', payload: { reason: 'again' } });
  t.equal(reused.statusCode, 410, 'reused link');
  t.equal((await ctx.app.inject({ method: 'GET', url: `/contest/${linkToken}`, remoteAddress: '10.0.0.2' })).statusCode, 410, 'page says already used');

  const fresh = (await post(recruiter, `/api/v1/applications/${appB}/contest-link`)).json<{ url: string }>();
  const token = fresh.url.split('/').pop() as string;
  await owner.query("UPDATE contest_links SET expires_at = now() - interval '1 minute' WHERE application_id = $1", [appB]);
  const expiredPage = await ctx.app.inject({ method: 'GET', url: `/contest/${token}`, remoteAddress: '10.0.0.2' });
  t.equal(expiredPage.statusCode, 410);
  t.match(expiredPage.body, /expired/);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/contest/${token}`, remoteAddress: '10.0.0.2', payload: { reason: 'late' } })).statusCode, 410, 'expired link');

  const unknown = 'A'.repeat(43);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/contest/${unknown}`, remoteAddress: '10.0.0.3' })).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'POST', url: `/contest/${unknown}`, remoteAddress: '10.0.0.3', payload: { reason: 'x' } })).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/contest/short', remoteAddress: '10.0.0.3' })).statusCode, 400);
  t.equal(await count(), before);
});

t.test('contest submissions: empty, oversized, unsupported and rate-limited requests', async (t) => {
  const fresh = (await post(recruiter, `/api/v1/applications/${appC}/contest-link`)).json<{ url: string }>();
  const token = fresh.url.split('/').pop() as string;
  const send = (payload: string | object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'POST', url: `/contest/${token}`, remoteAddress: '10.0.0.4', headers, payload: payload as string });
  t.equal((await send({ reason: '' })).statusCode, 400, 'empty reason');
  t.equal((await send({ reason: '   ' })).statusCode, 400, 'blank reason');
  t.equal((await send({ reason: 'x'.repeat(4001) })).statusCode, 400, 'reason over 4,000 characters');
  t.equal((await send(`reason=${'x'.repeat(30_000)}`, { 'content-type': 'application/x-www-form-urlencoded' })).statusCode, 413, 'body over the cap');
  const limited = await send('reason', { 'content-type': 'text/plain' });
  t.ok([400, 415].includes(limited.statusCode), `text/plain refused (${limited.statusCode})`);
  let last = 0;
  for (let i = 0; i < 6; i += 1) last = (await send({ reason: '' })).statusCode;
  t.equal(last, 429, 'rate-limited per client');
  t.equal((await owner.query('SELECT count(*)::int AS n FROM review_tasks WHERE application_id = $1', [appC])).rows[0].n, 0, 'nothing opened');
  const ok = await ctx.app.inject({ method: 'POST', url: `/contest/${token}`, remoteAddress: '10.0.0.5', payload: { reason: 'Please review' } });
  t.equal(ok.statusCode, 201, 'the link still works from the candidate');
  t.match(ok.json(), { status: 'open' });
});

t.test('a member can open a contest for the candidate; one open contest per application; access rules', async (t) => {
  const url = `/api/v1/applications/${appB}/contest`;
  t.equal((await post(auditor, url, { reason: 'x' })).statusCode, 403);
  t.equal((await post(null, url, { reason: 'x' })).statusCode, 401);
  t.equal((await post(other, url, { reason: 'x' })).statusCode, 404, 'another org');
  t.equal((await post(manager, url, { reason: 'x' })).statusCode, 404, 'an unassigned hiring manager');
  t.equal((await post(recruiter, url, {})).statusCode, 400);
  t.equal((await post(recruiter, url, { reason: 'x'.repeat(4001) })).statusCode, 400);
  t.equal((await post(recruiter, url, { reason: 'x'.repeat(30_000) })).statusCode, 413);
  t.equal((await post(recruiter, `/api/v1/applications/${appB}/contest-link`, undefined)).statusCode, 201);
  t.equal((await post(auditor, `/api/v1/applications/${appB}/contest-link`)).statusCode, 403);
  t.equal((await post(other, `/api/v1/applications/${appB}/contest-link`)).statusCode, 404);
  const res = await post(recruiter, url, { reason: 'The candidate wrote to me: the Postgres score ignores their DBA work.' });
  t.equal(res.statusCode, 201, res.body);
  t.equal((await post(admin, url, { reason: 'again' })).statusCode, 409, 'one open contest per application');
  const row = await owner.query('SELECT opened_via, opened_by FROM review_tasks WHERE id = $1', [res.json<{ reviewTaskId: string }>().reviewTaskId]);
  t.match(row.rows[0], { opened_via: 'recruiter', opened_by: recruiter.userId });
});

t.test('a person with decide permission resolves a review task with an outcome and a note', async (t) => {
  const tasks = (await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks', headers: { cookie: admin.cookie } })).json<{ tasks: { id: string; applicationId: string }[] }>().tasks;
  t.equal(tasks.length, 3);
  const task = tasks.find((x) => x.applicationId === appA) as { id: string };
  const url = `/api/v1/review-tasks/${task.id}/resolve`;
  const payload = { resolution: 'upheld', note: 'Re-read the CV: the decision stands, explained by phone.' };
  t.equal((await post(auditor, url, payload)).statusCode, 403);
  t.equal((await post(null, url, payload)).statusCode, 401);
  t.equal((await post(other, url, payload)).statusCode, 404, 'another org');
  t.equal((await post(manager, url, payload)).statusCode, 404, 'an unassigned hiring manager');
  t.equal((await post(recruiter, url, { resolution: 'ignored', note: 'x' })).statusCode, 400);
  t.equal((await post(recruiter, url, { resolution: 'upheld', note: '' })).statusCode, 400);
  t.equal((await post(recruiter, url, { resolution: 'upheld', note: 'x'.repeat(2001) })).statusCode, 400);
  t.equal((await post(recruiter, '/api/v1/review-tasks/nope/resolve', payload)).statusCode, 400);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks?status=closed', headers: { cookie: admin.cookie } })).statusCode, 400);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks', headers: { cookie: auditor.cookie } })).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks' })).statusCode, 401);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks?limit=500', headers: { cookie: admin.cookie } })).statusCode, 400);
  t.same((await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks', headers: { cookie: manager.cookie } })).json(), { tasks: [] }, 'a hiring manager sees only tasks on assigned jobs');
  const res = await post(recruiter, url, payload);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { status: 'resolved', resolution: 'upheld', resolutionNote: payload.note, resolvedBy: recruiter.userId });
  t.equal((await post(admin, url, payload)).statusCode, 409, 'already resolved');
  const resolved = (await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks?status=resolved', headers: { cookie: admin.cookie } })).json<{ tasks: { id: string }[] }>().tasks;
  t.same(resolved.map((x) => x.id), [task.id]);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/review-tasks', headers: { cookie: admin.cookie } })).json<{ tasks: unknown[] }>().tasks.length, 2);
  t.equal(await auditCount('review.resolved'), 1);
  const enc = await owner.query('SELECT resolution_note_enc FROM review_tasks WHERE id = $1', [task.id]);
  t.notOk(enc.rows[0].resolution_note_enc.toString('utf8').includes('decision stands'), 'note stored encrypted');
  // A contest can be opened again once the previous one is resolved (e.g. new evidence).
  t.equal((await post(recruiter, `/api/v1/applications/${appA}/contest`, { reason: 'New certificate attached.' })).statusCode, 201);
});

t.test('the real worker picks up a job rescreen from the queue and screens every application against the new criteria', async (t) => {
  await changeCriteria('Observability');
  const res = await post(recruiter, `/api/v1/jobs/${job.id}/rescreen`, {});
  t.equal(res.statusCode, 202, res.body);
  const queued = res.json<{ queued: number; criteriaVersion: number; applications: { applicationId: string; status: string }[] }>();
  const active = queued.applications.filter((a) => a.status === 'queued').map((a) => a.applicationId);
  t.ok(active.length >= 2, `${active.length} applications in play queued`);
  const connection = new Redis(ctx.config.redisUrl.reveal(), { maxRetriesPerRequest: null });
  t.teardown(() => connection.disconnect());
  const running = await startWorkers({
    db: ctx.db,
    audit: ctx.audit,
    logger: createLogger('silent'),
    connection,
    redisPrefix: ctx.config.redisPrefix,
    auditCheckpointEveryMs: 3_600_000,
    masterKey: ctx.config.masterKey.reveal(),
    screening: { provider: createSimulatedProvider(), defaultModel: 'gpt-test', redis: connection },
  });
  t.teardown(() => running.close());
  let done: ScreeningView[] = [];
  for (let i = 0; i < 150; i += 1) {
    done = await Promise.all(active.map((a) => view(a)));
    if (done.every((v) => v.latest?.status === 'completed')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const v of done) {
    t.match(v.latest, { status: 'completed', criteriaVersion: queued.criteriaVersion }, 'screened by the worker against the current criteria');
    t.equal(v.stale, false);
    t.ok(v.history.some((h) => h.criteriaVersion < queued.criteriaVersion), 'earlier screenings kept');
  }
});
