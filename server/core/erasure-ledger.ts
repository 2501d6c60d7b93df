// The erasure ledger (issue 18, DESIGN section 9): one line per erased candidate or deleted
// org, kept in an append-only file on the host, OUTSIDE the database. A database restore
// brings back rows (and the wrapped candidate key) that an erasure had removed after the
// backup was taken; the ledger is what the restore does not roll back, and
// `hirebox erasures reapply` (ops/scripts/restore.sh and restore-drill.sh run it before the
// app serves) erases every listed candidate and org again.
//
// A line holds ids, the reason, the time and a key-destruction receipt (a SHA-256
// fingerprint of the wrapped key that was destroyed), never personal data. Each line carries
// an HMAC-SHA256 over its canonical JSON under a key derived from the master key (HKDF,
// label below) and the id of that master key, so an edited or forged line is detected;
// verification also accepts the previous master keys after a rotation. Per-line MACs (not a
// chain) because app, worker and CLI processes append concurrently without a shared lock;
// the cost is that a deleted line is not detected by the MAC itself: the file is root-owned
// 0600 on the host and copied with the configuration backups (ops/runbooks/backup-restore.md).
//
// Writes are O_APPEND, one write() per line, then fdatasync, so a line is on disk before the
// caller's database transaction commits (see server/modules/retention/erase.ts for the order).
/* eslint-disable security/detect-non-literal-fs-filename -- the one path is the operator's ERASURE_LEDGER_PATH (configuration), never from a request */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { mkdirSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from './canonical-json.js';
import { masterKeyId } from './crypto.js';

export type LedgerReason = 'request' | 'retention' | 'offboarding';

export interface LedgerEntry {
  v: 1;
  kind: 'candidate' | 'org';
  orgId: string;
  /** null for an org deletion. */
  candidateId: string | null;
  reason: LedgerReason;
  /** When the erasure was decided (ISO 8601). */
  at: string;
  /** "sha256:<hex>" of the wrapped key that was destroyed, or null when there was none. */
  keyReceipt: string | null;
}

interface LedgerLine extends LedgerEntry {
  kid: string;
  mac: string;
}

export class LedgerTamperedError extends Error {
  constructor(readonly line: number, why: string) {
    super(`erasure ledger line ${line}: ${why}`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const macKey = (masterKey: Buffer): Buffer => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'hirebox-erasure-ledger:v1', 32));

export interface ErasureLedger {
  readonly file: string;
  /** Appends one entry and fsyncs it; throws when the line could not be made durable. */
  append(entry: Omit<LedgerEntry, 'v'>): Promise<void>;
  /** Every entry, each MAC checked; LedgerTamperedError on the first bad line. A missing file is an empty ledger. */
  read(): Promise<LedgerEntry[]>;
}

export function createErasureLedger(opts: { file: string; masterKey: Buffer; previousMasterKeys?: readonly Buffer[] }): ErasureLedger {
  const current = { id: masterKeyId(opts.masterKey), key: macKey(opts.masterKey) };
  const keys = new Map<string, Buffer>([[current.id, current.key]]);
  for (const k of opts.previousMasterKeys ?? []) keys.set(masterKeyId(k), macKey(k));
  const mac = (key: Buffer, body: LedgerEntry & { kid: string }): string => createHmac('sha256', key).update(canonicalJson(body), 'utf8').digest('hex');
  let dirReady = false;

  function ensureDir(): void {
    if (dirReady) return;
    const dir = path.dirname(opts.file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    dirReady = true;
  }

  return {
    file: opts.file,

    async append(entry) {
      const body = { v: 1 as const, ...entry, kid: current.id };
      const line: LedgerLine = { ...body, mac: mac(current.key, body) };
      ensureDir();
      const handle = await open(opts.file, 'a', 0o600);
      let created = false;
      try {
        created = (await handle.stat()).size === 0;
        await handle.write(`${JSON.stringify(line)}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      // A new file's directory entry must be durable too, or a crash could lose the whole file.
      if (created) {
        const dirFd = openSync(path.dirname(opts.file), 'r');
        try {
          fsyncSync(dirFd);
        } finally {
          closeSync(dirFd);
        }
      }
    },

    async read() {
      let text: string;
      try {
        text = await readFile(opts.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const out: LedgerEntry[] = [];
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i] as string;
        if (raw === '') continue;
        const n = i + 1;
        let parsed: LedgerLine;
        try {
          parsed = JSON.parse(raw) as LedgerLine;
        } catch {
          throw new LedgerTamperedError(n, 'not JSON');
        }
        const { mac: given, kid, ...entry } = parsed;
        const key = typeof kid === 'string' ? keys.get(kid) : undefined;
        if (!key) throw new LedgerTamperedError(n, 'signed with a master key this process does not hold');
        const expected = Buffer.from(mac(key, { ...entry, kid }), 'hex');
        const got = typeof given === 'string' && /^[0-9a-f]{64}$/.test(given) ? Buffer.from(given, 'hex') : Buffer.alloc(0);
        if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new LedgerTamperedError(n, 'MAC does not match (the line was altered)');
        if (entry.v !== 1 || (entry.kind !== 'candidate' && entry.kind !== 'org') || !UUID.test(entry.orgId) || (entry.kind === 'candidate' ? !UUID.test(entry.candidateId ?? '') : entry.candidateId !== null)) {
          throw new LedgerTamperedError(n, 'malformed entry');
        }
        out.push({ v: 1, kind: entry.kind, orgId: entry.orgId, candidateId: entry.candidateId, reason: entry.reason, at: entry.at, keyReceipt: entry.keyReceipt });
      }
      return out;
    },
  };
}
