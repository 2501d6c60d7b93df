// Sessions are global rows (looked up by token before any tenant is known). Only the
// SHA-256 of the opaque token is stored.
import type { Queryable } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';

export interface SessionRecord {
  id: string;
  userId: string;
  orgId: string | null;
  role: Role | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  mfaVerifiedAt: Date | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  active_org_id: string | null;
  role: Role | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  mfa_verified_at: Date | null;
}

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  orgId: r.active_org_id,
  role: r.role,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  mfaVerifiedAt: r.mfa_verified_at,
});

export async function findLiveSession(db: Queryable, tokenHash: Buffer, now: Date): Promise<SessionRecord | null> {
  const { rows } = await db.query<SessionRow>(
    `SELECT s.id, s.user_id, s.active_org_id, s.role, s.created_at, s.last_seen_at, s.expires_at, s.mfa_verified_at
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL`,
    [tokenHash, now],
  );
  return rows[0] ? toSession(rows[0]) : null;
}

export async function insertSession(
  db: Queryable,
  s: { tokenHash: Buffer; userId: string; orgId: string | null; role: Role | null; expiresAt: Date; mfaVerifiedAt: Date | null; ip?: string | null; userAgent?: string | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO sessions (token_hash, user_id, active_org_id, role, expires_at, mfa_verified_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [s.tokenHash, s.userId, s.orgId, s.role, s.expiresAt, s.mfaVerifiedAt, s.ip ?? null, s.userAgent ?? null],
  );
  return (rows[0] as { id: string }).id;
}

export async function touchSession(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [id, now]);
}

export async function revokeSession(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
}

export async function findUserEmail(db: Queryable, userId: string): Promise<{ email: string; displayName: string | null } | null> {
  const { rows } = await db.query<{ email: string; display_name: string | null }>('SELECT email, display_name FROM users WHERE id = $1', [userId]);
  return rows[0] ? { email: rows[0].email, displayName: rows[0].display_name } : null;
}
