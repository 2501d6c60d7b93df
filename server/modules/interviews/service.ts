// Interviews, recruiter and candidate side: create + invite (random single-purpose token,
// only its SHA-256 stored, expiring, revocable, mailed), the candidate's answer (consent
// with the notice version and a confirmed E.164 number -> the call is queued; a human
// interviewer or a refusal -> no call, the recruiter sees it), and the recruiter's view
// (status, consent, transcript and recording reference decrypted with the candidate key).
import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Logger } from 'pino';
import { orgProfile } from '../orgs/index.js';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError } from '../../core/errors.js';
import type { Mailer } from '../../core/mailer.js';
import { findApplication, insertEvent } from '../applications/index.js';
import { decryptCandidate } from '../candidates/index.js';
import { findCandidate } from '../candidates/index.js';
import { findJob } from '../jobs/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import {
  applicationLanguage,
  callsOfInterview,
  DEFAULT_SETTINGS,
  findInterview,
  findInterviewByToken,
  findPlan,
  findSettings,
  insertInterview,
  interviewsOfApplication,
  orgName,
  orgOfInvite,
  replaceInviteToken,
  updateInterview,
  upsertSettings,
  type AvailabilityWindow,
  type WeeklyHours,
  type CallRow,
  type InterviewRow,
  type SettingsInput,
} from './repo.js';
import { expandWeeklyHours, fitsWindows, formatBoth, isTimezone, liveWindows, mergeWindows, normaliseWeeklyHours, normaliseWindows, REMINDERS, ScheduleError, slotsIn, type ReminderKind } from './schedule.js';
import { findRecording, hasRecording } from './recording-repo.js';
import { assistantPayload, DEFAULT_ASSISTANT_MODEL, effectiveAssistantModel, type AssistantModel } from './assistant.js';
import { inviteMail, type InviteMethod } from './calendar.js';
import { mailTranslator, type CandidateLanguage } from './candidate-locale.js';
import type { Locale } from '../../core/i18n/locales.js';
import { currentNoticeIn, type CurrentNotice } from '../notices/index.js';
import { INTERVIEW_NOTICE_VERSION, mailNoticeFooter } from '../notices/index.js';
import { callOverrides } from './calls.js';
import { findScore } from './score-repo.js';
import { scoringView, type ScoringView } from './score-view.js';
import { createPlanService, type PlanModel } from './plan-service.js';
import { criterionKeyOf } from './plan-draft.js';
import { hashToken, newToken } from '../../core/tokens.js';

export { INTERVIEW_NOTICE_VERSION };
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface InterviewStartProducer {
  /** Without options: at once (job id interview-start-<id>); with: delayed, job id interview-start-<id>-<key>. */
  enqueue(orgId: string, interviewId: string, options?: { delayMs: number; key: string }): Promise<void>;
  /** Drops a delayed start that is no longer wanted (best effort: startCall re-checks status and due time). */
  remove?(interviewId: string, key: string): Promise<void>;
}

/** Ends a live call through the worker (which holds the Vapi key): an interview-reconcile 'hang-up' job. */
export interface CallControlProducer {
  hangUp(orgId: string, interviewId: string, callId: string): Promise<void>;
}

export interface ReminderProducer {
  enqueue(orgId: string, interviewId: string, kind: ReminderKind, version: number, delayMs: number): Promise<void>;
  remove(interviewId: string, kind: ReminderKind, version: number): Promise<void>;
}

export interface CreateInput {
  maxDurationSeconds?: number;
  language?: string;
  availability?: AvailabilityWindow[];
}

export type { PlanInput, PlanView } from './plan-service.js';

/** The stored settings (the assistant model null: the operator's default), with that default. */
export interface SettingsView extends SettingsInput {
  defaultAssistantModel: { provider: string; model: string };
  /** Vapi's availability as seen by the shared circuit breaker. */
  provider: { state: string; retryAt: string | null };
}

/** What the candidate sends with the consent form. */
export interface AnswerInput {
  action: 'consent' | 'human' | 'decline';
  noticeVersion?: string;
  /** The org notice revision shown (when sent, it must be the current one). */
  noticeRevision?: number;
  mode?: 'phone' | 'browser' | 'typed';
  phone?: string;
  phoneConfirmed?: boolean;
  recordingConsent?: boolean;
  /** 'now' or an ISO date-time inside the recruiter's windows. */
  startAt?: string;
  timezone?: string;
}

export interface InvitePage {
  orgName: string;
  /** Links the notice to the org's public AI summary (/privacy/:orgSlug/ai). */
  orgSlug?: string;
  /** The org's notice as shown now (retention, privacy contact, version). */
  notice: CurrentNotice;
  jobTitle: string;
  status: string;
  mode: string;
  answered: boolean;
  maxMinutes: number;
  language: string;
  slots: Date[];
  scheduledFor: Date | null;
  timezone: string | null;
  canChange: boolean;
  browserCalls: boolean;
  /** Typed interviews answer the plan's questions in the page; they need the questions. */
  typedAvailable: boolean;
  /** What the candidate applied in (applications.locale, else the job's language): the page's default language. */
  contentLocale: string | null;
  /** The zone recorded with the application (the interview's own zone wins when chosen). */
  applicationTimeZone: string | null;
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
  consent: { noticeVersion: string; language: string | null; consentedAt: string | null; recording: boolean | null } | null;
  humanRequestedAt: string | null;
  declinedAt: string | null;
  call: { id: string | null; status: string | null; endedReason: string | null; error: string | null; reportReceivedAt: string | null; reconciledAt: string | null };
  /** Calls placed so far (each retry is one more), oldest first. */
  attempts: { attempt: number; callId: string; mode: string; endedReason: string | null; placedAt: string; endedAt: string | null }[];
  schedule: { scheduledFor: string | null; timezone: string | null; display: string | null; nextAttemptAt: string | null; availability: AvailabilityWindow[] };
  cancelled: { at: string; by: string } | null;
  transcript: string | null;
  recordingRef: string | null;
  /** The recording held on the box, if any. */
  recording: { contentType: string; size: number } | null;
  /** The voice assistant's language model the call was placed with (null: not placed yet, or the org's own Vapi assistant). */
  assistantModel: { provider: string; model: string } | null;
  /** The transcript's AI score, per question with its evidence (null until scoring starts). */
  scoring: ScoringView | null;
  createdAt: string;
}

/** The live interview behind an invite token (any org), or a 404; the voice and the typed interview pages both start here. */
export async function interviewByInviteToken(db: TenantDb & GlobalDb, token: string): Promise<{ orgId: string; row: InterviewRow }> {
  const hash = hashToken(token);
  const orgId = await orgOfInvite(db.pool, hash);
  const row = orgId ? await db.withTenant(orgId, (q) => findInterviewByToken(q, hash)) : null;
  if (!orgId || !row) throw new NotFoundError({ resource: 'Invitation', detail: 'This invitation does not exist, has expired or was withdrawn.', i18n: { key: 'interview.errorInvitation' } });
  return { orgId, row };
}
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toE164(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim());
  return parsed && parsed.isValid() ? parsed.number : null;
}

export function createInterviewService(deps: {
  // GlobalDb: an invite token names its org only through a global lookup.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  keyring: Keyring;
  mailer: Mailer;
  start: InterviewStartProducer;
  reminders?: ReminderProducer;
  control?: CallControlProducer;
  /** The shared Vapi circuit breaker's state (open: calls wait until retryAt). */
  providerStatus?: () => Promise<{ state: string; retryAt: string | null }>;
  publicUrl: URL;
  /** The org's mail identity (MAIL_FROM): the ORGANIZER of calendar invites. */
  mailFrom?: string;
  clock: () => Date;
  log: Logger;
  /** The operator's voice-assistant model (config); DEFAULT_ASSISTANT_MODEL when absent. */
  assistantModel?: AssistantModel;
  /** The language model that drafts interview plans (absent: plans are typed, not drafted). */
  planModel?: PlanModel;
}) {
  const { db, audit, keyring } = deps;
  const operatorModel = deps.assistantModel ?? DEFAULT_ASSISTANT_MODEL;
  const plans = createPlanService({
    db,
    audit,
    clock: deps.clock,
    log: deps.log,
    ...(deps.planModel ? { planModel: deps.planModel } : {}),
    normalise: (input) => ({ availability: windowsOrThrow(input.availability), weeklyHours: input.weeklyHours ? weeklyHoursOrThrow(input.weeklyHours) : null }),
  });

  /**
   * After commit: mails the candidate the calendar invite (REQUEST) or its cancellation
   * (CANCEL) for the interview's current slot and SEQUENCE, in the job's time zone (the
   * plan's weekly hours zone, else UTC). Failures are logged, not thrown, like the invite
   * mail: the booking itself is already recorded.
   */
  async function sendCalendar(orgId: string, interviewId: string, method: InviteMethod, previousStart?: Date): Promise<void> {
    try {
      const mail = await db.withTenant(orgId, async (q) => {
        const row = await findInterview(q, interviewId);
        const start = row?.scheduled_for ?? previousStart;
        if (!row || !start) return null;
        const job = await findJob(q, row.job_id, null);
        const candidate = await findCandidate(q, row.candidate_id);
        if (!job || !candidate) return null;
        const person = decryptCandidate(await keyring.candidateCipher(q, orgId, row.candidate_id), candidate);
        const plan = await findPlan(q, row.job_id);
        const tr = mailTranslator(await applicationLanguage(q, row.application_id), row.candidate_timezone);
        return inviteMail(tr, {
          interviewId: row.id,
          sequence: row.ical_sequence,
          method,
          start,
          durationSeconds: row.max_duration_seconds,
          timezone: plan?.weekly_hours?.timezone ?? null,
          jobTitle: job.title,
          orgName: (await orgName(q, orgId)) ?? tr.t('mail.hiringTeam'),
          organizer: deps.mailFrom ?? 'hirebox <no-reply@localhost>',
          attendeeEmail: person.email,
          publicUrl: deps.publicUrl,
          now: deps.clock(),
        }, mailNoticeFooter((await currentNoticeIn(q, orgId)).facts, tr));
      });
      if (mail) await deps.mailer.send(mail);
    } catch (err) {
      deps.log.warn({ interviewId, err: { message: (err as Error).message } }, 'interview calendar mail failed');
    }
  }

  function weeklyHoursOrThrow(hours: WeeklyHours): WeeklyHours {
    try {
      return normaliseWeeklyHours(hours);
    } catch (err) {
      if (err instanceof ScheduleError) throw new UnprocessableError({ detail: err.message });
      throw err;
    }
  }

  function windowsOrThrow(windows: AvailabilityWindow[]): AvailabilityWindow[] {
    try {
      return normaliseWindows(windows, deps.clock());
    } catch (err) {
      if (err instanceof ScheduleError) throw new UnprocessableError({ detail: err.message });
      throw err;
    }
  }

  /** The slot the candidate asked for: null = at once; 422 when it is outside the windows. */
  function chosenSlot(startAt: string | undefined, row: InterviewRow): Date | null {
    if (!startAt || startAt === 'now') return null;
    const at = new Date(startAt);
    if (!Number.isFinite(at.getTime()) || !fitsWindows(at, row.availability ?? [], deps.clock(), row.max_duration_seconds)) {
      throw new UnprocessableError({ detail: 'Pick one of the offered times (the interview must fit inside the time the hiring team offered), or start now.', i18n: { key: 'interview.errorSlot' } });
    }
    return at;
  }

  /**
   * After commit: queue the call for the slot (or at once) and the reminders before it.
   * Failures are logged, not thrown: the candidate's answer is already recorded and the
   * recruiter sees a scheduled interview; a failed enqueue leaves a stale-free state.
   */
  async function queueSchedule(orgId: string, row: { id: string; version: number; at: Date | null }, previous?: { version: number; key: string }): Promise<void> {
    try {
      if (previous) {
        await deps.start.remove?.(row.id, previous.key);
        for (const r of REMINDERS) await deps.reminders?.remove(row.id, r.kind, previous.version);
      }
      const now = deps.clock().getTime();
      if (!row.at) {
        await deps.start.enqueue(orgId, row.id, row.version > 1 ? { delayMs: 0, key: `v${row.version}` } : undefined);
        return;
      }
      await deps.start.enqueue(orgId, row.id, { delayMs: Math.max(0, row.at.getTime() - now), key: `v${row.version}` });
      for (const r of REMINDERS) {
        const delayMs = row.at.getTime() - r.beforeMs - now;
        if (delayMs > 0) await deps.reminders?.enqueue(orgId, row.id, r.kind, row.version, delayMs);
      }
    } catch (err) {
      deps.log.warn({ interviewId: row.id, err: { message: (err as Error).message } }, 'interview schedule enqueue failed');
    }
  }

  /** Drops every pending job of a cancelled interview (best effort: the processors re-check). */
  async function dropJobs(row: InterviewRow): Promise<void> {
    try {
      for (const key of ['', `v${row.schedule_version}`, `r${row.attempts + 1}`]) await deps.start.remove?.(row.id, key);
      for (const r of REMINDERS) await deps.reminders?.remove(row.id, r.kind, row.schedule_version);
    } catch (err) {
      deps.log.warn({ interviewId: row.id, err: { message: (err as Error).message } }, 'removing interview jobs failed');
    }
  }

  async function view(orgId: string, row: InterviewRow, q: Parameters<Parameters<TenantDb['withTenant']>[1]>[0]): Promise<InterviewView> {
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
      consent: row.notice_version ? { noticeVersion: row.notice_version, language: row.notice_language, consentedAt: iso(row.consented_at), recording: row.recording_consent } : null,
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
      attempts: (await callsOfInterview(q, row.id)).map((c: CallRow) => ({
        attempt: c.attempt,
        callId: c.call_id,
        mode: c.mode,
        endedReason: c.ended_reason,
        placedAt: c.created_at.toISOString(),
        endedAt: iso(c.ended_at),
      })),
      schedule: {
        scheduledFor: iso(row.scheduled_for),
        timezone: row.candidate_timezone,
        display: row.scheduled_for ? formatBoth(row.scheduled_for, row.candidate_timezone) : null,
        nextAttemptAt: iso(row.next_attempt_at),
        availability: row.availability ?? [],
      },
      cancelled: row.cancelled_at ? { at: row.cancelled_at.toISOString(), by: row.cancelled_by ?? 'recruiter' } : null,
      transcript,
      recordingRef,
      recording: await hasRecording(q, row.id),
      assistantModel: row.assistant_model_provider && row.assistant_model ? { provider: row.assistant_model_provider, model: row.assistant_model } : null,
      scoring,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** The live interview behind an invite token (any org), or a 404. */
  function byToken(token: string): Promise<{ orgId: string; row: InterviewRow }> {
    return interviewByInviteToken(db, token);
  }

  return {
    async create(ctx: Ctx, applicationId: string, input: CreateInput): Promise<InterviewView> {
      const token = newToken();
      const id = randomUUID();
      const now = deps.clock();
      const { row, email, orgName: orgFound, jobTitle, notice, lang } = await db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx));
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const job = await findJob(tx, app.job_id, null);
        const candidate = await findCandidate(tx, app.candidate_id);
        if (!job || !candidate) throw new NotFoundError({ resource: 'Application' });
        const plan = await findPlan(tx, job.id);
        const maxDurationSeconds = input.maxDurationSeconds ?? plan?.max_duration_seconds ?? 900;
        const windows = input.availability
          ? windowsOrThrow(input.availability)
          : liveWindows(mergeWindows([...(plan?.availability ?? []), ...(plan?.weekly_hours ? expandWeeklyHours(plan.weekly_hours, now) : [])]), now, maxDurationSeconds);
        // Only an approved plan is sent to candidates (issue 22 item 4).
        if (!plan || plan.status !== 'approved') {
          throw new ConflictError({ title: 'Interview plan not approved', detail: "This job's interview plan is not approved yet: draft or write it, review it and approve it before inviting candidates.", extra: { planStatus: plan?.status ?? 'none' } });
        }
        if (plan.source !== 'legacy' && plan.criteria_version !== job.criteria_version) {
          throw new ConflictError({ title: 'Interview plan not approved', detail: "The job's criteria changed after its interview plan was approved; review the plan and approve it again.", extra: { planStatus: 'stale' } });
        }
        const items = plan.items ?? plan.questions.map((text) => ({ text, criterion: null, anchor: null }));
        const questions = items.map((i) => i.text);
        if (questions.length === 0) throw new UnprocessableError({ detail: "The job's interview plan has no questions; add questions first." });
        const names = new Map(job.criteria.map((c, i) => [criterionKeyOf(i), c.name]));
        const rubric = items.map((i) => ({ criterion: i.criterion, criterionName: i.criterion ? (names.get(i.criterion) ?? null) : null, anchor: i.anchor }));
        const cipher = await keyring.candidateCipher(tx, ctx.orgId, candidate.id);
        const person = decryptCandidate(cipher, candidate);
        const inserted = await insertInterview(tx, {
          id,
          orgId: ctx.orgId,
          applicationId,
          jobId: job.id,
          candidateId: candidate.id,
          questions,
          rubric,
          maxDurationSeconds,
          language: input.language ?? plan?.language ?? 'en',
          tokenHash: hashToken(token),
          expiresAt: new Date(now.getTime() + INVITE_TTL_MS),
          createdBy: ctx.userId,
          availability: windows.length > 0 ? windows : null,
        });
        await insertEvent(tx, { orgId: ctx.orgId, applicationId, type: 'interview.invited', actor: { type: 'user', id: ctx.userId }, data: { interviewId: id } });
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.invited', actor: { type: 'user', id: ctx.userId }, target: { type: 'interview', id }, metadata: { applicationId }, requestId: ctx.requestId });
        const lang: CandidateLanguage = await applicationLanguage(tx, applicationId);
        return { row: inserted, email: person.email, orgName: await orgName(tx, ctx.orgId), jobTitle: job.title, notice: await currentNoticeIn(tx, ctx.orgId), lang };
      });
      // Mail after commit; a failed send leaves the invite revocable and re-sendable.
      const link = new URL(`/i/${token}`, deps.publicUrl).toString();
      // In the candidate's language (issue 22 item 1); the job title stays as the recruiter wrote it.
      const tr = mailTranslator(lang, null);
      const orgLabel = orgFound ?? tr.t('mail.hiringTeam');
      try {
        await deps.mailer.send({
          to: email,
          subject: tr.t('mail.inviteSubject', { job: jobTitle, org: orgLabel }),
          text: `${tr.t('mail.inviteIntro', { org: orgLabel, job: jobTitle })}\n\n${tr.t('mail.inviteExplain')}\n\n${link}\n\n${tr.t('mail.inviteExpires')}\n\n${mailNoticeFooter(notice.facts, tr)}`,
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

    /**
     * The stored recording for playback (issue 18): the whole file or one byte range
     * (RFC 9110 single range). Same visibility as the transcript; each play (a request
     * from the first byte, or without a range) is audited as recording.played.
     */
    async recording(ctx: Ctx, id: string, range: string | undefined): Promise<{ status: 200 | 206 | 416; contentType: string; size: number; start: number; end: number; body: Buffer | null }> {
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const row = await findInterview(tx, id);
        if (!row || !(await findApplication(tx, row.application_id, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Interview' });
        const rec = await findRecording(tx, id);
        if (!rec) throw new NotFoundError({ resource: 'Recording' });
        const size = rec.size_bytes;
        let start = 0;
        let end = size - 1;
        if (range !== undefined) {
          const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(range.trim());
          if (!m || (m[1] === '' && m[2] === '')) return { status: 416, contentType: rec.content_type, size, start: 0, end: 0, body: null };
          if (m[1] === '') {
            start = Math.max(0, size - Number(m[2]));
          } else {
            start = Number(m[1]);
            if (m[2] !== '') end = Math.min(Number(m[2]), size - 1);
          }
          if (start >= size || start > end) return { status: 416, contentType: rec.content_type, size, start: 0, end: 0, body: null };
        }
        const cipher = await keyring.candidateCipher(tx, ctx.orgId, row.candidate_id);
        const audio = cipher.open('interview_recordings', 'bytes_enc', id, rec.bytes_enc);
        if (start === 0) {
          await audit.recordIn(tx, ctx.orgId, {
            action: 'recording.played',
            actor: { type: 'user', id: ctx.userId },
            target: { type: 'interview', id },
            metadata: { callId: rec.call_id, bytes: size, ...(range === undefined ? {} : { range: true }) },
            requestId: ctx.requestId,
          });
        }
        return { status: range === undefined ? 200 : 206, contentType: rec.content_type, size, start, end, body: audio.subarray(start, end + 1) };
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

    /** Recruiter cancels an invited or scheduled interview (also one waiting for a re-dial): no call is placed afterwards. */
    async cancel(ctx: Ctx, id: string): Promise<InterviewView> {
      const row = await db.withTenantTx(ctx.orgId, async (tx) => {
        const found = await findInterview(tx, id, true);
        if (!found || !(await findApplication(tx, found.application_id, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Interview' });
        if (!['invited', 'scheduled'].includes(found.status)) {
          throw new ConflictError({ detail: found.status === 'calling' || found.status === 'in_progress' ? 'A call is in progress and cannot be cancelled from here.' : `The interview is already ${found.status}.` });
        }
        const now = deps.clock();
        await updateInterview(tx, id, {
          status: 'cancelled',
          cancelled_at: now,
          cancelled_by: 'recruiter',
          next_attempt_at: null,
          ...(found.status === 'invited' ? { invite_revoked_at: now } : {}),
          ...(found.scheduled_for ? { ical_sequence: found.ical_sequence + 1 } : {}),
        });
        await insertEvent(tx, { orgId: ctx.orgId, applicationId: found.application_id, type: 'interview.cancelled', actor: { type: 'user', id: ctx.userId }, data: { interviewId: id, by: 'recruiter' } });
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.cancelled', actor: { type: 'user', id: ctx.userId }, target: { type: 'interview', id }, metadata: { by: 'recruiter', previousStatus: found.status }, requestId: ctx.requestId });
        return found;
      });
      await dropJobs(row);
      if (row.status === 'scheduled' && row.scheduled_for) await sendCalendar(ctx.orgId, id, 'CANCEL');
      return this.get(ctx, id);
    },

    /** Asks the worker to end the live call (202-style: the end arrives through Vapi's messages). */
    async hangUp(ctx: Ctx, id: string): Promise<InterviewView> {
      if (!deps.control) throw new ServiceUnavailableError({ detail: 'Live calls cannot be ended from this server.' });
      const row = await db.withTenantTx(ctx.orgId, async (tx) => {
        const found = await findInterview(tx, id, true);
        if (!found || !(await findApplication(tx, found.application_id, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Interview' });
        if (!['calling', 'in_progress'].includes(found.status) || !found.vapi_call_id) throw new ConflictError({ detail: `The interview has no live call (it is ${found.status}).` });
        await updateInterview(tx, id, { call_status: 'hanging-up' });
        await insertEvent(tx, { orgId: ctx.orgId, applicationId: found.application_id, type: 'interview.hang_up_requested', actor: { type: 'user', id: ctx.userId }, data: { interviewId: id } });
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.hang_up_requested', actor: { type: 'user', id: ctx.userId }, target: { type: 'interview', id }, metadata: { previousStatus: found.status }, requestId: ctx.requestId });
        return found;
      });
      await deps.control.hangUp(ctx.orgId, id, row.vapi_call_id as string);
      return this.get(ctx, id);
    },

    async settings(ctx: Ctx): Promise<SettingsView> {
      const s = (await db.withTenant(ctx.orgId, (q) => findSettings(q))) ?? DEFAULT_SETTINGS;
      return {
        assistantId: s.vapi_assistant_id,
        phoneNumberId: s.vapi_phone_number_id,
        maxCallRetries: s.max_call_retries,
        retryDelaysSeconds: s.retry_delays_seconds,
        rescheduleCutoffMinutes: s.reschedule_cutoff_minutes,
        publicKey: s.vapi_public_key,
        assistantModelProvider: s.assistant_model_provider,
        assistantModel: s.assistant_model,
        defaultAssistantModel: operatorModel,
        provider: deps.providerStatus ? await deps.providerStatus().catch(() => ({ state: 'unknown', retryAt: null })) : { state: 'unknown', retryAt: null },
      };
    },

    async saveSettings(ctx: Ctx, s: Partial<SettingsInput> & { assistantId: string | null; phoneNumberId: string | null }): Promise<void> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const current = (await findSettings(tx)) ?? DEFAULT_SETTINGS;
        const next: SettingsInput = {
          assistantId: s.assistantId,
          phoneNumberId: s.phoneNumberId,
          maxCallRetries: s.maxCallRetries ?? current.max_call_retries,
          retryDelaysSeconds: s.retryDelaysSeconds ?? current.retry_delays_seconds,
          rescheduleCutoffMinutes: s.rescheduleCutoffMinutes ?? current.reschedule_cutoff_minutes,
          publicKey: s.publicKey === undefined ? current.vapi_public_key : s.publicKey,
          assistantModelProvider: s.assistantModelProvider === undefined ? current.assistant_model_provider : s.assistantModelProvider,
          assistantModel: s.assistantModel === undefined ? current.assistant_model : s.assistantModel,
        };
        if ((next.assistantModelProvider === null) !== (next.assistantModel === null)) {
          throw new UnprocessableError({ detail: 'assistantModelProvider and assistantModel are set together (or both null for the operator default).' });
        }
        await upsertSettings(tx, ctx.orgId, next);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'interview.settings_changed',
          actor: { type: 'user', id: ctx.userId },
          metadata: { assistantIdSet: Boolean(next.assistantId), phoneNumberIdSet: Boolean(next.phoneNumberId), publicKeySet: Boolean(next.publicKey), maxCallRetries: next.maxCallRetries, retryDelaysSeconds: next.retryDelaysSeconds, rescheduleCutoffMinutes: next.rescheduleCutoffMinutes, assistantModel: next.assistantModel ? `${next.assistantModelProvider}/${next.assistantModel}` : null },
          requestId: ctx.requestId,
        });
      });
    },

    ...plans,

    /** What the candidate page shows (no PII: org, job title, slots, state). */
    async invitePage(token: string): Promise<InvitePage> {
      const { orgId, row } = await byToken(token);
      return db.withTenantTx(orgId, async (q) => {
        const job = await findJob(q, row.job_id, null);
        const settings = (await findSettings(q)) ?? DEFAULT_SETTINGS;
        const now = deps.clock();
        return {
          orgName: (await orgName(q, orgId)) ?? '',
          orgSlug: (await orgProfile(q, orgId))?.slug,
          notice: await currentNoticeIn(q, orgId),
          jobTitle: job?.title ?? '',
          status: row.status,
          mode: row.mode,
          answered: row.invite_used_at !== null,
          maxMinutes: Math.ceil(row.max_duration_seconds / 60),
          language: row.language,
          slots: slotsIn(liveWindows(row.availability ?? [], now, row.max_duration_seconds), now, row.max_duration_seconds),
          scheduledFor: row.scheduled_for,
          timezone: row.candidate_timezone,
          canChange: canChange(row, settings.reschedule_cutoff_minutes, now),
          browserCalls: Boolean(settings.vapi_public_key),
          typedAvailable: row.questions.length > 0,
          ...(await applicationLanguage(q, row.application_id).then((l) => ({ contentLocale: l.locale, applicationTimeZone: l.timeZone }))),
        };
      });
    },

    async answer(token: string, input: AnswerInput, requestId: string, noticeLanguage: Locale = 'en'): Promise<{ status: string; scheduledFor: string | null }> {
      const { orgId, row: found } = await byToken(token);
      let e164: string | null = null;
      const mode = input.mode ?? 'phone';
      if (input.action === 'consent') {
        if (input.noticeVersion !== INTERVIEW_NOTICE_VERSION) throw new UnprocessableError({ detail: 'The notice has changed; please reload the page and read it again.', extra: { noticeVersion: INTERVIEW_NOTICE_VERSION }, i18n: { key: 'interview.errorNoticeChanged' } });
        if (mode === 'phone') {
          e164 = input.phone ? toE164(input.phone) : null;
          if (!e164) throw new UnprocessableError({ detail: 'Enter a valid phone number in international format, e.g. +44 20 7946 0958.', i18n: { key: 'interview.errorPhone' } });
          if (input.phoneConfirmed !== true) throw new UnprocessableError({ detail: 'Please confirm that this is the number to call.', i18n: { key: 'interview.errorPhoneConfirm' } });
        }
        if (input.timezone !== undefined && !isTimezone(input.timezone)) throw new UnprocessableError({ detail: 'Unknown time zone.', i18n: { key: 'interview.errorTimeZone' } });
        if (mode !== 'phone' && input.startAt && input.startAt !== 'now') throw new UnprocessableError({ detail: 'A browser or typed interview starts when you are ready; no time needs to be booked.', i18n: { key: 'interview.errorNoTimeNeeded' } });
      }
      const now = deps.clock();
      const result = await db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, found.id, true);
        if (!row || row.invite_used_at || row.invite_revoked_at || row.status !== 'invited' || row.invite_expires_at <= now) {
          throw new ConflictError({ detail: 'This invitation has already been answered.', i18n: { key: 'interview.errorAnswered' } });
        }
        const actor = { type: 'candidate' as const };
        if (input.action === 'consent') {
          if (mode === 'browser' && !(await findSettings(tx))?.vapi_public_key) throw new UnprocessableError({ detail: 'Browser interviews are not available for this invitation; please choose a phone call.', i18n: { key: 'interview.errorBrowserUnavailable' } });
          const at = mode === 'phone' ? chosenSlot(input.startAt, row) : null;
          const cipher = await keyring.candidateCipher(tx, orgId, row.candidate_id);
          const notice = await currentNoticeIn(tx, orgId);
          // A page shown before a settings change states old facts: read the new notice first.
          if (input.noticeRevision !== undefined && input.noticeRevision !== notice.version) {
            throw new UnprocessableError({ detail: 'The notice has changed; please reload the page and read it again.', extra: { noticeVersion: INTERVIEW_NOTICE_VERSION, noticeRevision: notice.version }, i18n: { key: 'interview.errorNoticeChanged' } });
          }
          await updateInterview(tx, row.id, {
            status: 'scheduled',
            mode,
            invite_used_at: now,
            notice_version: INTERVIEW_NOTICE_VERSION,
            notice_revision: notice.version,
            notice_language: noticeLanguage,
            consented_at: now,
            recording_consent: input.recordingConsent === true,
            ...(e164 ? { phone_enc: cipher.seal('interviews', 'phone_enc', row.id, e164) } : {}),
            scheduled_for: at,
            next_attempt_at: at,
            schedule_version: 1,
            candidate_timezone: input.timezone ?? null,
            // The link also manages the booking: it stays valid until a day after the slot.
            ...(at && at.getTime() + 24 * 3600 * 1000 > row.invite_expires_at.getTime() ? { invite_expires_at: new Date(at.getTime() + 24 * 3600 * 1000) } : {}),
          });
          const data = { interviewId: row.id, noticeVersion: INTERVIEW_NOTICE_VERSION, noticeRevision: notice.version, noticeLanguage, recording: input.recordingConsent === true, mode, scheduledFor: at ? at.toISOString() : null };
          await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.consented', actor, data });
          await audit.recordIn(tx, orgId, { action: 'interview.consented', actor, target: { type: 'interview', id: row.id }, metadata: data, requestId });
          return { status: 'scheduled', at, mode };
        }
        const human = input.action === 'human';
        await updateInterview(tx, row.id, human ? { status: 'human_requested', invite_used_at: now, human_requested_at: now } : { status: 'declined', invite_used_at: now, declined_at: now });
        const type = human ? 'interview.human_requested' : 'interview.declined';
        await insertEvent(tx, { orgId, applicationId: row.application_id, type, actor, data: { interviewId: row.id } });
        await audit.recordIn(tx, orgId, { action: type, actor, target: { type: 'interview', id: row.id }, requestId });
        return { status: human ? 'human_requested' : 'declined', at: null, mode };
      });
      // A browser interview starts when the candidate presses start on the page; nothing is queued.
      if (result.status === 'scheduled' && result.mode === 'phone') await queueSchedule(orgId, { id: found.id, version: 1, at: result.at });
      // A booked slot goes into the candidate's calendar (SEQUENCE 0); "now" has no slot to invite to.
      if (result.status === 'scheduled' && result.at) await sendCalendar(orgId, found.id, 'REQUEST');
      return { status: result.status, scheduledFor: result.at ? result.at.toISOString() : null };
    },

    /** The candidate moves the booked slot (until the org's cutoff before it); the old start job and reminders are dropped. */
    async reschedule(token: string, input: { startAt: string; timezone?: string }, requestId: string): Promise<{ status: string; scheduledFor: string | null }> {
      const { orgId, row: found } = await byToken(token);
      if (input.timezone !== undefined && !isTimezone(input.timezone)) throw new UnprocessableError({ detail: 'Unknown time zone.', i18n: { key: 'interview.errorTimeZone' } });
      const now = deps.clock();
      const result = await db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, found.id, true);
        const settings = (await findSettings(tx)) ?? DEFAULT_SETTINGS;
        if (!row || !canChange(row, settings.reschedule_cutoff_minutes, now)) {
          throw new ConflictError({ detail: `This interview can no longer be moved (changes are possible until ${settings.reschedule_cutoff_minutes} minutes before the booked time).`, i18n: { key: 'interview.errorTooLate', values: { minutes: settings.reschedule_cutoff_minutes } } });
        }
        const at = chosenSlot(input.startAt, row);
        const version = row.schedule_version + 1;
        await updateInterview(tx, row.id, {
          scheduled_for: at,
          next_attempt_at: at,
          schedule_version: version,
          // A move to "now" withdraws the calendar event of the old slot.
          ...(at || row.scheduled_for ? { ical_sequence: row.ical_sequence + 1 } : {}),
          ...(input.timezone ? { candidate_timezone: input.timezone } : {}),
          ...(at && at.getTime() + 24 * 3600 * 1000 > row.invite_expires_at.getTime() ? { invite_expires_at: new Date(at.getTime() + 24 * 3600 * 1000) } : {}),
        });
        const data = { interviewId: row.id, from: iso(row.scheduled_for), to: at ? at.toISOString() : null };
        await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.rescheduled', actor: { type: 'candidate' }, data });
        await audit.recordIn(tx, orgId, { action: 'interview.rescheduled', actor: { type: 'candidate' }, target: { type: 'interview', id: row.id }, metadata: data, requestId });
        return { at, version, previous: row.schedule_version, previousAt: row.scheduled_for };
      });
      await queueSchedule(orgId, { id: found.id, version: result.version, at: result.at }, { version: result.previous, key: `v${result.previous}` });
      // The same UID with a higher SEQUENCE moves the event in the candidate's calendar.
      if (result.at) await sendCalendar(orgId, found.id, 'REQUEST');
      else if (result.previousAt) await sendCalendar(orgId, found.id, 'CANCEL', result.previousAt);
      return { status: 'scheduled', scheduledFor: result.at ? result.at.toISOString() : null };
    },

    /**
     * The browser call's configuration, only for a consented browser interview that has
     * not been connected yet: the org's restricted public key, the assistant (configured,
     * managed, or the managed payload itself when none was created yet) and the per-call
     * overrides with the ids as metadata, so the webhooks find the interview.
     */
    async browserCall(token: string, requestId: string): Promise<BrowserCallConfig> {
      const { orgId, row: found } = await byToken(token);
      return db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, found.id, true);
        if (!row || row.mode !== 'browser' || row.status !== 'scheduled' || !row.consented_at || row.vapi_call_id) {
          throw new ConflictError({ detail: 'There is no browser interview waiting to start for this invitation.', i18n: { key: 'interview.errorNoBrowserCall' } });
        }
        const settings = await findSettings(tx);
        if (!settings?.vapi_public_key) throw new ConflictError({ detail: 'Browser interviews are not available right now.', i18n: { key: 'interview.browserUnavailable' } });
        const assistantId = settings.vapi_assistant_id ?? (await findPlan(tx, row.job_id))?.vapi_assistant_id ?? null;
        const llm = settings.vapi_assistant_id ? null : effectiveAssistantModel(settings, operatorModel);
        // A reload before the call connected is the same attempt, not a new one.
        const first = row.call_status !== 'creating';
        await updateInterview(tx, row.id, { call_status: 'creating', assistant_model_provider: llm?.provider ?? null, assistant_model: llm?.model ?? null, ...(first ? { attempts: row.attempts + 1 } : {}) });
        if (first) {
          await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.browser_call_started', actor: { type: 'candidate' }, data: { interviewId: row.id, attempt: row.attempts + 1 } });
          await audit.recordIn(tx, orgId, { action: 'interview.browser_call_started', actor: { type: 'candidate' }, target: { type: 'interview', id: row.id }, requestId });
        }
        return {
          publicKey: settings.vapi_public_key,
          assistantId,
          assistant: assistantId ? null : (assistantPayload(orgId, { job_id: row.job_id, language: row.language, max_duration_seconds: row.max_duration_seconds, voice: null }, null, llm ?? operatorModel) as Record<string, unknown>),
          assistantOverrides: callOverrides(orgId, row, first ? row.attempts + 1 : row.attempts) as Record<string, unknown>,
        };
      });
    },

    /** The candidate cancels a booked interview (also one waiting for a re-dial); no call is placed afterwards. */
    async candidateCancel(token: string, requestId: string): Promise<{ status: string }> {
      const { orgId, row: found } = await byToken(token);
      const row = await db.withTenantTx(orgId, async (tx) => {
        const r = await findInterview(tx, found.id, true);
        if (!r || r.status !== 'scheduled') throw new ConflictError({ detail: 'There is no booked interview to cancel.', i18n: { key: 'interview.errorNothingToCancel' } });
        await updateInterview(tx, r.id, { status: 'cancelled', cancelled_at: deps.clock(), cancelled_by: 'candidate', next_attempt_at: null, ...(r.scheduled_for ? { ical_sequence: r.ical_sequence + 1 } : {}) });
        await insertEvent(tx, { orgId, applicationId: r.application_id, type: 'interview.cancelled', actor: { type: 'candidate' }, data: { interviewId: r.id, by: 'candidate' } });
        await audit.recordIn(tx, orgId, { action: 'interview.cancelled', actor: { type: 'candidate' }, target: { type: 'interview', id: r.id }, metadata: { by: 'candidate', previousStatus: r.status }, requestId });
        return r;
      });
      await dropJobs(row);
      if (row.scheduled_for) await sendCalendar(orgId, row.id, 'CANCEL');
      return { status: 'cancelled' };
    },

    /**
     * issue 22 item 2: the status page opens the self-booking page of one of the candidate's
     * interviews. Invite tokens are stored hashed, so the page cannot link to the mailed one:
     * a fresh token replaces it (the mailed link stops working; the newest one is the key).
     * Only an invitation still open or a booking that can still change is reopened.
     */
    async reissueInviteForCandidate(orgId: string, candidateId: string, interviewId: string, requestId: string | null): Promise<string> {
      const token = newToken();
      const now = deps.clock();
      await db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, interviewId, true);
        if (!row || row.candidate_id !== candidateId) throw new NotFoundError({ resource: 'Interview' });
        const settings = (await findSettings(tx)) ?? DEFAULT_SETTINGS;
        const open = row.status === 'invited' && !row.invite_used_at && !row.invite_revoked_at && row.invite_expires_at > now;
        if (!open && !canChange(row, settings.reschedule_cutoff_minutes, now)) {
          throw new ConflictError({ detail: 'This interview can no longer be booked or moved here; please contact the organisation.' });
        }
        await replaceInviteToken(tx, row.id, hashToken(token));
        await audit.recordIn(tx, orgId, { action: 'interview.invite_reissued', actor: { type: 'candidate' }, target: { type: 'interview', id: row.id }, metadata: { via: 'portal' }, requestId });
      });
      return token;
    },

    /** issue 22 item 2: a withdrawn application's interviews not yet held are cancelled (no call is placed to someone who withdrew). */
    async cancelForWithdrawal(orgId: string, candidateId: string, applicationId: string, requestId: string | null): Promise<number> {
      const rows = await db.withTenantTx(orgId, async (tx) => {
        const out: InterviewRow[] = [];
        for (const found of await interviewsOfApplication(tx, applicationId)) {
          if (found.candidate_id !== candidateId || !['invited', 'scheduled'].includes(found.status)) continue;
          const r = await findInterview(tx, found.id, true);
          if (!r || !['invited', 'scheduled'].includes(r.status)) continue;
          await updateInterview(tx, r.id, { status: 'cancelled', cancelled_at: deps.clock(), cancelled_by: 'candidate', next_attempt_at: null, invite_revoked_at: deps.clock(), ...(r.scheduled_for ? { ical_sequence: r.ical_sequence + 1 } : {}) });
          await insertEvent(tx, { orgId, applicationId, type: 'interview.cancelled', actor: { type: 'candidate' }, data: { interviewId: r.id, by: 'candidate', reason: 'withdrawn' } });
          await audit.recordIn(tx, orgId, { action: 'interview.cancelled', actor: { type: 'candidate' }, target: { type: 'interview', id: r.id }, metadata: { by: 'candidate', previousStatus: r.status, reason: 'withdrawn' }, requestId });
          out.push(r);
        }
        return out;
      });
      for (const row of rows) {
        await dropJobs(row);
        if (row.scheduled_for) await sendCalendar(orgId, row.id, 'CANCEL');
      }
      return rows.length;
    },
  };
}

/** What the candidate's browser needs to start the call with Vapi's web SDK. */
export interface BrowserCallConfig {
  publicKey: string;
  assistantId: string | null;
  assistant: Record<string, unknown> | null;
  assistantOverrides: Record<string, unknown>;
}

/** A booked phone interview can be moved or cancelled by the candidate until the cutoff before its slot, and only before the first call. */
export function canChange(row: Pick<InterviewRow, 'status' | 'mode' | 'attempts' | 'scheduled_for'>, cutoffMinutes: number, now: Date): boolean {
  return row.status === 'scheduled' && row.mode === 'phone' && row.attempts === 0 && row.scheduled_for !== null && now.getTime() < row.scheduled_for.getTime() - cutoffMinutes * 60_000;
}

export type InterviewService = ReturnType<typeof createInterviewService>;
