// Candidate data export (issue 5 item 7; DESIGN §7 access requests): everything hirebox
// holds about one candidate, decrypted, as JSON, for privacy admins. Every export is an
// audit event (who exported whom, when; no PII in the metadata). It lives beside the
// messages because the messages are part of what is exported and this change owned that
// module; it reads only through the repos of candidates, applications and documents.
import type { AuditLog } from '../../core/audit.js';
import type { AlertSink } from '../alerts/index.js';
import { KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { Queryable, TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { decisionsOfApplication, eventsOfApplication, findApplication, listDemographics, notesOfApplication } from '../applications/index.js';
import { answersViewIn } from '../applications/index.js';
import { decryptCandidate } from '../candidates/index.js';
import { applicationsOfCandidate, findCandidate } from '../candidates/index.js';
import { documentsOfApplication } from '../documents/index.js';
import type { Ctx } from '../../core/context.js';
import { interviewsOfApplication } from '../interviews/index.js';
import { screeningsOfApplication } from '../screening/index.js';
import { closeLinkedRequest } from '../rights/index.js';
import { messagesOfApplication } from './repo.js';
import { messageView } from './service.js';

export const EXPORT_FORMAT_VERSION = 1;

export function createCandidateExportService(deps: { db: TenantDb; audit: AuditLog; keyring: Keyring; clock?: () => Date; /** Counts exports per user for the mass-export alert. */ alerts?: Pick<AlertSink, 'noteExport'> }) {
  const clock = deps.clock ?? (() => new Date());
  /**
   * Everything held about the candidate, decrypted, inside the caller's tenant transaction
   * (the API below and `hirebox export candidate|org` share it); 404 when unknown or erased.
   * The cipher comes back too so a caller can decrypt the CV files.
   */
  async function collect(tx: Queryable, orgId: string, candidateId: string) {
    const row = await findCandidate(tx, candidateId);
    if (!row) throw new NotFoundError({ resource: 'Candidate' });
    let cipher;
    try {
      cipher = await deps.keyring.candidateCipher(tx, orgId, candidateId);
    } catch (err) {
      if (err instanceof KeyDestroyedError) throw new NotFoundError({ resource: 'Candidate', detail: "This candidate's data has been erased." });
      throw err;
    }
    const applications = [];
    for (const summary of await applicationsOfCandidate(tx, candidateId, null)) {
      const app = await findApplication(tx, summary.id, null);
      if (!app) continue;
      const d = (await listDemographics(tx, app.id))[0];
      applications.push({
        id: app.id,
        jobId: app.job_id,
        jobTitle: summary.job_title,
        stage: { name: app.stage_name, kind: app.stage_kind },
        source: app.source,
        tags: app.tags,
        consent: app.consent_notice_version
          ? { noticeVersion: app.consent_notice_version, noticeRevision: app.consent_notice_revision, language: app.consent_language, consentedAt: app.consented_at?.toISOString() ?? null }
          : null,
        locale: app.locale,
        timeZone: app.time_zone,
        createdAt: app.created_at.toISOString(),
        documents: (await documentsOfApplication(tx, app.id)).map((doc) => ({
          id: doc.id,
          mediaType: doc.media_type,
          sizeBytes: doc.size_bytes,
          sha256: doc.sha256.toString('hex'),
          filename: doc.filename_enc ? cipher.openText('documents', 'filename_enc', doc.id, doc.filename_enc) : null,
          parseStatus: doc.parse_status,
          text: doc.text_enc ? cipher.openText('documents', 'text_enc', doc.id, doc.text_enc) : null,
          createdAt: doc.created_at.toISOString(),
        })),
        timeline: (await eventsOfApplication(tx, app.id)).map((e) => ({ id: e.id, type: e.type, actorType: e.actor_type, actorId: e.actor_id, data: e.data, at: e.created_at.toISOString() })),
        notes: (await notesOfApplication(tx, app.id)).map((n) => ({
          id: n.id,
          kind: n.kind,
          authorId: n.author_id,
          rating: n.rating,
          body: cipher.openText('application_notes', 'body_enc', n.id, n.body_enc),
          at: n.created_at.toISOString(),
        })),
        decisions: (await decisionsOfApplication(tx, app.id)).map((x) => ({ id: x.id, decidedBy: x.decided_by, outcome: x.outcome, reason: x.reason, followedAi: x.followed_ai, at: x.created_at.toISOString() })),
        messages: (await messagesOfApplication(tx, app.id)).map((m) => messageView(cipher, m)),
        demographics: d ? (JSON.parse(cipher.openText('demographics', 'data_enc', d.id, d.data_enc)) as Record<string, string>) : null,
        // issue 21 item 5: the candidate's answers to the job's application questions, with the labels asked.
        answers: await answersViewIn(tx, cipher, app.id),
        // AI screening results (with their evidence) and voice interviews (with transcripts) are the candidate's data too.
        screenings: (await screeningsOfApplication(tx, app.id)).map((x) => ({
          id: x.id,
          status: x.status,
          provider: x.provider,
          model: x.model,
          promptVersion: x.prompt_version,
          recommendation: x.recommendation,
          overallScore: x.overall_score,
          scores: x.scores,
          flags: x.flags,
          result: x.result_enc ? (JSON.parse(cipher.openText('screenings', 'result_enc', x.id, x.result_enc)) as unknown) : null,
          createdAt: x.created_at.toISOString(),
          completedAt: x.completed_at?.toISOString() ?? null,
        })),
        interviews: (await interviewsOfApplication(tx, app.id)).map((i) => ({
          id: i.id,
          status: i.status,
          mode: i.mode,
          language: i.language,
          questions: i.questions,
          consentedAt: i.consented_at?.toISOString() ?? null,
          noticeVersion: i.notice_version,
          noticeLanguage: i.notice_language,
          recordingConsent: i.recording_consent,
          phone: i.phone_enc ? cipher.openText('interviews', 'phone_enc', i.id, i.phone_enc) : null,
          scheduledFor: i.scheduled_for?.toISOString() ?? null,
          callStatus: i.call_status,
          endedReason: i.ended_reason,
          transcript: i.transcript_enc ? cipher.openText('interviews', 'transcript_enc', i.id, i.transcript_enc) : null,
          createdAt: i.created_at.toISOString(),
        })),
      });
    }
    return {
      cipher,
      data: {
        formatVersion: EXPORT_FORMAT_VERSION,
        exportedAt: clock().toISOString(),
        candidate: { ...decryptCandidate(cipher, row), createdAt: row.created_at.toISOString() },
        applications,
      },
    };
  }

  return {
    collect,

    async export(ctx: Ctx, candidateId: string, opts: { privacyRequestId?: string } = {}) {
      const result = await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const { data } = await collect(tx, ctx.orgId, candidateId);
        // An access request (issue 18 item 6) is answered by this export: closed in the same transaction.
        if (opts.privacyRequestId) {
          await closeLinkedRequest(tx, deps.audit, ctx.orgId, { privacyRequestId: opts.privacyRequestId, candidateId, action: 'export', actor: { type: 'user', id: ctx.userId }, requestId: ctx.requestId, now: clock() });
        }
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'candidate.exported',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'candidate', id: candidateId },
          metadata: { format: 'json', formatVersion: EXPORT_FORMAT_VERSION, applications: data.applications.length, role: ctx.role, ...(opts.privacyRequestId ? { privacyRequestId: opts.privacyRequestId } : {}) },
          requestId: ctx.requestId,
        });
        return data;
      });
      await deps.alerts?.noteExport(ctx.orgId, ctx.userId);
      return result;
    },

    /**
     * issue 22 item 2: the candidate downloads their own data from the status page, the
     * same export an access request answers, audited with the candidate as the actor (the
     * caller rate-limits it).
     */
    async exportForCandidate(orgId: string, candidateId: string, requestId: string | null) {
      return deps.db.withTenantTx(orgId, async (tx) => {
        const { data } = await collect(tx, orgId, candidateId);
        await deps.audit.recordIn(tx, orgId, {
          action: 'candidate.exported',
          actor: { type: 'candidate', id: null },
          target: { type: 'candidate', id: candidateId },
          metadata: { format: 'json', formatVersion: EXPORT_FORMAT_VERSION, applications: data.applications.length, via: 'portal' },
          requestId,
        });
        return data;
      });
    },
  };
}

export type CandidateExportService = ReturnType<typeof createCandidateExportService>;
