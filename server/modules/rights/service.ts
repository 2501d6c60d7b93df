// Privacy-request register and rectification (issue 18 item 6; DESIGN §9). Every data
// subject request gets a row with its GDPR Art. 12(3) deadline: one month from receipt,
// extendable by up to two further months with a reason. The candidate export, erasure and
// rectification actions close the request they were done for (closeLinkedRequest, inside
// the action's own transaction, so an action that fails leaves the request open). The
// daily privacy-deadlines job raises due-soon and overdue alerts (checkDeadlines).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ActorType, AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../core/errors.js';
import type { AlertSink } from '../alerts/index.js';
import { decryptCandidate } from '../candidates/index.js';
import { findCandidate, findCandidateIdByEmailIndex } from '../candidates/index.js';
import { createCandidateSearch } from '../candidates/index.js';
import type { Ctx } from '../../core/context.js';
import { listOrgIds } from '../orgs/index.js';
import {
  candidateExists,
  findRequest,
  insertRequest,
  listRequests,
  lockCandidateForUpdate,
  openRequestsDueBy,
  updateCandidatePii,
  updateRequest,
  type ClosingAction,
  type IdentityStatus,
  type PrivacyRequestRow,
  type RequestStatus,
  type RequestType,
} from './repo.js';

/** GDPR Art. 12(3): one month, extendable by two further months. */
export const BASE_MONTHS = 1;
export const MAX_EXTENSION_MONTHS = 2;
/** Open requests due within this many days raise a due-soon alert. */
export const DUE_SOON_DAYS = 7;
const DAY_MS = 86_400_000;

/** The calendar day (UTC) of an instant, YYYY-MM-DD. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * `day` plus `months` calendar months; a day the target month lacks becomes its last day
 * (received 31 January: due 28/29 February), as the EU's time-limit rules read "one month".
 */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const targetMonth = m - 1 + months;
  const lastDay = new Date(Date.UTC(y, targetMonth + 1, 0)).getUTCDate();
  return dayOf(new Date(Date.UTC(y, targetMonth, Math.min(d, lastDay))));
}

function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

function isRealDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && dayOf(new Date(`${day}T00:00:00Z`)) === day;
}

export interface PrivacyRequestView {
  id: string;
  reference: string;
  type: RequestType;
  receivedOn: string;
  identityStatus: IdentityStatus;
  identityMethod: string | null;
  dueOn: string;
  extensionMonths: number;
  extensionReason: string | null;
  status: RequestStatus;
  refusalReason: string | null;
  candidateId: string | null;
  closedBy: ClosingAction | null;
  closedAt: string | null;
  /** Open or in progress and past its due day. */
  overdue: boolean;
  /** Days until the due day (negative when overdue); null once closed. */
  daysLeft: number | null;
  createdAt: string;
  updatedAt: string;
}

function view(r: PrivacyRequestRow, today: string): PrivacyRequestView {
  const open = r.status === 'open' || r.status === 'in_progress';
  const daysLeft = open ? Math.round((Date.parse(`${r.due_on}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS) : null;
  return {
    id: r.id,
    reference: r.reference,
    type: r.type,
    receivedOn: r.received_on,
    identityStatus: r.identity_status,
    identityMethod: r.identity_method,
    dueOn: r.due_on,
    extensionMonths: r.extension_months,
    extensionReason: r.extension_reason,
    status: r.status,
    refusalReason: r.refusal_reason,
    candidateId: r.candidate_id,
    closedBy: r.closed_by_action,
    closedAt: r.closed_at ? r.closed_at.toISOString() : null,
    overdue: daysLeft !== null && daysLeft < 0,
    daysLeft,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Which request type each action answers. */
const ACTION_TYPE: Readonly<Record<Exclude<ClosingAction, 'manual'>, RequestType>> = { export: 'access', erasure: 'erasure', rectification: 'rectification' };

/**
 * Closes the register entry an action was done for, inside the action's transaction: the
 * request must be of this org (RLS), of the action's type, still open, identity verified,
 * and about this candidate (an unlinked request gets linked). Any mismatch is a 422/409
 * and rolls the action back with it.
 */
export async function closeLinkedRequest(
  tx: Queryable,
  audit: AuditLog,
  orgId: string,
  input: { privacyRequestId: string; candidateId: string; action: Exclude<ClosingAction, 'manual'>; actor: { type: ActorType; id?: string | null }; requestId?: string | null; now: Date },
): Promise<void> {
  const row = await findRequest(tx, input.privacyRequestId, true);
  const field = 'privacyRequestId';
  if (!row) throw new UnprocessableError({ detail: 'The privacy request is not in this org\'s register.', extra: { field } });
  if (row.type !== ACTION_TYPE[input.action]) throw new UnprocessableError({ detail: `A ${row.type} request is not answered by ${input.action === 'export' ? 'an export' : `a${input.action === 'erasure' ? 'n' : ''} ${input.action}`}.`, extra: { field } });
  if (row.status === 'done' || row.status === 'refused') throw new ConflictError({ detail: `The privacy request ${row.reference} is already closed (${row.status}).` });
  if (row.identity_status !== 'verified') throw new UnprocessableError({ detail: "The requester's identity is not verified yet: record the check on the request first.", extra: { field } });
  if (row.candidate_id && row.candidate_id !== input.candidateId) throw new UnprocessableError({ detail: 'The privacy request is about another candidate.', extra: { field } });
  await updateRequest(tx, row.id, { ...row, status: 'done', candidate_id: input.candidateId, closed_by_action: input.action, closed_at: input.now }, input.now);
  await audit.recordIn(tx, orgId, {
    action: 'privacy_request.closed',
    actor: input.actor,
    target: { type: 'privacy_request', id: row.id },
    metadata: { type: row.type, reference: row.reference, by: input.action, candidateId: input.candidateId, dueOn: row.due_on, late: dayOf(input.now) > row.due_on },
    requestId: input.requestId ?? null,
  });
}

export interface CreateRequestInput {
  reference: string;
  type: RequestType;
  receivedOn?: string;
  identityStatus?: IdentityStatus;
  identityMethod?: string | null;
  candidateId?: string | null;
}

export interface UpdateRequestInput {
  identityStatus?: IdentityStatus;
  identityMethod?: string | null;
  status?: RequestStatus;
  refusalReason?: string;
  extensionMonths?: number;
  extensionReason?: string;
  candidateId?: string | null;
}

export interface RectifyInput {
  name?: string;
  email?: string;
  phone?: string | null;
  location?: string | null;
  links?: string[];
  privacyRequestId?: string;
}

export const RECTIFIABLE_FIELDS = ['name', 'email', 'phone', 'location', 'links'] as const;

export function createRightsService(deps: { db: TenantDb; audit: AuditLog; keyring: Keyring; clock: () => Date }) {
  const { db, audit, clock } = deps;
  const search = createCandidateSearch({ keyring: deps.keyring });

  async function checkCandidate(q: Queryable, candidateId: string | null | undefined, path: string): Promise<void> {
    if (!candidateId) return;
    if (!(await candidateExists(q, candidateId))) throw new ValidationError([{ path, message: 'is not a candidate of this org' }], 'The linked candidate is not a candidate of this org.');
  }

  return {
    async create(ctx: Ctx, input: CreateRequestInput): Promise<PrivacyRequestView> {
      const now = clock();
      const today = dayOf(now);
      const receivedOn = input.receivedOn ?? today;
      if (!isRealDay(receivedOn)) throw new ValidationError([{ path: 'body/receivedOn', message: 'must be a calendar date (YYYY-MM-DD)' }], 'receivedOn is not a date.');
      if (receivedOn > today) throw new ValidationError([{ path: 'body/receivedOn', message: 'must not be in the future' }], 'A request cannot be received in the future.');
      const reference = input.reference.trim();
      return db.withTenantTx(ctx.orgId, async (tx) => {
        await checkCandidate(tx, input.candidateId, 'body/candidateId');
        const id = randomUUID();
        const dueOn = addMonths(receivedOn, BASE_MONTHS);
        const inserted = await insertRequest(tx, {
          id,
          orgId: ctx.orgId,
          reference,
          type: input.type,
          receivedOn,
          dueOn,
          identityStatus: input.identityStatus ?? 'pending',
          identityMethod: input.identityMethod?.trim() || null,
          candidateId: input.candidateId ?? null,
          createdBy: ctx.userId,
          now,
        });
        if (!inserted) throw new ConflictError({ detail: `A privacy request with the reference ${reference} is already in the register.` });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'privacy_request.created',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'privacy_request', id },
          metadata: { type: input.type, reference, receivedOn, dueOn, candidateId: input.candidateId ?? null, role: ctx.role },
          requestId: ctx.requestId,
        });
        return view((await findRequest(tx, id)) as PrivacyRequestRow, today);
      });
    },

    /**
     * issue 22 item 2: a request the candidate makes from the status page (erasure or a
     * human review). The magic link to the address on file is the identity check, so the
     * request is entered verified and linked to the candidate; an admin acts on it as on
     * any request. One open request of a type per candidate: asking again returns it.
     */
    async createFromCandidate(orgId: string, candidateId: string, type: 'erasure' | 'human_review', requestId: string | null): Promise<{ id: string; reference: string; dueOn: string; created: boolean }> {
      const now = clock();
      const receivedOn = dayOf(now);
      return db.withTenantTx(orgId, async (tx) => {
        const locked = await lockCandidateForUpdate(tx, candidateId);
        if (!locked || locked.erased) throw new NotFoundError({ resource: 'Candidate' });
        const open = (await listRequests(tx, { status: ['open', 'in_progress'], candidateId, limit: 200 })).find((r) => r.type === type);
        if (open) return { id: open.id, reference: open.reference, dueOn: open.due_on, created: false };
        const id = randomUUID();
        const reference = `portal-${receivedOn.replace(/-/g, '')}-${id.slice(0, 8)}`;
        const dueOn = addMonths(receivedOn, BASE_MONTHS);
        await insertRequest(tx, { id, orgId, reference, type, receivedOn, dueOn, identityStatus: 'verified', identityMethod: 'status page sign-in by a link mailed to the address on file', candidateId, createdBy: null, now });
        await audit.recordIn(tx, orgId, {
          action: 'privacy_request.created',
          actor: { type: 'candidate', id: null },
          target: { type: 'privacy_request', id },
          metadata: { type, reference, receivedOn, dueOn, candidateId, via: 'portal' },
          requestId,
        });
        return { id, reference, dueOn, created: true };
      });
    },

    async list(ctx: Ctx, filter: { status?: RequestStatus[]; candidateId?: string; limit?: number }): Promise<{ items: PrivacyRequestView[] }> {
      const today = dayOf(clock());
      const rows = await db.withTenant(ctx.orgId, (q) => listRequests(q, { status: filter.status?.length ? filter.status : null, candidateId: filter.candidateId ?? null, limit: filter.limit ?? 200 }));
      return { items: rows.map((r) => view(r, today)) };
    },

    async get(ctx: Ctx, id: string): Promise<PrivacyRequestView> {
      const row = await db.withTenant(ctx.orgId, (q) => findRequest(q, id));
      if (!row) throw new NotFoundError({ resource: 'Privacy request' });
      return view(row, dayOf(clock()));
    },

    async update(ctx: Ctx, id: string, input: UpdateRequestInput): Promise<PrivacyRequestView> {
      const now = clock();
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const row = await findRequest(tx, id, true);
        if (!row) throw new NotFoundError({ resource: 'Privacy request' });
        if (row.status === 'done' || row.status === 'refused') throw new ConflictError({ detail: `The privacy request is closed (${row.status}); it can no longer change.` });
        const next = { ...row };
        const changed: string[] = [];
        if (input.identityStatus !== undefined && input.identityStatus !== row.identity_status) {
          next.identity_status = input.identityStatus;
          changed.push('identityStatus');
        }
        if (input.identityMethod !== undefined) {
          next.identity_method = input.identityMethod?.trim() || null;
          if (next.identity_method !== row.identity_method) changed.push('identityMethod');
        }
        if (input.candidateId !== undefined && input.candidateId !== row.candidate_id) {
          await checkCandidate(tx, input.candidateId, 'body/candidateId');
          next.candidate_id = input.candidateId;
          changed.push('candidateId');
        }
        if (input.extensionMonths !== undefined) {
          if (input.extensionMonths < row.extension_months) throw new ValidationError([{ path: 'body/extensionMonths', message: 'cannot shorten an extension already given' }], 'An extension cannot be taken back.');
          if (input.extensionMonths > row.extension_months) {
            const reason = input.extensionReason?.trim();
            if (!reason) throw new ValidationError([{ path: 'body/extensionReason', message: 'is required to extend the deadline' }], 'Extending the deadline needs a reason (GDPR Art. 12(3): the requester is told why).');
            next.extension_months = input.extensionMonths;
            next.extension_reason = row.extension_reason ? `${row.extension_reason} | ${reason}`.slice(0, 500) : reason;
            next.due_on = addMonths(row.received_on, BASE_MONTHS + input.extensionMonths);
            changed.push('extension');
          }
        } else if (input.extensionReason !== undefined) {
          throw new ValidationError([{ path: 'body/extensionReason', message: 'goes with extensionMonths' }], 'extensionReason goes with extensionMonths.');
        }
        if (input.refusalReason !== undefined && input.status !== 'refused') throw new ValidationError([{ path: 'body/refusalReason', message: 'goes with status "refused"' }], 'refusalReason goes with status "refused".');
        if (input.status !== undefined && input.status !== row.status) {
          if (input.status === 'refused') {
            const reason = input.refusalReason?.trim();
            if (!reason) throw new ValidationError([{ path: 'body/refusalReason', message: 'is required to refuse a request' }], 'Refusing a request needs a reason (GDPR Art. 12(4)).');
            next.refusal_reason = reason;
            next.closed_at = now;
            next.closed_by_action = 'manual';
          } else if (input.status === 'done') {
            if (next.identity_status !== 'verified') throw new UnprocessableError({ detail: "The requester's identity is not verified: a request cannot be done before that." });
            next.closed_at = now;
            next.closed_by_action = 'manual';
          }
          next.status = input.status;
          changed.push('status');
        }
        if (changed.length > 0) {
          await updateRequest(tx, id, next, now);
          await audit.recordIn(tx, ctx.orgId, {
            action: 'privacy_request.updated',
            actor: { type: 'user', id: ctx.userId },
            target: { type: 'privacy_request', id },
            metadata: { reference: row.reference, changed, status: next.status, dueOn: next.due_on, role: ctx.role },
            requestId: ctx.requestId,
          });
        }
        return view((await findRequest(tx, id)) as PrivacyRequestRow, dayOf(now));
      });
    },

    /**
     * Rectification (GDPR Art. 16): the given fields replace the stored ones, sealed again
     * under the candidate key; the email blind index and the name-search tokens follow.
     * Audited with the names of the fields that changed, never their values.
     */
    async rectify(ctx: Ctx, candidateId: string, input: RectifyInput): Promise<{ candidateId: string; changed: string[] }> {
      const now = clock();
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const locked = await lockCandidateForUpdate(tx, candidateId);
        if (!locked) throw new NotFoundError({ resource: 'Candidate' });
        if (locked.erased) throw new NotFoundError({ resource: 'Candidate', detail: "This candidate's data has been erased." });
        const row = await findCandidate(tx, candidateId);
        if (!row) throw new NotFoundError({ resource: 'Candidate' });
        let cipher;
        try {
          cipher = await deps.keyring.candidateCipher(tx, ctx.orgId, candidateId);
        } catch (err) {
          if (err instanceof KeyDestroyedError) throw new NotFoundError({ resource: 'Candidate', detail: "This candidate's data has been erased." });
          throw err;
        }
        const before = decryptCandidate(cipher, row);
        const after = {
          name: input.name !== undefined ? input.name.trim() : before.name,
          email: input.email !== undefined ? input.email.trim() : before.email,
          phone: input.phone !== undefined ? input.phone?.trim() || null : before.phone,
          location: input.location !== undefined ? input.location?.trim() || null : before.location,
          links: input.links !== undefined ? input.links : before.links,
        };
        const changed = RECTIFIABLE_FIELDS.filter((f) => JSON.stringify(after[f]) !== JSON.stringify(before[f]));
        const s = (column: string, v: string): Buffer => cipher.seal('candidates', column, candidateId, v);
        let emailIndex: Buffer | null = null;
        if (changed.includes('email')) {
          emailIndex = await deps.keyring.blindIndex(tx, ctx.orgId, 'email', after.email);
          const holder = await findCandidateIdByEmailIndex(tx, emailIndex);
          if (holder && holder !== candidateId) throw new ConflictError({ detail: 'Another candidate of this org has this e-mail address.' });
        }
        if (changed.length > 0) {
          await updateCandidatePii(tx, candidateId, {
            nameEnc: changed.includes('name') ? s('name_enc', after.name) : row.name_enc,
            emailEnc: changed.includes('email') ? s('email_enc', after.email) : row.email_enc,
            emailIndex: emailIndex ?? (await deps.keyring.blindIndex(tx, ctx.orgId, 'email', before.email)),
            phoneEnc: changed.includes('phone') ? (after.phone ? s('phone_enc', after.phone) : null) : row.phone_enc,
            locationEnc: changed.includes('location') ? (after.location ? s('location_enc', after.location) : null) : row.location_enc,
            linksEnc: changed.includes('links') ? (after.links.length ? s('links_enc', JSON.stringify(after.links)) : null) : row.links_enc,
          });
          if (changed.includes('name')) await search.indexName(tx, ctx.orgId, candidateId, after.name);
          await audit.recordIn(tx, ctx.orgId, {
            action: 'candidate.rectified',
            actor: { type: 'user', id: ctx.userId },
            target: { type: 'candidate', id: candidateId },
            // Field names only: the values are the candidate's personal data.
            metadata: { fields: changed, privacyRequestId: input.privacyRequestId ?? null, role: ctx.role },
            requestId: ctx.requestId,
          });
        }
        if (input.privacyRequestId) {
          await closeLinkedRequest(tx, audit, ctx.orgId, { privacyRequestId: input.privacyRequestId, candidateId, action: 'rectification', actor: { type: 'user', id: ctx.userId }, requestId: ctx.requestId, now });
        }
        return { candidateId, changed: [...changed] };
      });
    },
  };
}
export type RightsService = ReturnType<typeof createRightsService>;

export interface DeadlineCheck {
  day: string;
  orgs: number;
  overdue: number;
  dueSoon: number;
}

/**
 * The daily deadline check over every org: one privacy_request_overdue alert per org with
 * overdue requests and one privacy_request_due alert per org with requests due within
 * DUE_SOON_DAYS (references and due days only: no personal data).
 */
// GlobalDb: the deadline monitor lists every org, across tenants.
export function createDeadlineMonitor(deps: { db: TenantDb & GlobalDb; alerts: Pick<AlertSink, 'raise'>; clock: () => Date; log: Logger }) {
  return {
    async check(): Promise<DeadlineCheck> {
      const today = dayOf(deps.clock());
      const soon = addDays(today, DUE_SOON_DAYS);
      const result: DeadlineCheck = { day: today, orgs: 0, overdue: 0, dueSoon: 0 };
      for (const orgId of await listOrgIds(deps.db)) {
        const due = await deps.db.withTenant(orgId, (q) => openRequestsDueBy(q, soon));
        const overdue = due.filter((r) => r.due_on < today);
        const dueSoon = due.filter((r) => r.due_on >= today);
        const list = (rs: typeof due): string =>
          rs
            .slice(0, 10)
            .map((r) => `${r.reference} (${r.type}, due ${r.due_on})`)
            .join(', ') + (rs.length > 10 ? `, and ${rs.length - 10} more` : '');
        if (overdue.length > 0) {
          await deps.alerts.raise(orgId, 'privacy_request_overdue', `${overdue.length} privacy request(s) past the GDPR deadline: ${list(overdue)}.`, { count: overdue.length, oldestDueOn: overdue[0]?.due_on ?? null });
        }
        if (dueSoon.length > 0) {
          await deps.alerts.raise(orgId, 'privacy_request_due', `${dueSoon.length} privacy request(s) due within ${DUE_SOON_DAYS} days: ${list(dueSoon)}.`, { count: dueSoon.length, nextDueOn: dueSoon[0]?.due_on ?? null });
        }
        if (overdue.length + dueSoon.length > 0) result.orgs += 1;
        result.overdue += overdue.length;
        result.dueSoon += dueSoon.length;
      }
      deps.log.info({ day: today, orgs: result.orgs, overdue: result.overdue, dueSoon: result.dueSoon }, 'privacy request deadlines checked');
      return result;
    },
  };
}
export type DeadlineMonitor = ReturnType<typeof createDeadlineMonitor>;

// The vocabularies the routes validate against (defined with the queries that store them).
export { IDENTITY_STATUSES, REQUEST_STATUSES, REQUEST_TYPES } from './repo.js';
