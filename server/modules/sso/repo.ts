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

export interface SsoSettingsWrite {
  issuer: string;
  clientId: string;
  /** null keeps the stored secret. */
  clientSecretEnc: Buffer | null;
  allowedDomains: string[];
  defaultRole: SsoRole;
  requireSso: boolean;
  trustIdpMfa: boolean;
  mfaAcrValues: string[];
  breakGlassUserId: string | null;
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

/** Global table: the user's id, creating a password-less user for a new email. */
export async function findOrCreateUserByEmail(q: Queryable, email: string): Promise<{ id: string; created: boolean }> {
  const inserted = await q.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, NULL) ON CONFLICT (email) DO NOTHING RETURNING id', [email]);
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const { rows } = await q.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
  const row = rows[0];
  if (!row) throw new Error('user vanished between insert and select');
  return { id: row.id, created: false };
}
