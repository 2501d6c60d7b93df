// issue 19 item 7: what an operator watches. The real app and the real worker against real
// Postgres and Redis, each with its Prometheus registry served on an internal listener:
// an application with a CV moves the parse and screen counters; a forced breaker open shows
// in the gauge; stuck jobs show their age (cv-parse jobs are prioritized, not a FIFO list);
// retries and final failures are counted; unknown URLs collapse to one route label; the
// public app has no /metrics; the listener wants its bearer token; a Redis outage leaves
// the rest of the scrape answering. Last, the app and worker entry points as processes:
// metrics on METRICS_PORT / WORKER_METRICS_PORT, never on PORT.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { buildTestApp, createOrgWithMember, connectOwner, type Member } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { createCircuitBreaker } from '../../server/core/circuit-breaker.js';
import { loadConfig, ConfigError } from '../../server/core/config.js';
import { createLogger } from '../../server/core/logger.js';
import { createMetrics, instrumentWorkers, startMetricsServer, watchBreakers, watchQueues } from '../../server/core/metrics.js';
import { bullPrefix, QUEUES } from '../../server/core/queues.js';
import { PROVIDER_BREAKERS } from '../../server/modules/screening/status-routes.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createSimulatedProvider } from '../../server/modules/model-providers/simulated.js';
import { startWorkers } from '../../worker/worker.js';
import { watchBackups } from '../../server/modules/backups/metrics.js';
import { parseMetrics, scrape, scrapeUntil } from '../support/metrics.js';
import { until } from '../support/until.js';
import { freePort, startBuilt } from '../support/built.js';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

const TOKEN = 'scrape-token-0123456789abcdef';
const appMetrics = createMetrics({ service: 'app' });
const ctx = await buildTestApp(t, { appDeps: { metrics: appMetrics } });
const prefix = ctx.config.redisPrefix;
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
t.teardown(() => redis.disconnect());
watchQueues(appMetrics, { redis: ctx.redis, redisPrefix: prefix, cacheMs: 0 });
watchBreakers(appMetrics, { redis: ctx.redis, redisPrefix: prefix, names: PROVIDER_BREAKERS });
const appServer = await startMetricsServer({ registry: appMetrics.registry, host: '127.0.0.1', port: 0, token: TOKEN });
t.teardown(() => appServer.close());
const scrapeApp = () => scrape(`${appServer.url}/metrics`, TOKEN);

const logger = createLogger('silent');
const workerMetrics = createMetrics({ service: 'worker' });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger,
  connection: redis,
  redisPrefix: prefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  screening: { provider: createSimulatedProvider(), defaultModel: 'gpt-test', redis },
  cvParse: { redis, perOrgConcurrency: 1 },
});
t.teardown(() => running.close());
instrumentWorkers(workerMetrics, running.workers);
watchQueues(workerMetrics, { redis, redisPrefix: prefix, cacheMs: 0 });
watchBreakers(workerMetrics, { redis, redisPrefix: prefix, names: PROVIDER_BREAKERS });
watchBackups(workerMetrics, { db: ctx.db, cacheMs: 0 });
const workerServer = await startMetricsServer({ registry: workerMetrics.registry, host: '127.0.0.1', port: 0, token: TOKEN });
t.teardown(() => workerServer.close());
const scrapeWorker = () => scrape(`${workerServer.url}/metrics`, TOKEN);

const owner = await connectOwner(t, ctx);
const admin: Member = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin);
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;

t.test('the public app serves no /metrics (404 problem+json), whatever the method or suffix', async (t) => {
  for (const url of ['/metrics', '/metrics/', '/api/metrics', '/metrics?format=text']) {
    const res = await ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    t.equal(res.statusCode, 404, url);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
    t.notMatch(res.body, /hirebox_|process_resident/, `${url}: no metric text`);
  }
});

t.test('an application with a CV moves the parse and screen counters; the apply route is labelled by its pattern', async (t) => {
  const before = await scrapeWorker();
  const email = `metrics.${randomUUID()}@example.test`;
  const { body, contentType } = multipartBody(
    { name: 'Grace Hopper', email, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION },
    { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf([...SAMPLE_CV_LINES, 'metrics run']) },
  );
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: '10.9.0.1' });
  t.equal(res.statusCode, 202, res.body);
  await until(
    'the application screened',
    async () => (await owner.query("SELECT 1 FROM screenings s JOIN applications a ON a.id = s.application_id WHERE a.job_id = $1 AND s.status = 'completed'", [job.id])).rowCount,
    60_000,
  );
  const after = await scrapeUntil(
    'the cv-screen completion counted',
    `${workerServer.url}/metrics`,
    (m) => m.sum('hirebox_jobs_completed_total', { queue: QUEUES.cvScreen }) > before.sum('hirebox_jobs_completed_total', { queue: QUEUES.cvScreen }),
    { token: TOKEN },
  );
  for (const queue of [QUEUES.cvParse, QUEUES.cvScreen]) {
    t.equal(after.sum('hirebox_jobs_completed_total', { queue }) - before.sum('hirebox_jobs_completed_total', { queue }), 1, `${queue}: one more completed job`);
    t.equal(after.sum('hirebox_job_duration_seconds_count', { queue, outcome: 'completed' }) - before.sum('hirebox_job_duration_seconds_count', { queue, outcome: 'completed' }), 1, `${queue}: its duration observed`);
    t.equal(after.sum('hirebox_jobs_failed_total', { queue }), 0, `${queue}: nothing failed`);
  }
  t.equal(after.types.get('hirebox_jobs_completed_total'), 'counter');
  t.ok(after.find('process_resident_memory_bytes', { service: 'worker' }).length === 1, 'worker RSS (default metrics)');
  t.ok(after.find('nodejs_eventloop_lag_p99_seconds').length === 1, 'event-loop delay p99');
  t.ok(after.find('nodejs_heap_size_used_bytes').length === 1, 'heap used');

  const app = await scrapeApp();
  const route = '/api/v1/public/jobs/:orgSlug/:jobSlug/apply';
  t.equal(app.value('hirebox_http_requests_total', { method: 'POST', route, status_code: '202' }), 1, 'the apply counted under its route pattern');
  t.equal(app.value('hirebox_http_request_duration_seconds_count', { method: 'POST', route, status_class: '2xx' }), 1, 'and its latency observed');
  const text = app.samples.map((s) => JSON.stringify(s.labels)).join('\n');
  for (const secret of [orgSlug, job.slug, job.id, email, '10.9.0.1']) t.notOk(text.includes(secret), `no label holds ${secret === email ? 'the e-mail' : secret}`);
});

t.test('a forced breaker open shows in the gauge of both processes, and so does its recovery', async (t) => {
  const initial = await scrapeApp();
  t.equal(initial.value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'closed' }), 1, 'closed to begin with');
  t.equal(initial.value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'open' }), 0);
  let now = Date.now();
  const breaker = createCircuitBreaker({ name: 'openai', redis, prefix, failureThreshold: 3, openMs: 60_000, clock: () => now });
  for (let i = 0; i < 3; i++) {
    const permit = await breaker.acquire();
    if (permit.allowed) await breaker.record(permit, 'failure', 'http_500');
  }
  const open = await scrapeApp();
  t.equal(open.value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'open' }), 1, 'open');
  t.equal(open.value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'closed' }), 0);
  t.equal(open.value('hirebox_circuit_breaker_state', { breaker: 'vapi', state: 'closed' }), 1, 'the other breaker is unaffected');
  t.same(open.labelValues('hirebox_circuit_breaker_state', 'breaker').sort(), ['openai', 'vapi']);
  t.equal((await scrapeWorker()).value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'open' }), 1, 'the worker sees the same shared state');
  now += 61_000;
  const probe = await breaker.acquire();
  t.equal((await scrapeApp()).value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'half_open' }), 1, 'half-open while probing');
  if (probe.allowed) await breaker.record(probe, 'success');
  t.equal((await scrapeApp()).value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'closed' }), 1, 'closed again');
});

t.test('stuck jobs show their age: a prioritized cv-parse job waiting 10 minutes, an active job that never finishes', async (t) => {
  // A deployment prefix of its own with no worker, so nothing takes the jobs.
  const stuckPrefix = `${prefix}:stuck`;
  const metrics = createMetrics({ service: 'worker', defaultMetrics: false });
  let now = Date.now();
  watchQueues(metrics, { redis, redisPrefix: stuckPrefix, cacheMs: 0, clock: () => now });
  const read = async () => parseMetrics(await metrics.registry.metrics());
  const idle = await read();
  t.equal(idle.value('hirebox_queue_oldest_waiting_age_seconds', { queue: QUEUES.cvParse }), 0, 'nothing waits');
  t.equal(idle.labelValues('hirebox_queue_oldest_waiting_age_seconds', 'queue').length, Object.keys(QUEUES).length, 'one series per queue');

  const parseQueue = new Queue(QUEUES.cvParse, { connection: redis, prefix: bullPrefix(stuckPrefix) });
  t.teardown(async () => {
    await parseQueue.obliterate({ force: true });
    await parseQueue.close();
  });
  // The old job has the worse priority: it sits behind newer ones in the sorted set.
  await parseQueue.add('parse', { orgId: randomUUID(), documentId: randomUUID() }, { priority: 900, timestamp: now - 600_000 });
  await parseQueue.add('parse', { orgId: randomUUID(), documentId: randomUUID() }, { priority: 900, timestamp: now - 60_000 });
  for (let i = 0; i < 5; i++) await parseQueue.add('parse', { orgId: randomUUID(), documentId: randomUUID() }, { priority: 1 + i * 7, timestamp: now - 5_000 });
  const waiting = await read();
  t.equal(waiting.value('hirebox_queue_jobs', { queue: QUEUES.cvParse, state: 'prioritized' }), 7);
  const age = waiting.value('hirebox_queue_oldest_waiting_age_seconds', { queue: QUEUES.cvParse }) ?? 0;
  t.ok(age >= 600 && age < 610, `oldest cv-parse job is 600 s old (${age})`);
  t.equal(waiting.value('hirebox_queue_oldest_waiting_age_seconds', { queue: QUEUES.cvScreen }), 0, 'other queues unaffected');

  // A FIFO queue: the oldest of several waiting jobs; a delayed job counts from when it became due.
  const ingestQueue = new Queue(QUEUES.webhookIngest, { connection: redis, prefix: bullPrefix(stuckPrefix) });
  t.teardown(async () => {
    await ingestQueue.obliterate({ force: true });
    await ingestQueue.close();
  });
  for (const ago of [300, 200, 100]) await ingestQueue.add('ingest', { orgId: randomUUID(), messageId: randomUUID() }, { timestamp: now - ago * 1000 });
  const fifo = await read();
  t.equal(fifo.value('hirebox_queue_jobs', { queue: QUEUES.webhookIngest, state: 'wait' }), 3);
  t.equal(fifo.value('hirebox_queue_oldest_waiting_age_seconds', { queue: QUEUES.webhookIngest }), 300, 'the first enqueued, 300 s ago');

  // An active job whose processor hangs: its age grows with the clock until it finishes.
  const screenQueue = new Queue(QUEUES.cvScreen, { connection: redis, prefix: bullPrefix(stuckPrefix) });
  t.teardown(async () => {
    await screenQueue.obliterate({ force: true });
    await screenQueue.close();
  });
  let release: () => void = () => undefined;
  const hang = new Promise<void>((r) => (release = r));
  const worker = new Worker(QUEUES.cvScreen, () => hang, { connection: redis, prefix: bullPrefix(stuckPrefix), concurrency: 1 });
  t.teardown(() => worker.close());
  await screenQueue.add('screen', { orgId: randomUUID(), applicationId: randomUUID() });
  await until('the job active', async () => (await screenQueue.getActiveCount()) === 1);
  const started = (await screenQueue.getActive())[0]?.processedOn ?? 0;
  now = started + 420_000;
  const stuck = await read();
  t.equal(stuck.value('hirebox_queue_jobs', { queue: QUEUES.cvScreen, state: 'active' }), 1);
  t.equal(stuck.value('hirebox_queue_oldest_active_age_seconds', { queue: QUEUES.cvScreen }), 420, 'active for 7 minutes');
  release();
  await until('the job done', async () => (await screenQueue.getActiveCount()) === 0);
  t.equal((await read()).value('hirebox_queue_oldest_active_age_seconds', { queue: QUEUES.cvScreen }), 0, 'back to 0 once done');
});

t.test('the newest recorded backup as a timestamp gauge (0 before any), for the stale-backup alert', async (t) => {
  const metrics = createMetrics({ service: 'worker', defaultMetrics: false });
  watchBackups(metrics, { db: ctx.db, cacheMs: 0 });
  const read = async () => parseMetrics(await metrics.registry.metrics());
  t.equal((await read()).value('hirebox_backup_last_success_timestamp_seconds'), 0, 'no backup recorded yet');
  const finished = new Date(Date.now() - 30 * 3_600_000);
  finished.setMilliseconds(0);
  await owner.query("INSERT INTO backup_runs (file_name, size_bytes, sha256, started_at, finished_at) VALUES ('hirebox-20261205T000000Z.dump.age', 4096, $1, $2, $2)", ['a'.repeat(64), finished]);
  const m = await read();
  t.equal(m.value('hirebox_backup_last_success_timestamp_seconds'), finished.getTime() / 1000, 'its finish time');
  t.equal(m.value('hirebox_backup_last_size_bytes'), 4096);
  t.ok(Date.now() / 1000 - (m.value('hirebox_backup_last_success_timestamp_seconds') ?? 0) > 26 * 3600, 'what the stale-backup rule compares: 30 h old');
});

t.test('retries and final failures are counted per queue', async (t) => {
  const failPrefix = `${prefix}:fail`;
  const metrics = createMetrics({ service: 'worker', defaultMetrics: false });
  const queue = new Queue(QUEUES.alertDeliver, { connection: redis, prefix: bullPrefix(failPrefix) });
  t.teardown(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });
  const worker = new Worker(QUEUES.alertDeliver, async (): Promise<void> => { throw new Error('smtp down'); }, { connection: redis, prefix: bullPrefix(failPrefix), concurrency: 1 });
  t.teardown(() => worker.close());
  instrumentWorkers(metrics, [worker]);
  await queue.add('deliver', { orgId: randomUUID(), alertId: randomUUID() }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
  await until('the job failed for good', async () => (await queue.getFailedCount()) === 1);
  const m = await until('the failure counted', async () => {
    const s = parseMetrics(await metrics.registry.metrics());
    return s.value('hirebox_jobs_failed_total', { queue: QUEUES.alertDeliver }) === 1 ? s : null;
  });
  t.equal(m.value('hirebox_job_retries_total', { queue: QUEUES.alertDeliver }), 2, 'two attempts retried');
  t.equal(m.value('hirebox_jobs_failed_total', { queue: QUEUES.alertDeliver }), 1, 'one final failure');
  t.equal(m.value('hirebox_job_duration_seconds_count', { queue: QUEUES.alertDeliver, outcome: 'retry' }), 2);
  t.equal(m.value('hirebox_job_duration_seconds_count', { queue: QUEUES.alertDeliver, outcome: 'failed' }), 1);
  t.equal(m.value('hirebox_jobs_completed_total', { queue: QUEUES.alertDeliver }), undefined, 'nothing completed');
});

t.test('label cardinality is bounded: unknown URLs share one route label, ids never become labels', async (t) => {
  const ids: string[] = [];
  for (let i = 0; i < 25; i++) {
    const id = randomUUID();
    ids.push(id);
    await ctx.app.inject({ method: 'GET', url: `/no/such/${id}?email=x${i}@example.test` });
    await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${id}`, headers: { cookie: admin.cookie } });
    await ctx.app.inject({ method: 'DELETE', url: `/api/nope/${id}/${'a'.repeat(i * 40)}` });
  }
  const m = await scrapeApp();
  const routes = m.labelValues('hirebox_http_requests_total', 'route');
  t.ok(routes.includes('unmatched'), 'unknown URLs share route="unmatched"');
  t.equal(m.sum('hirebox_http_requests_total', { route: 'unmatched', method: 'GET', status_code: '404' }) >= 25, true, '25 unknown GETs under one label');
  t.equal(m.value('hirebox_http_requests_total', { route: '/api/v1/applications/:id', method: 'GET', status_code: '404' }), 25, 'unknown ids of a known route: its pattern');
  for (const r of routes) t.ok(r === 'unmatched' || r.startsWith('/'), `route label ${r}`);
  const labels = m.samples.map((s) => JSON.stringify(s.labels)).join('\n');
  t.notOk(ids.some((id) => labels.includes(id)), 'no request id or URL part in any label');
  t.notMatch(labels, /example\.test/, 'no query string in any label');
  t.ok(routes.length < 40, `a bounded number of route labels (${routes.length}) after 75 distinct URLs`);
  t.ok(m.labelValues('hirebox_http_request_duration_seconds_bucket', 'status_class').every((c) => /^[1-5]xx$/.test(c)), 'status classes only');
});

t.test('every metric the alert rules (ops/monitoring/hirebox-alerts.yml) and the runbook name is exported', async (t) => {
  const families = new Set<string>();
  for (const m of [await scrapeApp(), await scrapeWorker()]) {
    for (const [name, type] of m.types) {
      families.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) families.add(name + suffix);
    }
  }
  const rules = parseYaml(await readFile('ops/monitoring/hirebox-alerts.yml', 'utf8')) as { groups: { rules: { alert: string; expr: string; annotations: { runbook: string } }[] }[] };
  const runbook = await readFile('ops/runbooks/monitoring.md', 'utf8');
  const all = rules.groups.flatMap((g) => g.rules);
  t.ok(all.length >= 10, `${all.length} rules`);
  for (const r of all) {
    const names = r.expr.match(/\b(hirebox_[a-z_]+|nodejs_[a-z0-9_]+|process_[a-z_]+)\b/g) ?? [];
    for (const n of names) t.ok(families.has(n), `${r.alert}: ${n} is exported`);
    const anchor = r.annotations.runbook.split('#')[1] ?? '';
    t.ok(runbook.toLowerCase().includes(`### ${anchor}`), `${r.alert}: the runbook has a section for it`);
  }
  // Every metric name in the runbook (not the compose network hirebox_backend, not the hirebox_jobs_* family wildcard).
  const mentioned = (runbook.match(/\bhirebox_[a-z_]+\b/g) ?? []).filter((n) => n !== 'hirebox_backend' && !n.endsWith('_'));
  t.ok(mentioned.length >= 10, `${mentioned.length} metric names in the runbook`);
  for (const n of mentioned) t.ok(families.has(n) || families.has(n.replace(/_(bucket|count|sum)$/, '')), `runbook: ${n} is exported`);
});

t.test('the metrics listener: bearer token required, GET /metrics only, problem+json refusals without metric text', async (t) => {
  const url = `${appServer.url}/metrics`;
  for (const [headers, what] of [
    [{}, 'no token'],
    [{ authorization: 'Bearer wrong-token-0123456789' }, 'wrong token'],
    [{ authorization: TOKEN }, 'token without the Bearer scheme'],
    [{ authorization: `Bearer ${TOKEN}x` }, 'token with a suffix'],
  ] as const) {
    const res = await fetch(url, { headers });
    t.equal(res.status, 401, what);
    t.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    t.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.notMatch(await res.text(), /hirebox_|scrape-token/, `${what}: no metrics, no token echoed`);
  }
  const other = await fetch(`${appServer.url}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(other.status, 404, 'nothing but /metrics');
  await other.text();
  const post = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: 'x'.repeat(100_000) });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET, HEAD');
  await post.text();
  const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(ok.status, 200);
  t.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await ok.text();
  t.match(text, /# TYPE hirebox_http_request_duration_seconds histogram/);
  t.doesNotThrow(() => parseMetrics(text), 'the whole scrape parses');
  t.notMatch(text, /postgres:\/\/|redis:\/\/|scrape-token/, 'no connection string or token in the scrape');
});

t.test('Redis down: queue and breaker gauges go empty with scrape_error 1, the rest of the scrape still answers', async (t) => {
  const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null, retryStrategy: () => 200 });
  dead.on('error', () => undefined);
  void dead.connect().catch(() => undefined);
  t.teardown(() => dead.disconnect());
  const metrics = createMetrics({ service: 'app' });
  watchQueues(metrics, { redis: dead, redisPrefix: prefix, cacheMs: 0, timeoutMs: 300 });
  watchBreakers(metrics, { redis: dead, redisPrefix: prefix, names: PROVIDER_BREAKERS, timeoutMs: 300 });
  const m = parseMetrics(await metrics.registry.metrics());
  t.equal(m.value('hirebox_queue_scrape_error'), 1, 'the outage is visible');
  t.equal(m.find('hirebox_queue_jobs').length, 0, 'no stale queue numbers');
  t.equal(m.find('hirebox_circuit_breaker_state').length, 0, 'no guessed breaker state');
  t.equal(m.find('process_resident_memory_bytes').length, 1, 'process metrics still there');
  t.equal((await scrapeApp()).value('hirebox_queue_scrape_error'), 0, 'the live app reads its Redis fine');
});

t.test('config: metrics ports are optional, validated and never the public port', async (t) => {
  t.same(loadConfig(ctx.env).metrics.appPort, null, 'off by default');
  const on = loadConfig({ ...ctx.env, METRICS_PORT: '9464', WORKER_METRICS_PORT: '9465', METRICS_HOST: 'app-metrics', METRICS_TOKEN: TOKEN });
  t.same({ app: on.metrics.appPort, worker: on.metrics.workerPort, host: on.metrics.host }, { app: 9464, worker: 9465, host: 'app-metrics' });
  t.equal(on.metrics.token?.reveal(), TOKEN);
  t.notMatch(JSON.stringify(on), /scrape-token/, 'the token never prints');
  for (const [env, problem] of [
    [{ METRICS_PORT: '3000', PORT: '3000' }, /METRICS_PORT must differ from PORT/],
    [{ WORKER_METRICS_PORT: 'abc' }, /WORKER_METRICS_PORT must be an integer/],
    [{ METRICS_PORT: '70000' }, /METRICS_PORT must be an integer/],
    [{ METRICS_HOST: 'bad host/name' }, /METRICS_HOST must be an IP address or a host name/],
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN must be at least 16 characters/],
  ] as const) {
    let error: unknown = null;
    try {
      loadConfig({ ...ctx.env, ...env });
    } catch (err) {
      error = err;
    }
    t.ok(error instanceof ConfigError, `${JSON.stringify(env)} refused`);
    t.match((error as Error | null)?.message ?? '', problem);
  }
});

t.test('the app and worker processes: metrics on their internal ports with the token, never on the public port', async (t) => {
  const [port, appPort, workerPort] = [await freePort(), await freePort(), await freePort()];
  const env = { ...ctx.env, PORT: String(port), HOST: '127.0.0.1', METRICS_HOST: '127.0.0.1', METRICS_PORT: String(appPort), WORKER_METRICS_PORT: String(workerPort), METRICS_TOKEN: TOKEN };
  const app = startBuilt('server/main.js', env);
  const worker = startBuilt('worker/main.js', env);
  t.teardown(() => {
    app.child.kill('SIGKILL');
    worker.child.kill('SIGKILL');
  });
  const appScrape = await until('the app metrics listener', () => scrape(`http://127.0.0.1:${appPort}/metrics`, TOKEN).catch(() => null), 120_000);
  const workerScrape = await until('the worker metrics listener', () => scrape(`http://127.0.0.1:${workerPort}/metrics`, TOKEN).catch(() => null), 120_000);
  t.equal(appScrape.find('process_resident_memory_bytes', { service: 'app' }).length, 1, 'app: its own process metrics');
  t.equal(workerScrape.find('process_resident_memory_bytes', { service: 'worker' }).length, 1, 'worker: its own process metrics');
  t.ok(workerScrape.find('hirebox_queue_jobs', { queue: QUEUES.cvParse, state: 'wait' }).length === 1, 'worker: queue depth');
  t.ok(appScrape.find('hirebox_circuit_breaker_state', { breaker: 'vapi' }).length === 3, 'app: breaker states');
  t.equal(workerScrape.find('hirebox_backup_last_success_timestamp_seconds').length, 1, 'worker: newest backup');
  const pub = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(pub.status, 404, 'GET /metrics on the public port is 404');
  t.notMatch(await pub.text(), /hirebox_/);
  await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.text());
  const after = await scrape(`http://127.0.0.1:${appPort}/metrics`, TOKEN);
  t.equal(after.value('hirebox_http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'the public 404 counted under "unmatched"');
  t.equal(after.value('hirebox_http_requests_total', { method: 'GET', route: '/healthz', status_code: '200' }), 1, 'the health check under its route');
  t.equal((await fetch(`http://127.0.0.1:${appPort}/metrics`)).status, 401, 'the internal listener wants the token');
  app.child.kill('SIGTERM');
  worker.child.kill('SIGTERM');
  t.equal(await app.exited, 0, 'app exits 0');
  t.equal(await worker.exited, 0, 'worker exits 0');
  t.notMatch(app.output() + worker.output(), /scrape-token/, 'the token is never logged');
});

t.test('a metrics listener that cannot start does not take the app down; the log says why', async (t) => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const app = startBuilt('server/main.js', { ...ctx.env, PORT: String(port), HOST: '127.0.0.1', METRICS_HOST: 'metrics-nowhere.invalid', METRICS_PORT: String(metricsPort) });
  t.teardown(() => app.child.kill('SIGKILL'));
  const ready = await until('the app ready', () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false), 120_000);
  t.ok(ready, 'the app serves');
  await until('the log line', async () => app.output().includes('metrics listener failed to start'), 30_000);
  t.match(app.output(), /metrics listener failed to start/);
  app.child.kill('SIGTERM');
  t.equal(await app.exited, 0, 'and stops cleanly');
});
