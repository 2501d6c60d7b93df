// ops/scripts/backup.sh, restore-drill.sh and restore.sh run for real: local pg_dump /
// pg_restore / psql (URL mode) against a throwaway database with migrations and hiring
// data, and the real `age` binary. The CLI runs from sources (HIREBOX_CLI).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { CLI_SCRIPT } from '../support/cli.js';
import { databaseUrl, TEST_PG_ADMIN_URL } from '../support/services.js';

const SCRIPTS = path.resolve('ops/scripts');

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
if (!have('age') || !have('pg_dump')) throw new Error('age and pg_dump must be installed (bash deploy/ci-prereqs.sh installs them)');

// Client and server major versions must agree (pg_dump refuses an older client).
const clientMajor = /(\d+)\./.exec(spawnSync('pg_dump', ['--version'], { encoding: 'utf8' }).stdout)?.[1];

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const serverMajor = String((await owner.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v).slice(0, 2);
// (Plain checks before the subtests: a top-level assertion would let tap end the root test early.)
function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}
must(clientMajor === serverMajor, `pg_dump ${clientMajor} must match the server's major version ${serverMajor}`);

// Data: an org with an admin (plaintext e-mail in users), a job, an application with a CV
// (candidate e-mail encrypted), a signed audit checkpoint.
const admin = await createOrgWithMember(ctx, 'admin');
const adminEmail = (await owner.query<{ email: string }>('SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.org_id = $1 LIMIT 1', [admin.orgId])).rows[0]?.email ?? '';
must(adminEmail.includes('@'), 'fixture admin has an e-mail address');
const job = await createJob(ctx, admin);
const candidateEmail = `grace.hopper.${Date.now()}@example.test`;
const applied = await uploadCv(ctx, admin, job.id, { name: 'Grace Hopper', email: candidateEmail });
must(applied.statusCode === 201, `application created: ${applied.body}`);
await ctx.audit.writeCheckpoint(admin.orgId);

const work = mkdtempSync(path.join(tmpdir(), 'hirebox-backup-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const dest = path.join(work, 'backups');
const identity = path.join(work, 'identity.txt');
const recipients = path.join(work, 'recipients.txt');
must(spawnSync('age-keygen', ['-o', identity]).status === 0, 'age identity created');
writeFileSync(recipients, `# backup recipients\n${spawnSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).stdout}`);

const scriptEnv = {
  ...process.env,
  ...ctx.env,
  HIREBOX_BACKUP_DATABASE_URL: ctx.services.migrationDatabaseUrl,
  HIREBOX_CLI: `${process.execPath} ${CLI_SCRIPT}`,
  BACKUP_AGE_RECIPIENTS_FILE: recipients,
  BACKUP_AGE_IDENTITY_FILE: identity,
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function script(name: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(SCRIPTS, name), ...args], { env: { ...scriptEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const backupFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.dump.age')).sort();
const drillDatabaseNames = async (): Promise<string[]> =>
  (await owner.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'hirebox_drill_%' OR datname LIKE $1", [`${ctx.services.databaseName}_restore_%`])).rows.map((r) => r.datname);
// Throwaway databases on this (shared) server from before this file ran, e.g. of a run that
// was killed mid-drill, are not this file's to count.
const preexistingDrillDatabases = new Set(await drillDatabaseNames());
const drillDatabases = async (): Promise<number> => (await drillDatabaseNames()).filter((n) => !preexistingDrillDatabases.has(n)).length;

let backupFile = '';

t.test('backup.sh writes an age-encrypted, 0600, checksummed dump and records the run', async (t) => {
  const r = await script('backup.sh', [dest]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /backup written: .*hirebox-\d{8}T\d{6}Z\.dump\.age \(\d+ bytes, sha256 [0-9a-f]{64}\)/);
  const files = backupFiles(dest);
  t.equal(files.length, 1, 'one backup');
  backupFile = path.join(dest, files[0] as string);
  const bytes = readFileSync(backupFile);
  t.equal(bytes.subarray(0, 21).toString('latin1'), 'age-encryption.org/v1', 'an age file');
  t.notOk(bytes.includes(Buffer.from('PGDMP')), 'not a readable pg_dump archive');
  t.notOk(bytes.includes(Buffer.from(adminEmail)), 'no user e-mail in the bytes');
  t.notOk(bytes.includes(Buffer.from(candidateEmail)), 'no candidate e-mail in the bytes');
  t.notOk(bytes.includes(Buffer.from('CREATE TABLE')), 'no schema text in the bytes');
  t.equal(statSync(backupFile).mode & 0o777, 0o600, 'backup is 0600');
  t.equal(statSync(`${backupFile}.sha256`).mode & 0o777, 0o600, 'checksum is 0600');
  t.equal(statSync(dest).mode & 0o777, 0o700, 'backup directory is 0700');
  t.same(readdirSync(dest).filter((f) => f.includes('.partial')), [], 'no .partial left');
  const check = spawnSync('sha256sum', ['-c', `${path.basename(backupFile)}.sha256`], { cwd: dest, encoding: 'utf8' });
  t.equal(check.status, 0, `sha256sum -c passes: ${check.stdout}${check.stderr}`);
  const decrypted = spawnSync('age', ['-d', '-i', identity, backupFile]);
  t.equal(decrypted.stdout.subarray(0, 5).toString('latin1'), 'PGDMP', 'the identity decrypts it to a custom-format dump');
  const runs = await owner.query<{ file_name: string; size_bytes: string; sha256: string }>('SELECT file_name, size_bytes, sha256 FROM backup_runs');
  t.equal(runs.rowCount, 1, 'one backup_runs row');
  t.equal(runs.rows[0]?.file_name, path.basename(backupFile));
  t.equal(Number(runs.rows[0]?.size_bytes), bytes.length, 'size recorded');
  t.equal(runs.rows[0]?.sha256, readFileSync(`${backupFile}.sha256`, 'utf8').split(' ')[0], 'sha256 recorded');
  const app = await ctx.db.query('SELECT count(*)::int AS n FROM backup_runs');
  t.equal(app.rows[0].n, 1, 'the app role can read backup_runs');
  await t.rejects(ctx.db.query("INSERT INTO backup_runs (file_name, size_bytes, sha256, started_at) VALUES ('hirebox-x.dump.age', 1, repeat('a', 64), now())"), /permission denied/, 'but cannot write it');
});

t.test('restore-drill.sh restores the newest backup into a throwaway database and reports ok', async (t) => {
  const r = await script('restore-drill.sh', ['--app-database-url', ctx.services.databaseUrl, dest]);
  t.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  t.comment(r.stdout.trim());
  t.match(r.stdout, /backup: +hirebox-.*\.dump\.age \(\d+ bytes\), checksum ok/);
  t.match(r.stdout, /migrations: \d+ applied, all match migrations\/ \(0 newer/);
  t.match(r.stdout, /audit: +hash chains and signed checkpoints verify \([1-9]\d* events\)/);
  t.match(r.stdout, /rows: +\d+ tables, \d+ rows, identical to hb_test_/);
  t.match(r.stdout, /result: OK/);
  t.equal(await drillDatabases(), 0, 'the throwaway database is dropped');
});

t.test('the drill fails on drift unless --allow-drift', async (t) => {
  await owner.query('INSERT INTO orgs (slug, name) VALUES ($1, $2)', [`drift-${Date.now()}`, 'Drift']);
  const strict = await script('restore-drill.sh', ['--app-database-url', ctx.services.databaseUrl, backupFile]);
  t.equal(strict.code, 1);
  t.match(strict.stdout, /rows: +FAILED: differs from .*orgs \(restored 1, source 2\)/);
  t.match(strict.stdout, /result: FAILED \(1 check/);
  const lenient = await script('restore-drill.sh', ['--app-database-url', ctx.services.databaseUrl, '--allow-drift', backupFile]);
  t.equal(lenient.code, 0, lenient.stderr);
  t.match(lenient.stdout, /differs from .* \(allowed\)/);
});

t.test('a tampered backup fails the drill: checksum, then age authentication', async (t) => {
  const dir = path.join(work, 'tampered');
  spawnSync('mkdir', ['-p', dir]);
  const copy = path.join(dir, path.basename(backupFile));
  copyFileSync(backupFile, copy);
  copyFileSync(`${backupFile}.sha256`, `${copy}.sha256`);
  const fd = openSync(copy, 'r+');
  const size = statSync(copy).size;
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, Math.floor(size / 2));
  writeSync(fd, Buffer.from([one[0]! ^ 0x01]), 0, 1, Math.floor(size / 2));
  closeSync(fd);
  const bad = await script('restore-drill.sh', [copy]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /checksum mismatch .*damaged or was altered/);
  // Even with a matching checksum (an attacker rewrote both), age refuses the altered payload.
  const sum = spawnSync('sha256sum', [path.basename(copy)], { cwd: dir, encoding: 'utf8' }).stdout;
  writeFileSync(`${copy}.sha256`, sum);
  const forged = await script('restore-drill.sh', [copy]);
  t.equal(forged.code, 1);
  t.match(forged.stderr, /restore of .* failed/);
  t.equal(await drillDatabases(), 0, 'no throwaway database left behind');
});

t.test('missing or wrong identity: clear error', async (t) => {
  const missing = await script('restore-drill.sh', ['--identity', path.join(work, 'nope.txt'), dest]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /age identity file .*nope\.txt does not exist/);
  const none = await script('restore-drill.sh', [dest], { BACKUP_AGE_IDENTITY_FILE: '' });
  t.equal(none.code, 1);
  t.match(none.stderr, /no age identity given/);
  const other = path.join(work, 'other.txt');
  spawnSync('age-keygen', ['-o', other]);
  const wrong = await script('restore-drill.sh', ['--identity', other, dest]);
  t.equal(wrong.code, 1);
  t.match(wrong.stderr, /no identity matched|restore of .* failed/);
});

t.test('backup.sh refuses to run without recipients and fails loudly on a dump error', async (t) => {
  const dir = path.join(work, 'failing');
  const noKeys = await script('backup.sh', ['--recipients-file', path.join(work, 'none.txt'), dir]);
  t.equal(noKeys.code, 1);
  t.match(noKeys.stderr, /recipients file .* does not exist/);
  const empty = path.join(work, 'empty.txt');
  writeFileSync(empty, '# nobody\n');
  const noKey = await script('backup.sh', ['--recipients-file', empty, dir]);
  t.equal(noKey.code, 1);
  t.match(noKey.stderr, /holds no public key.*refusing to write an unencrypted backup/);
  const badDb = await script('backup.sh', ['--database-url', databaseUrl(TEST_PG_ADMIN_URL, 'hb_no_such_database'), dir]);
  t.equal(badDb.code, 1);
  t.match(badDb.stderr, /pg_dump of database hb_no_such_database or its encryption failed/);
  t.same(readdirSync(dir), [], 'nothing written, not even a .partial');
  const tooLong = await script('backup.sh', ['--keep-days', '365', dir]);
  t.equal(tooLong.code, 1);
  t.match(tooLong.stderr, /--keep-days must be a whole number from 1 to 90/);
});

t.test('backup.sh prunes backups older than 90 days and keeps younger ones', async (t) => {
  const old = path.join(dest, 'hirebox-20200101T000000Z.dump.age');
  const young = path.join(dest, 'hirebox-20200102T000000Z.dump.age');
  const legacy = path.join(dest, 'hirebox-20200101T000000Z.dump');
  for (const f of [old, `${old}.sha256`, young, `${young}.sha256`, legacy]) writeFileSync(f, 'x', { mode: 0o600 });
  for (const f of [old, `${old}.sha256`, legacy]) spawnSync('touch', ['-d', '91 days ago', f]);
  for (const f of [young, `${young}.sha256`]) spawnSync('touch', ['-d', '89 days ago', f]);
  const r = await script('backup.sh', [dest]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /pruned 3 file\(s\) older than 90 days/);
  const left = readdirSync(dest);
  t.notOk(left.includes(path.basename(old)) || left.includes(`${path.basename(old)}.sha256`) || left.includes(path.basename(legacy)), 'the 91-day-old files are gone');
  t.ok(left.includes(path.basename(young)) && left.includes(`${path.basename(young)}.sha256`), 'the 89-day-old backup stays');
  t.equal(backupFiles(dest).length, 3, 'two real backups plus the young one');
  t.equal((await owner.query('SELECT 1 FROM backup_runs')).rowCount, 2, 'each run recorded');
});

// issue 18: an erasure made after a backup must not come back with the backup.
const erasedCandidateId = applied.json<{ candidateId: string }>().candidateId;
const readableInDb = async (url: string): Promise<{ key: boolean; erased: boolean; nameBytes: number; blobs: number; reapplied: number }> => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const key = (await c.query('SELECT 1 FROM candidate_keys WHERE candidate_id = $1 AND wrapped_key IS NOT NULL', [erasedCandidateId])).rowCount ?? 0;
    const cand = (await c.query<{ erased: boolean; n: number }>('SELECT erased_at IS NOT NULL AS erased, length(name_enc) AS n FROM candidates WHERE id = $1', [erasedCandidateId])).rows[0];
    const blobs = (await c.query('SELECT 1 FROM document_blobs b JOIN documents d ON d.id = b.document_id WHERE d.candidate_id = $1', [erasedCandidateId])).rowCount ?? 0;
    const reapplied = (await c.query("SELECT 1 FROM audit_events WHERE action = 'candidate.erased' AND target_id = $1 AND metadata->>'via' = 'ledger'", [erasedCandidateId])).rowCount ?? 0;
    return { key: key > 0, erased: Boolean(cand?.erased), nameBytes: Number(cand?.n ?? -1), blobs, reapplied };
  } finally {
    await c.end();
  }
};

t.test('an erasure survives a restore: the drill restores a pre-erasure backup and re-applies the ledger', async (t) => {
  t.ok(backupFile, 'the first backup was taken before the erasure');
  const erased = await ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${erasedCandidateId}/erasure`, headers: admin.headers, payload: { reference: 'DSR-18-1', confirm: true } });
  t.equal(erased.statusCode, 200, erased.body);
  const ledgerText = readFileSync(ctx.config.erasureLedgerFile, 'utf8');
  t.match(ledgerText, erasedCandidateId, 'the erasure is in the ledger outside the database');
  t.notOk(ledgerText.includes(candidateEmail) || ledgerText.includes('Grace'), 'no personal data in the ledger');
  t.equal(statSync(ctx.config.erasureLedgerFile).mode & 0o777, 0o600, 'ledger is 0600');
  // The next backup carries the newest ledger copy beside the dumps (for off-site copies and a new server).
  const withLedger = path.join(work, 'with-ledger');
  const b = await script('backup.sh', [withLedger], { ERASURE_LEDGER_PATH: ctx.config.erasureLedgerFile });
  t.equal(b.code, 0, b.stderr);
  t.match(b.stdout, /erasure ledger copied \(1 entries\)/);
  t.equal(readFileSync(path.join(withLedger, 'erasure-ledger.jsonl'), 'utf8'), ledgerText, 'the copy is the ledger');
  t.equal(statSync(path.join(withLedger, 'erasure-ledger.jsonl')).mode & 0o777, 0o600);

  const r = await script('restore-drill.sh', ['--app-database-url', ctx.services.databaseUrl, '--allow-drift', '--keep', backupFile]);
  t.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  t.comment(r.stdout.trim());
  // "1 readable as restored" proves the backup really held the candidate: without the ledger the erasure would be undone.
  t.match(r.stdout, /erasures: +ledger 1 entries; 1 erased candidate\(s\)\/org\(s\) readable as restored, 0 after re-applying the ledger/);
  t.match(r.stdout, /result: OK/);
  const drillDb = /throwaway database (hirebox_drill_\w+)/.exec(r.stdout)?.[1] ?? '';
  t.ok(drillDb, 'the drill kept its database');
  t.teardown(() => owner.query(`DROP DATABASE IF EXISTS ${drillDb} WITH (FORCE)`));
  t.same(await readableInDb(databaseUrl(TEST_PG_ADMIN_URL, drillDb)), { key: false, erased: true, nameBytes: 0, blobs: 0, reapplied: 1 }, 'restored copy: no key, no name, no CV bytes; the re-application is audited');

  // A second re-application changes nothing (idempotent).
  const again = spawnSync(process.execPath, [CLI_SCRIPT, 'erasures', 'reapply', '--json'], {
    env: { ...scriptEnv, DATABASE_URL: databaseUrl(TEST_PG_ADMIN_URL, drillDb), MIGRATION_DATABASE_URL: databaseUrl(TEST_PG_ADMIN_URL, drillDb) },
    encoding: 'utf8',
  });
  t.equal(again.status, 0, again.stderr);
  t.match(JSON.parse(again.stdout), { ok: true, entries: 1, candidates: { erased: 0, alreadyErased: 1 }, readable: 0 });
});

t.test('a tampered erasure ledger stops the restore drill', async (t) => {
  const forged = path.join(work, 'forged-ledger.jsonl');
  writeFileSync(forged, readFileSync(ctx.config.erasureLedgerFile, 'utf8').replace(erasedCandidateId, '00000000-0000-4000-8000-000000000000'), { mode: 0o600 });
  const r = await script('restore-drill.sh', ['--app-database-url', ctx.services.databaseUrl, '--allow-drift', backupFile], { ERASURE_LEDGER_PATH: forged });
  t.equal(r.code, 1);
  t.match(r.stdout, /erasures: +FAILED: .*erasure ledger line 1: MAC does not match/);
  t.equal(await drillDatabases(), 0, 'no throwaway database left behind');
});

t.test('restore.sh needs the confirmation, then swaps the restored database in', async (t) => {
  // A separate copy of the source, so the shared test database is not renamed under the app.
  const name = `${ctx.services.databaseName}_rt`;
  await owner.query(`CREATE DATABASE ${name}`);
  const url = databaseUrl(TEST_PG_ADMIN_URL, name);
  t.teardown(async () => {
    const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${name}%`]);
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await admin.end();
  });
  const refused = await script('restore.sh', ['--database-url', url, backupFile]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, `not confirmed: pass --confirm ${name} `);
  const wrongName = await script('restore.sh', ['--database-url', url, '--confirm', 'hirebox', backupFile]);
  t.equal(wrongName.code, 1, 'the confirmation must name the database being replaced');
  const r = await script('restore.sh', ['--database-url', url, '--confirm', name, backupFile]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `restored: database ${name} now holds ${path.basename(backupFile)}; the previous database is kept as ${name}_pre_restore_`);
  const restored = new pg.Client({ connectionString: url });
  await restored.connect();
  const orgs = await restored.query<{ n: number }>('SELECT count(*)::int AS n FROM orgs');
  await restored.end();
  t.equal(orgs.rows[0]?.n, 1, 'the restored database holds the backed-up org');
  t.match(r.stderr, /erasure ledger re-applied to .*: 1 entries, 1 erased candidate\(s\)\/org\(s\) were readable in the backup, 0 now/);
  t.same(await readableInDb(url), { key: false, erased: true, nameBytes: 0, blobs: 0, reapplied: 1 }, 'the swapped-in database was re-erased before the swap');
});
