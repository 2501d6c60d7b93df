// `npm run demo`: makes sure Postgres and Redis answer (starting local ones if needed),
// creates and migrates the database, seeds a demo workspace with the simulated AI and
// voice providers, then runs the app and the worker until Ctrl-C.
//
// `node dist/ops/scripts/demo.js --seed-only` is the demo-seed service of
// docker-compose.override.yml: there the stack's own services migrate the database and run
// the app and the worker, so it only seeds the same workspace (or refreshes its password),
// prints the same sign-in details and exits.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { createAuditLog } from '../../server/core/audit.js';
import type { Config } from '../../server/core/config.js';
import { createDb } from '../../server/core/db.js';
import { createKeyring } from '../../server/core/crypto.js';
import { wireTrust } from '../../server/modules/trust/index.js';
import { migrate } from '../../server/core/migrate.js';
import { packageRoot } from '../../server/core/paths.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { demoLogFormat, prettyLogStream } from './lib/log-format.js';
import { createRedis } from '../../server/core/redis.js';
import { loadConfigOrExit } from '../../server/runtime.js';
import { DEMO_CVS, DEMO_JOB_COUNT, DEMO_PAST_APPLICATIONS, DEMO_SLUG, DEMO_USERS, seedDemo } from './demo-seed.js';
import { ensurePostgres, ensureRedis } from './dev-services.js';

const say = (line: string): void => void process.stdout.write(`[demo] ${line}\n`);

async function ensureDatabase(config: Config): Promise<void> {
  const url = new URL(config.migrationDatabaseUrl.reveal());
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name "${name}" must be a plain lower-case identifier`);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  await ensurePostgres(adminUrl.toString(), path.join(config.dataDir, 'services'), say);
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) {
      await admin.query(`CREATE DATABASE ${name}`);
      say(`created database ${name}`);
    }
  } finally {
    await admin.end();
  }
}

/** Seeds (or refreshes) the demo org; returns the fresh demo password. */
async function seed(config: Config): Promise<string> {
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 2, applicationName: 'hirebox-demo' });
  const redis = createRedis(config.redisUrl.reveal(), 'consumer');
  const parseQueue = createQueue(QUEUES.cvParse, redis, config.redisPrefix);
  try {
    const password = `demo-${randomBytes(9).toString('base64url')}`;
    const { created } = await seedDemo(
      { db, audit: createAuditLog({ db }), masterKey: config.masterKey.reveal(), publicUrl: config.publicUrl, parseQueue, logger: createLogger('warn') },
      password,
    );
    say(created ? `seeded "Demo Company": ${DEMO_JOB_COUNT} open jobs, ${DEMO_CVS.length} new applications with CVs and ${DEMO_PAST_APPLICATIONS} decided past ones (for the Fairness report), 4 members` : 'demo workspace already seeded; passwords refreshed');
    return password;
  } finally {
    await parseQueue.close();
    redis.disconnect();
    await db.close();
  }
}

// In a terminal the app's and worker's JSON log lines are shown readable; piped, they stay JSON.
/** Runs every trust check once and says how many pass. */
async function runTrustChecks(config: Config): Promise<string> {
  const db = createDb({ connectionString: config.databaseUrl.reveal(), max: 2, applicationName: 'hirebox-demo' });
  try {
    const trust = wireTrust({ db, config, keyring: createKeyring({ masterKey: config.masterKey.reveal(), previousMasterKeys: config.previousMasterKeys.reveal() }), clock: () => new Date(), logger: createLogger('silent'), audit: createAuditLog({ db }) });
    await trust.run({ force: true });
    const { summary } = await trust.installDocument();
    return `${summary.passing} of ${summary.total} checks passing`;
  } finally {
    await db.close();
  }
}

const prettyLogs = demoLogFormat(process.env, process.stdout.isTTY === true) === 'pretty' ? await prettyLogStream(process.stdout, process.stdout.isTTY === true) : null;

function run(label: string, script: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, [path.join(packageRoot(), script)], { stdio: ['ignore', prettyLogs ? 'pipe' : 'inherit', 'inherit'], env });
  if (prettyLogs) child.stdout?.pipe(prettyLogs, { end: false });
  child.on('exit', (code, signal) => say(`${label} exited (${signal ?? code})`));
  return child;
}

async function waitForReady(url: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(new URL('/readyz', url));
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** The sign-in details, the same lines for `npm run demo` and the compose demo-seed service. */
function banner(password: string, where: string): void {
  say('');
  say(`hirebox is running at ${config.publicUrl.origin}  (${where})`);
  say(`demo sign-in (password ${password}, new each run; each user enrols an authenticator app at first sign-in):`);
  for (const u of DEMO_USERS) say(`  ${u.role.padEnd(15)} ${u.email}`);
  say(`careers site (public, no sign-in): ${new URL(`/jobs/${DEMO_SLUG}`, config.publicUrl).toString()}`);
  say(`candidate status page (sign-in link mailed after applying, or asked for there): ${new URL(`/portal/${DEMO_SLUG}`, config.publicUrl).toString()}`);
  say(`mail (invitations, resets) is written to ${path.join(config.dataDir, 'outbox.jsonl')}${seedOnly ? ' in the worker and app containers' : ''}`);
  say('AI and voice providers: simulated (deterministic stand-ins)');
}

const seedOnly = process.argv.includes('--seed-only');
const config = loadConfigOrExit();
if (config.nodeEnv === 'production') {
  say('refusing to seed a demo workspace with NODE_ENV=production');
  process.exit(1);
}
if (seedOnly) {
  const password = await seed(config);
  banner(password, 'docker compose: the app and worker containers serve it; `docker compose logs -f app worker` shows them');
  process.exit(0);
}
await ensureDatabase(config);
await ensureRedis(config.redisUrl.reveal(), say);
const migrated = await migrate({ migrationDatabaseUrl: config.migrationDatabaseUrl.reveal(), appDatabaseUrl: config.databaseUrl.reveal() });
say(`migrations: ${migrated.applied.length} applied, ${migrated.alreadyApplied} already applied`);
const password = await seed(config);

// issue 19: Prometheus metrics on loopback (9464 app, 9465 worker) unless configured or taken.
const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
const metricsPorts = {
  app: config.metrics.appPort ?? ((await portFree(9464)) ? 9464 : null),
  worker: config.metrics.workerPort ?? ((await portFree(9465)) ? 9465 : null),
};
const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  ...(metricsPorts.app ? { METRICS_PORT: String(metricsPorts.app) } : {}),
  ...(metricsPorts.worker ? { WORKER_METRICS_PORT: String(metricsPorts.worker) } : {}),
};
const children = [run('app', 'dist/server/main.js', childEnv), run('worker', 'dist/worker/main.js', childEnv)];
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', stop);

const localUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
if (await waitForReady(localUrl)) {
  banner(password, `ready: ${localUrl}/readyz, API docs: ${localUrl}/api/docs`);
  const metricsHost = config.metrics.host.includes(':') ? `[${config.metrics.host}]` : config.metrics.host;
  const metricsUrls = [metricsPorts.app, metricsPorts.worker].flatMap((p) => (p ? [`http://${metricsHost}:${p}/metrics`] : []));
  if (metricsUrls.length) say(`Prometheus metrics (internal only, see ops/runbooks/monitoring.md): ${metricsUrls.join('  ')}${config.metrics.token ? ' (bearer token: METRICS_TOKEN)' : ''}`);
  // issue 23: run the trust checks once now that the app answers (the worker re-runs them every few minutes).
  const trustSummary = await runTrustChecks(config).catch((err: Error) => `the checks could not run (${err.message})`);
  say(`trust page: ${config.publicUrl.origin}/trust — ${trustSummary} (every line a live check; in the demo some honestly fail or read unknown:`);
  say(`  plain http, no backups, no firewall listing, members not yet enrolled in MFA); the company's view: ${config.publicUrl.origin}/trust/${DEMO_SLUG}`);
  say('press Ctrl-C to stop');
} else {
  say('the app did not become ready within 30 s; see the log lines above');
  stop();
}
await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
