// Magic links to the candidate status page (issue 22 item 2). A link is 32 random bytes,
// stored only as its SHA-256, single use (it is exchanged once for a session) and short
// lived. It is mailed to the address on file after a public application and whenever
// someone asks for one by e-mail on the portal; the asker always gets the same answer
// (202), whether or not the address belongs to a candidate, and the lookup and the mail
// happen after the answer so its timing says nothing either. Asking is rate limited per
// address (Redis, keyed by the org's blind index of the address, never the address).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import { TooManyRequestsError } from '../../core/errors.js';
import type { Mailer } from '../../core/mailer.js';
import { decryptCandidate } from '../candidates/index.js';
import { findCandidate, findCandidateIdByEmailIndex } from '../candidates/index.js';
import { candidateLive, candidateOfApplication, insertLink, pruneCandidate } from './repo.js';
import { linkMail } from './text.js';
import { noticeFactsIn } from '../notices/index.js';
import { mailNoticeFooter } from '../notices/index.js';
import { candidateLanguage } from './repo.js';
import { pickLocale, type Locale } from '../../core/i18n/locales.js';
import { translator } from '../../core/i18n/translator.js';
import { hashToken, newToken } from '../../core/tokens.js';

/** A link asked for on the portal is good for 30 minutes; one mailed after applying for a day. */
export const REQUEST_LINK_TTL_MS = 30 * 60_000;
export const APPLY_LINK_TTL_MS = 24 * 3_600_000;
export const LINKS_PER_EMAIL_PER_HOUR = 3;

export const hashPortalToken = hashToken;

export interface PortalOrg {
  id: string;
  slug: string;
  name: string;
}

export function createPortalLinks(deps: {
  db: TenantDb;
  audit: AuditLog;
  keyring: Keyring;
  mailer: Mailer;
  redis: Redis;
  redisPrefix: string;
  publicUrl: URL;
  clock: () => Date;
  logger: Logger;
  /** Links asked for per address per hour (tests use a small one). */
  perEmailPerHour?: number;
  /** The org's slug and display name for the mail (the public org resolver). */
  orgOf: (orgId: string) => Promise<PortalOrg | null>;
}) {
  const pending = new Set<Promise<void>>();
  const perEmail = deps.perEmailPerHour ?? LINKS_PER_EMAIL_PER_HOUR;

  /** Makes a link for the candidate and mails it to the address on file; false when the candidate is erased. */
  async function issueAndMail(org: PortalOrg, candidateId: string, reason: 'apply' | 'request', requestId: string | null, asked: Locale | null): Promise<boolean> {
    const token = newToken();
    const now = deps.clock();
    const expiresAt = new Date(now.getTime() + (reason === 'apply' ? APPLY_LINK_TTL_MS : REQUEST_LINK_TTL_MS));
    const email = await deps.db.withTenantTx(org.id, async (tx) => {
      if (!(await candidateLive(tx, candidateId))) return null;
      const row = await findCandidate(tx, candidateId);
      if (!row) return null;
      const to = decryptCandidate(await deps.keyring.candidateCipher(tx, org.id, candidateId), row).email;
      await pruneCandidate(tx, candidateId, now);
      const lang = await candidateLanguage(tx, candidateId);
      const facts = await noticeFactsIn(tx, org.id);
      const id = randomUUID();
      await insertLink(tx, { id, orgId: org.id, candidateId, tokenHash: hashPortalToken(token), reason, expiresAt });
      await deps.audit.recordIn(tx, org.id, { action: 'portal.link_sent', actor: { type: reason === 'apply' ? 'system' : 'anonymous', id: null }, target: { type: 'candidate', id: candidateId }, metadata: { linkId: id, reason, expiresAt: expiresAt.toISOString() }, requestId });
      return { to, lang, facts };
    });
    if (!email) return false;
    // The mail is in the language the link was asked for in (the page's), else the one the
    // candidate applied in; the link carries it, so the page it opens is in it too.
    const locale = asked ?? pickLocale({ content: email.lang.locale });
    const tr = translator(locale, email.lang.timeZone);
    const url = new URL(`/portal/${org.slug}/enter/${token}?lang=${locale}`, deps.publicUrl).toString();
    const start = new URL(`/portal/${org.slug}?lang=${locale}`, deps.publicUrl).toString();
    const mail = linkMail(tr, { orgName: org.name, url, startUrl: start, expiresAt, reason });
    await deps.mailer.send({ to: email.to, subject: mail.subject, text: `${mail.text}\n${mailNoticeFooter(email.facts, tr)}` });
    return true;
  }

  /** Runs after the answer; failures are logged (no address), never thrown at the asker. */
  function later(work: () => Promise<unknown>, what: string): void {
    const p = work().then(
      () => undefined,
      (err: unknown) => deps.logger.warn({ err: { message: (err as Error).message } }, `portal ${what} failed`),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }

  return {
    /** Open work (mails after the answer); the app awaits it on close. */
    async drain(): Promise<void> {
      await Promise.allSettled([...pending]);
    },

    /**
     * Someone asks for a link by e-mail. Counts the ask against the address's hourly
     * allowance (429 past it), then answers; the look-up and the mail run afterwards.
     */
    async request(org: PortalOrg, email: string, requestId: string | null, locale: Locale | null = null): Promise<void> {
      const index = await deps.db.withTenantTx(org.id, (tx) => deps.keyring.blindIndex(tx, org.id, 'email', email));
      const window = Math.floor(deps.clock().getTime() / 3_600_000);
      const key = `${deps.redisPrefix}:portal:ask:${org.id}:${index.toString('hex')}:${window}`;
      const replies = await deps.redis.multi().incr(key).pexpire(key, 3_600_000).exec();
      const count = Number(replies?.[0]?.[1] ?? 0);
      if (count > perEmail) {
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * 3_600_000 - deps.clock().getTime()) / 1000));
        throw new TooManyRequestsError(retryAfter, { detail: 'Too many links were asked for this address; please use the newest one you received or try again later.', i18n: { key: 'portal.errorTooManyLinks' } });
      }
      later(async () => {
        const candidateId = await deps.db.withTenant(org.id, (q) => findCandidateIdByEmailIndex(q, index));
        if (candidateId) await issueAndMail(org, candidateId, 'request', requestId, locale);
      }, 'link request');
    },

    /** Application hook (after commit): a new public application mails the candidate their status-page link. */
    async afterSubmit(orgId: string, e: { applicationId: string; created: boolean; source: 'public' | 'upload'; requestId: string | null }): Promise<void> {
      if (!e.created || e.source !== 'public') return;
      try {
        const org = await deps.orgOf(orgId);
        const candidateId = await deps.db.withTenant(orgId, (q) => candidateOfApplication(q, e.applicationId));
        if (org && candidateId) await issueAndMail(org, candidateId, 'apply', e.requestId, null);
      } catch (err) {
        // The application stands; the candidate can ask for a link on the portal.
        deps.logger.warn({ err: { message: (err as Error).message } }, 'portal link after apply failed');
      }
    },
  };
}

export type PortalLinks = ReturnType<typeof createPortalLinks>;
