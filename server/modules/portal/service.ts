// The candidate status page (issue 22 item 2): a magic link is exchanged once for a short
// candidate session; the session sees only its own candidate, within its own org (every
// look-up runs under the org's RLS and checks the candidate), and acts through the owning
// modules' services: withdraw (applications), book/reschedule (interviews' self-booking
// page), download (the privacy export), human review and erasure (the privacy-request
// register).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../../core/audit.js';
import type { TenantDb } from '../../core/db.js';
import { GoneError, NotFoundError, TooManyRequestsError } from '../../core/errors.js';
import type { ApplicationService } from '../applications/index.js';
import type { InterviewService } from '../interviews/index.js';
import type { CandidateExportService } from '../messages/index.js';
import type { RightsService } from '../rights/index.js';
import { hashPortalToken, type PortalOrg } from './links.js';
import { candidateLanguage, deleteSession, findLinkByHash, findSessionByHash, insertSession, markLinkUsed } from './repo.js';
import { newToken } from '../../core/tokens.js';

export const SESSION_TTL_MS = 30 * 60_000;
export const EXPORTS_PER_HOUR = 3;

export interface PortalSession {
  org: PortalOrg;
  sessionId: string;
  candidateId: string;
  /** The raw cookie value (its CSRF token is derived from it). */
  token: string;
}

export interface StatusApplication {
  id: string;
  jobTitle: string;
  stage: { name: string; kind: string };
  appliedOn: string;
  open: boolean;
  aiFree: boolean;
  screenings: { status: string; completedOn: string | null }[];
  interviews: { id: string; mode: string; status: string; scheduledFor: string | null; bookable: boolean }[];
  notices: { kind: 'application' | 'interview'; version: string; acceptedOn: string | null }[];
}

const day = (iso: string | null | undefined): string | null => (iso ? iso.slice(0, 10) : null);
const FINAL = new Set(['hired', 'rejected', 'withdrawn']);

export function createPortalService(deps: {
  db: TenantDb;
  audit: AuditLog;
  redis: Redis;
  redisPrefix: string;
  clock: () => Date;
  applications: Pick<ApplicationService, 'withdrawByCandidate'>;
  interviews: Pick<InterviewService, 'reissueInviteForCandidate' | 'cancelForWithdrawal'>;
  exports: Pick<CandidateExportService, 'collect' | 'exportForCandidate'>;
  rights: Pick<RightsService, 'createFromCandidate'>;
  exportsPerHour?: number;
}) {
  const { db, clock } = deps;

  /** Each application of the candidate with its stage, the AI steps and the notices accepted. */
  async function status(s: PortalSession): Promise<StatusApplication[]> {
    const { data } = await db.withTenantTx(s.org.id, (tx) => deps.exports.collect(tx, s.org.id, s.candidateId));
    const now = clock().getTime();
    return data.applications.map((a) => {
      const consentEvent = a.timeline.find((e) => e.type === 'consent.recorded' || e.type === 'application.created');
      const aiFree = a.timeline.some((e) => (e.type === 'consent.recorded' || e.type === 'application.created') && (e.data as { humanReviewOnly?: unknown } | null)?.humanReviewOnly === true);
      const notices: StatusApplication['notices'] = [];
      if (a.consent) notices.push({ kind: 'application', version: a.consent.noticeVersion, acceptedOn: day(a.consent.consentedAt) ?? day(consentEvent?.at) });
      for (const e of a.timeline) {
        const d = e.data as { noticeVersion?: unknown } | null;
        if (e.type === 'interview.consented' && typeof d?.noticeVersion === 'string') notices.push({ kind: 'interview', version: d.noticeVersion, acceptedOn: day(e.at) });
      }
      return {
        id: a.id,
        jobTitle: a.jobTitle,
        stage: a.stage,
        appliedOn: a.createdAt.slice(0, 10),
        open: !FINAL.has(a.stage.kind),
        aiFree,
        screenings: a.screenings.map((x) => ({ status: x.status, completedOn: day(x.completedAt) })),
        interviews: a.interviews.map((i) => ({
          id: i.id,
          mode: i.mode,
          status: i.status,
          scheduledFor: i.scheduledFor,
          // The interviews service decides at the click (cutoffs); this only hides what is clearly over.
          bookable: !FINAL.has(a.stage.kind) && (i.status === 'invited' || (i.status === 'scheduled' && i.mode === 'phone' && i.scheduledFor !== null && Date.parse(i.scheduledFor) > now)),
        })),
        notices,
      };
    });
  }

  return {
    /** The link is live (for the page that asks to continue): 404 unknown (or another org's), 410 used or expired. */
    async checkLink(org: PortalOrg, token: string): Promise<void> {
      const row = await db.withTenant(org.id, (q) => findLinkByHash(q, hashPortalToken(token)));
      if (!row) throw new NotFoundError({ resource: 'Sign-in link', detail: 'This sign-in link is not valid here. Ask for a new one.', i18n: { key: 'portal.errorLinkInvalid' } });
      if (row.used_at) throw new GoneError({ detail: 'This sign-in link has already been used. Ask for a new one.', i18n: { key: 'portal.errorLinkUsed' } });
      if (row.expires_at <= clock()) throw new GoneError({ detail: 'This sign-in link has expired. Ask for a new one.', i18n: { key: 'portal.errorLinkExpired' } });
    },

    /** Exchanges the link (once) for a session; returns the session cookie's value. */
    async exchange(org: PortalOrg, token: string, requestId: string | null): Promise<{ token: string; expiresAt: Date }> {
      const session = newToken();
      const now = clock();
      const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
      await db.withTenantTx(org.id, async (tx) => {
        const row = await findLinkByHash(tx, hashPortalToken(token), true);
        if (!row) throw new NotFoundError({ resource: 'Sign-in link', detail: 'This sign-in link is not valid here. Ask for a new one.', i18n: { key: 'portal.errorLinkInvalid' } });
        if (row.used_at) throw new GoneError({ detail: 'This sign-in link has already been used. Ask for a new one.', i18n: { key: 'portal.errorLinkUsed' } });
        if (row.expires_at <= now) throw new GoneError({ detail: 'This sign-in link has expired. Ask for a new one.', i18n: { key: 'portal.errorLinkExpired' } });
        await markLinkUsed(tx, row.id, now);
        const id = randomUUID();
        await insertSession(tx, { id, orgId: org.id, candidateId: row.candidate_id, linkId: row.id, tokenHash: hashPortalToken(session), expiresAt });
        await deps.audit.recordIn(tx, org.id, { action: 'portal.signed_in', actor: { type: 'candidate', id: null }, target: { type: 'candidate', id: row.candidate_id }, metadata: { linkId: row.id, sessionId: id }, requestId });
      });
      return { token: session, expiresAt };
    },

    /** The live session behind a cookie value in this org, or null. */
    async session(org: PortalOrg, token: string): Promise<PortalSession | null> {
      const row = await db.withTenant(org.id, (q) => findSessionByHash(q, hashPortalToken(token), clock()));
      return row ? { org, sessionId: row.id, candidateId: row.candidate_id, token } : null;
    },

    async signOut(s: PortalSession): Promise<void> {
      await db.withTenantTx(s.org.id, (tx) => deleteSession(tx, s.sessionId));
    },

    status,

    /** The language and time zone the candidate's pages are in (their latest application's). */
    language(s: PortalSession): Promise<{ locale: string | null; timeZone: string | null }> {
      return db.withTenant(s.org.id, (q) => candidateLanguage(q, s.candidateId));
    },

    async withdraw(s: PortalSession, applicationId: string, requestId: string | null): Promise<{ jobTitle: string }> {
      const apps = await status(s);
      const app = apps.find((a) => a.id === applicationId);
      if (!app) throw new NotFoundError({ resource: 'Application', i18n: { key: 'portal.errorNoApplication' } });
      await deps.applications.withdrawByCandidate(s.org.id, s.candidateId, applicationId, requestId);
      await deps.interviews.cancelForWithdrawal(s.org.id, s.candidateId, applicationId, requestId);
      return { jobTitle: app.jobTitle };
    },

    /** A fresh self-booking link for one of the candidate's interviews. */
    openInterview(s: PortalSession, interviewId: string, requestId: string | null): Promise<string> {
      return deps.interviews.reissueInviteForCandidate(s.org.id, s.candidateId, interviewId, requestId);
    },

    /** The candidate's data (the privacy export), a few times an hour at most. */
    async export(s: PortalSession, requestId: string | null) {
      const window = Math.floor(clock().getTime() / 3_600_000);
      const key = `${deps.redisPrefix}:portal:export:${s.candidateId}:${window}`;
      const replies = await deps.redis.multi().incr(key).pexpire(key, 3_600_000).exec();
      if (Number(replies?.[0]?.[1] ?? 0) > (deps.exportsPerHour ?? EXPORTS_PER_HOUR)) {
        throw new TooManyRequestsError(Math.max(1, Math.ceil(((window + 1) * 3_600_000 - clock().getTime()) / 1000)), { detail: 'You downloaded your data several times this hour; please try again later.', i18n: { key: 'portal.errorTooManyExports' } });
      }
      return deps.exports.exportForCandidate(s.org.id, s.candidateId, requestId);
    },

    request(s: PortalSession, type: 'human_review' | 'erasure', requestId: string | null) {
      return deps.rights.createFromCandidate(s.org.id, s.candidateId, type, requestId);
    },
  };
}

export type PortalService = ReturnType<typeof createPortalService>;
