// SQL for per-org OIDC SSO. org_auth_settings and memberships are tenant tables: every
// function here runs inside the caller's tenant context (withTenant / withTenantTx).
// orgs and users are global.
import type { Queryable } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';

export type SsoRole = Exclude<Role, 'admin'>;

export interface SsoSettingsRecord {
  issuer: string | null;
  clientId: string | null;
  clientSecretEnc: Buffer | null;
  allowedDomains: string[];
  defaultRole: SsoRole;
  requireSso: boolean;
  trustIdpMfa: boolean;
  mfaAcrValues: string[];
  breakGlassUserId: string | null;
  updatedAt: Date | null;
}

interface SettingsRow {
  sso_issuer: string | null;
  sso_client_id: string | null;
  sso_client_secret_enc: Buffer | null;
  sso_allowed_domains: string[];
  sso_default_role: SsoRole;
  sso_required: boolean;
  sso_trust_idp_mfa: boolean;
  sso_mfa_acr_values: string[];
  break_glass_user_id: string | null;
  updated_at: Date;
}

const EMPTY: SsoSettingsRecord = {
  issuer: null,
  clientId: null,
  clientSecretEnc: null,
  allowedDomains: [],
  defaultRole: 'recruiter',
  requireSso: false,
  trustIdpMfa: false,
  mfaAcrValues: [],
  breakGlassUserId: null,
  updatedAt: null,
};

/** The org's SSO settings (defaults when the org has no settings row yet). */
export async function getSsoSettings(q: Queryable, orgId: string): Promise<SsoSettingsRecord> {
  const { rows } = await q.query<SettingsRow>(
    `SELECT sso_issuer, sso_client_id, sso_client_secret_enc, sso_allowed_domains, sso_default_role, sso_required,
            sso_trust_idp_mfa, sso_mfa_acr_values, break_glass_user_id, updated_at
       FROM org_auth_settings WHERE org_id = $1`,
    [orgId],
  );
  const r = rows[0];
  if (!r) return { ...EMPTY };
  return {
    issuer: r.sso_issuer,
    clientId: r.sso_client_id,
    clientSecretEnc: r.sso_client_secret_enc,
    allowedDomains: r.sso_allowed_domains,
    defaultRole: r.sso_default_role,
    requireSso: r.sso_required,
    trustIdpMfa: r.sso_trust_idp_mfa,
    mfaAcrValues: r.sso_mfa_acr_values,
    breakGlassUserId: r.break_glass_user_id,
    updatedAt: r.updated_at,
  };
}

/** The stored settings, with the issuer and client now required. */
export interface SsoSettingsWrite extends Omit<SsoSettingsRecord, 'issuer' | 'clientId' | 'clientSecretEnc' | 'updatedAt'> {
  issuer: string;
  clientId: string;
  /** null keeps the stored secret. */
  clientSecretEnc: Buffer | null;
}

/** Must run in a tenant transaction for orgId. */
export async function upsertSsoSettings(tx: Queryable, orgId: string, s: SsoSettingsWrite): Promise<void> {
  await tx.query(
    `INSERT INTO org_auth_settings (org_id, sso_issuer, sso_client_id, sso_client_secret_enc, sso_allowed_domains, sso_default_role,
                                    sso_required, sso_trust_idp_mfa, sso_mfa_acr_values, break_glass_user_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
     ON CONFLICT (org_id) DO UPDATE SET
       sso_issuer = EXCLUDED.sso_issuer,
       sso_client_id = EXCLUDED.sso_client_id,
       sso_client_secret_enc = COALESCE(EXCLUDED.sso_client_secret_enc, org_auth_settings.sso_client_secret_enc),
       sso_allowed_domains = EXCLUDED.sso_allowed_domains,
       sso_default_role = EXCLUDED.sso_default_role,
       sso_required = EXCLUDED.sso_required,
       sso_trust_idp_mfa = EXCLUDED.sso_trust_idp_mfa,
       sso_mfa_acr_values = EXCLUDED.sso_mfa_acr_values,
       break_glass_user_id = EXCLUDED.break_glass_user_id,
       updated_at = now()`,
    [orgId, s.issuer, s.clientId, s.clientSecretEnc, s.allowedDomains, s.defaultRole, s.requireSso, s.trustIdpMfa, s.mfaAcrValues, s.breakGlassUserId],
  );
}

/** Global table. An org being offboarded has no SSO sign-in. */
export async function findOrgIdBySlug(q: Queryable, slug: string): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM orgs WHERE slug = $1 AND offboarding_started_at IS NULL', [slug]);
  return rows[0]?.id ?? null;
}

/** Tenant context: the member's role in the current org, or null. */
export async function memberRole(q: Queryable, userId: string): Promise<Role | null> {
  const { rows } = await q.query<{ role: Role }>('SELECT role FROM memberships WHERE user_id = $1', [userId]);
  return rows[0]?.role ?? null;
}

/** Tenant transaction: adds a membership; false when the user is a member already. */
export async function insertMembershipIfAbsent(tx: Queryable, orgId: string, userId: string, role: Role): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (org_id, user_id) DO NOTHING', [orgId, userId, role]);
  return (rowCount ?? 0) === 1;
}

// --- SSO identities (global: one IdP identity is one person) ------------------------------

/** Global table: the account an IdP identity is bound to, or null. */
export async function findIdentityUser(q: Queryable, issuer: string, subject: string): Promise<string | null> {
  const { rows } = await q.query<{ user_id: string }>('UPDATE sso_identities SET last_used_at = now() WHERE issuer = $1 AND subject = $2 RETURNING user_id', [issuer, subject]);
  return rows[0]?.user_id ?? null;
}

/** Global table: binds (issuer, subject) to the user; false when it is bound to someone else. */
export async function bindIdentity(q: Queryable, b: { issuer: string; subject: string; userId: string; via: 'jit' | 'proof'; orgId: string }): Promise<boolean> {
  await q.query(
    `INSERT INTO sso_identities (issuer, subject, user_id, linked_via, linked_org_id, last_used_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (issuer, subject) DO NOTHING`,
    [b.issuer, b.subject, b.userId, b.via, b.orgId],
  );
  const { rows } = await q.query<{ user_id: string }>('SELECT user_id FROM sso_identities WHERE issuer = $1 AND subject = $2', [b.issuer, b.subject]);
  return rows[0]?.user_id === b.userId;
}

/** Global table: a new password-less user, or null when the address already has an account. */
export async function createUserForEmail(q: Queryable, email: string): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, NULL) ON CONFLICT (email) DO NOTHING RETURNING id', [email]);
  return rows[0]?.id ?? null;
}

// --- SSO domain ownership (tenant table sso_domains) -------------------------------------

export type DomainCheck = 'verified' | 'not_found' | 'mismatch' | 'dns_error';

export interface SsoDomainRecord {
  domain: string;
  challenge: string;
  verifiedAt: Date | null;
  verifiedVia: 'dns' | 'operator' | null;
  lastCheckedAt: Date | null;
  lastCheck: DomainCheck | null;
}

interface DomainRow {
  domain: string;
  challenge: string;
  verified_at: Date | null;
  verified_via: 'dns' | 'operator' | null;
  last_checked_at: Date | null;
  last_check: DomainCheck | null;
}
const toDomain = (r: DomainRow): SsoDomainRecord => ({
  domain: r.domain,
  challenge: r.challenge,
  verifiedAt: r.verified_at,
  verifiedVia: r.verified_via,
  lastCheckedAt: r.last_checked_at,
  lastCheck: r.last_check,
});
const DOMAIN_COLUMNS = 'domain, challenge, verified_at, verified_via, last_checked_at, last_check';

/** Tenant context: the org's domain records. */
export async function listSsoDomains(q: Queryable): Promise<SsoDomainRecord[]> {
  const { rows } = await q.query<DomainRow>(`SELECT ${DOMAIN_COLUMNS} FROM sso_domains ORDER BY domain`);
  return rows.map(toDomain);
}

/** Tenant context: one domain record, or null. */
export async function getSsoDomain(q: Queryable, domain: string): Promise<SsoDomainRecord | null> {
  const { rows } = await q.query<DomainRow>(`SELECT ${DOMAIN_COLUMNS} FROM sso_domains WHERE domain = $1`, [domain]);
  return rows[0] ? toDomain(rows[0]) : null;
}

/** Tenant transaction: a pending record with this challenge unless the domain has one already. */
export async function ensureSsoDomain(tx: Queryable, orgId: string, domain: string, challenge: string): Promise<SsoDomainRecord> {
  await tx.query('INSERT INTO sso_domains (org_id, domain, challenge) VALUES ($1, $2, $3) ON CONFLICT (org_id, domain) DO NOTHING', [orgId, domain, challenge]);
  return (await getSsoDomain(tx, domain)) as SsoDomainRecord;
}

/** Tenant transaction: records a DNS check; a successful one verifies the domain. */
export async function recordDomainCheck(tx: Queryable, domain: string, check: DomainCheck, now: Date): Promise<SsoDomainRecord | null> {
  const { rows } = await tx.query<DomainRow>(
    `UPDATE sso_domains SET last_checked_at = $3, last_check = $2,
            verified_at = CASE WHEN $2 = 'verified' AND verified_at IS NULL THEN $3 ELSE verified_at END,
            verified_via = CASE WHEN $2 = 'verified' AND verified_at IS NULL THEN 'dns' ELSE verified_via END
      WHERE domain = $1 RETURNING ${DOMAIN_COLUMNS}`,
    [domain, check, now],
  );
  return rows[0] ? toDomain(rows[0]) : null;
}

/** Tenant transaction: the operator's approval; false when it was verified already. */
export async function approveSsoDomainRow(tx: Queryable, orgId: string, domain: string, challenge: string, now: Date): Promise<boolean> {
  await tx.query('INSERT INTO sso_domains (org_id, domain, challenge) VALUES ($1, $2, $3) ON CONFLICT (org_id, domain) DO NOTHING', [orgId, domain, challenge]);
  const { rowCount } = await tx.query("UPDATE sso_domains SET verified_at = $2, verified_via = 'operator' WHERE domain = $1 AND verified_at IS NULL", [domain, now]);
  return (rowCount ?? 0) === 1;
}

/** Tenant context: whether the org has proved (or the operator approved) this domain. */
export async function isSsoDomainVerified(q: Queryable, domain: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM sso_domains WHERE domain = $1 AND verified_at IS NOT NULL', [domain]);
  return rows.length > 0;
}
