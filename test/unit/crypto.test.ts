import t from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import { aadBytes, DecryptionError, open, seal } from '../../server/core/crypto.js';

const key = randomBytes(32);
const aad = { orgId: randomUUID(), table: 'candidates', column: 'name_enc', rowId: randomUUID() };

t.test('seal/open round-trips and every ciphertext is fresh', async (t) => {
  const a = seal(key, 'Ada Lovelace', aad);
  const b = seal(key, 'Ada Lovelace', aad);
  t.not(a.toString('hex'), b.toString('hex'), 'random IV per value');
  t.equal(open(key, a, aad).toString(), 'Ada Lovelace');
  t.notOk(a.includes(Buffer.from('Ada')), 'no plaintext in the ciphertext');
});

t.test('IVs are never reused, also across the refills of the IV block', async (t) => {
  const ivs = new Set<string>();
  const n = 2_000; // ~6 blocks of 341 IVs
  for (let i = 0; i < n; i++) {
    const sealed = seal(key, 'x', aad);
    ivs.add(sealed.subarray(1, 13).toString('hex'));
    if (i % 500 === 0) t.equal(open(key, sealed, aad).toString(), 'x');
  }
  t.equal(ivs.size, n, 'every IV distinct');
  t.notOk(ivs.has('0'.repeat(24)), 'no all-zero IV');
});

t.test('a ciphertext moved to another org, table, column or row fails to decrypt', async (t) => {
  const sealed = seal(key, 'ada@example.test', aad);
  for (const swap of [{ orgId: randomUUID() }, { table: 'documents' }, { column: 'email_enc' }, { rowId: randomUUID() }]) {
    t.throws(() => open(key, sealed, { ...aad, ...swap }), DecryptionError, `AAD swap ${Object.keys(swap)[0]}`);
  }
  t.throws(() => open(randomBytes(32), sealed, aad), DecryptionError, 'another key');
  const flipped = Buffer.from(sealed);
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
  t.throws(() => open(key, flipped, aad), DecryptionError, 'tampered ciphertext');
  t.throws(() => open(key, Buffer.from([1, 2, 3]), aad), DecryptionError, 'too short');
  t.throws(() => aadBytes({ ...aad, table: 'a|b' }), /must not contain/);
});
