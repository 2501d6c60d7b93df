// `npm run test:faults` (issue 19): the built app and worker (dist/) against a Redis and a
// Postgres this suite owns, with faults injected into those services and processes:
// Redis down while applications arrive, Redis killed and restarted with its AOF and
// without any data mid-queue, Postgres restarted mid-request and mid-job, the worker
// killed with SIGKILL mid-job on every queue with side effects (parse, screen, interview
// start, webhook ingest, Vapi delete, retention sweep, backup monitor, alert delivery),
// Redis restarted empty before an ended call was reconciled, an AI outage followed by slow
// answers, an SMTP outage, and a full disk under the CV blobs. The fakes (OpenAI, SMTP) are HTTP/SMTP
// servers speaking the real protocols (test/fakes).
//
// For each fault it counts, from Postgres (the source of truth):
//   jobs lost           accepted applications (202) that never got a finished screening
//                       (or, for the disk-full case, a finished parse);
//   duplicated effects  second screenings of one CV, model runs charged twice (ai_usage
//                       against the recorded ai_runs), a mail delivered twice;
//   partial writes      applications without their document or blob, candidates without an
//                       application, rows for refused requests, and any answer other than
//                       the expected ones (202, or 503 problem+json while a service is down).
// It prints one table and exits non-zero when any count is not 0.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createAuditLog } from '../../server/core/audit.js';
import { loadConfig } from '../../server/core/config.js';
import { createDb } from '../../server/core/db.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { migrate } from '../../server/core/migrate.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/notices/text.js';
import { startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { startFakeSmtp } from '../fakes/smtp-server.js';
import { signHmac, startFakeVapi } from '../fakes/vapi-server.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { multipartBody } from '../fixtures/make.js';
import { createOrgWithMember, PUBLIC_URL, type Member, type TestContext } from '../helper.js';
import { simulateInjectionCheck, simulateScreening } from '../../server/modules/model-providers/simulated.js';
import { writeTestKeys } from '../support/keys.js';
import { scrape, type Scrape } from '../support/metrics.js';
import { freePort, NodeProcess, OwnPostgres, OwnRedis, sleep, waitFor } from './services.js';

const started = Date.now();
const teardowns: (() => unknown)[] = [];
const log = (line: string): void => void process.stdout.write(`# ${((Date.now() - started) / 1000).toFixed(1)}s ${line}\n`);

interface Row {
  fault: string;
  accepted: number;
  lost: number;
  duplicated: number;
  partial: number;
  notes: string;
  /** What the metrics (the app's and worker's internal ports) showed of the fault; ok false fails the suite. */
  metrics?: { shown: string; ok: boolean };
}
const rows: Row[] = [];
const processes: NodeProcess[] = [];

const logDir = path.join(process.cwd(), '.data', 'faults');
rmSync(logDir, { recursive: true, force: true });
const root = mkdtempSync(path.join(tmpdir(), 'hirebox-faults-'));
teardowns.push(() => rmSync(root, { recursive: true, force: true }));
const keys = writeTestKeys({ teardown: (fn) => void teardowns.push(fn) });

const postgres = new OwnPostgres(root, await freePort());
const redis = new OwnRedis(path.join(root, 'redis'), await freePort());
const openai = await startFakeOpenAI();
const smtp = await startFakeSmtp();
const vapi = await startFakeVapi();
teardowns.push(() => openai.close(), () => smtp.close(), () => vapi.close(), () => redis.kill(), () => postgres.close());

// Answers like the simulated provider (grounded in the CV) for screening and the injection check.
openai.setFallback((body: ChatRequestBody) => ({ kind: 'valid', content: JSON.stringify(simulateScreening(body.messages[1]?.content ?? '')) }));
openai.setCheckFallback((body: ChatRequestBody) => ({ kind: 'valid', content: JSON.stringify(simulateInjectionCheck(body.messages[1]?.content ?? '')) }));

async function main(): Promise<void> {
  await postgres.init(8);
  await postgres.start();
  await redis.start();
  await withOwner((c) => c.query('CREATE DATABASE hirebox'), 'postgres');
  await migrate({ migrationDatabaseUrl: postgres.url('hirebox') });
  log(`own Postgres on ${postgres.port}, own Redis on ${redis.port}, migrated`);

  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PUBLIC_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: postgres.url('hirebox', 'hirebox_app'),
    MIGRATION_DATABASE_URL: postgres.url('hirebox'),
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'faults',
    MASTER_KEY_FILE: keys.masterKeyFile,
    AUDIT_SIGNING_KEY_FILE: keys.auditSigningKeyFile,
    HIREBOX_DATA_DIR: keys.dir,
    AI_PROVIDER: 'openai',
    OPENAI_API_KEY: 'sk-fault-suite',
    OPENAI_BASE_URL: openai.baseUrl,
    SMTP_URL: smtp.url,
    VAPI_API_KEY: vapi.apiKey,
    VAPI_BASE_URL: vapi.url,
    OUTBOUND_ALLOW_LOOPBACK: 'true',
    TRUST_PROXY: 'true',
    LOG_LEVEL: 'info',
    CV_PARSE_PER_ORG: '8',
    // The suite applies more than the production per-minute cap to one job (a 429 there would
    // read as a wrong answer); the cap itself is tested in test/integration/intake-burst.test.ts.
    APPLY_BURST_PER_JOB_MINUTE: '1000',
    RECONCILE_EVERY_SECONDS: '2',
    RECONCILE_GRACE_SECONDS: '3',
    // The backup monitor raises stale_backup (no backup is ever recorded here); its hourly
    // run is throttled per org, the suite's own run is the one SIGKILLed mid-check.
    BACKUPS_EXPECTED: 'true',
    // The internal metrics listeners the suite scrapes to see each fault as an operator would.
    METRICS_PORT: String(await freePort()),
    WORKER_METRICS_PORT: String(await freePort()),
  };
  const base = `http://127.0.0.1:${port}`;
  const metricsUrl = { app: `http://127.0.0.1:${env.METRICS_PORT}/metrics`, worker: `http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics` };
  /**
   * Scrapes one process's metrics until `ready` holds (or the timeout): what an operator's
   * Prometheus would see of the fault. The result goes into the row's metrics column.
   */
  async function shows(proc: 'app' | 'worker', what: string, ready: (m: Scrape) => boolean, timeoutMs = 15_000): Promise<{ shown: string; ok: boolean }> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = await scrape(metricsUrl[proc]).catch(() => null);
      if (m && ready(m)) return { shown: `${proc}: ${what}`, ok: true };
      if (Date.now() > end) return { shown: `${proc}: NOT ${what}`, ok: false };
      await sleep(250);
    }
  }
  const withMetrics = (m: { shown: string; ok: boolean }[]): void => {
    const row = rows[rows.length - 1] as Row;
    row.metrics = { shown: m.map((x) => x.shown).join(', '), ok: m.every((x) => x.ok) };
  };
  const app = new NodeProcess('app', 'dist/server/main.js', env);
  let worker = new NodeProcess('worker', 'dist/worker/main.js', env);
  teardowns.push(() => app.kill(), () => worker.kill());
  processes.push(app, worker);
  app.start();
  worker.start();
  await waitFor('the app to be ready', async () => (await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200, 60_000, 200);
  await waitFor('the worker to start', () => worker.output.includes('worker started'), 60_000, 200);
  log('app and worker up');

  const config = loadConfig(env);
  const db = createDb({ connectionString: env.DATABASE_URL as string, max: 2 });
  teardowns.push(() => db.close());
  const ctx = { db, audit: createAuditLog({ db, signingKey: config.auditSigningKey.reveal() }), config } as unknown as TestContext;

  let ip = 0;
  interface Answer {
    status: number;
    problem: boolean;
    email?: string;
  }
  const answers = new Map<string, Answer[]>();

  async function setup(fault: string): Promise<{ member: Member; jobId: string; url: string; orgId: string }> {
    const member = await createOrgWithMember(ctx, 'admin');
    const res = await fetch(`${base}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...member.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: `Fault ${fault}`,
        employmentType: 'full_time',
        status: 'open',
        location: 'Berlin',
        description: 'Build the hiring platform.',
        criteria: [{ name: 'TypeScript', description: 'Production TypeScript', weight: 3, mustHave: true }],
      }),
    });
    if (res.status !== 201) throw new Error(`job: ${res.status} ${await res.text()}`);
    const job = (await res.json()) as { id: string; slug: string };
    const slug = await withOwner(async (c) => (await c.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [member.orgId])).rows[0]?.slug);
    answers.set(job.id, []);
    return { member, jobId: job.id, url: `${base}/api/v1/public/jobs/${slug}/${job.slug}/apply`, orgId: member.orgId };
  }

  /** One public application; the answer is recorded for the job. */
  async function apply(job: { jobId: string; url: string }, cv?: Buffer, contentType = 'text/plain'): Promise<Answer> {
    ip += 1;
    const n = ip;
    const data = cv ?? Buffer.from(`Candidate ${n}\n\n${6 + (n % 5)} years of TypeScript services\nDesigned Postgres schemas for billing\nref ${randomBytes(6).toString('hex')}\n`);
    const email = `candidate${n}.${randomBytes(3).toString('hex')}@example.test`;
    const { body, contentType: ct } = multipartBody(
      { name: `Candidate ${n}`, email, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION },
      { filename: contentType === 'text/plain' ? 'cv.txt' : 'cv.pdf', contentType, data },
    );
    const answer = await fetch(job.url, {
      method: 'POST',
      headers: { 'content-type': ct, accept: 'application/json', 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
      body,
      signal: AbortSignal.timeout(20_000),
    }).then(
      async (r) => ({ status: r.status, problem: (r.headers.get('content-type') ?? '').startsWith('application/problem+json') && (await r.text()).includes('"status"'), email }),
      () => ({ status: 0, problem: false, email }),
    );
    answers.get(job.jobId)?.push(answer);
    return answer;
  }

  interface Counts {
    accepted: number;
    apps: number;
    finished: number;
    dupScreenings: number;
    dupCharges: number;
    orphans: number;
    badAnswers: number;
  }

  async function count(job: { jobId: string; orgId: string }, finishedWhen: 'screened' | 'parsed', allowed: readonly number[]): Promise<Counts> {
    const got = answers.get(job.jobId) ?? [];
    const accepted = got.filter((a) => a.status === 202).length;
    const badAnswers = got.filter((a) => !(a.status === 202 || (allowed.includes(a.status) && a.problem))).length;
    return withOwner(async (c) => {
      const one = async (sql: string): Promise<number> => Number((await c.query<{ n: number }>(sql, [job.jobId, job.orgId])).rows[0]?.n ?? 0);
      const apps = await one('SELECT count(*)::int AS n FROM applications WHERE job_id = $1 AND org_id = $2');
      const finished =
        finishedWhen === 'screened'
          ? await one(`SELECT count(DISTINCT s.application_id)::int AS n FROM screenings s WHERE s.job_id = $1 AND s.org_id = $2 AND s.status = 'completed'`)
          : await one(`SELECT count(*)::int AS n FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.job_id = $1 AND a.org_id = $2 AND d.parse_status <> 'pending'`);
      const dupScreenings = await one('SELECT coalesce(sum(n - 1), 0)::int AS n FROM (SELECT count(*) AS n FROM screenings WHERE job_id = $1 AND org_id = $2 GROUP BY application_id, document_id, generation) x');
      const usage = (await c.query<{ runs: number; tokens: number }>('SELECT coalesce(sum(runs), 0)::int AS runs, coalesce(sum(input_tokens + output_tokens), 0)::int AS tokens FROM ai_usage WHERE org_id = $1', [job.orgId])).rows[0];
      const recorded = (await c.query<{ runs: number; tokens: number }>('SELECT (SELECT count(*)::int FROM ai_runs r JOIN screenings s ON s.id = r.screening_id WHERE s.org_id = $1 AND s.status IN ($2, $3)) AS runs, (SELECT coalesce(sum(input_tokens + output_tokens), 0)::int FROM screenings WHERE org_id = $1 AND status IN ($2, $3)) AS tokens', [job.orgId, 'completed', 'failed'])).rows[0];
      const dupCharges = Math.max(0, (usage?.runs ?? 0) - (recorded?.runs ?? 0)) + ((usage?.tokens ?? 0) > (recorded?.tokens ?? 0) ? 1 : 0);
      const orphans =
        (await one(`SELECT count(*)::int AS n FROM applications a WHERE a.job_id = $1 AND a.org_id = $2 AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.application_id = a.id)`)) +
        (await one(`SELECT count(*)::int AS n FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.job_id = $1 AND a.org_id = $2 AND NOT EXISTS (SELECT 1 FROM document_blobs b WHERE b.document_id = d.id)`)) +
        (await one(`SELECT count(*)::int AS n FROM candidates c WHERE c.org_id = $2 AND $1::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.candidate_id = c.id)`));
      return { accepted, apps, finished, dupScreenings, dupCharges, orphans, badAnswers };
    });
  }

  /** Waits until every stored application is finished (or the deadline), then records the row. */
  async function settle(fault: string, job: { jobId: string; orgId: string }, opts: { finishedWhen?: 'screened' | 'parsed'; allowed?: readonly number[]; timeoutMs?: number; notes?: string } = {}): Promise<void> {
    const finishedWhen = opts.finishedWhen ?? 'screened';
    const allowed = opts.allowed ?? [];
    let c = await count(job, finishedWhen, allowed);
    const end = Date.now() + (opts.timeoutMs ?? 90_000);
    while ((c.finished < c.apps || c.apps < c.accepted) && Date.now() < end) {
      await sleep(500);
      c = await count(job, finishedWhen, allowed);
    }
    // A refused request (503) that still committed would be a partial write (the client was told it failed).
    const unexpectedRows = Math.max(0, c.apps - c.accepted);
    const row: Row = {
      fault,
      accepted: c.accepted,
      lost: Math.max(0, c.accepted - c.finished),
      duplicated: c.dupScreenings + c.dupCharges,
      partial: c.orphans + unexpectedRows + c.badAnswers,
      notes: [summarise(answers.get(job.jobId) ?? []), opts.notes].filter(Boolean).join('; '),
    };
    rows.push(row);
    log(`${fault}: ${JSON.stringify(row)}`);
  }

  function summarise(list: Answer[]): string {
    const by = new Map<string, number>();
    for (const a of list) by.set(String(a.status), (by.get(String(a.status)) ?? 0) + 1);
    return [...by].map(([s, n]) => `${n}x${s}`).join(' ');
  }

  const inFlight = (): number => openai.requests.length;

  // 1. Redis down while applications arrive; restarted with its append-only file.
  {
    const job = await setup('redis-down');
    for (let i = 0; i < 3; i++) await apply(job);
    await redis.kill();
    for (let i = 0; i < 3; i++) await apply(job);
    const seen = await shows('app', 'hirebox_queue_scrape_error 1', (m) => m.value('hirebox_queue_scrape_error') === 1);
    await redis.start();
    for (let i = 0; i < 3; i++) await apply(job);
    await settle('Redis down while applying (restart with AOF)', job, { allowed: [503] });
    withMetrics([seen]);
  }

  // 2. Redis SIGKILLed mid-queue and restarted without its data.
  {
    const job = await setup('redis-empty');
    openai.setLatency(1_500);
    const before = inFlight();
    for (let i = 0; i < 3; i++) await apply(job);
    await waitFor('a screening in flight', () => inFlight() > before, 30_000);
    // A burst: parses still queued, screenings running, when Redis dies.
    await Promise.all(Array.from({ length: 6 }, () => apply(job)));
    await redis.kill();
    redis.wipe();
    await redis.start();
    openai.setLatency(0);
    for (let i = 0; i < 3; i++) await apply(job);
    await settle('Redis SIGKILL mid-queue, restarted empty', job, { allowed: [503] });
  }

  // 3. Postgres restarted mid-request and mid-job.
  {
    const job = await setup('postgres-restart');
    openai.setLatency(800);
    for (let i = 0; i < 4; i++) await apply(job);
    const during = Promise.all(Array.from({ length: 4 }, () => apply(job)));
    await sleep(50);
    await postgres.stop('fast');
    const outage: Answer[] = [];
    for (let i = 0; i < 3; i++) outage.push(await apply(job));
    const ready = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
    await during;
    await postgres.start();
    await waitFor('the app to be ready again (no restart)', async () => (await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200, 30_000, 200);
    openai.setLatency(0);
    for (let i = 0; i < 3; i++) await apply(job);
    await settle('Postgres restarted mid-request and mid-job', job, { allowed: [503], notes: `during outage: ${summarise(outage)}, readyz ${ready}` });
    withMetrics([await shows('app', 'HTTP 503 answers counted', (m) => m.sum('hirebox_http_requests_total', { status_code: '503' }) >= outage.filter((a) => a.status === 503).length && outage.length > 0)]);
    if (!outage.every((a) => a.status === 503 && a.problem)) rows[rows.length - 1]!.partial += outage.filter((a) => !(a.status === 503 && a.problem)).length;
  }

  // 4. Worker SIGKILLed mid-parse and mid-screening; a new worker takes over.
  {
    const job = await setup('worker-kill');
    openai.setLatency(2_000);
    const before = inFlight();
    for (let i = 0; i < 6; i++) await apply(job);
    await waitFor('a screening in flight', () => inFlight() > before, 30_000);
    await worker.kill('SIGKILL');
    openai.setLatency(0);
    worker = new NodeProcess('worker', 'dist/worker/main.js', env);
    processes.push(worker);
    worker.start();
    await settle('worker SIGKILL mid-parse/mid-screen', job, { timeoutMs: 120_000 });
    withMetrics([await shows('worker', 'stalled cv-parse/cv-screen jobs counted', (m) => m.sum('hirebox_jobs_stalled_total', { queue: 'cv-parse' }) + m.sum('hirebox_jobs_stalled_total', { queue: 'cv-screen' }) >= 1, 45_000)]);
  }

  // 5. AI outage (every call 503), then slow answers; the breaker opens and jobs wait.
  {
    const job = await setup('ai-outage');
    openai.setFallback({ kind: 'status', status: 503 });
    // Six CVs: five consecutive failed provider calls open the breaker (README, AI provider outages).
    for (let i = 0; i < 6; i++) await apply(job);
    await waitFor('the breaker to open', async () => {
      const st = (await fetch(`${base}/api/v1/ai/status`, { headers: { cookie: job.member.cookie } }).then((r) => r.json(), () => null)) as { providers?: { name: string; state: string }[] } | null;
      return (st?.providers ?? []).some((p) => p.name === 'openai' && p.state === 'open');
    }, 30_000, 500).catch(() => undefined);
    const breakerShown = await shows('worker', 'openai breaker open', (m) => m.value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'open' }) === 1);
    const retriesShown = await shows('worker', 'cv-screen retries counted', (m) => m.sum('hirebox_job_retries_total', { queue: 'cv-screen' }) >= 1);
    const seen = await withOwner(async (c) => (await c.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM screenings WHERE job_id = $1 GROUP BY status', [job.jobId])).rows);
    // What the recruiter's console shows: the provider breaker (GET /api/v1/ai/status).
    const status = (await fetch(`${base}/api/v1/ai/status`, { headers: { cookie: job.member.cookie } }).then((r) => r.json(), () => null)) as { providers?: { name: string; state: string; history: { to: string }[] }[] } | null;
    const breakers = (status?.providers ?? []).map((p) => `${p.name} ${p.state}${p.history.some((h) => h.to === 'open') ? ' (opened)' : ''}`).join(', ') || 'unknown';
    openai.setFallback((body: ChatRequestBody) => ({ kind: 'valid', content: JSON.stringify(simulateScreening(body.messages[1]?.content ?? '')), delayMs: 1_500 }));
    await settle('AI outage then slow answers', job, { timeoutMs: 150_000, notes: `during outage screenings: ${seen.map((r) => `${r.n} ${r.status}`).join(', ') || 'none yet'}; breaker: ${breakers}` });
    withMetrics([breakerShown, retriesShown, await shows('worker', 'openai breaker closed again', (m) => m.value('hirebox_circuit_breaker_state', { breaker: 'openai', state: 'closed' }) === 1, 30_000)]);
    openai.setFallback((body: ChatRequestBody) => ({ kind: 'valid', content: JSON.stringify(simulateScreening(body.messages[1]?.content ?? '')) }));
  }

  // 6. SMTP outage: the automatic "application received" mail fails visibly, a retry sends it once.
  {
    const job = await setup('smtp-outage');
    const post = (url: string, body?: object): Promise<Response> =>
      fetch(`${base}${url}`, { method: 'POST', headers: { ...job.member.headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const tpl = await post('/api/v1/message-templates', { name: 'Received', kind: 'application_received', subject: 'We got your application', body: 'Thank you for applying.', sendOn: 'apply' });
    if (tpl.status !== 201) throw new Error(`template: ${tpl.status} ${await tpl.text()}`);
    smtp.failing = true;
    const during: Answer[] = [];
    for (let i = 0; i < 3; i++) during.push(await apply(job));
    const listed = (await (await fetch(`${base}/api/v1/messages?status=failed`, { headers: { cookie: job.member.cookie } })).json()) as { messages: { id: string }[] };
    smtp.failing = false;
    for (let i = 0; i < 2; i++) await apply(job);
    // The recruiter retries each failed mail, twice (a double click): one delivery each.
    for (const m of listed.messages) for (let k = 0; k < 2; k++) await post(`/api/v1/messages/${m.id}/retry`);
    const emails = (answers.get(job.jobId) ?? []).filter((a) => a.status === 202).map((a) => a.email as string);
    // Only the template's mail counts: since the candidate status page landed, an application
    // also mails the candidate a sign-in link, a different message that is not a duplicate.
    const delivered = (e: string): number => smtp.received.filter((r) => r.to.some((to) => to.includes(e)) && r.data.includes('We got your application')).length;
    await waitFor('mails delivered', () => emails.every((e) => delivered(e) >= 1), 20_000).catch(() => undefined);
    await settle('SMTP outage (candidate mail)', job, { notes: `failed while down, listed for the recruiter: ${listed.messages.length} of ${during.length}; retried twice each` });
    const row = rows[rows.length - 1] as Row;
    row.lost += emails.filter((e) => delivered(e) === 0).length;
    row.duplicated += emails.reduce((n, e) => n + Math.max(0, delivered(e) - 1), 0);
  }

  // 7. Vapi webhooks: duplicated, reordered and late messages, with Redis SIGKILLed and restarted empty mid-stream.
  {
    const member = await createOrgWithMember(ctx, 'admin');
    const res = await fetch(`${base}/api/v1/webhooks/vapi`, { method: 'POST', headers: { ...member.headers, 'content-type': 'application/json' }, body: '{}' });
    if (res.status !== 201) throw new Error(`endpoint: ${res.status} ${await res.text()}`);
    const hook = (await res.json()) as { id: string; secret: string };
    const late = Date.now() - 3_600_000;
    const bodies = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ message: { type: 'transcript', timestamp: late + i, call: { id: `call-late-${member.orgId.slice(0, 8)}` }, role: 'user', transcriptType: 'final', transcript: `part ${i}` } }),
    );
    const order = [5, 0, 3, 1, 4, 2, 11, 7, 9, 6, 10, 8];
    const hookAnswers: number[] = [];
    const acceptedIdx = new Set<number>();
    const send = async (body: string): Promise<void> => {
      const ts = String(Date.now());
      const r = await fetch(`${base}/webhooks/vapi/${hook.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signHmac(hook.secret, ts, Buffer.from(body)), 'x-timestamp': ts }, body }).then(
        (x) => x.status,
        () => 0,
      );
      hookAnswers.push(r);
      if (r === 200) acceptedIdx.add(bodies.indexOf(body));
    };
    let redisShown: { shown: string; ok: boolean } = { shown: 'not scraped', ok: false };
    for (const [k, i] of order.entries()) {
      if (k === 4) await redis.kill();
      if (k === 5) redisShown = await shows('app', 'hirebox_queue_scrape_error 1', (m) => m.value('hirebox_queue_scrape_error') === 1);
      if (k === 7) {
        redis.wipe();
        await redis.start();
      }
      await send(bodies[i] as string);
      await send(bodies[i] as string);
    }
    const accepted = hookAnswers.filter((s) => s === 200).length;
    const stored = async (): Promise<{ n: number; processed: number }> =>
      withOwner(async (c) => (await c.query<{ n: number; processed: number }>('SELECT count(*)::int AS n, count(processed_at)::int AS processed FROM webhook_messages WHERE org_id = $1', [member.orgId])).rows[0] ?? { n: 0, processed: 0 });
    await waitFor('every stored message processed', async () => {
      const x = await stored();
      return x.n > 0 && x.processed === x.n;
    }, 60_000).catch(() => undefined);
    const x = await stored();
    const row: Row = {
      fault: 'Vapi webhooks duplicated, reordered, late; Redis SIGKILL + empty restart',
      accepted,
      lost: Math.max(0, acceptedIdx.size - x.processed),
      duplicated: Math.max(0, x.n - bodies.length),
      partial: hookAnswers.filter((s) => s !== 200).length,
      notes: `${hookAnswers.length} deliveries of ${bodies.length} messages (each twice, out of order, an hour late); stored ${x.n}, processed ${x.processed}`,
      metrics: redisShown,
    };
    rows.push(row);
    log(`${row.fault}: ${JSON.stringify(row)}`);
  }

  // 8. Interview calls: candidates consent while Redis is down, so their start jobs never reach it.
  {
    const job = await setup('interview-start');
    const headers = { ...job.member.headers, 'content-type': 'application/json' };
    /** A new public application, invited to an interview; the invitation link read from the mail. */
    async function applyAndInvite(): Promise<{ interviewId: string; link: string }> {
      const mailsBefore = smtp.received.length;
      await apply(job);
      const [appId] = await withOwner(async (c) => (await c.query<{ id: string }>('SELECT id FROM applications WHERE job_id = $1 ORDER BY created_at DESC LIMIT 1', [job.jobId])).rows.map((r) => r.id));
      const invited = await fetch(`${base}/api/v1/applications/${appId}/interviews`, { method: 'POST', headers, body: '{}' });
      if (invited.status !== 201) throw new Error(`invite: ${invited.status} ${await invited.text()}`);
      const interviewId = ((await invited.json()) as { id: string }).id;
      await waitFor('the invitation mail', () => smtp.received.length > mailsBefore, 10_000);
      const link = /\/i\/([A-Za-z0-9_-]{16,})/.exec(smtp.received.slice(mailsBefore).map((m) => m.data.replace(/=\r\n/g, '')).join('\n'))?.[1] as string;
      return { interviewId, link };
    }
    const put = await fetch(`${base}/api/v1/interviews/settings`, { method: 'PUT', headers, body: JSON.stringify({ assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound' }) });
    if (put.status !== 204) throw new Error(`interview settings: ${put.status} ${await put.text()}`);
    // No invite before an approved interview plan (issue 22 item 4).
    const plan = { questions: [{ text: 'Tell us about a TypeScript service you built.', criterion: 'c1', anchor: 'A concrete service, own role, outcome.' }], maxDurationSeconds: 900, language: 'en', availability: [], voice: null };
    const saved = await fetch(`${base}/api/v1/interview-plans/${job.jobId}`, { method: 'PUT', headers, body: JSON.stringify(plan) });
    const approved = await fetch(`${base}/api/v1/interview-plans/${job.jobId}/approve`, { method: 'POST', headers: job.member.headers });
    if (saved.status !== 200 || approved.status !== 200) throw new Error(`interview plan: ${saved.status} ${approved.status}`);
    for (let i = 0; i < 3; i++) await apply(job);
    const appIds = await withOwner(async (c) => (await c.query<{ id: string }>('SELECT id FROM applications WHERE job_id = $1', [job.jobId])).rows.map((r) => r.id));
    const tokens: string[] = [];
    for (const id of appIds) {
      const before = smtp.received.length;
      const inv = await fetch(`${base}/api/v1/applications/${id}/interviews`, { method: 'POST', headers, body: '{}' });
      if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${await inv.text()}`);
      await waitFor('the invitation mail', () => smtp.received.length > before, 10_000);
      const mail = smtp.received.slice(before).map((m) => m.data.replace(/=\r\n/g, '')).join('\n');
      const token = /\/i\/([A-Za-z0-9_-]{16,})/.exec(mail)?.[1];
      if (!token) throw new Error('no interview link in the invitation mail');
      tokens.push(token);
    }
    const callsBefore = vapi.requests.filter((r) => r.method === 'POST' && r.path === '/call').length;
    await redis.kill();
    const consented: number[] = [];
    for (const token of tokens) {
      const r = await fetch(`${base}/i/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: false }),
      }).then((x) => x.status, () => 0);
      consented.push(r);
    }
    await redis.start();
    const called = async (): Promise<number> =>
      withOwner(async (c) => Number((await c.query<{ n: number }>('SELECT count(*)::int AS n FROM interviews WHERE org_id = $1 AND vapi_call_id IS NOT NULL', [job.orgId])).rows[0]?.n ?? 0));
    const accepted = consented.filter((s) => s === 200).length;
    await waitFor('every consented candidate called', async () => (await called()) >= accepted, 60_000).catch(() => undefined);
    await sleep(1_000);
    const placed = vapi.requests.filter((r) => r.method === 'POST' && r.path === '/call').length - callsBefore;
    const n = await called();
    const row: Row = {
      fault: 'interview start: consent while Redis down (restart with AOF)',
      accepted,
      lost: Math.max(0, accepted - n),
      duplicated: Math.max(0, placed - n),
      partial: consented.filter((s) => s !== 200).length,
      notes: `consent answers ${consented.join(' ')}; calls placed at Vapi ${placed}, recorded ${n}`,
    };
    rows.push(row);
    log(`${row.fault}: ${JSON.stringify(row)}`);

    // Then Vapi itself fails: the next requests answer 503; the start retries with backoff and calls once.
    const before = smtp.received.length;
    await apply(job);
    const [newest] = await withOwner(async (c) => (await c.query<{ id: string }>('SELECT id FROM applications WHERE job_id = $1 ORDER BY created_at DESC LIMIT 1', [job.jobId])).rows.map((r) => r.id));
    const inv = await fetch(`${base}/api/v1/applications/${newest}/interviews`, { method: 'POST', headers, body: '{}' });
    if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${await inv.text()}`);
    await waitFor('the invitation mail', () => smtp.received.length > before, 10_000);
    const token = /\/i\/([A-Za-z0-9_-]{16,})/.exec(smtp.received.slice(before).map((m) => m.data.replace(/=\r\n/g, '')).join('\n'))?.[1] as string;
    const placedBefore = vapi.requests.filter((r) => r.method === 'POST' && r.path === '/call').length;
    vapi.failNext(503, 6);
    const answer = await fetch(`${base}/i/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: false }),
    }).then((x) => x.status, () => 0);
    await waitFor('the call placed after the outage', async () => (await called()) >= n + 1, 90_000).catch(() => undefined);
    await sleep(1_000);
    const attempts = vapi.requests.filter((r) => r.method === 'POST' && r.path === '/call').length - placedBefore;
    const recorded = (await called()) - n;
    const outage: Row = {
      fault: 'Vapi outage at call start (6 requests answered 503)',
      accepted: answer === 200 ? 1 : 0,
      lost: answer === 200 ? Math.max(0, 1 - recorded) : 0,
      duplicated: Math.max(0, recorded - 1),
      partial: answer === 200 ? 0 : 1,
      notes: `POST /call attempts ${attempts} (failed ones included), calls recorded ${recorded}`,
      metrics: await shows('worker', 'interview-start retries counted', (m) => m.sum('hirebox_job_retries_total', { queue: 'interview-start' }) >= 1),
    };
    rows.push(outage);
    log(`${outage.fault}: ${JSON.stringify(outage)}`);

    // The worker SIGKILLed after Vapi accepted the call and before it stored the call id
    // (the interview used to stay in 'calling' for ever): the restarted worker's start (the
    // stalled job, or the start sweep) finds the call at Vapi (GET /call, by the interview id
    // in its metadata) and adopts it. Then that call's webhooks arrive while the worker is
    // SIGKILLed mid-ingest: every message is applied once, the interview ends once.
    const hookRes = await fetch(`${base}/api/v1/webhooks/vapi`, { method: 'POST', headers, body: '{}' });
    if (hookRes.status !== 201) throw new Error(`endpoint: ${hookRes.status} ${await hookRes.text()}`);
    const hook = (await hookRes.json()) as { id: string; secret: string };
    vapi.setWebhook({ url: `${base}/webhooks/vapi/${hook.id}`, secret: hook.secret });
    const { interviewId, link } = await applyAndInvite();
    const posts = (): number => vapi.requests.filter((r) => r.method === 'POST' && r.path === '/call').length;
    const postsBefore = posts();
    const held = vapi.holdCreates();
    const consentAnswer = await fetch(`${base}/i/${link}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: false }),
    }).then((x) => x.status, () => 0);
    const acceptedCall = await Promise.race([held.accepted, sleep(30_000).then(() => null)]);
    await worker.kill('SIGKILL');
    const killedAt = Date.now();
    held.release();
    const activeShown = await shows('app', 'the dead worker\'s interview-start job still active', (m) => m.sum('hirebox_queue_jobs', { queue: 'interview-start', state: 'active' }) >= 1, 5_000);
    const interview = async (): Promise<{ status: string; call_status: string | null; vapi_call_id: string | null } | undefined> =>
      withOwner(async (c) => (await c.query<{ status: string; call_status: string | null; vapi_call_id: string | null }>('SELECT status, call_status, vapi_call_id FROM interviews WHERE id = $1', [interviewId])).rows[0]);
    const stuck = await interview();
    worker = new NodeProcess('worker', 'dist/worker/main.js', env);
    processes.push(worker);
    worker.start();
    await waitFor('the claimed interview to adopt its call', async () => Boolean((await interview())?.vapi_call_id), 90_000, 250).catch(() => undefined);
    const recoveredS = ((Date.now() - killedAt) / 1000).toFixed(1);
    const after = await interview();
    const placedHere = posts() - postsBefore;
    const adoptRow: Row = {
      fault: 'interview start: worker SIGKILL after Vapi accepted the call',
      accepted: consentAnswer === 200 ? 1 : 0,
      lost: acceptedCall && after?.vapi_call_id === acceptedCall && !(after.status === 'calling' && after.call_status === 'creating') ? 0 : 1,
      duplicated: Math.max(0, placedHere - 1),
      partial: consentAnswer === 200 ? 0 : 1,
      notes: `left ${stuck?.status}/${stuck?.call_status} with no call id; POST /call ${placedHere}; adopted the accepted call ${after?.vapi_call_id === acceptedCall ? 'yes' : 'no'} after ${recoveredS} s (now ${after?.status}/${after?.call_status})`,
      metrics: activeShown,
    };
    rows.push(adoptRow);
    log(`${adoptRow.fault}: ${JSON.stringify(adoptRow)}`);

    if (acceptedCall && after?.vapi_call_id === acceptedCall) {
      await waitFor('the worker to start', () => worker.output.includes('worker started'), 60_000, 200);
      const messages = async (): Promise<{ n: number; processed: number }> =>
        withOwner(async (c) => (await c.query<{ n: number; processed: number }>('SELECT count(*)::int AS n, count(processed_at)::int AS processed FROM webhook_messages WHERE org_id = $1', [job.orgId])).rows[0] ?? { n: 0, processed: 0 });
      // The call's deletion at Vapi (after its transcript is taken, no recording consent) will be held mid-request below.
      const deleteHeld = vapi.holdDeletes();
      const playing = vapi.play(acceptedCall, { duplicate: true });
      await waitFor('the first messages applied', async () => (await messages()).processed >= 3, 30_000, 50).catch(() => undefined);
      await worker.kill('SIGKILL');
      const atKill = await messages();
      worker = new NodeProcess('worker', 'dist/worker/main.js', env);
      processes.push(worker);
      worker.start();
      const deliveries = await playing;
      const ended = async (): Promise<{ status: string; transcript: boolean; events: number } | undefined> =>
        withOwner(
          async (c) =>
            (
              await c.query<{ status: string; transcript: boolean; events: number }>(
                `SELECT i.status, i.transcript_enc IS NOT NULL AS transcript, (SELECT count(*)::int FROM application_events e WHERE e.org_id = i.org_id AND e.type = 'interview.ended' AND e.data->>'interviewId' = i.id::text) AS events FROM interviews i WHERE i.id = $1`,
                [interviewId],
              )
            ).rows[0],
        );
      await waitFor('every message applied and the interview ended', async () => {
        const m = await messages();
        const e = await ended();
        return m.n > 0 && m.processed === m.n && e?.status === 'ended' && e.transcript;
      }, 90_000, 250).catch(() => undefined);
      const m = await messages();
      const e = await ended();
      const acceptedHooks = deliveries.filter((d) => d.status === 200).length;
      const unique = new Set(deliveries.map((d, i) => (d.status === 200 ? Math.floor(i / 2) : -1)).filter((i) => i >= 0)).size;
      const ingestRow: Row = {
        fault: 'webhook ingest: worker SIGKILL mid-ingest (a call\'s messages, each twice)',
        accepted: acceptedHooks,
        lost: Math.max(0, unique - m.processed) + (e?.status === 'ended' && e.transcript ? 0 : 1),
        duplicated: Math.max(0, m.n - unique) + Math.max(0, (e?.events ?? 0) - 1),
        partial: deliveries.length - acceptedHooks,
        notes: `${deliveries.length} deliveries of ${unique} messages; ${atKill.processed} of ${atKill.n} stored applied at the kill; stored ${m.n}, applied ${m.processed}; interview ${e?.status}, interview.ended events ${e?.events ?? 0}`,
        // The restarted worker finds the killed ingest jobs (or the start job killed in the
        // row before, when no worker checked it since) stalled; when the reconciler's sweep
        // re-offered the messages first, it applies them: either shows in its counters (the
        // start job alone was missed in one run: the adoption came 10 s after the kill).
        metrics: await shows(
          'worker',
          'the killed webhook-ingest/interview-start jobs stalled, or the messages applied by the restarted worker',
          (x) => x.sum('hirebox_jobs_stalled_total', { queue: 'interview-start' }) + x.sum('hirebox_jobs_stalled_total', { queue: 'webhook-ingest' }) + x.sum('hirebox_jobs_completed_total', { queue: 'webhook-ingest' }) >= 1,
          Math.max(5_000, killedAt + 75_000 - Date.now()),
        ),
      };
      rows.push(ingestRow);
      log(`${ingestRow.fault}: ${JSON.stringify(ingestRow)}`);

      // Vapi deleted the call, and the worker is SIGKILLed before it hears so: the restarted
      // worker's re-run finds the call gone (404) and confirms; the call is deleted once.
      const deleted = await Promise.race([deleteHeld.accepted, sleep(60_000).then(() => null)]);
      if (deleted) await worker.kill('SIGKILL');
      deleteHeld.release();
      const deleteKilledAt = Date.now();
      worker = new NodeProcess('worker', 'dist/worker/main.js', env);
      processes.push(worker);
      worker.start();
      const confirmed = async (): Promise<{ confirmed: boolean; attempts: number } | undefined> =>
        withOwner(async (c) => (await c.query<{ confirmed: boolean; attempts: number }>('SELECT confirmed_at IS NOT NULL AS confirmed, attempts FROM vapi_call_deletions WHERE org_id = $1 AND call_id = $2', [job.orgId, acceptedCall])).rows[0]);
      await waitFor('the deletion confirmed after the restart', async () => (await confirmed())?.confirmed === true, 120_000, 500).catch(() => undefined);
      const d = await confirmed();
      const deleteRequests = vapi.requests.filter((r) => r.method === 'DELETE' && r.path === `/call/${acceptedCall}`).length;
      const deleteRow: Row = {
        fault: 'vapi delete: worker SIGKILL after Vapi deleted the call',
        accepted: deleted ? 1 : 0,
        lost: deleted && d?.confirmed ? 0 : 1,
        duplicated: Math.max(0, vapi.deletes.filter((id) => id === acceptedCall).length - 1),
        partial: 0,
        notes: `DELETE /call requests ${deleteRequests} (a repeat answers 404), calls deleted at Vapi ${vapi.deletes.filter((id) => id === acceptedCall).length}; confirmed ${d?.confirmed ? 'yes' : 'no'} ${((Date.now() - deleteKilledAt) / 1000).toFixed(1)} s after the kill`,
        // The restarted worker either finds the dead worker's job stalled or, when the
        // deletion sweep re-offered the deletion first (seen in 2 of 4 runs: confirmed ~19 s
        // after the kill, no stall), completes it: either shows in the new process's counters.
        metrics: await shows('worker', 'the killed vapi-delete job stalled or completed by the restarted worker', (x) => x.sum('hirebox_jobs_stalled_total', { queue: 'vapi-delete' }) + x.sum('hirebox_jobs_completed_total', { queue: 'vapi-delete' }) >= 1, 15_000),
      };
      rows.push(deleteRow);
      log(`${deleteRow.fault}: ${JSON.stringify(deleteRow)}`);
    }

    // interview-reconcile: Redis restarted empty just after a call's end-of-call report was
    // applied, before the report-phase reconcile job (5 s later) ran. The reconciler
    // re-offers it from Postgres under the same job id; the interview is reconciled once.
    {
      await waitFor('the worker to start', () => worker.output.includes('worker started'), 60_000, 200);
      const { interviewId, link } = await applyAndInvite();
      const consent = await fetch(`${base}/i/${link}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: false }),
      }).then((x) => x.status, () => 0);
      const state = async (): Promise<{ call: string | null; reported: boolean; reconciled: boolean; transcript: boolean; events: number } | undefined> =>
        withOwner(
          async (c) =>
            (
              await c.query<{ call: string | null; reported: boolean; reconciled: boolean; transcript: boolean; events: number }>(
                `SELECT i.vapi_call_id AS call, i.report_received_at IS NOT NULL AS reported, i.reconciled_at IS NOT NULL AS reconciled, i.transcript_enc IS NOT NULL AS transcript,
                        (SELECT count(*)::int FROM application_events e WHERE e.org_id = i.org_id AND e.type = 'interview.ended' AND e.data->>'interviewId' = i.id::text) AS events
                   FROM interviews i WHERE i.id = $1`,
                [interviewId],
              )
            ).rows[0],
        );
      await waitFor('the call placed', async () => Boolean((await state())?.call), 60_000, 250).catch(() => undefined);
      const callId = (await state())?.call;
      let atWipe: Awaited<ReturnType<typeof state>>;
      let scrapeShown: { shown: string; ok: boolean } = { shown: 'not injected', ok: false };
      if (callId) {
        const playing = vapi.play(callId);
        await waitFor('the end-of-call report applied', async () => Boolean((await state())?.reported), 30_000, 50).catch(() => undefined);
        atWipe = await state();
        await redis.kill();
        scrapeShown = await shows('app', 'hirebox_queue_scrape_error 1', (m) => m.value('hirebox_queue_scrape_error') === 1);
        redis.wipe();
        await redis.start();
        await playing;
        await waitFor('the interview reconciled', async () => Boolean((await state())?.reconciled), 60_000, 250).catch(() => undefined);
      }
      const after = await state();
      const reconRow: Row = {
        fault: 'interview reconcile: Redis restarted empty after the end-of-call report',
        accepted: consent === 200 && callId ? 1 : 0,
        lost: after?.reconciled && after.transcript ? 0 : 1,
        duplicated: Math.max(0, (after?.events ?? 0) - 1),
        partial: consent === 200 ? 0 : 1,
        notes: `at the wipe: reported ${atWipe?.reported ? 'yes' : 'no'}, reconciled ${atWipe?.reconciled ? 'yes' : 'no'}; after: reconciled ${after?.reconciled ? 'yes' : 'no'}, transcript ${after?.transcript ? 'yes' : 'no'}, interview.ended events ${after?.events ?? 0}`,
        metrics: scrapeShown,
      };
      // The fault is only injected when the reconcile job had not run before Redis lost it.
      if (atWipe?.reconciled) reconRow.notes += ' (reconciled before the wipe: fault not injected)';
      rows.push(reconRow);
      log(`${reconRow.fault}: ${JSON.stringify(reconRow)}`);
    }
  }

  // 9. One worker SIGKILL with three jobs held mid-job by locks the suite takes in Postgres:
  //    retention-sweep  erasing an org's 5 due candidates, held at the 3rd (its row locked);
  //    backup-monitor   raising stale_backup in every org, held at the newest org (its alert lock);
  //    alert-deliver    the stale_backup alert of an org with 2 mail recipients and a webhook,
  //                     held before its claim (org_keys locked: its webhook secret is sealed).
  //    The restarted worker finds the three jobs stalled and finishes them: every candidate
  //    erased once (key destroyed once, one candidate.erased audit event, nothing half-erased),
  //    one stale_backup alert per org, each recipient mailed once and the webhook called once.
  {
    const alertOrg = await setup('alert-deliver');
    const receiver = await new Promise<{ url: string; hits: { alertId: string }[]; close(): Promise<void> }>((resolve) => {
      const hits: { alertId: string }[] = [];
      const srv = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          hits.push({ alertId: String(req.headers['x-hirebox-alert-id'] ?? '') });
          res.statusCode = 204;
          res.end();
        });
      });
      srv.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/alerts`, hits, close: () => new Promise((r) => srv.close(() => r())) }));
    });
    teardowns.push(() => receiver.close());
    const recipients = [`ops.${randomBytes(3).toString('hex')}@example.test`, `oncall.${randomBytes(3).toString('hex')}@example.test`];
    const put = await fetch(`${base}/api/v1/org/alerts`, {
      method: 'PUT',
      headers: { ...alertOrg.member.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ emails: recipients, webhookUrl: receiver.url, kinds: ['stale_backup'] }),
    });
    if (put.status !== 200) throw new Error(`alert settings: ${put.status} ${await put.text()}`);

    const retentionOrg = await setup('retention');
    for (let i = 0; i < 5; i++) await apply(retentionOrg);
    await settle('(setup) retention candidates screened', retentionOrg);
    rows.pop();
    // Decided (rejected) 400 days ago: past the default 180-day retention.
    const due = await withOwner(async (c) => {
      await c.query(`UPDATE applications SET stage_kind = 'rejected' WHERE job_id = $1`, [retentionOrg.jobId]);
      await c.query(`UPDATE applications SET closed_at = now() - make_interval(days => 400) - make_interval(secs => n) FROM (SELECT id, row_number() OVER (ORDER BY created_at)::int AS n FROM applications WHERE job_id = $1) o WHERE applications.id = o.id`, [retentionOrg.jobId]);
      return (await c.query<{ id: string }>('SELECT candidate_id AS id FROM applications WHERE job_id = $1 ORDER BY closed_at, candidate_id', [retentionOrg.jobId])).rows.map((r) => r.id);
    });
    const lastOrg = await setup('backup-monitor');

    const holder = new pg.Client({ connectionString: postgres.url('hirebox') });
    await holder.connect();
    teardowns.push(() => holder.end());
    const keysHolder = new pg.Client({ connectionString: postgres.url('hirebox') });
    await keysHolder.connect();
    teardowns.push(() => keysHolder.end());
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM candidates WHERE id = $1 FOR UPDATE', [due[2]]);
    await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`alert:${lastOrg.orgId}:stale_backup`]);
    const queueConn = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const retentionQueue = createQueue(QUEUES.retentionSweep, queueConn, 'faults');
    const backupQueue = createQueue(QUEUES.backupMonitor, queueConn, 'faults');
    teardowns.push(() => retentionQueue.close(), () => backupQueue.close());
    await retentionQueue.add('sweep', { orgId: retentionOrg.orgId }, { jobId: `faults-retention-${retentionOrg.orgId}` });
    const erasedCount = async (): Promise<number> =>
      withOwner(async (c) => Number((await c.query<{ n: number }>('SELECT count(*)::int AS n FROM candidates WHERE id = ANY($1) AND erased_at IS NOT NULL', [due])).rows[0]?.n ?? 0));
    await waitFor('two candidates erased, the sweep held at the third', async () => (await erasedCount()) >= 2, 30_000, 100).catch(() => undefined);
    await keysHolder.query('BEGIN');
    await keysHolder.query('LOCK TABLE org_keys IN ACCESS EXCLUSIVE MODE');
    await backupQueue.add('check', {}, { jobId: 'faults-backup-check' });
    const alertOf = async (): Promise<{ id: string } | undefined> =>
      withOwner(async (c) => (await c.query<{ id: string }>(`SELECT id FROM alerts WHERE org_id = $1 AND kind = 'stale_backup'`, [alertOrg.orgId])).rows[0]);
    const waiting = async (): Promise<number> =>
      withOwner(async (c) => Number((await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'hirebox' AND wait_event_type IN ('Lock', 'LWLock') AND usename = 'hirebox_app'`)).rows[0]?.n ?? 0));
    await waitFor('the three jobs held mid-job', async () => Boolean(await alertOf()) && (await waiting()) >= 3, 30_000, 100).catch(() => undefined);
    await sleep(300);
    const heldAtKill = { erased: await erasedCount(), waiting: await waiting(), alert: Boolean(await alertOf()) };
    await worker.kill('SIGKILL');
    await keysHolder.query('ROLLBACK');
    await holder.query('ROLLBACK');
    const killedAt = Date.now();
    worker = new NodeProcess('worker', 'dist/worker/main.js', env);
    processes.push(worker);
    worker.start();

    const orgIds = await withOwner(async (c) => (await c.query<{ id: string }>('SELECT id FROM orgs WHERE offboarded_at IS NULL')).rows.map((r) => r.id));
    const staleAlerts = async (): Promise<Map<string, number>> =>
      withOwner(async (c) => new Map((await c.query<{ org_id: string; n: number }>(`SELECT org_id, count(*)::int AS n FROM alerts WHERE kind = 'stale_backup' GROUP BY org_id`)).rows.map((r) => [r.org_id, r.n])));
    const mailsTo = (address: string): number => smtp.received.filter((m) => m.to.some((to) => to.includes(address)) && m.data.includes('stale_backup')).length;
    await waitFor('the three held jobs finished', async () => {
      const alerts = await staleAlerts();
      return (await erasedCount()) === due.length && orgIds.every((id) => alerts.has(id)) && recipients.every((r) => mailsTo(r) >= 1) && receiver.hits.length >= 1;
    }, 120_000, 500).catch(() => undefined);
    await sleep(2_000);
    const recoveredS = ((Date.now() - killedAt) / 1000).toFixed(1);

    // Retention: erased once each; nothing half-erased (a destroyed key without erased_at, or the reverse, or a CV blob left).
    const r = await withOwner(async (c) => {
      const one = async (sql: string): Promise<number> => Number((await c.query<{ n: number }>(sql, [due])).rows[0]?.n ?? 0);
      return {
        erased: await one('SELECT count(*)::int AS n FROM candidates WHERE id = ANY($1) AND erased_at IS NOT NULL'),
        audits: await one(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'candidate.erased' AND target_id = ANY($1::text[])`),
        dupAudits: await one(`SELECT coalesce(sum(n - 1), 0)::int AS n FROM (SELECT count(*) AS n FROM audit_events WHERE action = 'candidate.erased' AND target_id = ANY($1::text[]) GROUP BY target_id) x`),
        keysDestroyed: await one('SELECT count(*)::int AS n FROM candidate_keys WHERE candidate_id = ANY($1) AND wrapped_key IS NULL'),
        half:
          (await one('SELECT count(*)::int AS n FROM candidates c JOIN candidate_keys k ON k.candidate_id = c.id WHERE c.id = ANY($1) AND ((c.erased_at IS NULL) <> (k.wrapped_key IS NOT NULL))')) +
          (await one('SELECT count(*)::int AS n FROM document_blobs b JOIN documents d ON d.id = b.document_id JOIN applications a ON a.id = d.application_id WHERE a.candidate_id = ANY($1) AND a.candidate_id IN (SELECT id FROM candidates WHERE erased_at IS NOT NULL)')),
      };
    });
    const retentionRow: Row = {
      fault: 'retention sweep: worker SIGKILL mid-sweep (erasure 3 of 5 held)',
      accepted: due.length,
      lost: due.length - r.erased,
      duplicated: r.dupAudits + Math.max(0, r.audits - due.length),
      partial: r.half + Math.max(0, r.erased - r.keysDestroyed),
      notes: `erased at the kill ${heldAtKill.erased}, after ${r.erased} (${recoveredS} s after the kill); keys destroyed ${r.keysDestroyed}; candidate.erased audit events ${r.audits}`,
      metrics: await shows('worker', 'the killed retention-sweep job counted as stalled', (m) => m.sum('hirebox_jobs_stalled_total', { queue: 'retention-sweep' }) >= 1, Math.max(5_000, killedAt + 75_000 - Date.now())),
    };
    rows.push(retentionRow);
    log(`${retentionRow.fault}: ${JSON.stringify(retentionRow)}`);

    const alerts = await staleAlerts();
    const backupRow: Row = {
      fault: 'backup monitor: worker SIGKILL mid-check (stale_backup raised in every org, held at the last)',
      accepted: orgIds.length,
      lost: orgIds.filter((id) => !alerts.has(id)).length,
      duplicated: [...alerts.values()].reduce((n, x) => n + Math.max(0, x - 1), 0),
      partial: 0,
      notes: `orgs ${orgIds.length}, with one stale_backup alert ${[...alerts.values()].filter((x) => x === 1).length}; held jobs waiting on locks at the kill: ${heldAtKill.waiting}`,
      metrics: await shows('worker', 'the killed backup-monitor job counted as stalled', (m) => m.sum('hirebox_jobs_stalled_total', { queue: 'backup-monitor' }) >= 1, 15_000),
    };
    rows.push(backupRow);
    log(`${backupRow.fault}: ${JSON.stringify(backupRow)}`);

    const alert = await alertOf();
    const status = await withOwner(async (c) => (await c.query<{ email_status: string; webhook_status: string }>('SELECT email_status, webhook_status FROM alerts WHERE id = $1', [alert?.id])).rows[0]);
    const hits = receiver.hits.filter((h) => h.alertId === alert?.id).length;
    const alertRow: Row = {
      fault: 'alert deliver: worker SIGKILL before the claim (2 recipients + webhook)',
      accepted: heldAtKill.alert ? 1 : 0,
      lost: recipients.filter((x) => mailsTo(x) === 0).length + (hits === 0 ? 1 : 0),
      duplicated: recipients.reduce((n, x) => n + Math.max(0, mailsTo(x) - 1), 0) + Math.max(0, hits - 1),
      partial: status?.email_status === 'delivered' && status.webhook_status === 'delivered' ? 0 : 1,
      notes: `mails per recipient ${recipients.map(mailsTo).join(', ')}; webhook calls ${hits}; recorded email ${status?.email_status}, webhook ${status?.webhook_status}`,
      metrics: await shows('worker', 'the killed alert-deliver job counted as stalled', (m) => m.sum('hirebox_jobs_stalled_total', { queue: 'alert-deliver' }) >= 1, 15_000),
    };
    if (!heldAtKill.alert) alertRow.notes += ' (the alert was not raised before the kill: fault not injected)';
    rows.push(alertRow);
    log(`${alertRow.fault}: ${JSON.stringify(alertRow)}`);
  }

  // 10. Disk full under the CV blobs: the blob table lives on the small filesystem.
  {
    await withOwner((c) => c.query(`CREATE TABLESPACE small LOCATION '${postgres.small}'`), 'postgres');
    await withOwner((c) => c.query('ALTER TABLE document_blobs SET TABLESPACE small'));
    const job = await setup('disk-full');
    let full = 0;
    for (let i = 0; i < 14 && full < 2; i++) {
      const a = await apply(job, Buffer.from(randomBytes(700_000).toString('base64')));
      if (a.status !== 202) full += 1;
    }
    const alive = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
    const small = await apply(job);
    await settle('disk full on the blob storage', job, { finishedWhen: 'parsed', allowed: [503, 507], notes: `refused when full: ${full}, readyz after: ${alive}, small CV after: ${small.status}` });
    if (full === 0) rows[rows.length - 1]!.notes += ' (the filesystem never filled: fault not injected)';
    withMetrics([await shows('app', 'the refusals counted (HTTP 507/503)', (m) => m.sum('hirebox_http_requests_total', { status_code: '507' }) + m.sum('hirebox_http_requests_total', { status_code: '503' }) >= full && full > 0)]);
  }
}

async function withOwner<T>(fn: (c: pg.Client) => Promise<T>, database = 'hirebox'): Promise<T> {
  const c = new pg.Client({ connectionString: postgres.url(database) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// Interrupted (CI cancel, Ctrl-C): stop the Redis, Postgres and processes this suite started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (async () => {
      for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => undefined);
      process.exit(1);
    })();
  });
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  process.stdout.write(`fault suite error: ${(err as Error).stack ?? String(err)}\n`);
  for (const p of processes) process.stdout.write(`--- last output of the ${p.name}:\n${p.output.slice(-3_000)}\n`);
}
// The processes' logs stay for a look after the run (.data is git-ignored).
mkdirSync(logDir, { recursive: true });
for (const p of processes) appendFileSync(path.join(logDir, `${p.name}.log`), p.output);
process.stdout.write(`# app and worker logs: ${logDir}\n`);
for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => undefined);

const head = ['fault', 'accepted', 'jobs lost', 'duplicated side effects', 'partial writes', 'metrics shown', 'notes'];
const table = [head, ...rows.map((r) => [r.fault, String(r.accepted), String(r.lost), String(r.duplicated), String(r.partial), r.metrics ? `${r.metrics.ok ? 'yes' : 'NO'} (${r.metrics.shown})` : '-', r.notes])];
const widths = head.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
process.stdout.write(`\n${table.map((row) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`).join('\n')}\n`);
const bad = rows.filter((r) => r.lost + r.duplicated + r.partial > 0 || r.metrics?.ok === false);
process.stdout.write(`\nfault suite: ${rows.length} faults in ${((Date.now() - started) / 1000).toFixed(0)} s; ${bad.length === 0 && !failed ? 'all counts 0' : `FAILED (${bad.map((r) => r.fault).join(', ') || 'error'})`}\n`);
process.exit(failed || bad.length > 0 || rows.length === 0 ? 1 : 0);
