// Interviews, recruiter and candidate side: create + invite (random single-purpose token,
// only its SHA-256 stored, expiring, revocable, mailed), the candidate's answer (consent
// with the notice version and a confirmed E.164 number -> the call is queued; a human
// interviewer or a refusal -> no call, the recruiter sees it), and the recruiter's view
// (status, consent, transcript and recording reference decrypted with the candidate key).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import type { Mailer } from '../../core/mailer.js';
import { findApplication, insertEvent } from '../applications/repo.js';
import { decryptCandidate } from '../applications/service.js';
import { findCandidate } from '../candidates/repo.js';
import { findJob } from '../jobs/repo.js';
import { assignedScope, type Ctx } from '../jobs/service.js';
import {
  findInterview,
  findInterviewByToken,
  findPlan,
  findSettings,
  insertInterview,
  orgName,
  orgOfInvite,
  updateInterview,
  upsertSettings,
  type InterviewRow,
} from './repo.js';
import { findScore } from './score-repo.js';
import { scoringView, type ScoringView } from './score-view.js';

export const INTERVIEW_NOTICE_VERSION = '2026-11-15';
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
export const TRANSCRIPT_RETENTION_DAYS = 180;

export interface InterviewStartProducer {
  enqueue(orgId: string, interviewId: string): Promise<void>;
}

export interface CreateInput {
  questions?: string[];
  maxDurationSeconds?: number;
  language?: string;
}

export interface InterviewView {
  id: string;
  applicationId: string;
  jobId: string;
  status: string;
  mode: string;
  questions: string[];
  maxDurationSeconds: number;
  language: string;
  invite: { expiresAt: string; usedAt: string | null; revokedAt: string | null };
  consent: { noticeVersion: string; consentedAt: string | null; recording: boolean | null } | null;
  humanRequestedAt: string | null;
  declinedAt: string | null;
  call: { id: string | null; status: string | null; endedReason: string | null; error: string | null; reportReceivedAt: string | null; reconciledAt: string | null };
  transcript: string | null;
  recordingRef: string | null;
  /** The transcript's AI score, per question with its evidence (null until scoring starts). */
  scoring: ScoringView | null;
  createdAt: string;
}

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Questions for a new interview: explicit, else the job's plan, else its questions, else one per criterion. */
export function deriveQuestions(job: { interview_questions: string[]; criteria: { name: string; description: string }[] }): string[] {
  if (job.interview_questions.length > 0) return job.interview_questions.slice(0, 20);
  return job.criteria.slice(0, 10).map((c) => `Tell me about your experience with ${c.name.toLowerCase()}${c.description ? ` (${c.description})` : ''}.`);
}

export function toE164(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim());
  return parsed && parsed.isValid() ? parsed.number : null;
}

export function createInterviewService(deps: { db: Db; audit: AuditLog; keyring: Keyring; mailer: Mailer; start: InterviewStartProducer; publicUrl: URL; clock: () => Date; log: Logger }) {
  const { db, audit, keyring } = deps;

  async function view(orgId: string, row: InterviewRow, q: Parameters<Parameters<Db['withTenant']>[1]>[0]): Promise<InterviewView> {
    let transcript: string | null = null;
    let recordingRef: string | null = null;
    const score = row.transcript_enc ? await findScore(q, row.id) : null;
    let scoring: ScoringView | null = null;
    if (row.transcript_enc || row.recording_ref_enc) {
      const cipher = await keyring.candidateCipher(q, orgId, row.candidate_id);
      transcript = row.transcript_enc ? cipher.openText('interviews', 'transcript_enc', row.id, row.transcript_enc) : null;
      recordingRef = row.recording_ref_enc ? cipher.openText('interviews', 'recording_ref_enc', row.id, row.recording_ref_enc) : null;
      scoring = score ? scoringView(score, cipher) : null;
    }
    return {
      id: row.id,
      applicationId: row.application_id,
      jobId: row.job_id,
      status: row.status,
      mode: row.mode,
      questions: row.questions,
      maxDurationSeconds: row.max_duration_seconds,
      language: row.language,
      invite: { expiresAt: row.invite_expires_at.toISOString(), usedAt: iso(row.invite_used_at), revokedAt: iso(row.invite_revoked_at) },
      consent: row.notice_version ? { noticeVersion: row.notice_version, consentedAt: iso(row.consented_at), recording: row.recording_consent } : null,
      humanRequestedAt: iso(row.human_requested_at),
      declinedAt: iso(row.declined_at),
      call: {
        id: row.vapi_call_id,
        status: row.call_status,
        endedReason: row.ended_reason,
        error: row.call_error,
        reportReceivedAt: iso(row.report_received_at),
        reconciledAt: iso(row.reconciled_at),
      },
      transcript,
      recordingRef,
      scoring,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** The live interview behind an invite token (any org), or a 404. */
  async function byToken(token: string): Promise<{ orgId: string; row: InterviewRow }> {
    const hash = hashToken(token);
    const orgId = await orgOfInvite(db.pool, hash);
    const row = orgId ? await db.withTenant(orgId, (q) => findInterviewByToken(q, hash)) : null;
    if (!orgId || !row) throw new NotFoundError({ resource: 'Invitation', detail: 'This invitation does not exist, has expired or was withdrawn.' });
    return { orgId, row };
  }

  return {
    async create(ctx: Ctx, applicationId: string, input: CreateInput): Promise<InterviewView> {
      const token = randomBytes(32).toString('base64url');
      const id = randomUUID();
      const now = deps.clock();
      const { row, email, orgName: orgLabel, jobTitle } = await db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx));
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const job = await findJob(tx, app.job_id, null);
        const candidate = await findCandidate(tx, app.candidate_id);
        if (!job || !candidate) throw new NotFoundError({ resource: 'Application' });
        const plan = await findPlan(tx, job.id);
        const questions = input.questions ?? (plan && plan.questions.length > 0 ? plan.questions : deriveQuestions(job));
        if (questions.length === 0) throw new UnprocessableError({ detail: 'The job has no interview questions or criteria; add questions first.' });
        const cipher = await keyring.candidateCipher(tx, ctx.orgId, candidate.id);
        const person = decryptCandidate(cipher, candidate);
        const inserted = await insertInterview(tx, {
          id,
          orgId: ctx.orgId,
          applicationId,
          jobId: job.id,
          candidateId: candidate.id,
          questions,
          maxDurationSeconds: input.maxDurationSeconds ?? plan?.max_duration_seconds ?? 900,
          language: input.language ?? plan?.language ?? 'en',
          tokenHash: hashToken(token),
          expiresAt: new Date(now.getTime() + INVITE_TTL_MS),
          createdBy: ctx.userId,
        });
        await insertEvent(tx, { orgId: ctx.orgId, applicationId, type: 'interview.invited', actor: { type: 'user', id: ctx.userId }, data: { interviewId: id } });
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.invited', actor: { type: 'user', id: ctx.userId }, target: { type: 'interview', id }, metadata: { applicationId }, requestId: ctx.requestId });
        return { row: inserted, email: person.email, orgName: (await orgName(tx, ctx.orgId)) ?? 'the hiring team', jobTitle: job.title };
      });
      // Mail after commit; a failed send leaves the invite revocable and re-sendable.
      const link = new URL(`/i/${token}`, deps.publicUrl).toString();
      try {
        await deps.mailer.send({
          to: email,
          subject: `Interview for ${jobTitle} at ${orgLabel}`,
          text: `${orgLabel} invites you to an interview for ${jobTitle}.\n\nThe interview is held by an AI voice agent; you can ask for a human interviewer instead. Before anything happens, the page below explains what is recorded, why and for how long, and asks for your consent.\n\n${link}\n\nThe link works once and expires in 7 days.`,
        });
      } catch (err) {
        deps.log.warn({ interviewId: id, err: { message: (err as Error).message } }, 'interview invite mail failed');
      }
      return db.withTenant(ctx.orgId, (q) => view(ctx.orgId, row, q));
    },

    async get(ctx: Ctx, id: string): Promise<InterviewView> {
      return db.withTenant(ctx.orgId, async (q) => {
        const row = await findInterview(q, id);
        // Hiring managers only see interviews of jobs assigned to them.
        if (!row || !(await findApplication(q, row.application_id, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Interview' });
        return view(ctx.orgId, row, q);
      });
    },

    async revoke(ctx: Ctx, id: string): Promise<void> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const row = await findInterview(tx, id, true);
        if (!row) throw new NotFoundError({ resource: 'Interview' });
        if (row.status !== 'invited') throw new ConflictError({ detail: 'Only an unanswered invitation can be withdrawn.' });
        await updateInterview(tx, id, { invite_revoked_at: deps.clock(), status: 'cancelled' });
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.invite_revoked', actor: { type: 'user', id: ctx.userId }, target: { type: 'interview', id }, requestId: ctx.requestId });
      });
    },

    async settings(ctx: Ctx): Promise<{ assistantId: string | null; phoneNumberId: string | null }> {
      const s = await db.withTenant(ctx.orgId, (q) => findSettings(q));
      return { assistantId: s?.vapi_assistant_id ?? null, phoneNumberId: s?.vapi_phone_number_id ?? null };
    },

    async saveSettings(ctx: Ctx, s: { assistantId: string | null; phoneNumberId: string | null }): Promise<void> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await upsertSettings(tx, ctx.orgId, s);
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.settings_changed', actor: { type: 'user', id: ctx.userId }, metadata: { assistantIdSet: Boolean(s.assistantId), phoneNumberIdSet: Boolean(s.phoneNumberId) }, requestId: ctx.requestId });
      });
    },

    /** What the candidate page shows (no PII: org, job title, questions count, state). */
    async invitePage(token: string): Promise<{ orgName: string; jobTitle: string; status: string; answered: boolean; maxMinutes: number; language: string }> {
      const { orgId, row } = await byToken(token);
      return db.withTenant(orgId, async (q) => {
        const job = await findJob(q, row.job_id, null);
        return { orgName: (await orgName(q, orgId)) ?? '', jobTitle: job?.title ?? '', status: row.status, answered: row.invite_used_at !== null, maxMinutes: Math.ceil(row.max_duration_seconds / 60), language: row.language };
      });
    },

    async answer(
      token: string,
      input: { action: 'consent' | 'human' | 'decline'; noticeVersion?: string; phone?: string; phoneConfirmed?: boolean; recordingConsent?: boolean },
      requestId: string,
    ): Promise<{ status: string }> {
      const { orgId, row: found } = await byToken(token);
      let e164: string | null = null;
      if (input.action === 'consent') {
        if (input.noticeVersion !== INTERVIEW_NOTICE_VERSION) throw new UnprocessableError({ detail: 'The notice has changed; please reload the page and read it again.', extra: { noticeVersion: INTERVIEW_NOTICE_VERSION } });
        e164 = input.phone ? toE164(input.phone) : null;
        if (!e164) throw new UnprocessableError({ detail: 'Enter a valid phone number in international format, e.g. +44 20 7946 0958.' });
        if (input.phoneConfirmed !== true) throw new UnprocessableError({ detail: 'Please confirm that this is the number to call.' });
      }
      const now = deps.clock();
      const status = await db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, found.id, true);
        if (!row || row.invite_used_at || row.invite_revoked_at || row.status !== 'invited' || row.invite_expires_at <= now) {
          throw new ConflictError({ detail: 'This invitation has already been answered.' });
        }
        const actor = { type: 'candidate' as const };
        if (input.action === 'consent') {
          const cipher = await keyring.candidateCipher(tx, orgId, row.candidate_id);
          await updateInterview(tx, row.id, {
            status: 'scheduled',
            invite_used_at: now,
            notice_version: INTERVIEW_NOTICE_VERSION,
            consented_at: now,
            recording_consent: input.recordingConsent === true,
            phone_enc: cipher.seal('interviews', 'phone_enc', row.id, e164 as string),
          });
          await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.consented', actor, data: { interviewId: row.id, noticeVersion: INTERVIEW_NOTICE_VERSION, recording: input.recordingConsent === true } });
          await audit.recordIn(tx, orgId, { action: 'interview.consented', actor, target: { type: 'interview', id: row.id }, metadata: { noticeVersion: INTERVIEW_NOTICE_VERSION, recording: input.recordingConsent === true }, requestId });
          return 'scheduled';
        }
        const human = input.action === 'human';
        await updateInterview(tx, row.id, human ? { status: 'human_requested', invite_used_at: now, human_requested_at: now } : { status: 'declined', invite_used_at: now, declined_at: now });
        const type = human ? 'interview.human_requested' : 'interview.declined';
        await insertEvent(tx, { orgId, applicationId: row.application_id, type, actor, data: { interviewId: row.id } });
        await audit.recordIn(tx, orgId, { action: type, actor, target: { type: 'interview', id: row.id }, requestId });
        return human ? 'human_requested' : 'declined';
      });
      if (status === 'scheduled') {
        try {
          await deps.start.enqueue(orgId, found.id);
        } catch (err) {
          deps.log.warn({ interviewId: found.id, err: { message: (err as Error).message } }, 'interview-start enqueue failed');
        }
      }
      return { status };
    },
  };
}

export type InterviewService = ReturnType<typeof createInterviewService>;
