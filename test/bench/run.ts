// `npm run bench`: throughput of the tenant-scoped read path and of chained audit
// writes, each printed as a ratio against a bare baseline doing the same I/O, measured
// in the same run on the same machine (absolute numbers vary between machines). Ends with
// one table of every figure, with its target and pass/fail where the issue set one, and
// writes it as JSON to bench-results/<timestamp>.json (test/bench/report.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import pg from 'pg';
import { Redis } from 'ioredis';
import { buildApp } from '../../server/app.js';
import { createAuditLog } from '../../server/core/audit.js';
import { loadConfig } from '../../server/core/config.js';
import { createDb } from '../../server/core/db.js';
import { createLogger } from '../../server/core/logger.js';
import { createMailer } from '../../server/core/mailer.js';
import { readMigrationFiles } from '../../server/core/migrate.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createWebhookService } from '../../server/modules/webhooks/service.js';
import { buildTestApp, testEnv } from '../helper.js';
import { runScreeningBench } from './screening.js';
import { runWebhookBench } from './webhook.js';
import { writeTestKeys } from '../support/keys.js';
import { provisionTestServices } from '../support/services.js';
import { compareRuns, createReport, loadRun, median, saveRun } from './report.js';
import { runHeadersBench } from './headers.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
// `npm run bench -- webhook parse` runs only those sections; no argument runs them all.
// `--compare FILE` prints the change against a saved run (bench-results/*.json);
// `--runs N` repeats the ratio scenarios N times and reports the median (default 5).
const SECTIONS = ['reads', 'audit', 'sign-in', 'webhook', 'parse', 'screening', 'headers'] as const;
const args = process.argv.slice(2);
let compareWith: string | null = null;
let RUNS = 5;
const chosen: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--compare') compareWith = args[++i] ?? null;
  else if (arg === '--runs') RUNS = Number(args[++i]);
  else chosen.push(arg);
}
if (args.includes('--compare') && !compareWith) throw new Error('--compare needs a file (e.g. bench-results/2026-12-06T14-00-00-000Z.json)');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs needs a positive integer');
const before = compareWith ? loadRun(compareWith) : null;
for (const name of chosen) if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown bench section ${name}; one of ${SECTIONS.join(', ')}`);
const wanted = (name: (typeof SECTIONS)[number]): boolean => chosen.length === 0 || chosen.includes(name);
const report = createReport({ sections: chosen.length ? chosen : [...SECTIONS], secondsPerScenario: DURATION_S, runs: RUNS });
const teardowns: (() => unknown)[] = [];
const t = { teardown: (fn: () => unknown) => void teardowns.push(fn) };

interface Load {
  rps: number;
  p50: number;
  p99: number;
}

// autocannon runs in its own process so the server under test keeps its core.
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

function load(url: string, connections = 50): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AUTOCANNON, '-c', String(connections), '-d', String(DURATION_S), '-j', url], { stdio: ['ignore', 'pipe', 'ignore'] });
    let json = '';
    child.stdout.on('data', (chunk: Buffer) => (json += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const r = JSON.parse(json) as { non2xx: number; errors: number; requests: { average: number }; latency: { p50: number; p99: number } };
        if (r.non2xx > 0 || r.errors > 0) reject(new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`));
        else resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

const services = await provisionTestServices(t);
const keys = writeTestKeys(t);
const config = loadConfig(testEnv(services, keys, { LOG_LEVEL: 'silent' }));
const db = createDb({ connectionString: services.databaseUrl, max: 10 });
const ownerPool = new pg.Pool({ connectionString: services.migrationDatabaseUrl, max: 10 });
ownerPool.on('error', () => undefined);
const audit = createAuditLog({ db });
const orgs = createOrgService({ db, audit, publicUrl: config.publicUrl, clock: () => new Date() });
const { orgId, userId } = await orgs.createOrg({ name: 'Bench', adminEmail: 'perf@example.test', adminPassword: 'walnut ferry lagoon 64' });
for (let i = 0; i < 60; i++) await audit.record(orgId, { action: 'bench.seed', actor: { type: 'system' }, metadata: { i } });

const LIST_SQL = 'SELECT id, seq, action, occurred_at, metadata FROM audit_events WHERE org_id = $1 ORDER BY seq LIMIT 50';
const bench = Fastify();
bench.get('/hello', async () => ({ hello: 'world' }));
// Baseline: the same 50-row SELECT in one round trip (owner role, no tenant setting).
bench.get('/rows/bare', async () => (await ownerPool.query(LIST_SQL, [orgId])).rows);
bench.get('/rows/tenant', async () => db.withTenant(orgId, async (q) => (await q.query(LIST_SQL, [orgId])).rows));
// The read path before issue 19: set the tenant, SELECT, reset it before pooling (3 round trips, 1 after the answer).
bench.get('/rows/set-reset', async () => {
  const client = await db.pool.connect();
  try {
    await client.query("SELECT set_config('app.org_id', $1, false)", [orgId]);
    return (await client.query(LIST_SQL, [orgId])).rows;
  } finally {
    client.query("SELECT set_config('app.org_id', '', false)").then(
      () => client.release(),
      (err: Error) => client.release(err),
    );
  }
});
bench.get('/rows/naive', async () => {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL app.org_id = '${orgId}'`);
    const { rows } = await client.query(LIST_SQL, [orgId]);
    await client.query('COMMIT');
    return rows;
  } finally {
    client.release();
  }
});
await bench.listen({ host: '127.0.0.1', port: 0 });
const benchUrl = `http://127.0.0.1:${(bench.server.address() as { port: number }).port}`;

const redis = new Redis(services.redisUrl);
const app = await buildApp({
  config,
  db,
  redis,
  audit,
  logger: createLogger('silent'),
  mailer: createMailer({ smtpUrl: null, from: config.mailFrom, outboxDir: keys.dir }),
  migrations: readMigrationFiles(),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const appUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

const rows = (await ownerPool.query(LIST_SQL, [orgId])).rowCount;
if (rows !== 50) throw new Error(`expected 50 rows, got ${rows}`);
const tenantRows = await db.withTenant(orgId, (q) => q.query(LIST_SQL, [orgId]));
if (tenantRows.rowCount !== 50) throw new Error('withTenant does not see the rows');

const out = (label: string, l: Load, base?: Load): void => {
  const ratio = base ? `  ${(l.rps / base.rps).toFixed(2)}x of baseline` : '';
  process.stdout.write(`${label.padEnd(50)} ${l.rps.toFixed(0).padStart(7)} req/s  p50 ${l.p50} ms  p99 ${l.p99} ms${ratio}\n`);
};

process.stdout.write(`hirebox bench (${DURATION_S}s per scenario, 50 connections, autocannon in a separate process)\n`);
if (wanted('reads')) {
  const hello = await load(`${benchUrl}/hello`);
  out('bare fastify {hello}', hello);
  // RUNS rounds, each route once per round (so a burst of load on the box hits all of
  // them alike); the ratios are per round, their median is the result.
  const rounds: { bare: Load; tenant: Load; before: Load; naive: Load }[] = [];
  for (let r = 0; r < RUNS; r++) {
    const bare = await load(`${benchUrl}/rows/bare`);
    const tenant = await load(`${benchUrl}/rows/tenant`);
    const before = await load(`${benchUrl}/rows/set-reset`);
    const naive = await load(`${benchUrl}/rows/naive`);
    rounds.push({ bare, tenant, before, naive });
    out(`[${r + 1}/${RUNS}] 50 rows, one round trip (baseline)`, bare);
    out(`[${r + 1}/${RUNS}] 50 rows via withTenant`, tenant, bare);
    out(`[${r + 1}/${RUNS}] 50 rows via set_config/SELECT/reset (before)`, before, bare);
    out(`[${r + 1}/${RUNS}] 50 rows via BEGIN/SET LOCAL/SELECT/COMMIT`, naive, bare);
  }
  const ratios = (k: 'tenant' | 'before' | 'naive') => rounds.map((x) => x[k].rps / x.bare.rps);
  const detail = (xs: number[]) => `median of ${xs.length}: ${xs.map((x) => x.toFixed(2)).join(' ')}`;
  report.add({ id: 'reads.bare_rps', label: 'reads: 50 rows, bare SELECT (req/s)', value: median(rounds.map((x) => x.bare.rps)), unit: 'req/s' });
  report.add({ id: 'reads.tenant_ratio', label: 'reads: withTenant / bare SELECT', value: median(ratios('tenant')), unit: 'x', target: { op: '>=', value: 0.85 }, detail: detail(ratios('tenant')) });
  report.add({ id: 'reads.set_reset_ratio', label: 'reads: set/SELECT/reset (before) / bare', value: median(ratios('before')), unit: 'x', detail: detail(ratios('before')) });
  report.add({ id: 'reads.naive_ratio', label: 'reads: BEGIN/SET LOCAL/SELECT/COMMIT / bare', value: median(ratios('naive')), unit: 'x', detail: detail(ratios('naive')) });
  out('GET /healthz (full app stack)', await load(`${appUrl}/healthz`), hello);
  out('GET /readyz (PG + migrations + Redis)', await load(`${appUrl}/readyz`), hello);
}

// Audit: chained appends (row lock per org) vs a plain INSERT of the same row shape.
if (wanted('audit')) {
  await ownerPool.query('CREATE TABLE bench_plain_events (LIKE audit_events INCLUDING DEFAULTS)');
  await ownerPool.query('GRANT INSERT ON bench_plain_events TO hirebox_app');
  const N = 2000;
  const CONCURRENCY = 20;
  async function timed(fn: (i: number) => Promise<unknown>): Promise<number> {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) await fn(next++);
      }),
    );
    return N / ((performance.now() - started) / 1000);
  }
  const plain = await timed((i) =>
    db.withTenantTx(orgId, (tx) =>
      tx.query(
        `INSERT INTO bench_plain_events (org_id, seq, occurred_at, actor_type, action, metadata, prev_hash, hash)
         VALUES ($1, $2, now(), 'system', 'bench.plain', $3, 'x', 'y')`,
        [orgId, i + 1, JSON.stringify({ i })],
      ),
    ),
  );
  const chained = await timed((i) => audit.record(orgId, { action: 'bench.chained', actor: { type: 'system' }, metadata: { i } }));
  process.stdout.write(`${'audit: plain INSERT in a tenant tx'.padEnd(50)} ${plain.toFixed(0).padStart(7)} writes/s\n`);
  process.stdout.write(`${'audit: chained append (one org, 20 writers)'.padEnd(50)} ${chained.toFixed(0).padStart(7)} writes/s  ${(chained / plain).toFixed(2)}x of plain\n`);
  report.add({ id: 'audit.chained_ratio', label: 'audit: chained append / plain INSERT', value: chained / plain, unit: 'x' });
  const verify = performance.now();
  const verdict = await audit.verify(orgId);
  process.stdout.write(`${'audit: verify chain'.padEnd(50)} ${verdict.eventsChecked} events in ${(performance.now() - verify).toFixed(0)} ms (${verdict.ok ? 'ok' : 'BROKEN'})\n`);
}

// Sign-in: logins/s the process can do (argon2-bound, behind the hashing cap), each from
// a different address so per-IP limits stay out of the way, and the hash cost itself.
if (wanted('sign-in')) {
  const started = performance.now();
  let done = 0;
  let next = 0;
  const LOGINS = 200;
  // 8 at a time: the hasher runs one hash per spare core and lets 8 wait; more at once would
  // be answered 503 "busy" and measure refusals, not logins (with 16, 190 of 200 were).
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < LOGINS) {
        const i = next++;
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'perf@example.test', password: 'walnut ferry lagoon 64' },
          headers: { origin: config.publicOrigin },
          remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        });
        if (res.statusCode === 200) done += 1;
      }
    }),
  );
  const perSecond = done / ((performance.now() - started) / 1000);
  process.stdout.write(`${'sign-in: password logins (distinct IPs)'.padEnd(50)} ${perSecond.toFixed(0).padStart(7)} logins/s (${done}/${LOGINS} ok)\n`);
  report.add({ id: 'signin.logins_per_s', label: 'sign-in: password logins/s (argon2-bound)', value: perSecond, unit: '/s' });
  process.stdout.write(`${'sign-in: hashes a single IP can force'.padEnd(50)} ${(20 / 60).toFixed(2).padStart(7)} /s (route limit 20/min), per account 5 per lock window\n`);
}

// Vapi webhook ingest (issue 7): test/bench/webhook.ts.
if (wanted('webhook')) {
  const hook = await createWebhookService({ db, audit, keyring: createKeyring({ masterKey: config.masterKey.reveal() }), redis, redisPrefix: config.redisPrefix, ingest: { enqueue: async () => undefined }, publicUrl: config.publicUrl, clock: () => new Date(), log: createLogger('silent') })
    .createEndpoint({ orgId, userId, role: 'admin', requestId: 'bench' }, { mode: 'hmac' });
  await runWebhookBench({ db, ownerPool, orgId, hookUrl: `${appUrl}/webhooks/vapi/${hook.id}`, endpointId: hook.id, secret: hook.secret, seconds: DURATION_S, runs: RUNS, out, report });
}

// CV parse throughput in process, text only vs with hidden-part extraction (test/bench/parse.ts),
// in a child process so its module loading and heap do not colour the numbers around it.
if (wanted('parse')) {
  const parseBench = new URL('./parse.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [parseBench, '3'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  child.stdout.on('data', (chunk: Buffer) => (json += chunk.toString('utf8')));
  await new Promise((resolve) => child.on('close', resolve));
  const r = JSON.parse(json) as Record<'all' | 'pdf' | 'docx', { textOnly: number; withHidden: number; cost: string }> & { threads: { fresh: number[]; pooled: number[]; concurrency: number } };
  for (const kind of ['all', 'pdf', 'docx'] as const) {
    const x = r[kind];
    process.stdout.write(`${`parse (${kind}): CVs/s text only -> with hidden`.padEnd(50)} ${x.textOnly} -> ${x.withHidden} (${(x.withHidden / x.textOnly).toFixed(2)}x, ${x.cost})\n`);
  }
  const { fresh, pooled, concurrency } = r.threads;
  const ratios = fresh.map((f, i) => (pooled[i] ?? 0) / f);
  process.stdout.write(`${`parse: CVs/s, thread per CV -> pooled threads`.padEnd(50)} ${median(fresh).toFixed(1)} -> ${median(pooled).toFixed(1)} (${concurrency} at a time, ${fresh.length} rounds)\n`);
  report.add({ id: 'parse.fresh_thread_cvs_per_s', label: 'parse: small CVs/s, a thread per CV (before)', value: median(fresh), unit: '/s' });
  report.add({ id: 'parse.pooled_cvs_per_s', label: 'parse: small CVs/s, pooled threads', value: median(pooled), unit: '/s' });
  report.add({ id: 'parse.pool_ratio', label: 'parse: pooled / thread per CV', value: median(ratios), unit: 'x', target: { op: '>=', value: 3 }, detail: `median of ${ratios.length}: ${ratios.map((x) => x.toFixed(2)).join(' ')}` });
}

// AI screening pipeline throughput at 0 ms and 2 s provider latency (issue 6): test/bench/screening.ts.
if (wanted('screening')) await runScreeningBench(await buildTestApp(t, { env: { LOG_LEVEL: 'silent' } }), (line) => process.stdout.write(line), report, RUNS);

// Security headers: what building them costs per response (test/bench/headers.ts).
if (wanted('headers')) await runHeadersBench({ runs: RUNS, report, print: (line) => process.stdout.write(line) });

await app.close();
await bench.close();
redis.disconnect();
await db.close();
await ownerPool.end();
for (const fn of teardowns.reverse()) await fn();

const run = report.finish();
const saved = saveRun(run, path.join(process.cwd(), 'bench-results'));
const m = run.machine;
process.stdout.write(`\nhirebox bench ${run.startedAt} (${run.commit ?? 'no commit'}): ${m.cpus} cores ${m.cpuModel}, ${m.memoryGb} GB, load ${m.loadAverageAtStart.join('/')} -> ${m.loadAverageAtEnd.join('/')}, Node ${m.node}\n`);
process.stdout.write(`${report.table()}\n`);
process.stdout.write(`written to ${saved}\n`);
if (before) process.stdout.write(`\n${compareRuns(before, run)}\n`);
const missed = run.metrics.filter((x) => x.pass === false);
if (missed.length) process.stdout.write(`targets missed: ${missed.map((x) => x.label).join('; ')}\n`);
