// Exports to a directory (DESIGN sections 9 and 11: `hirebox export candidate|org`).
//
// - candidate: candidate.json (exactly what GET /api/v1/candidates/:id/export answers) and
//   the candidate's CV files, decrypted, under files/.
// - org: one JSON Lines file per kind (jobs, candidates decrypted, applications, screenings,
//   decisions, interviews with transcripts, notes, messages, members, audit events, ...),
//   the CV files under files/, and manifest.json with record counts, sizes and the SHA-256
//   of every file. For an org leaving the platform (offboarding) or any full handover.
//
// The directory is created 0700 (or must be an empty one, then set to 0700) and every file
// 0600: the output holds personal data in clear. Nothing personal goes to stdout or the
// audit log; each export is one audit event (candidate.exported / org.exported).
/* eslint-disable security/detect-non-literal-fs-filename -- the paths are the operator's own --out directory (a CLI argument, never a request) and names built here from uuids */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AuditLog } from '../../core/audit.js';
import { toStoredEvent } from '../../core/audit.js';
import { KeyDestroyedError, type CandidateCipher, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { BlobStore } from '../../core/storage.js';
import { createCandidateExportService, EXPORT_FORMAT_VERSION } from '../messages/index.js';
import {
  allDocuments,
  applicationCandidates,
  auditEventRows,
  EXPORT_KINDS,
  findOrgState,
  interviewCandidates,
  membersWithEmail,
  documentsOfCandidate,
  tableRows,
  type CandidateLink,
} from './repo.js';

export interface ExportedFile {
  path: string;
  kind: string;
  records?: number;
  bytes: number;
  sha256: string;
}

export interface ExportSummary {
  ok: true;
  kind: 'candidate' | 'org';
  orgId: string;
  candidateId?: string;
  dir: string;
  exportedAt: string;
  files: ExportedFile[];
  records: Record<string, number>;
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'text/plain': '.txt',
};

/** Creates the output directory 0700, or takes an existing empty one (and makes it 0700). */
function prepareDir(dir: string): string {
  const abs = path.resolve(dir);
  let exists = false;
  try {
    exists = statSync(abs).isDirectory();
    if (!exists) throw new ConflictError({ detail: `--out ${dir} exists and is not a directory` });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (exists && readdirSync(abs).length > 0) throw new ConflictError({ detail: `--out ${dir} is not empty: export into a new or empty directory` });
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  chmodSync(abs, 0o700);
  mkdirSync(path.join(abs, 'files'), { mode: 0o700 });
  chmodSync(path.join(abs, 'files'), 0o700);
  return abs;
}

/** A 0600 file written once (never overwriting), hashed as it is written. */
function openOutput(root: string, rel: string, kind: string) {
  const fd = openSync(path.join(root, rel), 'wx', 0o600);
  const hash = createHash('sha256');
  let bytes = 0;
  let records = 0;
  return {
    write(data: Buffer | string) {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      writeSync(fd, buf);
      hash.update(buf);
      bytes += buf.length;
    },
    line(value: unknown) {
      this.write(`${JSON.stringify(value)}\n`);
      records += 1;
    },
    close(withRecords: boolean): ExportedFile {
      fsyncSync(fd);
      closeSync(fd);
      return { path: rel, kind, ...(withRecords ? { records } : {}), bytes, sha256: hash.digest('hex') };
    },
  };
}

/**
 * A row as JSON: timestamps as ISO strings, `*_enc` columns decrypted with the candidate's
 * key (AAD table|column|row id) and named without the suffix, other binary columns (hashes,
 * blind indexes, token hashes) left out. A ciphertext that does not open (erased candidate,
 * or sealed with another key) is left out too: nothing is ever exported as ciphertext.
 */
function rowJson(table: string, row: Record<string, unknown>, cipher: CandidateCipher | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (Buffer.isBuffer(value)) {
      if (!column.endsWith('_enc') || !cipher || value.length === 0 || typeof row.id !== 'string') continue;
      try {
        out[column.slice(0, -4)] = cipher.openText(table, column, row.id, value);
      } catch {
        // not readable with this key: left out
      }
    } else if (value instanceof Date) {
      out[column] = value.toISOString();
    } else {
      out[column] = value;
    }
  }
  return out;
}

// GlobalDb: reads the org state from the global orgs table.
export function createPrivacyExports(deps: { db: TenantDb & GlobalDb; audit: AuditLog; keyring: Keyring; blobs: BlobStore; clock: () => Date }) {
  const candidateExports = createCandidateExportService({ db: deps.db, audit: deps.audit, keyring: deps.keyring, clock: deps.clock });

  async function cipherOf(q: Queryable, cache: Map<string, CandidateCipher | null>, orgId: string, candidateId: string): Promise<CandidateCipher | null> {
    if (cache.has(candidateId)) return cache.get(candidateId) ?? null;
    let cipher: CandidateCipher | null = null;
    try {
      cipher = await deps.keyring.candidateCipher(q, orgId, candidateId);
    } catch (err) {
      if (!(err instanceof KeyDestroyedError)) throw err;
    }
    cache.set(candidateId, cipher);
    return cipher;
  }

  async function writeCvFiles(
    q: Queryable,
    root: string,
    docs: { id: string; candidate_id: string; media_type: string }[],
    cipherFor: (candidateId: string) => Promise<CandidateCipher | null>,
  ): Promise<ExportedFile[]> {
    const files: ExportedFile[] = [];
    for (const doc of docs) {
      const cipher = await cipherFor(doc.candidate_id);
      const sealed = cipher ? await deps.blobs.get(q, doc.id) : null;
      if (!cipher || !sealed) continue;
      const out = openOutput(root, path.join('files', `${doc.id}${EXTENSIONS[doc.media_type] ?? '.bin'}`), 'cv');
      out.write(cipher.open('document_blobs', 'bytes_enc', doc.id, sealed));
      files.push(out.close(false));
    }
    return files;
  }

  async function requireOrg(orgId: string) {
    const org = await findOrgState(deps.db.pool, orgId);
    if (!org || org.offboarded_at) throw new NotFoundError({ resource: 'Org', detail: org ? 'This org has been offboarded: its data is deleted.' : 'Org not found.' });
    return org;
  }

  return {
    /** `hirebox export candidate`: the API's JSON plus the decrypted CV files. */
    async exportCandidate(orgId: string, candidateId: string, dir: string): Promise<ExportSummary> {
      await requireOrg(orgId);
      const exportedAt = deps.clock().toISOString();
      const summary = await deps.db.withTenantTx(orgId, async (tx) => {
        const { data, cipher } = await candidateExports.collect(tx, orgId, candidateId);
        const root = prepareDir(dir);
        const main = openOutput(root, 'candidate.json', 'candidate');
        main.write(`${JSON.stringify(data, null, 2)}\n`);
        const files = [main.close(false)];
        const docs = (await documentsOfCandidate(tx, candidateId)).map((d) => ({ ...d, candidate_id: candidateId }));
        files.push(...(await writeCvFiles(tx, root, docs, async () => cipher)));
        await deps.audit.recordIn(tx, orgId, {
          action: 'candidate.exported',
          actor: { type: 'system' },
          target: { type: 'candidate', id: candidateId },
          metadata: { format: 'json+files', formatVersion: EXPORT_FORMAT_VERSION, applications: data.applications.length, files: files.length - 1, via: 'cli' },
        });
        return { ok: true as const, kind: 'candidate' as const, orgId, candidateId, dir: root, exportedAt, files, records: { applications: data.applications.length, files: files.length - 1 } };
      });
      return summary;
    },

    /** `hirebox export org`: everything of the org as JSON Lines per kind, CV files and a manifest. */
    async exportOrg(orgId: string, dir: string, purpose: 'export' | 'offboarding' = 'export'): Promise<ExportSummary> {
      const org = await requireOrg(orgId);
      const exportedAt = deps.clock().toISOString();
      // One consistent snapshot of the whole org.
      const summary = await deps.db.withTenantTx(
        orgId,
        async (q) => {
          const root = prepareDir(dir);
          const ciphers = new Map<string, CandidateCipher | null>();
          const byApplication = await applicationCandidates(q);
          const byInterview = await interviewCandidates(q);
          const candidateOf = (link: CandidateLink, row: Record<string, unknown>): string | null => {
            const v = (k: string): string | null => (typeof row[k] === 'string' ? (row[k] as string) : null);
            if (link === 'self') return v('id');
            if (link === 'candidate_id') return v('candidate_id');
            if (link === 'application_id') return byApplication.get(v('application_id') ?? '') ?? null;
            if (link === 'interview_id') return byInterview.get(v('interview_id') ?? '') ?? null;
            return null;
          };
          const files: ExportedFile[] = [];
          const records: Record<string, number> = {};
          for (const { kind, table, link } of EXPORT_KINDS) {
            const out = openOutput(root, `${kind}.jsonl`, kind);
            for (const row of await tableRows(q, table)) {
              const candidateId = candidateOf(link, row);
              out.line(rowJson(table, row, candidateId ? await cipherOf(q, ciphers, orgId, candidateId) : null));
            }
            const file = out.close(true);
            records[kind] = file.records ?? 0;
            files.push(file);
          }
          const members = openOutput(root, 'members.jsonl', 'members');
          for (const m of await membersWithEmail(q)) members.line({ userId: m.user_id, email: m.email, displayName: m.display_name, role: m.role, since: m.created_at.toISOString() });
          files.push(members.close(true));
          const audit = openOutput(root, 'audit_events.jsonl', 'audit_events');
          for (const e of await auditEventRows(q)) audit.line(toStoredEvent(e));
          files.push(audit.close(true));
          for (const f of files.slice(-2)) records[f.kind] = f.records ?? 0;
          const cvs = await writeCvFiles(q, root, await allDocuments(q), (candidateId) => cipherOf(q, ciphers, orgId, candidateId));
          files.push(...cvs);
          records.files = cvs.length;
          const manifest = openOutput(root, 'manifest.json', 'manifest');
          manifest.write(
            `${JSON.stringify({ formatVersion: EXPORT_FORMAT_VERSION, kind: 'org', purpose, org: { id: org.id, slug: org.slug, name: org.name }, exportedAt, records, files }, null, 2)}\n`,
          );
          files.push(manifest.close(false));
          return { ok: true as const, kind: 'org' as const, orgId, dir: root, exportedAt, files, records };
        },
        { snapshot: true },
      );
      await deps.audit.record(orgId, {
        action: 'org.exported',
        actor: { type: 'system' },
        target: { type: 'org', id: orgId },
        metadata: { formatVersion: EXPORT_FORMAT_VERSION, purpose, via: 'cli', records: summary.records, files: summary.files.length },
      });
      return summary;
    },
  };
}

export type PrivacyExports = ReturnType<typeof createPrivacyExports>;
