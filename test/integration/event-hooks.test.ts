// Outbound event webhooks (issue 20, item 2) end to end: admins subscribe a loopback
// receiver (OUTBOUND_ALLOW_LOOPBACK, the dev/test setting), real HTTP changes (a CV upload,
// a stage move, a decision, an erasure) write outbox rows, the real BullMQ worker delivers
// them and the receiver verifies each with the Standard Webhooks reference verifier
// (standardwebhooks Webhook.verify). Payloads carry no name, e-mail or CV text. A flaky
// receiver is retried until it answers; a dead one fails its whole (shortened) schedule,
// which disables the subscription and raises an org alert. Manual redelivery, secret
// rotation, validation, roles and tenancy. screening.completed comes from the real cv-parse
// and cv-screen workers (against the fake OpenAI server), which use the built extractor
// thread: `npm test` builds first; run `npm run build` before running this file alone.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createOutbound } from '../../server/core/outbound.js';
import { createEventHookService, RETRY_SCHEDULE_MS } from '../../server/modules/event-hooks/service.js';
import { createOpenAiProvider } from '../../server/modules/model-providers/openai.js';
import { simulateScreening } from '../../server/modules/model-providers/simulated.js';
import { startWorkers } from '../../worker/worker.js';
import { startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { until } from '../support/until.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
let flakyCalls = 0;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = req.url ?? '';
    received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    if (path.startsWith('/down')) {
      res.statusCode = 503;
      res.end(`maintenance ${'x'.repeat(5_000)}`);
    } else if (path.startsWith('/flaky') && ++flakyCalls <= 2) {
      res.statusCode = 500;
      res.end('try later');
    } else {
      res.statusCode = 204;
      res.end();
    }
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));
const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

// A public-looking name that resolves to a private address: refused at save time.
const resolver = async (host: string) => (host === 'intranet.example.com' ? [{ address: '10.1.2.3', family: 4 }] : [{ address: '93.184.215.14', family: 4 }]);
const ctx = await buildTestApp(t, { env: { OUTBOUND_ALLOW_LOOPBACK: 'true' }, appDeps: { outboundResolver: resolver } });
const SCHEDULE = [100, 100, 100];
const workerRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
// The real screening pipeline (cv-parse, cv-screen) against the fake OpenAI server, so screening.completed is a real event.
const fakeAi = await startFakeOpenAI();
t.teardown(() => fakeAi.close());
fakeAi.setFallback({ kind: 'valid', content: (body: ChatRequestBody) => JSON.stringify(simulateScreening(body.messages[1]?.content ?? '')) });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerRedis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  screening: { provider: createOpenAiProvider({ apiKey: 'sk-test-fake', baseUrl: fakeAi.baseUrl, timeoutMs: 5_000, maxRetries: 1, baseDelayMs: 5 }), defaultModel: 'gpt-test', redis: workerRedis },
  eventHooks: { redis: workerRedis, outbound: { allowLoopback: true }, scheduleMs: SCHEDULE, sweepEveryMs: 200, nodeEnv: 'test' },
});
t.teardown(async () => {
  await running.close();
  workerRedis.disconnect();
});

const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const ALL = ['application.created', 'application.stage_changed', 'screening.completed', 'interview.completed', 'decision.recorded', 'candidate.erased'];

const api = (m: Member, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1/org/event-hooks${url}`, headers: m.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const subRows = (orgId: string) => ctx.db.withTenant(orgId, async (q) => (await q.query<{ id: string; enabled: boolean; disabled_reason: string | null; secret_enc: Buffer }>('SELECT * FROM event_hook_subscriptions ORDER BY created_at')).rows);
const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }) as {
    type: string;
    data: Record<string, unknown>;
  };
type Delivery = { id: string; eventType: string; status: string; attempts: number; manual: boolean; log: { attempt: number; ok: boolean; responseCode: number | null; errorClass: string | null; responseSnippet: string | null }[] };
const deliveries = async (m: Member, subId: string) => (await api(m, 'GET', `/${subId}/deliveries`)).json<{ items: Delivery[] }>().items;

t.test('bad input: problem+json, nothing stored', async (t) => {
  const ok = { url: `${base}/a`, events: ['application.created'] };
  const cases: [unknown, number, string][] = [
    [{ ...ok, events: ['application.deleted'] }, 400, 'unknown event'],
    [{ ...ok, events: [] }, 400, 'no events'],
    [{ ...ok, url: 'not a url at all' }, 400, 'not a URL'],
    [{ ...ok, url: 'ftp://hooks.example.com/x' }, 400, 'not http(s)'],
    [{ ...ok, url: 'http://hooks.example.com/x' }, 400, 'plain http to a remote host'],
    [{ ...ok, url: 'https://user:pw@hooks.example.com/x' }, 400, 'credentials in the URL'],
    [{ ...ok, url: 'https://10.0.0.7/hook' }, 400, 'private address literal'],
    [{ ...ok, url: 'https://169.254.169.254/latest' }, 400, 'link-local metadata address'],
    [{ ...ok, url: 'https://intranet.example.com/hook' }, 400, 'name resolving to a private address'],
    [{ ...ok, description: 'd'.repeat(201) }, 400, 'description too long'],
    [{ ...ok, url: `https://hooks.example.com/${'a'.repeat(3000)}` }, 400, 'URL too long'],
    [{ ...ok, url: `https://hooks.example.com/${'a'.repeat(20_000)}` }, 413, 'oversized body'],
  ];
  for (const [payload, status, name] of cases) {
    const res = await api(adminA, 'POST', '', payload);
    t.equal(res.statusCode, status, name);
    t.match(res.headers['content-type'], /application\/problem\+json/, `${name}: problem+json`);
  }
  const refused = await api(adminA, 'POST', '', { ...ok, url: 'https://10.0.0.7/hook' });
  t.match(refused.json(), { detail: /address not allowed/ });
  // With the dev/test loopback setting off (as in production), loopback is refused too.
  const outbound = createOutbound({ allowLoopback: false });
  t.teardown(() => outbound.close());
  const strict = createEventHookService({ db: ctx.db, audit: ctx.audit, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), outbound, nodeEnv: 'test', deliver: { enqueue: async () => undefined }, clock: () => new Date() });
  const adminCtx = { orgId: adminA.orgId, userId: adminA.userId, role: 'admin' as const, requestId: 'test', sessionId: 'test' };
  await t.rejects(strict.create(adminCtx, { url: `${base}/a`, events: ['application.created'] }), { status: 400, message: /address not allowed/ }, 'loopback refused with the setting off');
  const prod = createEventHookService({ db: ctx.db, audit: ctx.audit, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), outbound, nodeEnv: 'production', deliver: { enqueue: async () => undefined }, clock: () => new Date() });
  await t.rejects(prod.create(adminCtx, { url: 'http://hooks.example.com/a', events: ['application.created'] }), { status: 400, message: /https/ }, 'production: https only');
  t.same(await subRows(adminA.orgId), [], 'nothing stored');
  t.same((await api(adminA, 'GET', '')).json(), { items: [] });
});

t.test('roles and tenancy', async (t) => {
  for (const [m, name] of [[recruiterA, 'recruiter'], [auditorA, 'auditor']] as const) {
    t.equal((await api(m, 'GET', '')).statusCode, 403, `${name} cannot list`);
    t.equal((await api(m, 'POST', '', { url: `${base}/a`, events: ['application.created'] })).statusCode, 403, `${name} cannot create`);
  }
  const own = await api(adminB, 'POST', '', { url: `${base}/b`, events: ['application.created'] });
  t.equal(own.statusCode, 201);
  const bId = own.json<{ id: string }>().id;
  const other = [
    await api(adminA, 'GET', `/${bId}/deliveries`),
    await api(adminA, 'PATCH', `/${bId}`, { enabled: false }),
    await api(adminA, 'POST', `/${bId}/rotate-secret`),
    await api(adminA, 'DELETE', `/${bId}`),
    await api(adminA, 'POST', `/${bId}/deliveries/${bId}/redeliver`),
  ];
  t.same(other.map((r) => r.statusCode), [404, 404, 404, 404, 404], "another org's subscription is not found");
  t.equal((await api(adminA, 'PATCH', '/not-a-uuid', { enabled: false })).statusCode, 400);
  t.equal((await api(adminB, 'PATCH', `/${bId}`, {})).statusCode, 400, 'empty patch');
  t.match((await subRows(adminB.orgId))[0], { enabled: true }, 'untouched');
  t.equal((await api(adminB, 'DELETE', `/${bId}`)).statusCode, 204);
});

let secretA = '';
let subA = '';
let applicationId = '';
t.test('signed deliveries of real events verify with the Standard Webhooks verifier and carry no PII', async (t) => {
  // Screening completes asynchronously: it has its own subscription below, so the order here is fixed.
  const created = await api(adminA, 'POST', '', { url: `${base}/a?token=abc`, events: ALL.filter((e) => e !== 'screening.completed'), description: 'HRIS sync' });
  t.equal(created.statusCode, 201, created.body);
  const body = created.json<{ id: string; secret: string; enabled: boolean }>();
  t.match(body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'a Standard Webhooks secret');
  t.equal(created.headers['cache-control'], 'no-store');
  subA = body.id;
  secretA = body.secret;
  t.notOk(JSON.stringify((await api(adminA, 'GET', '')).json()).includes(secretA), 'the secret is shown once');
  t.notOk((await subRows(adminA.orgId))[0]?.secret_enc.includes(Buffer.from(secretA)), 'stored sealed');

  const job = await createJob(ctx, recruiterA);
  const name = 'Grace Hopperfield';
  const email = `grace.hopperfield.${Date.now()}@example.test`;
  const up = await uploadCv(ctx, recruiterA, job.id, { name, email });
  t.equal(up.statusCode, 201, up.body);
  const app = up.json<{ applicationId: string; candidateId: string }>();
  applicationId = app.applicationId;
  const stages = (await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/pipeline`, headers: recruiterA.headers })).json<{ stages: { id: string; kind: string; name: string }[] }>().stages;
  const screening = stages.find((s) => s.kind === 'screening');
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${app.applicationId}/stage`, headers: recruiterA.headers, payload: { stageId: screening?.id } })).statusCode, 200);
  const decided = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${app.applicationId}/decision`, headers: recruiterA.headers, payload: { outcome: 'reject', reason: `${name} lacks Postgres` } });
  t.equal(decided.statusCode, 201, decided.body);
  const erased = await ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${app.candidateId}/erasure`, headers: adminA.headers, payload: { reference: 'DSR-2026-7', confirm: true } });
  t.equal(erased.statusCode, 200, erased.body);

  const got = await until('four deliveries', async () => {
    const hits = received.filter((r) => r.path.startsWith('/a'));
    return hits.length >= 4 ? hits : null;
  });
  // Each verified; deliveries run concurrently, so arrival order is not part of the contract.
  const verified = got.map((r) => verify(secretA, r));
  t.same(verified.map((e) => e.type).sort(), ['application.created', 'application.stage_changed', 'candidate.erased', 'decision.recorded'], 'one of each, each verified');
  const of = (type: string) => verified.find((e) => e.type === type)?.data;
  t.match(of('application.created'), { applicationId: app.applicationId, jobId: job.id, candidateId: app.candidateId, source: 'upload' });
  t.match(of('application.stage_changed'), { applicationId: app.applicationId, toStage: { id: screening?.id, name: screening?.name, kind: 'screening' }, fromStage: { kind: 'new' } });
  t.match(of('decision.recorded'), { applicationId: app.applicationId, outcome: 'reject', toStage: { kind: 'rejected' } });
  t.same(of('candidate.erased'), { candidateId: app.candidateId, reason: 'request' });
  const everything = got.map((r) => r.body).join('\n');
  for (const pii of [name, 'Grace', 'Hopperfield', email, 'lacks Postgres', 'TypeScript', '+44']) t.notOk(everything.includes(pii), `no "${pii}" in any payload`);
  t.equal(new Set(got.map((r) => r.headers['webhook-id'])).size, 4, 'one message id per event');
  t.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got[0]?.body ?? '', got[0]?.headers as Record<string, string>), 'another secret does not verify');

  const log = await until('log', async () => {
    const items = await deliveries(adminA, subA);
    return items.length === 4 && items.every((d) => d.status === 'delivered') ? items : null;
  });
  t.match(log[0], { status: 'delivered', attempts: 1, log: [{ attempt: 1, ok: true, responseCode: 204, errorClass: null }] });
});

t.test('manual redelivery and secret rotation', async (t) => {
  const [latest] = await deliveries(adminA, subA);
  if (!latest) return t.fail('no delivery');
  const rotated = await api(adminA, 'POST', `/${subA}/rotate-secret`);
  t.equal(rotated.statusCode, 200);
  const newSecret = rotated.json<{ secret: string }>().secret;
  t.not(newSecret, secretA);
  const before = received.length;
  const re = await api(adminA, 'POST', `/${subA}/deliveries/${latest.id}/redeliver`);
  t.equal(re.statusCode, 202, re.body);
  t.same(re.json(), { deliveryId: latest.id, attempt: 2 });
  const again = await until('redelivered', async () => received.slice(before).find((r) => r.path.startsWith('/a')) ?? null);
  t.equal(verify(newSecret, again).type, latest.eventType, 'signed with the rotated secret');
  t.throws(() => verify(secretA, again), 'not with the old one');
  const after = await until('logged', async () => (await deliveries(adminA, subA)).find((d) => d.id === latest.id && d.status === 'delivered' && d.attempts === 2) ?? null);
  t.match(after, { manual: true, log: [{ attempt: 1, ok: true }, { attempt: 2, ok: true }] });
  t.equal((await api(adminA, 'POST', `/${subA}/deliveries/${subA}/redeliver`)).statusCode, 404, 'unknown delivery');
  const audit = await ctx.db.withTenant(adminA.orgId, (q) => q.query<{ action: string }>("SELECT action FROM audit_events WHERE action LIKE 'event_hooks.%' ORDER BY seq"));
  t.same(audit.rows.map((r) => r.action), ['event_hooks.created', 'event_hooks.secret_rotated', 'event_hooks.redelivered']);
  t.notOk(JSON.stringify(audit.rows).includes(newSecret));
});

t.test('retries with backoff until the receiver answers; persistent failure disables and alerts', async (t) => {
  t.ok(RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) >= 24 * 3_600_000, 'the production schedule spans at least 24 h');
  // Only the flaky and dead receivers get new events.
  t.equal((await api(adminA, 'PATCH', `/${subA}`, { enabled: false })).statusCode, 200);
  const flaky = (await api(adminA, 'POST', '', { url: `${base}/flaky`, events: ['application.created'] })).json<{ id: string; secret: string }>();
  const down = (await api(adminA, 'POST', '', { url: `${base}/down`, events: ['application.created'] })).json<{ id: string }>();
  const job = await createJob(ctx, recruiterA, { title: 'Retry job' });
  t.equal((await uploadCv(ctx, recruiterA, job.id)).statusCode, 201);

  const ok = await until('flaky delivered', async () => (await deliveries(adminA, flaky.id)).find((d) => d.status === 'delivered') ?? null);
  t.match(ok.log, [
    { attempt: 1, ok: false, responseCode: 500, errorClass: 'http_status', responseSnippet: 'try later' },
    { attempt: 2, ok: false, responseCode: 500 },
    { attempt: 3, ok: true, responseCode: 204 },
  ]);
  const flakyHits = received.filter((r) => r.path === '/flaky');
  t.equal(flakyHits.length, 3);
  t.equal(new Set(flakyHits.map((r) => r.headers['webhook-id'])).size, 1, 'the same message id on every retry');
  for (const h of flakyHits) t.equal(verify(flaky.secret, h).type, 'application.created');

  const failed = await until('dead receiver given up', async () => (await deliveries(adminA, down.id)).find((d) => d.status === 'failed') ?? null);
  t.equal(failed.attempts, SCHEDULE.length + 1, 'the whole schedule was tried');
  t.ok(failed.log.every((a) => !a.ok && a.responseCode === 503));
  t.ok(failed.log.every((a) => (a.responseSnippet ?? '').length <= 200 && (a.responseSnippet ?? '').startsWith('maintenance')), 'only a short snippet of the answer is kept');
  const list = (await api(adminA, 'GET', '')).json<{ items: { id: string; enabled: boolean; disabledReason: string | null }[] }>().items;
  t.match(list.find((s) => s.id === down.id), { enabled: false, disabledReason: 'failing' }, 'disabled');
  t.match(list.find((s) => s.id === flaky.id), { enabled: true }, 'the recovered one stays enabled');
  const alerts = await until('alert', async () => {
    const rows = (await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts', headers: adminA.headers })).json<{ items: { kind: string; summary: string }[] }>().items;
    return rows.find((a) => a.kind === 'event_hook_failing') ?? null;
  });
  t.match(alerts.summary, /127\.0\.0\.1:\d+.*disabled/);
  t.notOk(alerts.summary.includes('/down'), 'the alert names the host, not the path');
  // A disabled subscription gets no new deliveries; redelivery needs it enabled again.
  t.equal((await api(adminA, 'POST', `/${down.id}/deliveries/${failed.id}/redeliver`)).statusCode, 409);
  t.equal((await uploadCv(ctx, recruiterA, job.id)).statusCode, 201);
  await until('flaky got the second event', async () => ((await deliveries(adminA, flaky.id)).length === 2 ? true : null));
  t.equal((await deliveries(adminA, down.id)).length, 1, 'nothing new for the disabled subscription');
  const reenabled = await api(adminA, 'PATCH', `/${down.id}`, { enabled: true });
  t.match(reenabled.json(), { enabled: true, disabledReason: null, consecutiveFailures: 0 });
  t.ok(applicationId);
});

t.test('screening.completed from the worker: the recommendation, no PII', async (t) => {
  const sub = (await api(adminA, 'POST', '', { url: `${base}/screen`, events: ['screening.completed'] })).json<{ id: string; secret: string }>();
  const job = await createJob(ctx, recruiterA, { title: 'Screened job' });
  const email = `linus.screened.${Date.now()}@example.test`;
  const cv = 'Linus Screenwright\n6 years of TypeScript services\nDesigned Postgres schemas for billing';
  const up = await uploadCv(ctx, recruiterA, job.id, { name: 'Linus Screenwright', email }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(cv) });
  t.equal(up.statusCode, 201, up.body);
  const { applicationId: appId } = up.json<{ applicationId: string }>();
  const hit = await until('screening delivery', async () => received.find((r) => r.path === '/screen' && r.body.includes(appId)) ?? null, 60_000);
  const event = verify(sub.secret, hit);
  t.equal(event.type, 'screening.completed');
  t.match(event.data, { applicationId: appId, jobId: job.id, screeningId: /^[0-9a-f-]{36}$/, recommendation: /^(advance|review|not_advance)$/ });
  for (const pii of ['Linus', 'Screenwright', email, 'TypeScript', 'Postgres']) t.notOk(hit.body.includes(pii), `no "${pii}"`);
});

t.test('application.created from the public apply form: no name, e-mail or demographics', async (t) => {
  const sub = (await api(adminA, 'POST', '', { url: `${base}/public`, events: ['application.created'] })).json<{ id: string; secret: string }>();
  const job = await createJob(ctx, recruiterA, { title: 'Public job' });
  const owner = await connectOwner(t, ctx);
  const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [adminA.orgId])).rows[0]?.slug ?? '';
  const email = `public.applicant.${Date.now()}@example.test`;
  const fields = { name: 'Pia Publicova', email, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, 'demographics.gender': 'non_binary_other', 'demographics.ethnicity': 'native_hawaiian_pacific_islander' };
  const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: '203.0.113.61' });
  t.equal(res.statusCode, 202, res.body);
  const hit = await until('public delivery', async () => received.find((r) => r.path === '/public' && r.body.includes(job.id)) ?? null);
  const event = verify(sub.secret, hit);
  t.match(event, { type: 'application.created', data: { jobId: job.id, source: 'public' } });
  for (const pii of ['Pia', 'Publicova', email, 'non_binary', 'hawaiian', ...SAMPLE_CV_LINES.slice(0, 3)]) t.notOk(hit.body.includes(pii), `no "${pii}"`);
});
