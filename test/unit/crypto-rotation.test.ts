import t from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/core/config.js';
import { createKeyring, createMasterKeys, DecryptionError, masterKeyId, MasterKeyMissingError, seal } from '../../server/core/crypto.js';
import type { Queryable } from '../../server/core/db.js';
import { createUserSecretBox } from '../../server/modules/auth/totp.js';
import { writeTestKeys } from '../support/keys.js';

type OrgKeyRow = { wrapped_key: Buffer; master_key_id: string | null };

/** An in-memory org_keys table speaking the keyring's three statements. */
function fakeOrgKeys(): { q: Queryable; rows: Map<string, OrgKeyRow> } {
  const rows = new Map<string, OrgKeyRow>();
  const query = async (sql: string, params: unknown[]) => {
    const orgId = params[0] as string;
    if (sql.startsWith('SELECT')) {
      const row = rows.get(orgId);
      return { rows: row ? [row] : [], rowCount: row ? 1 : 0 };
    }
    if (sql.startsWith('INSERT INTO org_keys')) {
      if (!rows.has(orgId)) rows.set(orgId, { wrapped_key: params[1] as Buffer, master_key_id: params[2] as string });
      return { rows: [], rowCount: 1 };
    }
    throw new Error(`unexpected SQL: ${sql}`);
  };
  return { q: { query } as unknown as Queryable, rows };
}

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

t.test('key ids are stable 16-hex fingerprints that never equal or contain key bytes', async (t) => {
  for (const key of [oldKey, newKey, Buffer.alloc(32), Buffer.alloc(32, 0xff)]) {
    const id = masterKeyId(key);
    t.match(id, /^[0-9a-f]{16}$/);
    t.equal(masterKeyId(Buffer.from(key)), id, 'same key, same id');
    const hex = key.toString('hex');
    for (let i = 0; i + 8 <= hex.length; i += 2) t.notOk(id.includes(hex.slice(i, i + 8)), 'no 4-byte run of the key appears in the id');
    t.notOk(key.toString('base64').includes(id), 'not part of the base64 key either');
  }
  t.not(masterKeyId(oldKey), masterKeyId(newKey));
  t.throws(() => masterKeyId(randomBytes(16)), TypeError);
});

t.test('the current key wraps new org keys and records its id', async (t) => {
  const { q, rows } = fakeOrgKeys();
  const keyring = createKeyring({ masterKey: newKey, previousMasterKeys: [oldKey] });
  const orgId = randomUUID();
  const orgKey = await keyring.orgKey(q, orgId);
  t.equal(rows.get(orgId)?.master_key_id, masterKeyId(newKey));
  // Only the current key opens the new row.
  const keys = createMasterKeys({ masterKey: newKey });
  t.ok(keys.unwrap(orgId, rows.get(orgId)?.wrapped_key as Buffer, masterKeyId(newKey)).orgKey.equals(orgKey));
  t.throws(() => createMasterKeys({ masterKey: oldKey }).unwrap(orgId, rows.get(orgId)?.wrapped_key as Buffer, null), MasterKeyMissingError);
});

t.test('a previous key unwraps rows it wrapped, labelled or not (pre-0027)', async (t) => {
  const { q, rows } = fakeOrgKeys();
  const before = createKeyring({ masterKey: oldKey });
  const labelled = randomUUID();
  const legacy = randomUUID();
  const labelledKey = await before.orgKey(q, labelled);
  const legacyKey = await before.orgKey(q, legacy);
  const legacyRow = rows.get(legacy) as OrgKeyRow;
  legacyRow.master_key_id = null;
  const after = createKeyring({ masterKey: newKey, previousMasterKeys: [oldKey] });
  t.ok((await after.orgKey(q, labelled)).equals(labelledKey));
  t.ok((await after.orgKey(q, legacy)).equals(legacyKey));
  t.equal(createMasterKeys({ masterKey: newKey, previousMasterKeys: [oldKey] }).unwrap(legacy, legacyRow.wrapped_key, null).masterKeyId, masterKeyId(oldKey), 'reports which key opened it');
  // Blind indexes come from the org key, so they do not change with the master key.
  t.ok((await after.blindIndex(q, labelled, 'email', 'Ada@Example.test')).equals(await before.blindIndex(q, labelled, 'email', 'ada@example.test')));
});

t.test('a row wrapped by a key this process lacks fails naming the key id, not the key', async (t) => {
  const { q, rows } = fakeOrgKeys();
  const orgId = randomUUID();
  await createKeyring({ masterKey: oldKey }).orgKey(q, orgId);
  const retired = createKeyring({ masterKey: newKey });
  const err = await retired.orgKey(q, orgId).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof MasterKeyMissingError && err instanceof DecryptionError, 'a DecryptionError subclass');
  const message = (err as Error).message;
  t.match(message, masterKeyId(oldKey));
  t.match(message, orgId);
  t.match(message, /MASTER_KEY_PREVIOUS_FILES/);
  for (const k of [oldKey, newKey]) {
    t.notMatch(message, k.toString('hex'));
    t.notMatch(message, k.toString('base64'));
  }
  // Legacy rows (no id) that no held key opens say so too.
  (rows.get(orgId) as OrgKeyRow).master_key_id = null;
  await t.rejects(createKeyring({ masterKey: newKey }).orgKey(q, orgId), /wrapped before master key ids were recorded/);
  // A tampered wrapping under a held key is a plain DecryptionError, not a "missing key".
  const tampered = seal(randomBytes(32), randomBytes(32), { orgId, table: 'org_keys', column: 'wrapped_key', rowId: orgId });
  t.throws(() => createMasterKeys({ masterKey: newKey }).unwrap(orgId, tampered, masterKeyId(newKey)), DecryptionError);
});

t.test('user MFA secrets sealed under a previous key still open; isCurrent tells which need re-sealing', async (t) => {
  const userId = randomUUID();
  const sealedOld = createUserSecretBox(oldKey).seal(userId, 'totp_secret_enc', 'JBSWY3DPEHPK3PXP');
  const box = createUserSecretBox(newKey, [oldKey]);
  t.equal(box.open(userId, 'totp_secret_enc', sealedOld), 'JBSWY3DPEHPK3PXP');
  t.notOk(box.isCurrent(userId, 'totp_secret_enc', sealedOld));
  t.ok(box.isCurrent(userId, 'totp_secret_enc', box.seal(userId, 'totp_secret_enc', 'x')));
  t.throws(() => createUserSecretBox(newKey).open(userId, 'totp_secret_enc', sealedOld), DecryptionError);
});

t.test('MASTER_KEY_PREVIOUS_FILES: each file read and checked, one clear line per problem', async (t) => {
  const keys = writeTestKeys(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-prev-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = path.join(dir, 'old.key');
  const raw = path.join(dir, 'raw.key');
  const short = path.join(dir, 'short.key');
  writeFileSync(good, `${oldKey.toString('base64')}\n`, { mode: 0o600 });
  writeFileSync(raw, newKey, { mode: 0o600 });
  writeFileSync(short, randomBytes(16).toString('base64'), { mode: 0o600 });
  const base = { NODE_ENV: 'test', MASTER_KEY_FILE: keys.masterKeyFile, AUDIT_SIGNING_KEY_FILE: keys.auditSigningKeyFile, HIREBOX_DATA_DIR: keys.dir };
  t.same(loadConfig(base).previousMasterKeys.reveal(), [], 'none by default');
  const config = loadConfig({ ...base, MASTER_KEY_PREVIOUS_FILES: ` ${good} ,${raw},` });
  t.same(config.previousMasterKeys.reveal().map(masterKeyId), [masterKeyId(oldKey), masterKeyId(newKey)]);
  t.equal(JSON.stringify(config.previousMasterKeys), '"[redacted]"', 'never printed');
  const err = t.throws(() => loadConfig({ ...base, MASTER_KEY_PREVIOUS_FILES: `${good},${short},${path.join(dir, 'nope')}` })) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.same(err.problems, [`MASTER_KEY_PREVIOUS_FILES: ${short} must hold 32 bytes (raw or base64)`, `MASTER_KEY_PREVIOUS_FILES: cannot read ${path.join(dir, 'nope')}`]);
});
