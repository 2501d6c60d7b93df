// orgs and users are global tables; memberships is a tenant table (RLS).
import type { Queryable } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';

export async function insertOrg(db: Queryable, org: { name: string; slug: string }): Promise<{ id: string }> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO orgs (name, slug) VALUES ($1, $2) RETURNING id', [org.name, org.slug]);
  return rows[0] as { id: string };
}

export async function slugTaken(db: Queryable, slug: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM orgs WHERE slug = $1', [slug]);
  return (rowCount ?? 0) > 0;
}

/** Public pages: an org being offboarded (DESIGN section 9) is not found. */
export async function findOrgBySlug(db: Queryable, slug: string): Promise<{ id: string; name: string } | null> {
  const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM orgs WHERE slug = $1 AND offboarding_started_at IS NULL', [slug]);
  return rows[0] ?? null;
}

export async function listOrgIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM orgs ORDER BY created_at, id');
  return rows.map((r) => r.id);
}

export async function findUserIdByEmail(db: Queryable, email: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
  return rows[0]?.id ?? null;
}

/** Must run in a tenant transaction for orgId. */
export async function upsertMembership(tx: Queryable, m: { orgId: string; userId: string; role: Role }): Promise<void> {
  await tx.query(
    `INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
    [m.orgId, m.userId, m.role],
  );
}

/** The org's display name, read in its tenant (null: no such org). Mails, notices and candidate pages show it. */
export async function orgName(q: Queryable, orgId: string): Promise<string | null> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM orgs WHERE id = $1', [orgId]);
  return rows[0]?.name ?? null;
}

/** The org's name and public slug, read in its tenant (null: no such org). */
export async function orgProfile(q: Queryable, orgId: string): Promise<{ name: string; slug: string } | null> {
  const { rows } = await q.query<{ name: string; slug: string }>('SELECT name, slug FROM orgs WHERE id = $1', [orgId]);
  return rows[0] ?? null;
}
