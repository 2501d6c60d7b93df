// Held re-submissions of public applications (issue 14, M2).
//
// Public apply needs no account, so an email address proves nothing: before this, anyone
// who knew a candidate's address could re-apply to the same job with their own CV and it
// became the screened document. Now a public submission for an existing application is
// held: the file is sealed with the candidate's key and kept aside, the recruiter sees a
// pending re-submission, and a confirmation link goes to the address on file (never to the
// submitter, who gets the same answer as any applicant). Only opening that link and
// confirming turns the file into the application's newest document, which is parsed and
// screened like any new document. Unconfirmed submissions expire (the file is dropped).
// Tokens are 32 random bytes, single use, stored only as their SHA-256.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type CandidateCipher, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';
import { GoneError, NotFoundError } from '../../core/errors.js';
import type { Mailer } from '../../core/mailer.js';
import type { BlobStore } from '../../core/storage.js';
import { findApplication, insertEvent, recordConsent } from '../applications/index.js';
import { findCandidates } from '../candidates/index.js';
import { findDocumentBySha, insertDocument } from '../documents/index.js';
import { orgName } from '../orgs/index.js';
import { findJob } from '../jobs/index.js';
import { expireDue, findByTokenHash, insertResubmission, markConfirmed, pendingOfApplication, resubmissionOrg, type ResubmissionRow } from './repo.js';
import { translator, type Translator } from '../../core/i18n/translator.js';
import { isLocale } from '../../core/i18n/locales.js';
import { hashToken, newToken } from '../../core/tokens.js';

export const RESUBMISSION_TTL_MS = 72 * 3_600_000;
/** More pending re-submissions than this for one application are dropped (no more mail to the candidate). */
export const MAX_PENDING_PER_APPLICATION = 3;

export const hashResubmissionToken = hashToken;

export interface HeldResubmission {
  orgId: string;
  applicationId: string;
  candidateId: string;
  token: string;
  expiresAt: Date;
}

export interface HoldInput {
  orgId: string;
  applicationId: string;
  jobId: string;
  candidateId: string;
  cipher: CandidateCipher;
  file: { filename: string; bytes: Buffer };
  mediaType: string;
  sha256: Buffer;
  noticeVersion: string | null;
  requestId: string | null;
}

/** Expires unconfirmed re-submissions past their time (the held files are dropped), with a timeline entry each. */
export async function expireResubmissionsIn(tx: Queryable, orgId: string, now: Date, applicationId: string | null = null): Promise<number> {
  const expired = await expireDue(tx, now, applicationId);
  for (const r of expired) {
    await insertEvent(tx, { orgId, applicationId: r.application_id, type: 'resubmission.expired', actor: { type: 'system' }, data: { resubmissionId: r.id } });
  }
  return expired.length;
}

export interface ParseEnqueuer {
  enqueue(orgId: string, documentId: string): Promise<void>;
}

export function createResubmissionService(deps: {
  // GlobalDb: a resubmission token names its org only through a global lookup.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  keyring: Keyring;
  blobs: BlobStore;
  mailer: Mailer;
  parseQueue: ParseEnqueuer;
  publicUrl: URL;
  clock: () => Date;
  logger: Logger;
  ttlMs?: number;
}) {
  const { db, audit, keyring } = deps;
  const ttlMs = deps.ttlMs ?? RESUBMISSION_TTL_MS;

  const expireIn = (tx: Queryable, orgId: string, applicationId: string | null): Promise<number> => expireResubmissionsIn(tx, orgId, deps.clock(), applicationId);

  /** The live link behind a token with its org and row (locked with forUpdate); 404 unknown, 410 expired or used. */
  async function live(q: Queryable, token: string, forUpdate: boolean): Promise<ResubmissionRow> {
    const row = await findByTokenHash(q, hashResubmissionToken(token), forUpdate);
    if (!row) throw new NotFoundError({ resource: 'Confirmation link' });
    if (row.status === 'confirmed') throw new GoneError({ detail: 'This link has already been used.' });
    if (row.status === 'expired' || row.expires_at <= deps.clock()) throw new GoneError({ detail: 'This link has expired. Nothing was changed; you may apply again.' });
    return row;
  }

  async function orgOf(token: string): Promise<string> {
    const orgId = await db.tx((q) => resubmissionOrg(q, hashResubmissionToken(token)));
    if (!orgId) throw new NotFoundError({ resource: 'Confirmation link' });
    return orgId;
  }

  return {
    /**
     * Inside the public submission's transaction, for an application that already exists:
     * holds the file instead of attaching it. Returns what to mail after commit, or null when
     * the application already has MAX_PENDING_PER_APPLICATION live ones (dropped, audited).
     */
    async holdIn(tx: Queryable, input: HoldInput): Promise<HeldResubmission | null> {
      const { orgId, applicationId } = input;
      await expireIn(tx, orgId, applicationId);
      const now = deps.clock();
      const pending = await pendingOfApplication(tx, applicationId, now);
      if (pending.length >= MAX_PENDING_PER_APPLICATION) {
        await audit.recordIn(tx, orgId, {
          action: 'application.resubmission_dropped',
          actor: { type: 'candidate', id: null },
          target: { type: 'application', id: applicationId },
          metadata: { pending: pending.length },
          requestId: input.requestId,
        });
        return null;
      }
      const id = randomUUID();
      const token = newToken();
      const expiresAt = new Date(now.getTime() + ttlMs);
      await insertResubmission(tx, {
        id,
        orgId,
        applicationId,
        tokenHash: hashResubmissionToken(token),
        mediaType: input.mediaType,
        sizeBytes: input.file.bytes.length,
        sha256: input.sha256,
        filenameEnc: input.file.filename ? input.cipher.seal('application_resubmissions', 'filename_enc', id, input.file.filename.slice(0, 255)) : null,
        bytesEnc: input.cipher.seal('application_resubmissions', 'bytes_enc', id, input.file.bytes),
        noticeVersion: input.noticeVersion,
        expiresAt,
      });
      await insertEvent(tx, {
        orgId,
        applicationId,
        type: 'resubmission.pending',
        actor: { type: 'candidate' },
        data: { resubmissionId: id, mediaType: input.mediaType, sizeBytes: input.file.bytes.length, expiresAt: expiresAt.toISOString(), verified: false },
      });
      await audit.recordIn(tx, orgId, {
        action: 'application.resubmission_held',
        actor: { type: 'candidate', id: null },
        target: { type: 'application', id: applicationId },
        metadata: { resubmissionId: id, jobId: input.jobId, expiresAt: expiresAt.toISOString() },
        requestId: input.requestId,
      });
      return { orgId, applicationId, candidateId: input.candidateId, token, expiresAt };
    },

    /** After commit: mails the confirmation link to the address on file. Never throws (logged). */
    async notify(held: HeldResubmission): Promise<void> {
      try {
        const mail = await db.withTenant(held.orgId, async (q) => {
          const app = await findApplication(q, held.applicationId, null);
          const [cand] = await findCandidates(q, [held.candidateId]);
          if (!app || !cand) return null;
          const job = await findJob(q, app.job_id, null);
          const cipher = await keyring.candidateCipher(q, held.orgId, cand.id);
          return {
            to: cipher.openText('candidates', 'email_enc', cand.id, cand.email_enc),
            org: (await orgName(q, held.orgId)) ?? 'the employer',
            job: job?.title ?? 'a job',
            // issue 22: in the language the candidate applied in (else the job's), dates in their zone.
            tr: translator(isLocale(app.locale) ? app.locale : isLocale(job?.language) ? job.language : 'en', app.time_zone),
          };
        });
        if (!mail) return;
        const link = new URL(`/apply/confirm/${held.token}`, deps.publicUrl).toString();
        await deps.mailer.send({
          to: mail.to,
          subject: mail.tr.t('resubmission.mailSubject', { org: mail.org }),
          text: [
            mail.tr.t('resubmission.mailIntro', { job: mail.job, org: mail.org }),
            '',
            mail.tr.t('resubmission.mailConfirm'),
            link,
            '',
            mail.tr.t('resubmission.mailIgnore', { date: expiryText(mail.tr, held.expiresAt) }),
          ].join('\n'),
        });
      } catch (err) {
        deps.logger.warn({ applicationId: held.applicationId, err: { message: (err as Error).message } }, 'resubmission confirmation mail not sent');
      }
    },

    /** What the confirmation page shows (the token is the credential). */
    async page(token: string): Promise<{ orgName: string; jobTitle: string; expiresAt: Date; locale: string | null; timeZone: string | null }> {
      const orgId = await orgOf(token);
      return db.withTenant(orgId, async (q) => {
        const row = await live(q, token, false);
        const app = await findApplication(q, row.application_id, null);
        const job = app ? await findJob(q, app.job_id, null) : null;
        return { orgName: (await orgName(q, orgId)) ?? '', jobTitle: job?.title ?? '', expiresAt: row.expires_at, locale: app?.locale ?? job?.language ?? null, timeZone: app?.time_zone ?? null };
      });
    },

    /**
     * The candidate confirms: the held file becomes the application's newest document (the
     * one parsed and screened next), consent is recorded, the token is spent.
     */
    async confirm(token: string, requestId: string | null): Promise<{ orgName: string; jobTitle: string; locale: string | null; timeZone: string | null }> {
      const orgId = await orgOf(token);
      const out = await db.withTenantTx(orgId, async (tx) => {
        const row = await live(tx, token, true);
        const app = await findApplication(tx, row.application_id, null, true);
        if (!app || !row.bytes_enc) throw new GoneError({ detail: 'This application no longer exists.' });
        let cipher: CandidateCipher;
        try {
          cipher = await keyring.candidateCipher(tx, orgId, app.candidate_id);
        } catch (err) {
          if (err instanceof KeyDestroyedError) throw new GoneError({ detail: 'This application no longer exists.' });
          throw err;
        }
        const bytes = cipher.open('application_resubmissions', 'bytes_enc', row.id, row.bytes_enc);
        const actor = { type: 'candidate' as const };
        const existing = await findDocumentBySha(tx, app.candidate_id, row.sha256);
        let documentId: string;
        let needsParse: boolean;
        if (existing) {
          documentId = existing.id;
          needsParse = existing.parse_status === 'pending';
          await insertEvent(tx, { orgId, applicationId: app.id, type: 'document.duplicate', actor, data: { documentId, resubmissionId: row.id } });
        } else {
          documentId = randomUUID();
          needsParse = true;
          const filename = row.filename_enc ? cipher.openText('application_resubmissions', 'filename_enc', row.id, row.filename_enc) : null;
          await insertDocument(tx, {
            id: documentId,
            orgId,
            candidateId: app.candidate_id,
            applicationId: app.id,
            mediaType: row.media_type,
            sizeBytes: row.size_bytes,
            sha256: row.sha256,
            filenameEnc: filename ? cipher.seal('documents', 'filename_enc', documentId, filename) : null,
          });
          await deps.blobs.put(tx, orgId, documentId, cipher.seal('document_blobs', 'bytes_enc', documentId, bytes));
          await insertEvent(tx, { orgId, applicationId: app.id, type: 'document.uploaded', actor, data: { documentId, mediaType: row.media_type, sizeBytes: row.size_bytes, resubmissionId: row.id } });
        }
        if (row.notice_version) {
          await recordConsent(tx, app.id, row.notice_version);
          await insertEvent(tx, { orgId, applicationId: app.id, type: 'consent.recorded', actor, data: { noticeVersion: row.notice_version } });
        }
        await markConfirmed(tx, row.id, documentId, deps.clock());
        await insertEvent(tx, { orgId, applicationId: app.id, type: 'resubmission.confirmed', actor, data: { resubmissionId: row.id, documentId } });
        await audit.recordIn(tx, orgId, {
          action: 'application.resubmission_confirmed',
          actor: { type: 'candidate', id: null },
          target: { type: 'application', id: app.id },
          metadata: { resubmissionId: row.id, documentId, duplicateFile: Boolean(existing) },
          requestId,
        });
        const job = await findJob(tx, app.job_id, null);
        return { documentId, needsParse, orgName: (await orgName(tx, orgId)) ?? '', jobTitle: job?.title ?? '', locale: app.locale ?? job?.language ?? null, timeZone: app.time_zone };
      });
      if (out.needsParse) {
        // As for any new document: parse, then (on parse) screening re-runs on the newest CV.
        await deps.parseQueue.enqueue(orgId, out.documentId).catch((err: Error) => deps.logger.warn({ documentId: out.documentId, err: { message: err.message } }, 'cv-parse enqueue failed'));
      }
      return { orgName: out.orgName, jobTitle: out.jobTitle, locale: out.locale, timeZone: out.timeZone };
    },

    /** The recruiter's view of an application's live re-submissions (no file, no token). */
    async pendingView(q: Queryable, applicationId: string) {
      const rows = await pendingOfApplication(q, applicationId, deps.clock());
      return rows.map((r) => ({ id: r.id, mediaType: r.media_type, sizeBytes: r.size_bytes, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at.toISOString() }));
    },

    /** Retention sweep: expires an org's unconfirmed re-submissions (drops their files). */
    async expireOrg(orgId: string): Promise<number> {
      return db.withTenantTx(orgId, (tx) => expireIn(tx, orgId, null));
    },
  };
}

export type ResubmissionService = ReturnType<typeof createResubmissionService>;

/** When the held file is deleted: English keeps its UTC form; other languages read it in the candidate's zone. */
export function expiryText(tr: Translator, d: Date): string {
  return tr.locale === 'en' ? d.toUTCString() : tr.dateTime(d);
}
