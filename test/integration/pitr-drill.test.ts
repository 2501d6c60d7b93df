// ops/scripts/pitr-drill.sh runs for real (issue 18, point-in-time recovery): pgBackRest from
// Debian's package, against a PostgreSQL cluster the drill creates in a temp directory (its
// own port and socket; the machine's shared cluster is only read here, to show it is left
// alone). archive_timeout is 15 s instead of production's 60 s to keep the test short.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TEST_PG_ADMIN_URL } from '../support/services.js';

const SCRIPT = path.resolve('ops/scripts/pitr-drill.sh');
if (spawnSync('sh', ['-c', 'command -v pgbackrest']).status !== 0) throw new Error('pgbackrest must be installed (bash deploy/ci-prereqs.sh installs it)');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function drill(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function sharedArchiveMode(): Promise<string> {
  const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    return (await c.query<{ archive_mode: string }>('SHOW archive_mode')).rows[0]?.archive_mode ?? '';
  } finally {
    await c.end();
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'hirebox-pitr-test-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

t.test('the drill restores to the target time, within the RPO and RTO targets, from an encrypted repository', async (t) => {
  const archiveModeBefore = await sharedArchiveMode();
  const passFile = path.join(work, 'cipher-pass');
  writeFileSync(passFile, `${'k'.repeat(12)}-drill-passphrase-${Date.now()}\n`, { mode: 0o600 });
  const r = await drill(['--archive-timeout', '15', '--rows', '30', '--cipher-pass-file', passFile]);
  t.comment(r.stdout.trim());
  t.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  t.match(r.stdout, /cluster: +PostgreSQL \d+\.\d+.* owned by this drill \(\/tmp\/hirebox-pitr\.\w+, socket only, port (\d+);/);
  t.match(r.stdout, /backup: +full backup in [\d.]+ s \(pgBackRest [\d.]+, repository aes-256-cbc\)/);
  t.match(r.stdout, /rows: +restored to the target: 15 of 15 rows before it, 0 of 15 after it, 50000 base rows/);
  t.match(r.stdout, /encryption: no repository file holds the rows' plaintext/);
  t.match(r.stdout, /result: OK/);

  const m = /rpo_seconds=([\d.]+) rto_seconds=([\d.]+)/.exec(r.stdout);
  t.ok(m, 'RPO and RTO are printed');
  const rpo = Number(m?.[1]);
  const rto = Number(m?.[2]);
  t.ok(rpo > 0 && rpo <= 300, `RPO ${rpo} s <= 5 minutes`);
  // Continuous archiving: the last commit reaches the repository within archive_timeout (plus the archive command's own time).
  t.ok(rpo <= 15 + 10, `RPO ${rpo} s is bounded by archive_timeout (15 s)`);
  t.ok(rto > 0 && rto <= 1800, `RTO ${rto} s <= 30 minutes`);

  const dir = /owned by this drill \((\/tmp\/hirebox-pitr\.\w+)/.exec(r.stdout)?.[1] ?? '';
  t.ok(dir && !existsSync(dir), 'the drill removed its cluster and repository');
  t.equal(await sharedArchiveMode(), archiveModeBefore, "the machine's shared cluster is not reconfigured");
  t.notMatch(r.stdout + r.stderr, /drill-passphrase/, 'the passphrase is never printed');
});

t.test('bad options and a weak passphrase are refused', async (t) => {
  const slow = await drill(['--archive-timeout', '900']);
  t.equal(slow.code, 1);
  t.match(slow.stderr, /--archive-timeout must be 1 to 300 seconds/);
  const short = path.join(work, 'short');
  writeFileSync(short, 'tooshort\n', { mode: 0o600 });
  const weak = await drill(['--cipher-pass-file', short]);
  t.equal(weak.code, 1);
  t.match(weak.stderr, /shorter than 20 characters/);
  const junk = await drill(['--rows', 'many']);
  t.equal(junk.code, 1);
  t.match(junk.stderr, /numbers only/);
});
