// SQL for sign-in. users, sessions, user_tokens and recovery_codes are global tables
// (looked up before any tenant is known); memberships and org_auth_settings are tenant
// tables read through the caller's tenant or user context.
import type { Queryable } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';

export interface UserAuthRecord {
  id: string;
  email: string;
  displayName: string | null;
  passwordHash: string | null;
  totpSecretEnc: Buffer | null;
  totpPendingSecretEnc: Buffer | null;
  /** The half-session the pending secret was issued to (issue 21): the same session gets the same secret. */
  totpPendingSessionId: string | null;
  totpLastStep: number | null;
  disabledAt: Date | null;
}

const USER_COLUMNS = 'id, email, display_name, password_hash, totp_secret_enc, totp_pending_secret_enc, totp_pending_session_id, totp_last_step, disabled_at';

interface UserRow {
  id: string;
  email: string;
  display_name: string | null;
  password_hash: string | null;
  totp_secret_enc: Buffer | null;
  totp_pending_secret_enc: Buffer | null;
  totp_pending_session_id: string | null;
  totp_last_step: number | null;
  disabled_at: Date | null;
}

const toUser = (r: UserRow): UserAuthRecord => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  totpSecretEnc: r.totp_secret_enc,
  totpPendingSecretEnc: r.totp_pending_secret_enc,
  totpPendingSessionId: r.totp_pending_session_id,
  totpLastStep: r.totp_last_step,
  disabledAt: r.disabled_at,
});

export async function findUserByEmail(db: Queryable, email: string): Promise<UserAuthRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function findUserById(db: Queryable, id: string): Promise<UserAuthRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function insertUserWithPassword(db: Queryable, email: string, passwordHash: string | null): Promise<string> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO users (email, password_hash, password_changed_at) VALUES ($1, $2, now()) RETURNING id', [email, passwordHash]);
  return (rows[0] as { id: string }).id;
}

export async function updatePasswordHash(db: Queryable, userId: string, hash: string, changed: boolean): Promise<void> {
  await db.query(`UPDATE users SET password_hash = $2${changed ? ', password_changed_at = now()' : ''} WHERE id = $1`, [userId, hash]);
}

/** False when another account already uses the address. */
export async function setTotpPending(db: Queryable, userId: string, sealed: Buffer, sessionId: string): Promise<void> {
  await db.query('UPDATE users SET totp_pending_secret_enc = $2, totp_pending_session_id = $3 WHERE id = $1', [userId, sealed, sessionId]);
}

export async function enableTotp(db: Queryable, userId: string, sealed: Buffer, step: number): Promise<void> {
  await db.query(
    'UPDATE users SET totp_secret_enc = $2, totp_pending_secret_enc = NULL, totp_pending_session_id = NULL, totp_enabled_at = now(), totp_last_step = $3 WHERE id = $1',
    [userId, sealed, step],
  );
}

/** Claims a time step atomically: false when that step (or a later one) was used already. */
export async function claimTotpStep(db: Queryable, userId: string, step: number): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [userId, step]);
  return (rowCount ?? 0) === 1;
}

export async function clearTotp(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE users SET totp_secret_enc = NULL, totp_pending_secret_enc = NULL, totp_pending_session_id = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1', [userId]);
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
}

export async function replaceRecoveryCodes(db: Queryable, userId: string, hashes: Buffer[]): Promise<void> {
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  await db.query('INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])', [userId, hashes]);
}

export async function useRecoveryCode(db: Queryable, userId: string, hash: Buffer): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL', [userId, hash]);
  return (rowCount ?? 0) === 1;
}

export async function countUnusedRecoveryCodes(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL', [userId]);
  return rows[0]?.n ?? 0;
}

// --- sessions --------------------------------------------------------------------------

export interface SessionRecord {
  id: string;
  userId: string;
  orgId: string | null;
  role: Role | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  idleTimeoutSeconds: number;
  mfaVerifiedAt: Date | null;
  reauthenticatedAt: Date | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  active_org_id: string | null;
  role: Role | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  idle_timeout_seconds: number;
  mfa_verified_at: Date | null;
  reauthenticated_at: Date | null;
}

const SESSION_COLUMNS = 's.id, s.user_id, s.active_org_id, s.role, s.created_at, s.last_seen_at, s.expires_at, s.idle_timeout_seconds, s.mfa_verified_at, s.reauthenticated_at';

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  orgId: r.active_org_id,
  role: r.role,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  idleTimeoutSeconds: r.idle_timeout_seconds,
  mfaVerifiedAt: r.mfa_verified_at,
  reauthenticatedAt: r.reauthenticated_at,
});

export async function findLiveSession(db: Queryable, tokenHash: Buffer, now: Date): Promise<SessionRecord | null> {
  const { rows } = await db.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS}
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL`,
    [tokenHash, now],
  );
  return rows[0] ? toSession(rows[0]) : null;
}

export interface NewSession {
  tokenHash: Buffer;
  userId: string;
  orgId: string | null;
  role: Role | null;
  expiresAt: Date;
  idleTimeoutSeconds: number;
  mfaVerifiedAt: Date | null;
  reauthenticatedAt: Date | null;
  ip?: string | null;
  userAgent?: string | null;
  now: Date;
}

export async function insertSession(db: Queryable, s: NewSession): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO sessions (token_hash, user_id, active_org_id, role, expires_at, idle_timeout_seconds, mfa_verified_at, reauthenticated_at, ip, user_agent, created_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
    [s.tokenHash, s.userId, s.orgId, s.role, s.expiresAt, s.idleTimeoutSeconds, s.mfaVerifiedAt, s.reauthenticatedAt, s.ip ?? null, s.userAgent ?? null, s.now],
  );
  return (rows[0] as { id: string }).id;
}

export async function touchSession(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [id, now]);
}

export async function revokeSession(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
}

/** Revokes a user's sessions (optionally only those in one org, or all but one). */
/** scope.orgId: only sessions active in that org (plus, with scope.orgless, those with no org chosen yet). */
export async function revokeUserSessions(db: Queryable, userId: string, now: Date, scope: { orgId?: string; orgless?: boolean; exceptId?: string } = {}): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE sessions SET revoked_at = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR active_org_id = $3 OR ($5 AND active_org_id IS NULL)) AND ($4::uuid IS NULL OR id <> $4)
      RETURNING id`,
    [userId, now, scope.orgId ?? null, scope.exceptId ?? null, scope.orgless === true],
  );
  return rows.map((r) => r.id);
}

export async function listUserSessions(db: Queryable, userId: string, now: Date): Promise<(SessionRecord & { ip: string | null; userAgent: string | null })[]> {
  const { rows } = await db.query<SessionRow & { ip: string | null; user_agent: string | null }>(
    `SELECT ${SESSION_COLUMNS}, host(s.ip) AS ip, s.user_agent FROM sessions s
      WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 ORDER BY s.created_at DESC LIMIT 100`,
    [userId, now],
  );
  return rows.map((r) => ({ ...toSession(r), ip: r.ip, userAgent: r.user_agent }));
}

export async function findUserEmail(db: Queryable, userId: string): Promise<{ email: string; displayName: string | null } | null> {
  const { rows } = await db.query<{ email: string; display_name: string | null }>('SELECT email, display_name FROM users WHERE id = $1', [userId]);
  return rows[0] ? { email: rows[0].email, displayName: rows[0].display_name } : null;
}

// --- memberships and org policy --------------------------------------------------------

export interface MembershipView {
  orgId: string;
  slug: string;
  name: string;
  role: Role;
}

/** Needs a user context (withUserTx): the policy shows a user's own memberships. */
export async function listMembershipsOfUser(db: Queryable, userId: string): Promise<MembershipView[]> {
  const { rows } = await db.query<{ org_id: string; slug: string; name: string; role: Role }>(
    // An org being offboarded (DESIGN section 9) is not offered: its members cannot sign in to it.
    'SELECT m.org_id, o.slug, o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE m.user_id = $1 AND o.offboarding_started_at IS NULL ORDER BY m.created_at, o.slug',
    [userId],
  );
  return rows.map((r) => ({ orgId: r.org_id, slug: r.slug, name: r.name, role: r.role }));
}

export interface OrgAuthPolicy {
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  ssoConfigured: boolean;
  ssoRequired: boolean;
  breakGlassUserId: string | null;
}

/** Needs a tenant context for orgId. */
export async function getOrgAuthPolicy(db: Queryable, orgId: string): Promise<OrgAuthPolicy> {
  const { rows } = await db.query<{ session_idle_seconds: number; session_absolute_seconds: number; sso_issuer: string | null; sso_required: boolean; break_glass_user_id: string | null }>(
    'SELECT session_idle_seconds, session_absolute_seconds, sso_issuer, sso_required, break_glass_user_id FROM org_auth_settings WHERE org_id = $1',
    [orgId],
  );
  const r = rows[0];
  return {
    sessionIdleSeconds: r?.session_idle_seconds ?? 1800,
    sessionAbsoluteSeconds: r?.session_absolute_seconds ?? 43_200,
    ssoConfigured: Boolean(r?.sso_issuer),
    ssoRequired: r?.sso_required ?? false,
    breakGlassUserId: r?.break_glass_user_id ?? null,
  };
}

/** Needs a tenant transaction for orgId. */
export async function upsertOrgSessionPolicy(db: Queryable, orgId: string, idleSeconds: number, absoluteSeconds: number): Promise<void> {
  await db.query(
    `INSERT INTO org_auth_settings (org_id, session_idle_seconds, session_absolute_seconds) VALUES ($1, $2, $3)
     ON CONFLICT (org_id) DO UPDATE SET session_idle_seconds = EXCLUDED.session_idle_seconds,
       session_absolute_seconds = EXCLUDED.session_absolute_seconds, updated_at = now()`,
    [orgId, idleSeconds, absoluteSeconds],
  );
}

// --- one-time tokens (setup, reset, invite) ----------------------------------------------

export interface TokenRecord {
  id: string;
  purpose: 'setup' | 'reset' | 'invite';
  userId: string | null;
  email: string | null;
  inviteOrgId: string | null;
  inviteRole: Role | null;
  createdBy: string | null;
}

export async function insertToken(
  db: Queryable,
  t: { purpose: 'setup' | 'reset' | 'invite'; tokenHash: Buffer; expiresAt: Date; userId?: string | null; email?: string | null; inviteOrgId?: string | null; inviteRole?: Role | null; createdBy?: string | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO user_tokens (purpose, token_hash, expires_at, user_id, email, invite_org_id, invite_role, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [t.purpose, t.tokenHash, t.expiresAt, t.userId ?? null, t.email ?? null, t.inviteOrgId ?? null, t.inviteRole ?? null, t.createdBy ?? null],
  );
  return (rows[0] as { id: string }).id;
}

interface TokenRow {
  id: string;
  purpose: TokenRecord['purpose'];
  user_id: string | null;
  email: string | null;
  invite_org_id: string | null;
  invite_role: Role | null;
  created_by: string | null;
}

const TOKEN_COLUMNS = 'id, purpose, user_id, email, invite_org_id, invite_role, created_by';

const toToken = (r: TokenRow | undefined): TokenRecord | null =>
  r ? { id: r.id, purpose: r.purpose, userId: r.user_id, email: r.email, inviteOrgId: r.invite_org_id, inviteRole: r.invite_role, createdBy: r.created_by } : null;

/** A live token without using it up (to validate input before consuming the link). */
export async function findLiveToken(db: Queryable, purpose: TokenRecord['purpose'], tokenHash: Buffer, now: Date): Promise<TokenRecord | null> {
  const { rows } = await db.query<TokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM user_tokens
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3`,
    [tokenHash, purpose, now],
  );
  return toToken(rows[0]);
}

/** Marks a live token used and returns it; null when unknown, used, revoked or expired. */
export async function consumeToken(db: Queryable, purpose: TokenRecord['purpose'], tokenHash: Buffer, now: Date): Promise<TokenRecord | null> {
  const { rows } = await db.query<TokenRow>(
    `UPDATE user_tokens SET used_at = $3
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3
      RETURNING ${TOKEN_COLUMNS}`,
    [tokenHash, purpose, now],
  );
  return toToken(rows[0]);
}

export async function revokeOpenTokens(db: Queryable, purpose: TokenRecord['purpose'], userId: string, now: Date): Promise<void> {
  await db.query('UPDATE user_tokens SET revoked_at = $3 WHERE purpose = $1 AND user_id = $2 AND used_at IS NULL AND revoked_at IS NULL', [purpose, userId, now]);
}

// --- sign-in address changes (email_changes, global) --------------------------------------

export interface EmailChangeRecord {
  id: string;
  userId: string;
  oldEmail: string;
  newEmail: string;
  confirmedAt: Date | null;
}

interface EmailChangeRow {
  id: string;
  user_id: string;
  old_email: string;
  new_email: string;
  confirmed_at: Date | null;
}
const toEmailChange = (r: EmailChangeRow | undefined): EmailChangeRecord | null =>
  r ? { id: r.id, userId: r.user_id, oldEmail: r.old_email, newEmail: r.new_email, confirmedAt: r.confirmed_at } : null;
const EMAIL_CHANGE_COLUMNS = 'id, user_id, old_email, new_email, confirmed_at';

/** A new request supersedes the user's open ones (their confirm links stop working). */
export async function insertEmailChange(
  tx: Queryable,
  c: { userId: string; oldEmail: string; newEmail: string; confirmHash: Buffer; confirmExpiresAt: Date; revertHash: Buffer; revertExpiresAt: Date; now: Date },
): Promise<void> {
  await tx.query('UPDATE email_changes SET cancelled_at = $2 WHERE user_id = $1 AND confirmed_at IS NULL AND reverted_at IS NULL AND cancelled_at IS NULL', [c.userId, c.now]);
  await tx.query(
    `INSERT INTO email_changes (user_id, old_email, new_email, confirm_token_hash, confirm_expires_at, revert_token_hash, revert_expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [c.userId, c.oldEmail, c.newEmail, c.confirmHash, c.confirmExpiresAt, c.revertHash, c.revertExpiresAt, c.now],
  );
}

/** Marks an open, unexpired change confirmed; null when the link is unknown, used, superseded or expired. */
export async function consumeEmailConfirm(tx: Queryable, confirmHash: Buffer, now: Date): Promise<EmailChangeRecord | null> {
  const { rows } = await tx.query<EmailChangeRow>(
    `UPDATE email_changes SET confirmed_at = $2
      WHERE confirm_token_hash = $1 AND confirmed_at IS NULL AND reverted_at IS NULL AND cancelled_at IS NULL AND confirm_expires_at > $2
      RETURNING ${EMAIL_CHANGE_COLUMNS}`,
    [confirmHash, now],
  );
  return toEmailChange(rows[0]);
}

/** Marks a change reverted (pending or confirmed); null when the link is unknown, used, superseded or expired. */
export async function consumeEmailRevert(tx: Queryable, revertHash: Buffer, now: Date): Promise<EmailChangeRecord | null> {
  const { rows } = await tx.query<EmailChangeRow>(
    `UPDATE email_changes SET reverted_at = $2
      WHERE revert_token_hash = $1 AND reverted_at IS NULL AND cancelled_at IS NULL AND revert_expires_at > $2
      RETURNING ${EMAIL_CHANGE_COLUMNS}`,
    [revertHash, now],
  );
  return toEmailChange(rows[0]);
}

/**
 * Moves the sign-in address from `from` to `to` when the user still has `from` and no
 * account has `to` (checked again here, at confirmation time); false otherwise.
 */
export async function switchEmail(tx: Queryable, userId: string, from: string, to: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE users SET email = $3
      WHERE id = $1 AND email = $2 AND NOT EXISTS (SELECT 1 FROM users WHERE email = $3)`,
    [userId, from, to],
  );
  return (rowCount ?? 0) === 1;
}

export async function cancelEmailChange(tx: Queryable, id: string, now: Date): Promise<void> {
  await tx.query('UPDATE email_changes SET cancelled_at = $2 WHERE id = $1', [id, now]);
}
