// Creating an org and its first admin (CLI `hirebox org create`, demo seed).
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../../core/audit.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { ConflictError, ValidationError } from '../../core/errors.js';
import { isUnstorable } from '../../core/input-text.js';
import { hasBidiControls } from '../../core/schemas.js';
import { hashPassword, newPasswordProblem } from '../auth/index.js';
import { hashToken, newToken } from '../../core/tokens.js';
import { insertToken, insertUserWithPassword, updatePasswordHash } from '../auth/index.js';
import { findUserIdByEmail, insertOrg, slugTaken, upsertMembership } from './repo.js';
import { normaliseEmail } from '../../core/email.js';
import { listOrgIds } from './repo.js';

export const SETUP_LINK_TTL_MS = 72 * 3_600_000;

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || 'org';
}

const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{2,}$/;

export interface CreateOrgInput {
  name: string;
  adminEmail: string;
  /** Initial password; without it a one-time setup link is issued. */
  adminPassword?: string;
  slug?: string;
}

export interface CreateOrgResult {
  orgId: string;
  slug: string;
  userId: string;
  setupUrl?: string;
}

// GlobalDb: creating an org (and its first admin) happens before the tenant exists.
export function createOrgService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; publicUrl: URL; clock: () => Date }) {
  return {
    async createOrg(input: CreateOrgInput): Promise<CreateOrgResult> {
      const name = input.name.trim();
      const email = normaliseEmail(input.adminEmail);
      const problems: { path: string; message: string }[] = [];
      if (name.length < 1 || name.length > 200) problems.push({ path: 'name', message: 'must be 1-200 characters' });
      // The org name is shown to members and candidates (issue 14 L2).
      if (hasBidiControls(name) || isUnstorable(name)) problems.push({ path: 'name', message: 'must not contain bidirectional control, NUL or unpaired surrogate characters' });
      if (!EMAIL_SHAPE.test(email) || email.length > 254) problems.push({ path: 'adminEmail', message: 'is not an email address' });
      const pwProblem = input.adminPassword === undefined ? null : newPasswordProblem(input.adminPassword, { email });
      if (pwProblem) problems.push({ path: 'password', message: pwProblem });
      if (problems.length) throw new ValidationError(problems, 'The organisation cannot be created.');

      const passwordHash = input.adminPassword === undefined ? null : await hashPassword(input.adminPassword);
      const setupToken = passwordHash ? null : newToken();

      const created = await deps.db.tx(async (tx) => {
        let slug = input.slug ?? slugify(name);
        if (await slugTaken(tx, slug)) {
          if (input.slug) throw new ConflictError({ detail: `The slug "${slug}" is taken.` });
          slug = `${slug.slice(0, 54)}-${randomBytes(3).toString('hex')}`;
        }
        const org = await insertOrg(tx, { name, slug });
        let userId = await findUserIdByEmail(tx, email);
        if (!userId) userId = await insertUserWithPassword(tx, email, passwordHash);
        else if (passwordHash) await updatePasswordHash(tx, userId, passwordHash, true);
        if (setupToken) {
          await insertToken(tx, {
            userId,
            purpose: 'setup',
            tokenHash: hashToken(setupToken),
            expiresAt: new Date(deps.clock().getTime() + SETUP_LINK_TTL_MS),
          });
        }
        return { orgId: org.id, slug, userId };
      });

      await deps.db.withTenantTx(created.orgId, async (tx) => {
        await upsertMembership(tx, { orgId: created.orgId, userId: created.userId, role: 'admin' });
        await deps.audit.recordIn(tx, created.orgId, {
          action: 'org.created',
          actor: { type: 'system' },
          target: { type: 'org', id: created.orgId },
          metadata: { slug: created.slug, adminUserId: created.userId, initialPassword: passwordHash ? 'set' : 'setup_link' },
        });
      });

      return setupToken ? { ...created, setupUrl: new URL(`/setup/${setupToken}`, deps.publicUrl).toString() } : created;
    },
  };
}

export type OrgService = ReturnType<typeof createOrgService>;

/** Every org's id, oldest first (operator and worker sweeps that visit each org in turn). */
// GlobalDb: the list of orgs is itself global.
export async function allOrgIds(db: Pick<GlobalDb, 'pool'>): Promise<string[]> {
  return listOrgIds(db.pool);
}
