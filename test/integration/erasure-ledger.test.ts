// The erasure ledger (issue 18) through its real entry points: the erasure API, the org
// deletion, and `hirebox erasures reapply` run as a process against a copy of the database
// made with pg_dump/pg_restore BEFORE the erasures (what a restore brings back).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { cliSync } from '../support/cli.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { erasureLedgerOf } from '../../server/cli-support.js';
import { createLogger } from '../../server/core/logger.js';
import { createOffboardingService } from '../../server/modules/privacy/offboarding.js';
import { databaseUrl, TEST_PG_ADMIN_URL } from '../support/services.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const stamp = Date.now();
const adminA = await createOrgWithMember(ctx, 'admin');
const adminB = await createOrgWithMember(ctx, 'admin');
const jobA = await createJob(ctx, adminA);
const jobB = await createJob(ctx, adminB);
async function apply(m: typeof adminA, jobId: string, name: string) {
  const res = await uploadCv(ctx, m, jobId, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${stamp}@example.test` });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json<{ applicationId: string; candidateId: string }>();
}
const kept = await apply(adminA, jobA.id, 'Kept Candidate');
const erased = await apply(adminA, jobA.id, 'Erased Candidate');
await apply(adminB, jobB.id, 'Org B Candidate');
const erase = (id: string, headers = adminA.headers) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${id}/erasure`, headers, payload: { reference: 'DSR-18-L', confirm: true } });

// The "backup": a copy of the database before any erasure.
const copyName = `${ctx.services.databaseName}_pre`;
const copyUrl = databaseUrl(TEST_PG_ADMIN_URL, copyName);
await owner.query(`CREATE DATABASE ${copyName}`);
t.teardown(async () => {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${copyName} WITH (FORCE)`);
  await admin.end();
});
const dump = spawnSync('bash', ['-c', `pg_dump --format=custom --dbname="$SRC" | pg_restore --exit-on-error --dbname="$DST"`], {
  env: { ...process.env, SRC: ctx.services.migrationDatabaseUrl, DST: copyUrl },
  encoding: 'utf8',
});
if (dump.status !== 0) throw new Error(`copy failed: ${dump.stderr}`);

async function inCopy<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: copyUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const reapply = (args: string[] = [], env: Record<string, string> = {}) => cliSync({ ...ctx.env, DATABASE_URL: copyUrl, MIGRATION_DATABASE_URL: copyUrl, ...env }, ['erasures', 'reapply', '--json', ...args]);

t.test('a ledger that cannot be written fails the erasure and changes nothing stored', async (t) => {
  const broken = path.join(ctx.config.dataDir, 'ledger-is-a-directory');
  mkdirSync(broken, { recursive: true });
  const app2 = await buildTestApp(t, { env: { ERASURE_LEDGER_PATH: broken } });
  // A second app (its own database) whose ledger path is a directory: every append fails.
  const admin2 = await createOrgWithMember(app2, 'admin');
  const job2 = await createJob(app2, admin2);
  const res = await uploadCv(app2, admin2, job2.id, { name: 'Ledger Fails', email: `ledger.fails.${stamp}@example.test` });
  const cand = res.json<{ candidateId: string }>().candidateId;
  const r = await app2.app.inject({ method: 'POST', url: `/api/v1/candidates/${cand}/erasure`, headers: admin2.headers, payload: { reference: 'DSR-18-X', confirm: true } });
  t.equal(r.statusCode, 500);
  t.match(r.headers['content-type'], /application\/problem\+json/);
  t.notMatch(r.body, /ledger-is-a-directory|EISDIR/, 'no server path in the error body');
  t.equal((await app2.app.inject({ method: 'GET', url: `/api/v1/candidates/${cand}`, headers: admin2.headers })).statusCode, 200, 'the candidate is still there: the erasure rolled back');
  const o2 = await connectOwner(t, app2);
  t.same((await o2.query('SELECT wrapped_key IS NOT NULL AS key, (SELECT erased_at FROM candidates WHERE id = $1) AS erased_at FROM candidate_keys WHERE candidate_id = $1', [cand])).rows, [{ key: true, erased_at: null }], 'key and row intact');
  t.equal((await o2.query("SELECT 1 FROM audit_events WHERE action = 'candidate.erased'")).rowCount, 0, 'no erasure audited');
});

t.test('erasures and org deletions land in the ledger; reapply erases them again in a pre-erasure copy', async (t) => {
  t.equal((await erase(erased.candidateId)).statusCode, 200);
  // Org B is offboarded and deleted (the window has passed by the service's clock).
  await owner.query("UPDATE orgs SET offboarding_started_at = now() - interval '31 days' WHERE id = $1", [adminB.orgId]);
  const offboarding = createOffboardingService({ db: ctx.db, audit: ctx.audit, ledger: erasureLedgerOf(ctx.config), clock: () => new Date(), logger: createLogger('silent') });
  t.match(await offboarding.deleteOrg(adminB.orgId), { orgKeyDestroyed: true });

  const lines = readFileSync(ctx.config.erasureLedgerFile, 'utf8').trim().split('\n');
  t.equal(lines.length, 2, 'one line per erasure');
  t.notMatch(lines.join('\n'), /Erased Candidate|Org B Candidate|@example/, 'no personal data in the ledger');
  t.match(await erasureLedgerOf(ctx.config).read(), [
    { kind: 'candidate', orgId: adminA.orgId, candidateId: erased.candidateId, reason: 'request', keyReceipt: /^sha256:/ },
    { kind: 'org', orgId: adminB.orgId, candidateId: null, reason: 'offboarding', keyReceipt: /^sha256:/ },
  ]);

  const dry = reapply(['--dry-run']);
  t.equal(dry.status, 0, dry.stderr);
  t.match(JSON.parse(dry.stdout), { dryRun: true, entries: 2, readable: 2 }, 'the copy holds the erased candidate and the deleted org, readable');

  const r = reapply();
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { ok: true, entries: 2, candidates: { erased: 1 }, orgs: { deleted: 1 }, readable: 0 });
  await inCopy(async (c) => {
    t.same((await c.query('SELECT wrapped_key FROM candidate_keys WHERE candidate_id = $1', [erased.candidateId])).rows, [{ wrapped_key: null }], 'the candidate key is destroyed in the copy');
    t.equal((await c.query('SELECT 1 FROM candidate_keys WHERE candidate_id = $1 AND wrapped_key IS NOT NULL', [kept.candidateId])).rowCount, 1, 'a candidate not in the ledger keeps their key');
    t.equal((await c.query('SELECT 1 FROM org_keys WHERE org_id = $1', [adminB.orgId])).rowCount, 0, 'the deleted org has no key in the copy');
    t.equal((await c.query('SELECT 1 FROM candidates WHERE org_id = $1', [adminB.orgId])).rowCount, 0, 'nor candidates');
    t.equal((await c.query("SELECT 1 FROM audit_events WHERE action = 'candidate.erased' AND metadata->>'via' = 'ledger'")).rowCount, 1, 'the re-application is audited');
  });

  const again = reapply();
  t.equal(again.status, 0);
  t.match(JSON.parse(again.stdout), { candidates: { erased: 0, alreadyErased: 1 }, orgs: { deleted: 0, alreadyDeleted: 1 }, readable: 0 }, 'idempotent');
});

t.test('a restored key of an already-erased candidate is destroyed', async (t) => {
  await inCopy((c) => c.query("UPDATE candidate_keys SET wrapped_key = '\\x00'::bytea, destroyed_at = NULL WHERE candidate_id = $1", [erased.candidateId]));
  const r = reapply();
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { candidates: { keysDestroyed: 1 }, readable: 0 });
});

t.test('a forged or altered ledger line stops the re-application and changes nothing', async (t) => {
  const forged = path.join(ctx.config.dataDir, 'forged.jsonl');
  const text = readFileSync(ctx.config.erasureLedgerFile, 'utf8');
  writeFileSync(forged, text.replace(erased.candidateId, kept.candidateId), { mode: 0o600 });
  const r = reapply([], { ERASURE_LEDGER_PATH: forged });
  t.equal(r.status, 1);
  t.match(r.stderr, /erasure ledger line 1: MAC does not match/);
  t.equal(await inCopy(async (c) => (await c.query('SELECT 1 FROM candidate_keys WHERE candidate_id = $1 AND wrapped_key IS NOT NULL', [kept.candidateId])).rowCount), 1, 'the forged target keeps its key');
  writeFileSync(forged, `${text}not json\n`, { mode: 0o600 });
  const junk = reapply([], { ERASURE_LEDGER_PATH: forged });
  t.equal(junk.status, 1);
  t.match(junk.stderr, /erasure ledger line 3: not JSON/);
});
