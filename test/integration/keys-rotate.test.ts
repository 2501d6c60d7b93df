// Master key rotation through the real CLI process (`hirebox keys generate|status|rotate`) and
// the real app: data written under the old key reads under the new one alone afterwards.
import t from 'tap';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildApp } from '../../server/app.js';
import { createAuditLog, keyIdOf } from '../../server/core/audit.js';
import { loadConfig } from '../../server/core/config.js';
import { createKeyring, masterKeyId, MasterKeyMissingError } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { readMigrationFiles } from '../../server/core/migrate.js';
import { createUserSecretBox } from '../../server/modules/auth/totp.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { cli as runCli, type CliRun } from '../support/cli.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const oldKeyFile = ctx.env.MASTER_KEY_FILE as string;
const oldKey = ctx.config.masterKey.reveal();
const oldId = masterKeyId(oldKey);
const newKeyFile = path.join(ctx.env.HIREBOX_DATA_DIR as string, 'master-2.key');

type Run = CliRun;
const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli({ ...ctx.env, ...env }, args);
/** The line of human output about one key id. */
const lineOf = (text: string, id: string): string | undefined => text.split('\n').find((l) => l.trim().startsWith(id));
const rotated = { MASTER_KEY_FILE: newKeyFile, MASTER_KEY_PREVIOUS_FILES: oldKeyFile };

// Data under the old key: two orgs with candidates, one org key from before 0027 (no id
// recorded), an org that never stored encrypted data, and a user's MFA secret.
const a = await createOrgWithMember(ctx);
const b = await createOrgWithMember(ctx);
await createOrgWithMember(ctx); // no candidates: no org key
const jobA = await createJob(ctx, a);
const jobB = await createJob(ctx, b);
const upA = (await uploadCv(ctx, a, jobA.id, { name: 'Philippa Rotherwick', email: 'philippa@example.test' })).json<{ candidateId: string }>();
const upB = (await uploadCv(ctx, b, jobB.id, { name: 'Barnaby Keystone', email: 'barnaby@example.test' })).json<{ candidateId: string }>();
await owner.query('UPDATE org_keys SET master_key_id = NULL WHERE org_id = $1', [a.orgId]);
const mfaUser = a.userId;
await owner.query('UPDATE users SET totp_secret_enc = $2 WHERE id = $1', [mfaUser, createUserSecretBox(oldKey).seal(mfaUser, 'totp_secret_enc', 'JBSWY3DPEHPK3PXP')]);

type Status = { ok: boolean; currentMasterKeyId: string; orgKeys: number; rotationNeeded: boolean; retirable: string[]; unreadableOrgIds: string[]; keys: { masterKeyId: string; role: string; orgKeys: number; unlabelledOrgKeys: number; userSecrets: number }[] };
type Rotate = { ok: boolean; masterKeyId: string; orgs: Record<string, number>; userSecrets: Record<string, number>; failures: { orgId: string }[] };

let newId = '';

t.test('keys generate writes a 0600 key file, prints only its id, and never overwrites', async (t) => {
  const r = await cli(['keys', 'generate', '--out', newKeyFile, '--json']);
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { file: string; masterKeyId: string };
  const key = Buffer.from(readFileSync(newKeyFile, 'utf8'), 'base64');
  t.equal(key.length, 32);
  t.equal(statSync(newKeyFile).mode & 0o777, 0o600);
  t.equal(out.masterKeyId, masterKeyId(key));
  t.notMatch(r.stdout, key.toString('base64'), 'the key is not printed');
  newId = out.masterKeyId;
  const again = await cli(['keys', 'generate', '--out', newKeyFile]);
  t.equal(again.status, 1);
  t.match(again.stderr, /exists \(keys generate never overwrites\)/);
  t.ok(Buffer.from(readFileSync(newKeyFile, 'utf8'), 'base64').equals(key), 'file unchanged');
});

t.test('status before: everything under the old key, now a previous key; rotation needed', async (t) => {
  const [r, human] = await Promise.all([cli(['keys', 'status', '--json'], rotated), cli(['keys', 'status'], rotated)]);
  t.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Status;
  t.equal(s.currentMasterKeyId, newId);
  t.equal(s.orgKeys, 2);
  t.match(s.keys, [
    { masterKeyId: newId, role: 'current', orgKeys: 0, unlabelledOrgKeys: 0, userSecrets: 0 },
    { masterKeyId: oldId, role: 'previous', orgKeys: 1, unlabelledOrgKeys: 1, userSecrets: 1 },
  ]);
  t.equal(s.rotationNeeded, true);
  t.same(s.retirable, []);
  t.ok(lineOf(human.stdout, oldId)?.match(/previous\s+org keys 1 \(\+1 pre-0027 unlabelled\), MFA secrets 1$/), human.stdout);
  t.notMatch(human.stdout + human.stderr, readFileSync(oldKeyFile, 'utf8').trim(), 'no key material printed');
});

t.test('rotate re-wraps every org key and MFA secret under the new key; a second run is a no-op', async (t) => {
  const before = (await owner.query<{ org_id: string; wrapped_key: Buffer }>('SELECT org_id, wrapped_key FROM org_keys')).rows;
  const r = await cli(['keys', 'rotate', '--json'], rotated);
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Rotate;
  t.match(out, { ok: true, masterKeyId: newId, orgs: { rewrapped: 2, labelled: 0, alreadyCurrent: 0, withoutKey: 1, failed: 0 }, userSecrets: { resealed: 1, failed: 0 } });
  const after = (await owner.query<{ org_id: string; wrapped_key: Buffer; master_key_id: string; rewrapped_at: Date | null }>('SELECT org_id, wrapped_key, master_key_id, rewrapped_at FROM org_keys')).rows;
  t.same(after.map((row) => row.master_key_id), [newId, newId]);
  for (const row of after) {
    t.ok(row.rewrapped_at, 'rewrapped_at set');
    t.not(row.wrapped_key.toString('hex'), before.find((x) => x.org_id === row.org_id)?.wrapped_key.toString('hex'), 'new wrapping');
  }
  const events = await owner.query<{ org_id: string; metadata: Record<string, unknown> }>("SELECT org_id, metadata FROM audit_events WHERE action = 'key.rotated' ORDER BY seq");
  t.same(events.rows.map((e) => e.org_id).sort(), [a.orgId, b.orgId].sort(), 'one audit event per re-wrapped org');
  t.same(events.rows.find((e) => e.org_id === a.orgId)?.metadata, { previousMasterKeyId: null, masterKeyId: newId, rewrapped: true });
  t.same(events.rows.find((e) => e.org_id === b.orgId)?.metadata, { previousMasterKeyId: oldId, masterKeyId: newId, rewrapped: true });

  const second = await cli(['keys', 'rotate'], rotated);
  t.equal(second.status, 0, second.stderr);
  t.match(second.stdout, /org keys: 0 re-wrapped, 0 labelled \(pre-0027, already current\), 2 already current, 1 org\(s\) without a key, 0 failed/);
  t.match(second.stdout, /MFA secrets: 0 re-sealed, 1 already current, 0 failed/);
  const again = await owner.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'key.rotated'");
  t.equal(again.rows[0].n, 2, 'no new audit events');

  // What the first run after migration 0027 meets on every row: no id recorded, already under the current key.
  const wrapped = (await owner.query<{ wrapped_key: Buffer }>('SELECT wrapped_key FROM org_keys WHERE org_id = $1', [b.orgId])).rows[0]?.wrapped_key;
  await owner.query('UPDATE org_keys SET master_key_id = NULL WHERE org_id = $1', [b.orgId]);
  const third = await cli(['keys', 'rotate', '--json'], rotated);
  t.match(JSON.parse(third.stdout), { ok: true, orgs: { rewrapped: 0, labelled: 1, alreadyCurrent: 1 } });
  const row = (await owner.query<{ wrapped_key: Buffer; master_key_id: string }>('SELECT wrapped_key, master_key_id FROM org_keys WHERE org_id = $1', [b.orgId])).rows[0];
  t.equal(row?.master_key_id, newId, 'id recorded');
  t.ok(row?.wrapped_key.equals(wrapped as Buffer), 'bytes unchanged');
  const labelled = await owner.query("SELECT metadata FROM audit_events WHERE action = 'key.rotated' AND org_id = $1 ORDER BY seq DESC LIMIT 1", [b.orgId]);
  t.same(labelled.rows[0]?.metadata, { previousMasterKeyId: null, masterKeyId: newId, rewrapped: false });
});

t.test('status after: the old key wraps nothing and can be retired; the audit chain still verifies', async (t) => {
  await ctx.audit.writeCheckpoint(a.orgId);
  const [r, verify] = await Promise.all([cli(['keys', 'status', '--json'], rotated), cli(['audit', 'verify', '--json'], { MASTER_KEY_FILE: newKeyFile })]);
  t.equal(verify.status, 0, verify.stdout + verify.stderr);
  t.match(JSON.parse(verify.stdout), { ok: true });
  t.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Status;
  t.match(s.keys, [
    { masterKeyId: newId, role: 'current', orgKeys: 2, unlabelledOrgKeys: 0, userSecrets: 1 },
    { masterKeyId: oldId, role: 'previous', orgKeys: 0, unlabelledOrgKeys: 0, userSecrets: 0 },
  ]);
  t.equal(s.rotationNeeded, false);
  t.same(s.retirable, [oldId]);
});

t.test('after retiring the old key, an app holding only the new key reads all candidate PII and MFA secrets', async (t) => {
  const config = loadConfig({ ...ctx.env, MASTER_KEY_FILE: newKeyFile });
  t.same(config.previousMasterKeys.reveal(), []);
  const app = await buildApp({ config, db: ctx.db, redis: ctx.redis, audit: ctx.audit, logger: createLogger('silent'), mailer: ctx.mailer, migrations: readMigrationFiles() });
  t.teardown(() => app.close());
  const viewA = await app.inject({ method: 'GET', url: `/api/v1/candidates/${upA.candidateId}`, headers: { cookie: a.cookie } });
  t.equal(viewA.statusCode, 200, viewA.body);
  t.match(viewA.json(), { name: 'Philippa Rotherwick', email: 'philippa@example.test' });
  const viewB = await app.inject({ method: 'GET', url: `/api/v1/candidates/${upB.candidateId}`, headers: { cookie: b.cookie } });
  t.match(viewB.json(), { name: 'Barnaby Keystone' });
  // Blind index unchanged: the same email still finds the same candidate row.
  const keyring = createKeyring({ masterKey: config.masterKey.reveal() });
  const index = await ctx.db.withTenant(a.orgId, (q) => keyring.blindIndex(q, a.orgId, 'email', 'Philippa@Example.test'));
  const found = await owner.query('SELECT id FROM candidates WHERE email_index = $1', [index]);
  t.same(found.rows, [{ id: upA.candidateId }]);
  const sealed = (await owner.query<{ totp_secret_enc: Buffer }>('SELECT totp_secret_enc FROM users WHERE id = $1', [mfaUser])).rows[0]?.totp_secret_enc as Buffer;
  t.equal(createUserSecretBox(config.masterKey.reveal()).open(mfaUser, 'totp_secret_enc', sealed), 'JBSWY3DPEHPK3PXP');
});

t.test('after rotating the audit signing key, old checkpoints verify with the retired public key', async (t) => {
  const dir = ctx.env.HIREBOX_DATA_DIR as string;
  const oldSigning = createPrivateKey(readFileSync(ctx.env.AUDIT_SIGNING_KEY_FILE as string));
  const oldPublicFile = path.join(dir, 'audit-signing-old.pub.pem');
  writeFileSync(oldPublicFile, createPublicKey(oldSigning).export({ format: 'pem', type: 'spki' }), { mode: 0o600 });
  const newSigning = generateKeyPairSync('ed25519').privateKey;
  const newSigningFile = path.join(dir, 'audit-signing-2.pem');
  writeFileSync(newSigningFile, newSigning.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  // Org a holds a checkpoint by the old key (previous test); org b gets one by the new key.
  const signer = createAuditLog({ db: ctx.db, signingKey: newSigning });
  await signer.record(b.orgId, { action: 'test.after_signing_rotation', actor: { type: 'system' } });
  await signer.writeCheckpoint(b.orgId);
  const env = { MASTER_KEY_FILE: newKeyFile, AUDIT_SIGNING_KEY_FILE: newSigningFile };
  const [without, withPrevious] = await Promise.all([cli(['audit', 'verify'], env), cli(['audit', 'verify', '--json'], { ...env, AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES: oldPublicFile })]);
  t.equal(without.status, 1, 'without the retired public key the old checkpoint cannot be checked');
  t.match(without.stdout, `signed by unknown key ${keyIdOf(createPublicKey(oldSigning))}`);
  t.equal(withPrevious.status, 0, withPrevious.stdout + withPrevious.stderr);
  const result = JSON.parse(withPrevious.stdout) as { ok: boolean; results: { orgId: string; checkpointsChecked: number }[] };
  t.ok(result.ok);
  for (const orgId of [a.orgId, b.orgId]) t.ok((result.results.find((r) => r.orgId === orgId)?.checkpointsChecked ?? 0) >= 1, `org ${orgId}: checkpoint checked`);
});

t.test('a process with only the old key fails clearly, naming the missing key id (never the key)', async (t) => {
  const stale = createKeyring({ masterKey: oldKey });
  const err = await ctx.db.withTenant(b.orgId, (q) => stale.orgKey(q, b.orgId)).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof MasterKeyMissingError);
  t.match((err as Error).message, `wrapped by master key ${newId}`);
  const oldOnly = { MASTER_KEY_FILE: oldKeyFile };
  const [status, rotate] = await Promise.all([cli(['keys', 'status'], oldOnly), cli(['keys', 'rotate'], oldOnly)]);
  t.equal(status.status, 1, 'status exits 1 when a needed key is missing');
  t.ok(lineOf(status.stdout, newId)?.match(/missing\s+org keys 2,/), status.stdout);
  t.match(status.stdout, `UNREADABLE: org ${a.orgId}`);
  t.equal(rotate.status, 1);
  t.match(rotate.stdout, `FAILED: org ${b.orgId}: the key of org ${b.orgId} is wrapped by master key ${newId}`);
  // The app started with the old key only: reads fail closed, and the log names the key id.
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await buildApp({ config: loadConfig({ ...ctx.env, ...oldOnly }), db: ctx.db, redis: ctx.redis, audit: ctx.audit, logger: createLogger('error', {}, sink), mailer: ctx.mailer, migrations: readMigrationFiles() });
  t.teardown(() => app.close());
  const view = await app.inject({ method: 'GET', url: `/api/v1/candidates/${upB.candidateId}`, headers: { cookie: b.cookie } });
  t.equal(view.statusCode, 500);
  t.notMatch(view.body, /Barnaby|master key/, 'nothing internal in the response');
  t.match(logs.join(''), `the key of org ${b.orgId} is wrapped by master key ${newId}, which this process does not hold`);
  const material = [readFileSync(oldKeyFile, 'utf8').trim(), readFileSync(newKeyFile, 'utf8').trim()];
  for (const out of [status.stdout, status.stderr, rotate.stdout, rotate.stderr, logs.join('')]) for (const m of material) t.notMatch(out, m);
});

t.test('usage errors exit 2; a bad previous key file is one clear config line', async (t) => {
  const bad = path.join(ctx.env.HIREBOX_DATA_DIR as string, `bad-${randomUUID()}.key`);
  writeFileSync(bad, 'not a key', { mode: 0o600 });
  const usage = [['keys', 'rotate', '--bogus'], ['keys', 'status', 'now'], ['keys', 'generate']];
  const [r, ...runs] = await Promise.all([cli(['keys', 'status'], { MASTER_KEY_FILE: newKeyFile, MASTER_KEY_PREVIOUS_FILES: `${oldKeyFile},${bad}` }), ...usage.map((args) => cli(args, rotated))]);
  runs.forEach((run, i) => {
    t.equal(run.status, 2, `${usage[i]?.join(' ')}: ${run.stderr}`);
    t.match(run.stderr, /^hirebox: /);
  });
  t.equal(r.status, 1);
  t.equal(r.stderr, `hirebox: invalid configuration\n  - MASTER_KEY_PREVIOUS_FILES: ${bad} must hold 32 bytes (raw or base64)\n`);
});
