// `npm run demo`: makes sure Postgres and Redis answer (starting local ones if needed),
// creates and migrates the database, seeds a demo workspace with the simulated AI and
// voice providers, then runs the app and the worker until Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { createAuditLog } from '../../server/core/audit.js';
import type { Config } from '../../server/core/config.js';
import { createDb } from '../../server/core/db.js';
import { createKeyring } from '../../server/core/crypto.js';
import { wireTrust } from '../../server/modules/trust/wire.js';
import { migrate } from '../../server/core/migrate.js';
import { packageRoot } from '../../server/core/paths.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { demoLogFormat, prettyLogStream } from './lib/log-format.js';
import { createRedis } from '../../server/core/redis.js';
import { loadConfigOrExit } from '../../server/runtime.js';
import { DEMO_CVS, DEMO_PAST_APPLICATIONS, DEMO_SLUG, DEMO_USERS, seedDemo } from './demo-seed.js';
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
    say(created ? `seeded "Demo Company": 2 open jobs, ${DEMO_CVS.length} new applications with CVs and ${DEMO_PAST_APPLICATIONS} decided past ones (for the Fairness report), 4 members` : 'demo workspace already seeded; passwords refreshed');
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

function run(label: string, script: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(packageRoot(), script)], { stdio: ['ignore', prettyLogs ? 'pipe' : 'inherit', 'inherit'], env: process.env });
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

const config = loadConfigOrExit();
if (config.nodeEnv === 'production') {
  say('refusing to seed a demo workspace with NODE_ENV=production');
  process.exit(1);
}
await ensureDatabase(config);
await ensureRedis(config.redisUrl.reveal(), say);
const migrated = await migrate({ migrationDatabaseUrl: config.migrationDatabaseUrl.reveal(), appDatabaseUrl: config.databaseUrl.reveal() });
say(`migrations: ${migrated.applied.length} applied, ${migrated.alreadyApplied} already applied`);
const password = await seed(config);

const children = [run('app', 'dist/server/main.js'), run('worker', 'dist/worker/main.js')];
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
  say('');
  say(`hirebox is running at ${config.publicUrl.origin}  (ready: ${localUrl}/readyz, API docs: ${localUrl}/api/docs)`);
  say(`demo sign-in (password ${password}, new each run; each user enrols an authenticator app at first sign-in):`);
  for (const u of DEMO_USERS) say(`  ${u.role.padEnd(15)} ${u.email}`);
  say(`mail (invitations, resets) is written to ${path.join(config.dataDir, 'outbox.jsonl')}`);
  say('AI and voice providers: simulated (deterministic stand-ins)');
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
