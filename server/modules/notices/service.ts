// Candidate notices that tell the truth: the org's configured retention and privacy
// contact, versioned. `currentNoticeIn` is called wherever a notice is shown or consent is
// taken (apply page and API, interview page and consent, candidate mails) and after a
// setting changes: it hashes the text the notice would show now and, when the hash
// differs from the latest version's, records version n+1. Consent stores that number.
import type { AuditLog } from '../../core/audit.js';
import type { Queryable, TenantDb } from '../../core/db.js';
import { ConflictError, ValidationError } from '../../core/errors.js';
import type { Ctx } from '../../core/context.js';
import { orgName } from '../orgs/index.js';
import { getRetention } from '../retention-settings/index.js';
import { getNoticeSettings, insertNoticeVersion, latestNoticeVersion, listNoticeVersions, lockNoticeVersions, upsertNoticeSettings, type NoticeVersionRow } from './repo.js';
import { noticeHash, type NoticeFacts, type PrivacyContact } from './text.js';

export interface CurrentNotice {
  version: number;
  facts: NoticeFacts;
  createdAt: Date;
}

export async function noticeFactsIn(q: Queryable, orgId: string): Promise<NoticeFacts> {
  // Issued together: on a pipelined transaction (core/db.ts) one round trip.
  const [settings, name, retention] = await Promise.all([getNoticeSettings(q), orgName(q, orgId), getRetention(q)]);
  return {
    orgName: name ?? '',
    retentionDays: retention.days,
    contact: settings ? { email: settings.privacy_contact_email, url: settings.privacy_contact_url } : null,
  };
}

/** Inside a tenant transaction: the notice as shown now, recording a new version when its text changed. */
export async function currentNoticeIn(tx: Queryable, orgId: string): Promise<CurrentNotice> {
  // The facts and the latest version are read in one round trip (on a pipelined transaction).
  const [facts, newest] = await Promise.all([noticeFactsIn(tx, orgId), latestNoticeVersion(tx)]);
  const sha = noticeHash(facts);
  let latest = newest;
  if (!latest || !latest.content_sha256.equals(sha)) {
    await lockNoticeVersions(tx, orgId);
    latest = await latestNoticeVersion(tx);
    if (!latest || !latest.content_sha256.equals(sha)) {
      latest = await insertNoticeVersion(tx, { orgId, version: (latest?.version ?? 0) + 1, sha256: sha, retentionDays: facts.retentionDays, email: facts.contact?.email ?? null, url: facts.contact?.url ?? null });
    }
  }
  return { version: latest.version, facts, createdAt: latest.created_at };
}

/** Publishing a job needs a privacy contact: the notices name it. */
export async function requirePrivacyContactIn(q: Queryable): Promise<void> {
  if (!(await getNoticeSettings(q))) {
    throw new ConflictError({
      title: 'Privacy contact missing',
      detail: 'Set the organisation\'s privacy contact (PUT /api/v1/org/privacy-contact, Settings → Privacy) before publishing a job: candidate notices must name it.',
      extra: { missing: 'privacyContact' },
    });
  }
}

const EMAIL_SHAPE = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,253}\.[^\s@<>"]{2,}$/;

/** Validates and normalises a contact; throws 400 with every problem. */
export function checkContact(input: { email?: string | null; url?: string | null }): PrivacyContact {
  const email = input.email?.trim() || null;
  const url = input.url?.trim() || null;
  const problems: { path: string; message: string }[] = [];
  if (!email && !url) problems.push({ path: 'body', message: 'must have an email or a url' });
  if (email && (email.length > 254 || !EMAIL_SHAPE.test(email))) problems.push({ path: 'body/email', message: 'is not an email address' });
  if (url) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || parsed.protocol !== 'https:' || url.length > 500 || /[\s<>"]/.test(url) || parsed.username || parsed.password) {
      problems.push({ path: 'body/url', message: 'must be an https:// URL without credentials (up to 500 characters)' });
    }
  }
  if (problems.length) throw new ValidationError(problems, 'The privacy contact is not valid.');
  return { email: email ? email.toLowerCase() : null, url };
}

export function versionView(v: NoticeVersionRow) {
  return {
    version: v.version,
    contentSha256: v.content_sha256.toString('hex'),
    retentionDays: v.retention_days,
    privacyContact: { email: v.privacy_contact_email, url: v.privacy_contact_url },
    createdAt: v.created_at.toISOString(),
  };
}

export function createNoticeService(deps: { db: TenantDb; audit: AuditLog }) {
  const { db, audit } = deps;

  async function view(orgId: string) {
    return db.withTenantTx(orgId, async (tx) => {
      const settings = await getNoticeSettings(tx);
      const current = await currentNoticeIn(tx, orgId);
      return {
        privacyContact: settings ? { email: settings.privacy_contact_email, url: settings.privacy_contact_url } : null,
        updatedAt: settings?.updated_at.toISOString() ?? null,
        updatedBy: settings?.updated_by ?? null,
        retentionDays: current.facts.retentionDays,
        noticeVersion: current.version,
      };
    });
  }

  return {
    async get(ctx: Ctx) {
      return view(ctx.orgId);
    },

    async setContact(ctx: Ctx, input: { email?: string | null; url?: string | null }) {
      const contact = checkContact(input);
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await getNoticeSettings(tx);
        const previous = before ? await currentNoticeIn(tx, ctx.orgId) : null;
        await upsertNoticeSettings(tx, ctx.orgId, contact, ctx.userId);
        const now = await currentNoticeIn(tx, ctx.orgId);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'privacy.contact_changed',
          actor: { type: 'user', id: ctx.userId },
          // The contact is the org's published address, not personal data of a candidate.
          metadata: { email: contact.email, url: contact.url, noticeVersion: now.version, previousNoticeVersion: previous?.version ?? null },
          requestId: ctx.requestId,
        });
      });
      return view(ctx.orgId);
    },

    async versions(ctx: Ctx) {
      return db.withTenantTx(ctx.orgId, async (tx) => {
        await currentNoticeIn(tx, ctx.orgId);
        return { versions: (await listNoticeVersions(tx, 100)).map(versionView) };
      });
    },
  };
}

export type NoticeService = ReturnType<typeof createNoticeService>;
