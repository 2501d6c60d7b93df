import t from 'tap';
import { cpSync, mkdtempSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnSync } from 'node:child_process';
import { migrate, migrationsDir } from '../../server/core/migrate.js';
import { provisionTestServices } from '../support/services.js';
import { buildTestApp } from '../helper.js';

const services = await provisionTestServices(t);
const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-migrations-'));
cpSync(migrationsDir(), dir, { recursive: true });
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('re-running migrations is a no-op', async (t) => {
  const r = await migrate({ migrationDatabaseUrl: services.migrationDatabaseUrl, dir });
  t.same(r.applied, []);
  t.ok(r.alreadyApplied >= 1);
});

t.test('a new migration applies once, owned by hirebox_owner, in a transaction', async (t) => {
  writeFileSync(path.join(dir, '9001_create_probe.sql'), 'CREATE TABLE probe (id int);');
  const r = await migrate({ migrationDatabaseUrl: services.migrationDatabaseUrl, dir });
  t.same(r.applied, ['9001_create_probe.sql']);
  const client = new pg.Client({ connectionString: services.migrationDatabaseUrl });
  await client.connect();
  t.teardown(() => client.end());
  const owner = await client.query("SELECT tableowner FROM pg_tables WHERE tablename = 'probe'");
  t.equal(owner.rows[0]?.tableowner, 'hirebox_owner');
  writeFileSync(path.join(dir, '9002_broken.sql'), 'CREATE TABLE half (id int); SELECT no_such_function();');
  await t.rejects(migrate({ migrationDatabaseUrl: services.migrationDatabaseUrl, dir }), /9002_broken.sql failed/);
  const half = await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'");
  t.equal(half.rowCount, 0, 'a failed migration leaves nothing behind');
  rmSync(path.join(dir, '9002_broken.sql'));
});

t.test('an edited applied migration is refused', async (t) => {
  appendFileSync(path.join(dir, '9001_create_probe.sql'), '\n-- sneaky edit\n');
  await t.rejects(migrate({ migrationDatabaseUrl: services.migrationDatabaseUrl, dir }), /9001_create_probe.sql was edited after it was applied/);
});

t.test('two runners at once apply each file once (advisory lock)', async (t) => {
  const fresh = await provisionTestServices(t);
  const [a, b] = await Promise.all([
    migrate({ migrationDatabaseUrl: fresh.migrationDatabaseUrl }),
    migrate({ migrationDatabaseUrl: fresh.migrationDatabaseUrl }),
  ]);
  t.equal(a.applied.length + b.applied.length, 0, 'template databases arrive migrated');
});

t.test('`hirebox migrate` CLI and readyz report pending migrations', async (t) => {
  const ctx = await buildTestApp(t);
  const client = new pg.Client({ connectionString: ctx.services.migrationDatabaseUrl });
  await client.connect();
  t.teardown(() => client.end());
  await client.query("DELETE FROM schema_migrations WHERE filename = '0001_create_platform.sql'");
  const notReady = await ctx.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(notReady.statusCode, 503);
  t.match(notReady.json(), { checks: { migrations: 'pending: 1' } });
  await client.query("INSERT INTO schema_migrations (filename, checksum) SELECT '0001_create_platform.sql', 'x'");
  const r = spawnSync(process.execPath, ['dist/server/cli.js', 'migrate'], { env: { ...process.env, ...ctx.env }, encoding: 'utf8' });
  t.equal(r.status, 1, 'edited (checksum differs) is refused by the CLI');
  t.match(r.stderr, /was edited after it was applied/);
  await client.query("UPDATE schema_migrations SET checksum = (SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')) WHERE filename = '0001_create_platform.sql'", [
    (await import('node:fs')).readFileSync(path.join(migrationsDir(), '0001_create_platform.sql'), 'utf8'),
  ]);
  const ok = spawnSync(process.execPath, ['dist/server/cli.js', 'migrate', '--json'], { env: { ...process.env, ...ctx.env }, encoding: 'utf8' });
  t.equal(ok.status, 0, ok.stderr);
  t.same(JSON.parse(ok.stdout).applied, []);
  const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
});
