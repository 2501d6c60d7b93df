// Envelope encryption (DESIGN §5): master key -> one key per org -> one key per candidate.
//
// - The master key (32 bytes, from MASTER_KEY_FILE) only ever wraps org keys.
// - An org key (random, 32 bytes) is stored wrapped in org_keys; it wraps candidate keys
//   and derives the org's blind-index key (HKDF), so index values never link across orgs.
// - A candidate key (random, 32 bytes) is stored wrapped in candidate_keys and encrypts
//   that candidate's PII fields, CV bytes, extracted text, notes and demographics.
// - Every ciphertext is AES-256-GCM with AAD = "org|table|column|rowId": a value copied to
//   another row, column or org fails authentication instead of decrypting.
// - Destroying a candidate key (crypto-shredding) makes all of that candidate's
//   ciphertexts in the database unreadable. A backup taken BEFORE the destruction still
//   holds the wrapped key (and the master key still unwraps it): the erasure ledger
//   (erasure-ledger.ts) is what re-destroys it after a restore.
//
// - Master key rotation (`hirebox keys rotate`): a keyring holds one current master key
//   and any number of previous ones. Only the current one wraps; any of them unwraps. Each
//   org_keys row records the id of the master key that wrapped it (masterKeyId: an HMAC
//   fingerprint, never the key), so a process missing that key fails naming the id.
//
// Format of a sealed value: 0x01 (version) | 12-byte IV | 16-byte tag | ciphertext.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Queryable } from './db.js';

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface Aad {
  orgId: string;
  table: string;
  column: string;
  rowId: string;
}

export class DecryptionError extends Error {
  constructor(message = 'ciphertext cannot be decrypted with this key and context') {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * An org key is wrapped by a master key this process was not given (e.g. it was retired from
 * MASTER_KEY_PREVIOUS_FILES too early). Names the org and the key id, never key material.
 */
export class MasterKeyMissingError extends DecryptionError {
  readonly orgId: string;
  readonly masterKeyId: string | null;
  constructor(opts: { orgId: string; masterKeyId: string | null; heldKeyIds: readonly string[] }) {
    super(
      opts.masterKeyId
        ? `the key of org ${opts.orgId} is wrapped by master key ${opts.masterKeyId}, which this process does not hold (held: ${opts.heldKeyIds.join(', ')}); add that key to MASTER_KEY_PREVIOUS_FILES`
        : `the key of org ${opts.orgId} (wrapped before master key ids were recorded) opens with none of the master keys this process holds (${opts.heldKeyIds.join(', ')}); add the key that was current then to MASTER_KEY_PREVIOUS_FILES`,
    );
    this.name = 'MasterKeyMissingError';
    this.orgId = opts.orgId;
    this.masterKeyId = opts.masterKeyId;
  }
}

/** The candidate's key was destroyed (erasure): their data is gone for good. */
export class KeyDestroyedError extends Error {
  constructor() {
    super('the candidate key has been destroyed');
    this.name = 'KeyDestroyedError';
  }
}

export function aadBytes(aad: Aad): Buffer {
  for (const part of [aad.orgId, aad.table, aad.column, aad.rowId]) {
    if (part.includes('|')) throw new TypeError('AAD parts must not contain "|"');
  }
  return Buffer.from(`${aad.orgId}|${aad.table}|${aad.column}|${aad.rowId}`, 'utf8');
}

// IVs come from a block of CSPRNG output, each 12 bytes handed out once, front to back,
// then a fresh block: the same randomness as randomBytes(12) per value, at a fraction of
// the cost (one CSPRNG call per 341 IVs; a call per IV measured 8-30 µs on a small VM, a
// tenth of a webhook's whole CPU budget).
const IV_BLOCK_BYTES = 4092;
let ivBlock = Buffer.alloc(0);
let ivOffset = 0;
function freshIv(): Buffer {
  if (ivOffset + IV_BYTES > ivBlock.length) {
    ivBlock = randomBytes(IV_BLOCK_BYTES);
    ivOffset = 0;
  }
  const iv = ivBlock.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export function seal(key: Buffer, plaintext: Buffer | string, aad: Aad): Buffer {
  if (key.length !== KEY_BYTES) throw new TypeError('key must be 32 bytes');
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadBytes(aad));
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer, aad: Aad): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new DecryptionError('not a sealed value');
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aadBytes(aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}

export function openText(key: Buffer, sealed: Buffer, aad: Aad): string {
  return open(key, sealed, aad).toString('utf8');
}

/** Normalises an email for the blind index (trim + lower case). */
export function normaliseEmailForIndex(email: string): string {
  return email.trim().toLowerCase();
}

export interface CandidateCipher {
  candidateId: string;
  seal(table: string, column: string, rowId: string, plaintext: Buffer | string): Buffer;
  open(table: string, column: string, rowId: string, sealed: Buffer): Buffer;
  openText(table: string, column: string, rowId: string, sealed: Buffer): string;
}

export interface Keyring {
  /** The org's unwrapped key; created (and stored wrapped) on first use. */
  orgKey(q: Queryable, orgId: string): Promise<Buffer>;
  /** HMAC-SHA256 blind index of a value under the org's index key. */
  blindIndex(q: Queryable, orgId: string, kind: 'email', value: string): Promise<Buffer>;
  /** Creates a candidate key (inside the caller's tenant transaction). */
  createCandidateKey(q: Queryable, orgId: string, candidateId: string): Promise<CandidateCipher>;
  /** Loads a candidate's key; KeyDestroyedError when it was destroyed. */
  candidateCipher(q: Queryable, orgId: string, candidateId: string): Promise<CandidateCipher>;
  /** Crypto-shredding: the wrapped key is overwritten (only a restore of an older backup brings it back; the erasure ledger re-destroys it). */
  destroyCandidateKey(q: Queryable, orgId: string, candidateId: string): Promise<void>;
}

/**
 * Stable id of a master key: the first 8 bytes (16 hex digits) of HMAC-SHA256 keyed by the
 * key over a fixed label. One-way, so printing it, logging it or storing it in org_keys
 * reveals nothing about the key, yet the same key gives the same id in every process.
 */
export function masterKeyId(key: Buffer): string {
  if (key.length !== KEY_BYTES) throw new TypeError('master key must be 32 bytes');
  return createHmac('sha256', key).update('hirebox:master-key-id:v1', 'utf8').digest('hex').slice(0, 16);
}

export interface MasterKeyOptions {
  /** Current master key (MASTER_KEY_FILE): wraps new org keys and re-wraps on rotation. */
  masterKey: Buffer;
  /** Retired-but-still-needed master keys (MASTER_KEY_PREVIOUS_FILES): unwrap only. */
  previousMasterKeys?: readonly Buffer[];
}

export interface MasterKeys {
  currentId: string;
  /** Every id this process holds, the current one first. */
  heldIds: readonly string[];
  has(id: string): boolean;
  /** Wraps an org key under the current master key. */
  wrap(orgId: string, orgKey: Buffer): { wrappedKey: Buffer; masterKeyId: string };
  /**
   * Unwraps an org key. With a recorded id only that master key is tried; with null (rows
   * from before migration 0027) each held key is tried, current first: GCM authentication
   * tells which one wrapped it. Returns the id that opened it.
   */
  unwrap(orgId: string, wrappedKey: Buffer, recordedId: string | null): { orgKey: Buffer; masterKeyId: string };
}

const orgKeyAad = (orgId: string): Aad => ({ orgId, table: 'org_keys', column: 'wrapped_key', rowId: orgId });

export function createMasterKeys(opts: MasterKeyOptions): MasterKeys {
  const keys = new Map<string, Buffer>();
  const currentId = masterKeyId(opts.masterKey);
  keys.set(currentId, opts.masterKey);
  for (const key of opts.previousMasterKeys ?? []) {
    const id = masterKeyId(key);
    if (!keys.has(id)) keys.set(id, key);
  }
  const heldIds = [...keys.keys()];
  return {
    currentId,
    heldIds,
    has: (id) => keys.has(id),
    wrap: (orgId, orgKey) => ({ wrappedKey: seal(opts.masterKey, orgKey, orgKeyAad(orgId)), masterKeyId: currentId }),
    unwrap(orgId, wrappedKey, recordedId) {
      if (recordedId !== null) {
        const key = keys.get(recordedId);
        if (!key) throw new MasterKeyMissingError({ orgId, masterKeyId: recordedId, heldKeyIds: heldIds });
        return { orgKey: open(key, wrappedKey, orgKeyAad(orgId)), masterKeyId: recordedId };
      }
      for (const [id, key] of keys) {
        try {
          return { orgKey: open(key, wrappedKey, orgKeyAad(orgId)), masterKeyId: id };
        } catch (err) {
          if (!(err instanceof DecryptionError)) throw err;
        }
      }
      throw new MasterKeyMissingError({ orgId, masterKeyId: null, heldKeyIds: heldIds });
    },
  };
}

export function createKeyring(deps: MasterKeyOptions): Keyring {
  if (deps.masterKey.length !== KEY_BYTES) throw new TypeError('master key must be 32 bytes');
  const masterKeys = createMasterKeys(deps);
  // Unwrapped org keys are cached per keyring (one per process); candidate keys are not,
  // so a destroyed key stops working at once everywhere. Rotation re-wraps org keys without
  // changing them, so a cached key stays right while `keys rotate` runs.
  const orgKeys = new Map<string, Buffer>();

  async function orgKey(q: Queryable, orgId: string): Promise<Buffer> {
    const cached = orgKeys.get(orgId);
    if (cached) return cached;
    type Row = { wrapped_key: Buffer; master_key_id: string | null };
    const select = 'SELECT wrapped_key, master_key_id FROM org_keys WHERE org_id = $1';
    let { rows } = await q.query<Row>(select, [orgId]);
    if (!rows[0]) {
      const { wrappedKey, masterKeyId: id } = masterKeys.wrap(orgId, randomBytes(KEY_BYTES));
      await q.query('INSERT INTO org_keys (org_id, wrapped_key, master_key_id) VALUES ($1, $2, $3) ON CONFLICT (org_id) DO NOTHING', [orgId, wrappedKey, id]);
      ({ rows } = await q.query<Row>(select, [orgId]));
    }
    const row = rows[0];
    if (!row) throw new Error('org key not visible: is the query bound to this org?');
    const key = masterKeys.unwrap(orgId, row.wrapped_key, row.master_key_id).orgKey;
    orgKeys.set(orgId, key);
    return key;
  }

  function cipherFor(orgId: string, candidateId: string, key: Buffer): CandidateCipher {
    const ctx = (table: string, column: string, rowId: string): Aad => ({ orgId, table, column, rowId });
    return {
      candidateId,
      seal: (table, column, rowId, plaintext) => seal(key, plaintext, ctx(table, column, rowId)),
      open: (table, column, rowId, sealed) => open(key, sealed, ctx(table, column, rowId)),
      openText: (table, column, rowId, sealed) => openText(key, sealed, ctx(table, column, rowId)),
    };
  }

  const candidateAad = (orgId: string, candidateId: string): Aad => ({ orgId, table: 'candidate_keys', column: 'wrapped_key', rowId: candidateId });

  return {
    orgKey,
    async blindIndex(q, orgId, kind, value) {
      const indexKey = Buffer.from(hkdfSync('sha256', await orgKey(q, orgId), Buffer.alloc(0), `hirebox-blind-index:${kind}`, KEY_BYTES));
      return createHmac('sha256', indexKey).update(kind === 'email' ? normaliseEmailForIndex(value) : value, 'utf8').digest();
    },
    async createCandidateKey(q, orgId, candidateId) {
      const key = randomBytes(KEY_BYTES);
      const wrapped = seal(await orgKey(q, orgId), key, candidateAad(orgId, candidateId));
      await q.query('INSERT INTO candidate_keys (org_id, candidate_id, wrapped_key) VALUES ($1, $2, $3)', [orgId, candidateId, wrapped]);
      return cipherFor(orgId, candidateId, key);
    },
    async candidateCipher(q, orgId, candidateId) {
      const { rows } = await q.query<{ wrapped_key: Buffer | null }>('SELECT wrapped_key FROM candidate_keys WHERE candidate_id = $1', [candidateId]);
      const row = rows[0];
      if (!row || !row.wrapped_key) throw new KeyDestroyedError();
      return cipherFor(orgId, candidateId, open(await orgKey(q, orgId), row.wrapped_key, candidateAad(orgId, candidateId)));
    },
    async destroyCandidateKey(q, _orgId, candidateId) {
      await q.query('UPDATE candidate_keys SET wrapped_key = NULL, destroyed_at = now() WHERE candidate_id = $1', [candidateId]);
    },
  };
}
