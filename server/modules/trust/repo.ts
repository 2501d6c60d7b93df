// SQL of the trust module (migration 0046): stored results (install-wide and per org),
// the operator's hidden checks, and the facts the checks read.
import type { Json } from '../../core/canonical-json.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';

export interface ResultRow {
  checkId: string;
  status: 'pass' | 'fail' | 'unknown';
  summary: string;
  evidence: Record<string, Json>;
  checkedAt: Date;
  intervalSeconds: number;
  failingSince: Date | null;
}

// Aliased to ResultRow's names, so the rows need no mapping.
const COLUMNS = 'check_id AS "checkId", status, summary, evidence, checked_at AS "checkedAt", interval_seconds AS "intervalSeconds", failing_since AS "failingSince"';

/** A result as a check run produces it; when it began failing is the store's to derive. */
export type NewResult = Omit<ResultRow, 'failingSince'>;

/** Upserts an install-wide result; returns whether the line just turned to failing. */
export async function saveInstallResult(q: Queryable, r: NewResult): Promise<{ newlyFailing: boolean }> {
  const { rows } = await q.query<{ newly: boolean }>(
    `WITH prev AS (SELECT failing_since FROM trust_results WHERE check_id = $1)
     INSERT INTO trust_results (check_id, status, summary, evidence, checked_at, interval_seconds, failing_since)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $2 = 'fail' THEN $5::timestamptz END)
     ON CONFLICT (check_id) DO UPDATE SET status = $2, summary = $3, evidence = $4, checked_at = $5, interval_seconds = $6,
       failing_since = CASE WHEN $2 = 'fail' THEN COALESCE(trust_results.failing_since, $5::timestamptz) END
     RETURNING ($2 = 'fail' AND (SELECT failing_since FROM prev) IS NULL) AS newly`,
    [r.checkId, r.status, r.summary.slice(0, 500), JSON.stringify(r.evidence), r.checkedAt, r.intervalSeconds],
  );
  return { newlyFailing: rows[0]?.newly === true };
}

export async function saveOrgResult(q: Queryable, orgId: string, r: NewResult): Promise<{ newlyFailing: boolean }> {
  const { rows } = await q.query<{ newly: boolean }>(
    `WITH prev AS (SELECT failing_since FROM trust_org_results WHERE org_id = $1 AND check_id = $2)
     INSERT INTO trust_org_results (org_id, check_id, status, summary, evidence, checked_at, interval_seconds, failing_since)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $3 = 'fail' THEN $6::timestamptz END)
     ON CONFLICT (org_id, check_id) DO UPDATE SET status = $3, summary = $4, evidence = $5, checked_at = $6, interval_seconds = $7,
       failing_since = CASE WHEN $3 = 'fail' THEN COALESCE(trust_org_results.failing_since, $6::timestamptz) END
     RETURNING ($3 = 'fail' AND (SELECT failing_since FROM prev) IS NULL) AS newly`,
    [orgId, r.checkId, r.status, r.summary.slice(0, 500), JSON.stringify(r.evidence), r.checkedAt, r.intervalSeconds],
  );
  return { newlyFailing: rows[0]?.newly === true };
}

export async function listInstallResults(q: Queryable): Promise<ResultRow[]> {
  const { rows } = await q.query<ResultRow>(`SELECT ${COLUMNS} FROM trust_results`);
  return rows;
}

/** The org's own results (tenant-bound connection: RLS shows only this org's rows). */
export async function listOrgResults(q: Queryable): Promise<ResultRow[]> {
  const { rows } = await q.query<ResultRow>(`SELECT ${COLUMNS} FROM trust_org_results`);
  return rows;
}

export interface HiddenCheck {
  checkId: string;
  reason: string;
  hiddenAt: Date;
}

export async function listHidden(q: Queryable): Promise<HiddenCheck[]> {
  const { rows } = await q.query<{ check_id: string; reason: string; hidden_at: Date }>('SELECT check_id, reason, hidden_at FROM trust_hidden ORDER BY check_id');
  return rows.map((r) => ({ checkId: r.check_id, reason: r.reason, hiddenAt: r.hidden_at }));
}

/** Owner connection only (`hirebox trust hide`): the app role can read, not write, trust_hidden. */
export async function hideCheck(q: Queryable, checkId: string, reason: string): Promise<void> {
  await q.query('INSERT INTO trust_hidden (check_id, reason) VALUES ($1, $2) ON CONFLICT (check_id) DO UPDATE SET reason = $2, hidden_at = now()', [checkId, reason]);
}

export async function unhideCheck(q: Queryable, checkId: string): Promise<boolean> {
  const r = await q.query('DELETE FROM trust_hidden WHERE check_id = $1', [checkId]);
  return (r.rowCount ?? 0) > 0;
}

export async function findOrgForTrust(q: Queryable, slug: string): Promise<{ id: string; name: string; slug: string } | null> {
  const { rows } = await q.query<{ id: string; name: string; slug: string }>('SELECT id, name, slug FROM orgs WHERE slug = $1 AND offboarded_at IS NULL', [slug]);
  return rows[0] ?? null;
}

// ---- facts the checks read ----

// GlobalDb: trust checks read install-wide facts (RLS, MFA coverage) across orgs.
export async function mfaFacts(db: TenantDb & GlobalDb, orgId: string): Promise<{ members: number; enrolled: number; pendingSetup: number }> {
  const { userIds, trustIdp } = await db.withTenant(orgId, async (q) => {
    const m = await q.query<{ user_id: string }>('SELECT user_id FROM memberships');
    const s = await q.query<{ sso_trust_idp_mfa: boolean }>('SELECT sso_trust_idp_mfa FROM org_auth_settings');
    return { userIds: m.rows.map((r) => r.user_id), trustIdp: s.rows[0]?.sso_trust_idp_mfa === true };
  });
  if (userIds.length === 0) return { members: 0, enrolled: 0, pendingSetup: 0 };
  const { rows } = await db.pool.query<{ totp: boolean; pw: boolean; sso: boolean }>(
    `SELECT u.totp_enabled_at IS NOT NULL AS totp, u.password_hash IS NOT NULL AS pw,
            EXISTS (SELECT 1 FROM sso_identities s WHERE s.user_id = u.id) AS sso
       FROM users u WHERE u.id = ANY($1::uuid[]) AND u.disabled_at IS NULL`,
    [userIds],
  );
  let members = 0;
  let enrolled = 0;
  let pendingSetup = 0;
  for (const r of rows) {
    if (!r.pw && !r.sso) {
      pendingSetup += 1;
      continue;
    }
    members += 1;
    if (r.totp || (r.sso && !r.pw && trustIdp)) enrolled += 1;
  }
  return { members, enrolled, pendingSetup };
}

export interface RlsFacts {
  role: string;
  superuser: boolean;
  bypassRls: boolean;
  owned: string[];
  tables: { name: string; rowSecurity: boolean; force: boolean; hasPolicy: boolean }[];
}

export async function rlsFacts(q: Queryable): Promise<RlsFacts> {
  const role = await q.query<{ role: string; superuser: boolean; bypass: boolean }>(
    'SELECT current_user AS role, rolsuper AS superuser, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user',
  );
  const tables = await q.query<{ name: string; rls: boolean; force: boolean; policy: boolean; owned: boolean; tenant: boolean }>(
    `SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
            EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS policy,
            pg_has_role(current_user, c.relowner, 'USAGE') AS owned,
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped) AS tenant
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
  );
  const r = role.rows[0];
  return {
    role: r?.role ?? 'unknown',
    superuser: r?.superuser ?? true,
    bypassRls: r?.bypass ?? true,
    owned: tables.rows.filter((t) => t.owned).map((t) => t.name),
    tables: tables.rows.filter((t) => t.tenant).map((t) => ({ name: t.name, rowSecurity: t.rls, force: t.force, hasPolicy: t.policy })),
  };
}

export async function lastSignedCheckpoint(db: TenantDb & GlobalDb, orgId: string): Promise<{ seq: number | null; signedAt: Date | null; firstUnsignedAt: Date | null }> {
  return db.withTenant(orgId, async (q) => {
    const cp = await q.query<{ seq: number; signed_at: Date }>('SELECT seq, signed_at FROM audit_checkpoints WHERE org_id = $1 ORDER BY seq DESC LIMIT 1', [orgId]);
    const seq = cp.rows[0]?.seq ?? 0;
    const next = await q.query<{ occurred_at: Date }>('SELECT occurred_at FROM audit_events WHERE org_id = $1 AND seq = $2', [orgId, seq + 1]);
    return { seq: cp.rows[0]?.seq ?? null, signedAt: cp.rows[0]?.signed_at ?? null, firstUnsignedAt: next.rows[0]?.occurred_at ?? null };
  });
}

export async function lastRetentionSweep(db: TenantDb & GlobalDb, orgId: string): Promise<{ lastSweepAt: Date | null; orgCreatedAt: Date | null }> {
  const sweep = await db.withTenant(orgId, (q) =>
    q.query<{ at: Date | null }>("SELECT max(occurred_at) AS at FROM audit_events WHERE org_id = $1 AND action = 'retention.swept'", [orgId]),
  );
  const org = await db.pool.query<{ created_at: Date }>('SELECT created_at FROM orgs WHERE id = $1', [orgId]);
  return { lastSweepAt: sweep.rows[0]?.at ?? null, orgCreatedAt: org.rows[0]?.created_at ?? null };
}

export async function lastRestoreDrill(q: Queryable): Promise<{ ok: boolean; restoreSeconds: number; finishedAt: Date; backupFile: string } | null> {
  const { rows } = await q.query<{ ok: boolean; restore_seconds: number; finished_at: Date; backup_file: string }>(
    'SELECT ok, restore_seconds, finished_at, backup_file FROM restore_drills ORDER BY finished_at DESC LIMIT 1',
  );
  const r = rows[0];
  return r ? { ok: r.ok, restoreSeconds: r.restore_seconds, finishedAt: r.finished_at, backupFile: r.backup_file } : null;
}
