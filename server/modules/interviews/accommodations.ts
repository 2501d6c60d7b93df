// Accommodation requests (issue 22 item 3): from the invite page a candidate asks for more
// time, a typed interview or a human interviewer, with an optional note (candidate data,
// sealed with the candidate key). Each request is audited and gets a due time; recruiters
// see and resolve them (audited). A typed-mode request is granted at once: the invite page
// already offers typed mode, so nobody has to act on it.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { findApplication, insertEvent } from '../applications/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import { accommodationExists, extendInterviewDuration, insertAccommodation, listAccommodations, listOpenAccommodations, lockAccommodation, resolveAccommodation } from './accommodations-repo.js';
import { findInterviewByToken, orgOfInvite } from './repo.js';
import { hashToken } from '../../core/tokens.js';

export type AccommodationType = 'more_time' | 'typed_mode' | 'human_interviewer';
export const ACCOMMODATION_NOTE_MAX = 1000;
/**
 * Two working days: long enough for a recruiter who is out for a day, short enough that the
 * answer arrives well before a 7-day invitation runs out.
 */
export const ACCOMMODATION_DUE_WORKING_DAYS = 2;

/** Adds working days (Monday to Friday, UTC): a request on Friday is due on Tuesday. */
export function addWorkingDays(from: Date, days: number): Date {
  const d = new Date(from);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left -= 1;
  }
  return d;
}

export interface AccommodationView {
  id: string;
  interviewId: string;
  applicationId: string;
  type: AccommodationType;
  note: string | null;
  status: 'requested' | 'granted' | 'declined';
  dueAt: string;
  overdue: boolean;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  createdAt: string;
}

/** A row of the org-wide list of open requests: no note (it may describe health); the application page shows it. */
export interface OpenAccommodationView {
  id: string;
  interviewId: string;
  applicationId: string;
  jobId: string;
  jobTitle: string;
  type: AccommodationType;
  hasNote: boolean;
  dueAt: string;
  overdue: boolean;
  createdAt: string;
}

const AUTO_TYPED = 'Granted automatically: typed mode is offered on the invitation page.';

// GlobalDb: an invite token names its org only through a global lookup.
export function createAccommodationService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; keyring: Keyring; clock: () => Date }) {
  const { db, audit, keyring } = deps;

  return {
    async request(token: string, input: { type: AccommodationType; note?: string }, requestId: string): Promise<{ id: string; type: AccommodationType; status: string; dueAt: string }> {
      const hash = hashToken(token);
      const orgId = await orgOfInvite(db.pool, hash);
      const now = deps.clock();
      const gone = new NotFoundError({ resource: 'Invitation', detail: 'This invitation does not exist, has expired or was withdrawn.', i18n: { key: 'interview.errorInvitation' } });
      if (!orgId) throw gone;
      return db.withTenantTx(orgId, async (tx) => {
        const row = await findInterviewByToken(tx, hash, true);
        if (!row || row.invite_revoked_at || row.invite_expires_at <= now) throw gone;
        if (['ended', 'failed', 'cancelled', 'declined', 'unreachable'].includes(row.status)) throw new ConflictError({ detail: 'This interview is over; contact the hiring team directly.', i18n: { key: 'accommodation.errorOver' } });
        if (await accommodationExists(tx, row.id, input.type)) throw new ConflictError({ detail: 'You have already asked for this; the hiring team will answer.', i18n: { key: 'accommodation.errorAlreadyAsked' } });
        const id = randomUUID();
        const note = input.note?.trim() ? input.note.trim() : null;
        const cipher = note ? await keyring.candidateCipher(tx, orgId, row.candidate_id) : null;
        const auto = input.type === 'typed_mode';
        const dueAt = addWorkingDays(now, ACCOMMODATION_DUE_WORKING_DAYS);
        await insertAccommodation(tx, {
          id, orgId, interviewId: row.id, applicationId: row.application_id, type: input.type,
          noteEnc: cipher && note ? cipher.seal('interview_accommodations', 'note_enc', id, note) : null,
          status: auto ? 'granted' : 'requested', dueAt, resolvedAt: auto ? now : null, resolution: auto ? AUTO_TYPED : null, createdAt: now,
        });
        // The note stays out of the audit trail and events (it may describe health or disability).
        const data = { interviewId: row.id, accommodationId: id, type: input.type, dueAt: dueAt.toISOString(), autoGranted: auto, hasNote: note !== null };
        await insertEvent(tx, { orgId, applicationId: row.application_id, type: 'interview.accommodation_requested', actor: { type: 'candidate' }, data });
        await audit.recordIn(tx, orgId, { action: 'interview.accommodation_requested', actor: { type: 'candidate' }, target: { type: 'interview', id: row.id }, metadata: data, requestId });
        return { id, type: input.type, status: auto ? 'granted' : 'requested', dueAt: dueAt.toISOString() };
      });
    },

    async list(ctx: Ctx, applicationId: string): Promise<AccommodationView[]> {
      return db.withTenant(ctx.orgId, async (q) => {
        if (!(await findApplication(q, applicationId, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Application' });
        const rows = await listAccommodations(q, applicationId);
        const now = deps.clock();
        const out: AccommodationView[] = [];
        for (const r of rows) {
          const note = r.note_enc ? (await keyring.candidateCipher(q, ctx.orgId, r.candidate_id)).openText('interview_accommodations', 'note_enc', r.id, r.note_enc) : null;
          out.push({
            id: r.id,
            interviewId: r.interview_id,
            applicationId: r.application_id,
            type: r.type,
            note,
            status: r.status,
            dueAt: r.due_at.toISOString(),
            overdue: r.status === 'requested' && r.due_at <= now,
            resolvedAt: r.resolved_at?.toISOString() ?? null,
            resolvedBy: r.resolved_by,
            resolution: r.resolution,
            createdAt: r.created_at.toISOString(),
          });
        }
        return out;
      });
    },

    /** Open requests of the org (a hiring manager: of their jobs), soonest due first. */
    async listOpen(ctx: Ctx, f: { cursor?: string; limit: number }): Promise<{ accommodations: OpenAccommodationView[]; nextCursor: string | null }> {
      const c = decodeCursor(f.cursor);
      const after = c ? { dueAt: c.createdAt, id: c.id } : undefined;
      const rows = await db.withTenant(ctx.orgId, (q) => listOpenAccommodations(q, { assignedTo: assignedScope(ctx), after, limit: f.limit + 1 }));
      const page = rows.slice(0, f.limit);
      const last = page.at(-1);
      const now = deps.clock();
      return {
        accommodations: page.map((r) => ({
          id: r.id,
          interviewId: r.interview_id,
          applicationId: r.application_id,
          jobId: r.job_id,
          jobTitle: r.job_title,
          type: r.type,
          hasNote: r.has_note,
          dueAt: r.due_at.toISOString(),
          overdue: r.due_at <= now,
          createdAt: r.created_at.toISOString(),
        })),
        nextCursor: rows.length > f.limit && last ? encodeCursor(last.due_at_text, last.id) : null,
      };
    },

    /**
     * maxDurationSeconds: the call's new time limit when granted more time extended it (null
     * otherwise: declined, another type, or the interview already started).
     */
    async resolve(ctx: Ctx, id: string, input: { outcome: 'granted' | 'declined'; resolution?: string }, requestId: string): Promise<{ id: string; status: string; maxDurationSeconds: number | null }> {
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const row = await lockAccommodation(tx, id);
        if (!row || !(await findApplication(tx, row.application_id, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Accommodation' });
        if (row.status !== 'requested') throw new ConflictError({ detail: `This request is already ${row.status}.` });
        await resolveAccommodation(tx, id, { status: input.outcome, at: deps.clock(), by: ctx.userId, resolution: input.resolution ?? null });
        // Granted more time: the call's time limit grows by half (at most the plan maximum of an
        // hour) while the interview has not started; a typed interview has no time limit.
        const extended = input.outcome === 'granted' && row.type === 'more_time' ? await extendInterviewDuration(tx, row.interview_id) : null;
        const data = { interviewId: row.interview_id, accommodationId: id, type: row.type, outcome: input.outcome, maxDurationSeconds: extended };
        await insertEvent(tx, { orgId: ctx.orgId, applicationId: row.application_id, type: 'interview.accommodation_resolved', actor: { type: 'user', id: ctx.userId }, data });
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.accommodation_resolved', actor: { type: 'user', id: ctx.userId }, target: { type: 'interview', id: row.interview_id }, metadata: data, requestId });
        return { id, status: input.outcome, maxDurationSeconds: extended };
      });
    },
  };
}

export type AccommodationService = ReturnType<typeof createAccommodationService>;
