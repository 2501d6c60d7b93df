// Memberships are tenant rows: every function here runs in the caller's tenant context.
import type { Queryable } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';

export interface MemberRow {
  userId: string;
  email: string;
  displayName: string | null;
  role: Role;
  mfaEnabled: boolean;
  joinedAt: Date;
}

export async function listMembers(db: Queryable): Promise<MemberRow[]> {
  const { rows } = await db.query<{ user_id: string; email: string; display_name: string | null; role: Role; mfa: boolean; created_at: Date }>(
    `SELECT m.user_id, u.email, u.display_name, m.role, u.totp_enabled_at IS NOT NULL AS mfa, m.created_at
       FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY m.created_at, u.email LIMIT 1000`,
  );
  return rows.map((r) => ({ userId: r.user_id, email: r.email, displayName: r.display_name, role: r.role, mfaEnabled: r.mfa, joinedAt: r.created_at }));
}

export async function findMemberRole(db: Queryable, userId: string): Promise<Role | null> {
  const { rows } = await db.query<{ role: Role }>('SELECT role FROM memberships WHERE user_id = $1 FOR UPDATE', [userId]);
  return rows[0]?.role ?? null;
}

export async function countAdmins(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM memberships WHERE role = 'admin'");
  return rows[0]?.n ?? 0;
}

export async function setMemberRole(db: Queryable, userId: string, role: Role): Promise<void> {
  await db.query('UPDATE memberships SET role = $2 WHERE user_id = $1', [userId, role]);
}

export async function deleteMember(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM memberships WHERE user_id = $1', [userId]);
}

export async function insertMember(db: Queryable, orgId: string, userId: string, role: Role): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [orgId, userId, role]);
  return (rowCount ?? 0) === 1;
}

/**
 * How many orgs a person belongs to, every org counted (offboarding ones too). Runs in
 * the person's own user context (db.withUserTx(userId)): the memberships_own_read policy
 * shows that person's memberships and nothing else, and only the count leaves this
 * function, so an org admin learns "only here" or "elsewhere too", never which orgs.
 */
export async function countOrgsOfUser(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM memberships WHERE user_id = $1', [userId]);
  return rows[0]?.n ?? 0;
}
