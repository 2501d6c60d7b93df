import t from 'tap';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '../../server/core/config.js';
import { writeTestKeys } from '../support/keys.js';

const keys = writeTestKeys(t);
// Built at run time so the repository's secret scan does not see a credential-shaped URL.
const dbUrlWithPassword = (password: string, host = 'db:5432'): string => ['postgres://hirebox_app', `${password}@${host}/hirebox`].join(':');
const base = { NODE_ENV: 'test', MASTER_KEY_FILE: keys.masterKeyFile, AUDIT_SIGNING_KEY_FILE: keys.auditSigningKeyFile, HIREBOX_DATA_DIR: keys.dir };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

t.test('defaults give a working development config', async (t) => {
  const config = loadConfig(base);
  t.equal(config.port, 3000);
  t.equal(config.publicOrigin, 'http://localhost:3000');
  t.equal(config.aiProvider, 'simulated');
  t.equal(config.trustProxy, false);
  t.equal(config.masterKey.reveal().length, 32);
});

t.test('invalid values are reported one line each', async (t) => {
  const problems = problemsOf({ ...base, PORT: 'eighty', PUBLIC_URL: 'ftp://x', AI_PROVIDER: 'magic', TRUST_PROXY: 'not-an-ip', DATABASE_URL: 'nonsense' });
  t.equal(problems.length, 5, problems.join('\n'));
  t.match(problems.join('\n'), /PORT must be an integer/);
  t.match(problems.join('\n'), /PUBLIC_URL must use/);
  t.match(problems.join('\n'), /AI_PROVIDER must be/);
  t.match(problems.join('\n'), /TRUST_PROXY entry "not-an-ip"/);
  t.match(problems.join('\n'), /DATABASE_URL is not a valid URL/);
});

t.test('public intake limits (issue 14): defaults, overrides and bad values', async (t) => {
  t.same(loadConfig(base).intake, { applyPerJobPerHour: 120, applyPerOrgPerHour: 600, applyPerJobPerMinute: null, cvMaxPages: 50, cvParsePerOrg: 1 });
  t.same(loadConfig({ ...base, APPLY_RATE_PER_JOB_HOUR: '5', APPLY_RATE_PER_ORG_HOUR: '50', APPLY_BURST_PER_JOB_MINUTE: '3', CV_MAX_PAGES: '20', CV_PARSE_PER_ORG: '2' }).intake, {
    applyPerJobPerHour: 5,
    applyPerOrgPerHour: 50,
    applyPerJobPerMinute: 3,
    cvMaxPages: 20,
    cvParsePerOrg: 2,
  });
  t.equal(loadConfig({ ...base, APPLY_BURST_PER_JOB_MINUTE: '' }).intake.applyPerJobPerMinute, null, 'empty = derived from the hourly rate');
  const problems = problemsOf({ ...base, APPLY_RATE_PER_JOB_HOUR: '0', APPLY_RATE_PER_ORG_HOUR: 'many', APPLY_BURST_PER_JOB_MINUTE: '0', CV_MAX_PAGES: '1.5', CV_PARSE_PER_ORG: '-1' });
  t.equal(problems.length, 5, problems.join('\n'));
  t.match(problems.join('\n'), /APPLY_BURST_PER_JOB_MINUTE must be an integer from 1/);
  t.match(problems.join('\n'), /APPLY_RATE_PER_JOB_HOUR must be an integer from 1/);
  t.match(problems.join('\n'), /CV_PARSE_PER_ORG must be an integer from 1 to 64/);
});

t.test('password hashing budget (issue 19 floods): calibrated by default, fixed on request, bad values refused', async (t) => {
  t.same(loadConfig(base).passwordHashing, { cpuShare: 0.25, minPerSecond: 2, perSecond: null });
  t.same(loadConfig({ ...base, PASSWORD_HASH_CPU_SHARE: '0.5', PASSWORD_HASH_MIN_PER_SECOND: '4', PASSWORD_HASHES_PER_SECOND: '12' }).passwordHashing, { cpuShare: 0.5, minPerSecond: 4, perSecond: 12 });
  t.equal(loadConfig({ ...base, PASSWORD_HASHES_PER_SECOND: '' }).passwordHashing.perSecond, null, 'empty = calibrated');
  const problems = problemsOf({ ...base, PASSWORD_HASH_CPU_SHARE: '0', PASSWORD_HASH_MIN_PER_SECOND: '0.5', PASSWORD_HASHES_PER_SECOND: 'lots' });
  t.equal(problems.length, 3, problems.join('\n'));
  t.match(problems.join('\n'), /PASSWORD_HASH_CPU_SHARE must be a number from 0.01 to 64/);
  t.match(problems.join('\n'), /PASSWORD_HASH_MIN_PER_SECOND must be an integer from 1/);
  t.match(problems.join('\n'), /PASSWORD_HASHES_PER_SECOND must be empty or an integer from 1/);
});

t.test('production refuses simulated AI, inline key material, missing secrets and http', async (t) => {
  const problems = problemsOf({ NODE_ENV: 'production', AI_PROVIDER: 'simulated', MASTER_KEY: 'abc', PUBLIC_URL: 'http://example.com' }).join('\n');
  t.match(problems, /AI_PROVIDER=simulated is refused in production/);
  t.match(problems, /MASTER_KEY must not be given inline in production/);
  t.match(problems, /AUDIT_SIGNING_KEY_FILE is required in production/);
  t.match(problems, /DATABASE_URL \(or DATABASE_URL_FILE\) is required/);
  t.match(problems, /PUBLIC_URL must be an https:\/\/ URL in production/);
});

t.test('OUTBOUND_ALLOW_LOOPBACK: off by default, true or false only, refused in production', async (t) => {
  t.equal(loadConfig(base).outbound.allowLoopback, false);
  t.equal(loadConfig({ ...base, OUTBOUND_ALLOW_LOOPBACK: 'true' }).outbound.allowLoopback, true);
  t.match(problemsOf({ ...base, OUTBOUND_ALLOW_LOOPBACK: 'yes' }).join('\n'), /OUTBOUND_ALLOW_LOOPBACK must be true or false/);
  t.match(problemsOf({ NODE_ENV: 'production', OUTBOUND_ALLOW_LOOPBACK: 'true' }).join('\n'), /OUTBOUND_ALLOW_LOOPBACK=true is refused in production/);
  t.notMatch(problemsOf({ NODE_ENV: 'production' }).join('\n'), /OUTBOUND_ALLOW_LOOPBACK/);
});

t.test('production app and worker start without the owner role URL; only the commands that need it ask for it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-cfg-'));
  const write = (name: string, value: string): string => {
    writeFileSync(path.join(dir, name), value);
    return path.join(dir, name);
  };
  const prod = {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://hire.example.com',
    MASTER_KEY_FILE: keys.masterKeyFile,
    AUDIT_SIGNING_KEY_FILE: keys.auditSigningKeyFile,
    DATABASE_URL_FILE: write('db', dbUrlWithPassword('app-pass')),
    REDIS_URL_FILE: write('redis', 'redis://redis:6379'),
    OPENAI_API_KEY_FILE: write('openai', 'sk-test-key'),
  };
  // docker-compose.yml gives the app and worker no migration_database_url secret.
  const config = loadConfig(prod);
  t.throws(() => config.migrationDatabaseUrl.reveal(), { name: 'Error', problems: [/MIGRATION_DATABASE_URL \(or MIGRATION_DATABASE_URL_FILE\) is required for this command/] });
  const migrate = loadConfig({ ...prod, MIGRATION_DATABASE_URL_FILE: write('owner', dbUrlWithPassword('owner-pass')) });
  t.equal(migrate.migrationDatabaseUrl.reveal(), dbUrlWithPassword('owner-pass'));
  t.match(problemsOf({ ...prod, MIGRATION_DATABASE_URL: 'nonsense' }).join('\n'), /MIGRATION_DATABASE_URL is not a valid URL/);
});

t.test('secrets may come from _FILE and never print', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-cfg-'));
  const file = path.join(dir, 'db');
  writeFileSync(file, `${dbUrlWithPassword('s3cret-db-pass')}\n`);
  const config = loadConfig({ ...base, DATABASE_URL_FILE: file, OPENAI_API_KEY: 'sk-test-secret-value' });
  t.equal(config.databaseUrl.reveal(), dbUrlWithPassword('s3cret-db-pass'));
  const printed = JSON.stringify(config) + inspect(config, { depth: 5 }) + String(config.databaseUrl);
  t.notMatch(printed, /s3cret-db-pass/);
  t.notMatch(printed, /sk-test-secret-value/);
  t.match(problemsOf({ ...base, DATABASE_URL_FILE: path.join(dir, 'missing') }).join('\n'), /DATABASE_URL_FILE: cannot read/);
  t.match(problemsOf({ ...base, DATABASE_URL_FILE: file, DATABASE_URL: 'postgres://x@y/z' }).join('\n'), /both set/);
});

t.test('bad key files are refused; development generates keys once with mode 0600', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-keys-'));
  const short = path.join(dir, 'short.key');
  writeFileSync(short, 'too short');
  t.match(problemsOf({ ...base, MASTER_KEY_FILE: short }).join('\n'), /MASTER_KEY_FILE must hold 32 bytes/);
  t.match(problemsOf({ ...base, AUDIT_SIGNING_KEY_FILE: short }).join('\n'), /Ed25519 private key/);
  const devDir = path.join(dir, 'data');
  const first = loadConfig({ NODE_ENV: 'development', HIREBOX_DATA_DIR: devDir });
  const second = loadConfig({ NODE_ENV: 'development', HIREBOX_DATA_DIR: devDir });
  t.ok(first.masterKey.reveal().equals(second.masterKey.reveal()), 'the generated key is reused');
  for (const f of ['master.key', 'audit-signing.pem']) {
    t.ok(existsSync(path.join(devDir, f)));
    t.equal(statSync(path.join(devDir, f)).mode & 0o777, 0o600, `${f} is 0600`);
  }
});

t.test('the server exits non-zero with one clear line per problem and no secrets', async (t) => {
  const r = spawnSync(process.execPath, ['dist/server/main.js'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: dbUrlWithPassword('leaky-password', 'db'), PORT: '99999' },
    encoding: 'utf8',
    timeout: 60_000, // a cold start on a loaded CI box can take seconds
  });
  t.equal(r.status, 1);
  t.match(r.stderr, /^hirebox: invalid configuration\n/);
  t.match(r.stderr, /  - PORT must be an integer from 0 to 65535/);
  t.match(r.stderr, /  - MASTER_KEY_FILE is required in production/);
  t.notMatch(r.stderr + r.stdout, /leaky-password/);
  t.notMatch(r.stderr, /    at /, 'no stack trace');
});

t.test('ERASURE_LEDGER_PATH: the erasure ledger lives in the data dir unless set (issue 18)', async (t) => {
  t.equal(loadConfig(base).erasureLedgerFile, path.join(keys.dir, 'erasure-ledger.jsonl'));
  t.equal(loadConfig({ ...base, ERASURE_LEDGER_PATH: '/var/lib/hirebox/ledger/erasure-ledger.jsonl' }).erasureLedgerFile, '/var/lib/hirebox/ledger/erasure-ledger.jsonl');
});

t.test('queue reconciler (issue 19): defaults, overrides and bad values', async (t) => {
  t.same(loadConfig(base).reconcile, { everyMs: 60_000, graceSeconds: 300 });
  t.same(loadConfig({ ...base, RECONCILE_EVERY_SECONDS: '2', RECONCILE_GRACE_SECONDS: '0' }).reconcile, { everyMs: 2_000, graceSeconds: 0 });
  const problems = problemsOf({ ...base, RECONCILE_EVERY_SECONDS: '0', RECONCILE_GRACE_SECONDS: 'soon' });
  t.equal(problems.length, 2, problems.join('\n'));
  t.match(problems.join('\n'), /RECONCILE_EVERY_SECONDS must be an integer from 1 to 3600/);
  t.match(problems.join('\n'), /RECONCILE_GRACE_SECONDS must be an integer from 0 to 86400/);
});

t.test("WORKER_DB_POOL_MAX (issue 19): twice the process's cores plus one by default, overridable, bad values refused", async (t) => {
  t.equal(loadConfig(base).workerDbPoolMax, 2 * availableParallelism() + 1);
  t.equal(loadConfig({ ...base, WORKER_DB_POOL_MAX: '12' }).workerDbPoolMax, 12);
  for (const bad of ['1', '101', 'many', '4.5']) {
    const problems = problemsOf({ ...base, WORKER_DB_POOL_MAX: bad });
    t.equal(problems.length, 1, `${bad}: ${problems.join('\n')}`);
    t.match(problems[0], /^WORKER_DB_POOL_MAX must be an integer from 2 to 100$/);
  }
});
