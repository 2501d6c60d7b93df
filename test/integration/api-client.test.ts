// issue 20 item 5: a TypeScript client generated from /api/docs with openapi-typescript
// (types) + openapi-fetch (runtime), type-checked with tsc, then used with an API token
// against a listening app exactly as a customer's integration would: create a job, let a
// candidate apply through the public endpoint, read the application's screening.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { Redis } from 'ioredis';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { until } from '../support/until.js';
import { createLogger } from '../../server/core/logger.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createSimulatedProvider } from '../../server/modules/model-providers/simulated.js';
import { startWorkers } from '../../worker/worker.js';
import { packageRoot } from '../../server/core/paths.js';

const root = packageRoot();
const dir = join(root, 'test-artifacts', `api-client-${process.pid}`);
mkdirSync(dir, { recursive: true });
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
t.teardown(() => redis.disconnect());
const admin = await createOrgWithMember(ctx, 'admin');
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: redis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  screening: { provider: createSimulatedProvider(), defaultModel: 'gpt-test', redis },
});
t.teardown(() => running.close());
const baseUrl = await ctx.app.listen({ host: '127.0.0.1', port: 0 });

const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: admin.headers, payload: { name: 'typed client', scopes: ['jobs:read', 'jobs:write', 'applications:read'], expiresInDays: 7 } });
const token = created.json<{ token: string }>().token;

t.test('generate the client from /api/docs and type-check it', async (t) => {
  const doc = await fetch(`${baseUrl}/api/docs`);
  t.equal(doc.status, 200);
  writeFileSync(join(dir, 'openapi.json'), await doc.text());
  const gen = spawnSync(join(root, 'node_modules/.bin/openapi-typescript'), [join(dir, 'openapi.json'), '-o', join(dir, 'schema.d.ts')], { encoding: 'utf8' });
  t.equal(gen.status, 0, gen.stderr);
  for (const f of ['integration.ts', 'misuse.ts']) copyFileSync(join(root, 'test/fixtures/api-client', f), join(dir, f));
  const tsc = (file: string) =>
    spawnSync(join(root, 'node_modules/.bin/tsc'), ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', 'node', file], { encoding: 'utf8', cwd: dir });
  const good = tsc('integration.ts');
  t.equal(good.status, 0, `${good.stdout}${good.stderr}`);
  const bad = tsc('misuse.ts');
  t.not(bad.status, 0, 'misuse of the generated types fails the type check');
  t.match(bad.stdout, /misuse\.ts\(8,/, 'the missing title is caught');
  t.match(bad.stdout, /misuse\.ts\(9,/, 'the unknown path is caught');
});

type Client = object;
interface Integration {
  connect(baseUrl: string, token: string): Client;
  createJob(client: Client, title: string, idempotencyKey: string): Promise<{ id: string; slug: string; status: number }>;
  firstApplication(client: Client, jobId: string): Promise<{ id: string; candidateName: string | null } | null>;
  screening(client: Client, applicationId: string): Promise<{ status: string | null; recommendation: string | null; advisory: boolean }>;
  problemOf(client: Client, jobId: string): Promise<{ status: number; title: string | undefined }>;
}

t.test('the generated client, with a token: create a job, receive an application, read its screening', async (t) => {
  // Loaded at run time through tsx (the test itself runs compiled); its types were checked above against the generated schema.
  const api = (await tsImport(join(dir, 'integration.ts'), import.meta.url)) as Integration;
  const client = api.connect(baseUrl, token);
  const job = await api.createJob(client, 'Typed Client Engineer', 'typed-job-1');
  t.equal(job.status, 201);
  const replay = await api.createJob(client, 'Typed Client Engineer', 'typed-job-1');
  t.equal(replay.id, job.id, 'the idempotent retry returns the same job');

  // The candidate applies on the public endpoint (no token: that is the candidate's side).
  const { body, contentType } = multipartBody(
    { name: 'Ada Typed', email: 'ada.typed@example.test', consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION },
    { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) },
  );
  const applied = await fetch(`${baseUrl}/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, { method: 'POST', headers: { 'content-type': contentType, accept: 'application/json' }, body });
  t.equal(applied.status, 202, await applied.clone().text());

  const application = await until('the application is listed', async () => {
    await new Promise((r) => setTimeout(r, 300));
    return api.firstApplication(client, job.id);
  });
  t.equal(application.candidateName, 'Ada Typed');
  // Polled gently, as an integration should (the token's rate limit applies).
  const screened = await until('the screening completes', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const s = await api.screening(client, application.id);
    return s.status === 'completed' ? s : null;
  }, 90_000);
  t.equal(screened.advisory, true);
  t.ok(screened.recommendation, 'a recommendation is present');

  // A bad token: the typed error carries the problem document.
  const forbidden = await api.problemOf(api.connect(baseUrl, 'hbx_000000000000_' + 'A'.repeat(43)), job.id);
  t.same(forbidden, { status: 401, title: 'Unauthorized' });
});
