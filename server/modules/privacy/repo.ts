// SQL for data subject requests and org offboarding (DESIGN section 9). orgs, sessions,
// users and user_tokens are global tables (narrow functions here); everything else runs on
// tenant-bound connections (RLS).
import { createHash } from 'node:crypto';
import pg from 'pg';
import { EVENT_COLUMNS, type EventRowShape } from '../../core/audit.js';
import type { Queryable } from '../../core/db.js';

// --- orgs (global) -------------------------------------------------------------------------

export interface OrgStateRow {
  id: string;
  slug: string;
  name: string;
  offboarding_started_at: Date | null;
  offboarded_at: Date | null;
}

const ORG_STATE = 'id, slug, name, offboarding_started_at, offboarded_at';

export async function findOrgState(q: Queryable, orgId: string, forUpdate = false): Promise<OrgStateRow | null> {
  const { rows } = await q.query<OrgStateRow>(`SELECT ${ORG_STATE} FROM orgs WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [orgId]);
  return rows[0] ?? null;
}

export async function markOffboardingStarted(q: Queryable, orgId: string, at: Date): Promise<boolean> {
  const { rowCount } = await q.query('UPDATE orgs SET offboarding_started_at = $2 WHERE id = $1 AND offboarding_started_at IS NULL', [orgId, at]);
  return (rowCount ?? 0) === 1;
}

export async function clearOffboarding(q: Queryable, orgId: string): Promise<boolean> {
  const { rowCount } = await q.query('UPDATE orgs SET offboarding_started_at = NULL WHERE id = $1 AND offboarding_started_at IS NOT NULL AND offboarded_at IS NULL', [orgId]);
  return (rowCount ?? 0) === 1;
}

/** Orgs whose export window closed before the cutoff and whose data is still there. */
export async function orgsDueForDeletion(q: Queryable, cutoff: Date): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    'SELECT id FROM orgs WHERE offboarding_started_at IS NOT NULL AND offboarded_at IS NULL AND offboarding_started_at <= $1 ORDER BY offboarding_started_at, id',
    [cutoff],
  );
  return rows.map((r) => r.id);
}

/** The tombstone: the row stays (the audit chain references it), its name goes. */
export async function markOffboarded(q: Queryable, orgId: string, at: Date): Promise<void> {
  await q.query("UPDATE orgs SET offboarded_at = $2, name = 'Offboarded organisation' WHERE id = $1", [orgId, at]);
}

// --- sign-in (global tables) ----------------------------------------------------------------

/** Open invitations to the org can no longer be accepted. */
export async function revokeOrgInvites(q: Queryable, orgId: string, at: Date): Promise<number> {
  const { rowCount } = await q.query("UPDATE user_tokens SET revoked_at = $2 WHERE invite_org_id = $1 AND purpose = 'invite' AND used_at IS NULL AND revoked_at IS NULL", [orgId, at]);
  return rowCount ?? 0;
}

export async function deleteInviteTokens(q: Queryable, orgId: string): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM user_tokens WHERE invite_org_id = $1', [orgId]);
  return rowCount ?? 0;
}

/** Needs a user context (withUserTx): counts the user's own memberships in any org. */
export async function countOwnMemberships(q: Queryable, userId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM memberships WHERE user_id = $1', [userId]);
  return rows[0]?.n ?? 0;
}

/** A user account with no membership left anywhere (sessions, tokens and codes cascade). */
export async function deleteUser(q: Queryable, userId: string): Promise<void> {
  await q.query('DELETE FROM users WHERE id = $1', [userId]);
}

// --- tenant rows ----------------------------------------------------------------------------

export async function memberUserIds(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ user_id: string }>('SELECT user_id FROM memberships ORDER BY created_at, user_id');
  return rows.map((r) => r.user_id);
}

/** Tables kept for an offboarded org: its audit trail (append-only, hash-chained), and its pending deletions at Vapi (ids only, 0036). */
export const KEPT_TABLES = ['audit_events', 'audit_heads', 'audit_checkpoints', 'vapi_call_deletions'] as const;

/**
 * Every tenant table (public tables with org_id) but the kept ones and org_keys (destroyed
 * through org_key_destroy), with whether the app role may DELETE from it directly (tables
 * it may not, such as ai_runs, empty through their ON DELETE CASCADE parents).
 */
export async function purgeableTables(q: Queryable): Promise<{ table: string; deletable: boolean }[]> {
  const { rows } = await q.query<{ table: string; deletable: boolean }>(
    `SELECT c.relname AS table, has_table_privilege(c.oid, 'DELETE') AS deletable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        AND EXISTS (SELECT 1 FROM information_schema.columns col WHERE col.table_schema = 'public' AND col.table_name = c.relname AND col.column_name = 'org_id')
        AND c.relname <> ALL($1::text[])
      ORDER BY c.relname`,
    [[...KEPT_TABLES, 'org_keys']],
  );
  return rows;
}

const ident = (table: string): string => pg.escapeIdentifier(table);

/** Deletes the org's rows of one table (table names come from purgeableTables, never input). */
export async function deleteOrgRows(tx: Queryable, table: string, orgId: string): Promise<number> {
  const { rowCount } = await tx.query(`DELETE FROM ${ident(table)} WHERE org_id = $1`, [orgId]);
  return rowCount ?? 0;
}

export async function countOrgRows(q: Queryable, table: string, orgId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(table)} WHERE org_id = $1`, [orgId]);
  return rows[0]?.n ?? 0;
}

export async function savepoint(tx: Queryable, name: 'purge_step', action: 'SAVEPOINT' | 'RELEASE SAVEPOINT' | 'ROLLBACK TO SAVEPOINT'): Promise<void> {
  await tx.query(`${action} ${name}`);
}

/** "sha256:<hex>" of the org's wrapped key (the erasure ledger's key-destruction receipt), null when none. */
export async function orgKeyReceipt(q: Queryable, orgId: string): Promise<string | null> {
  const { rows } = await q.query<{ wrapped_key: Buffer | null }>('SELECT wrapped_key FROM org_keys WHERE org_id = $1', [orgId]);
  const wrapped = rows[0]?.wrapped_key;
  return wrapped ? `sha256:${createHash('sha256').update(wrapped).digest('hex')}` : null;
}

// --- erasure ledger re-application (reapply.ts) ----------------------------------------------

/** Whether the candidate's key can still be unwrapped (a restored, pre-erasure copy of it). */
export async function candidateKeyPresent(q: Queryable, candidateId: string): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM candidate_keys WHERE candidate_id = $1 AND wrapped_key IS NOT NULL', [candidateId]);
  return (rowCount ?? 0) > 0;
}

/**
 * Of these candidates (one org, RLS), how many are still readable: a wrapped key, a row not
 * marked erased, CV bytes or extracted text. 0 after a successful re-application.
 */
export async function countReadableCandidates(q: Queryable, candidateIds: readonly string[]): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM unnest($1::uuid[]) AS x(id)
      WHERE EXISTS (SELECT 1 FROM candidate_keys k WHERE k.candidate_id = x.id AND k.wrapped_key IS NOT NULL)
         OR EXISTS (SELECT 1 FROM candidates c WHERE c.id = x.id AND c.erased_at IS NULL)
         OR EXISTS (SELECT 1 FROM documents d WHERE d.candidate_id = x.id AND d.text_enc IS NOT NULL)
         OR EXISTS (SELECT 1 FROM documents d JOIN document_blobs b ON b.document_id = d.id WHERE d.candidate_id = x.id)`,
    [candidateIds],
  );
  return rows[0]?.n ?? 0;
}

/** An org the ledger says was deleted that still has its key or is not a tombstone (RLS-bound to the org). */
export async function orgStillReadable(q: Queryable, orgId: string): Promise<boolean> {
  const { rows } = await q.query<{ readable: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM org_keys WHERE org_id = $1) OR EXISTS (SELECT 1 FROM orgs WHERE id = $1 AND offboarded_at IS NULL) AS readable`,
    [orgId],
  );
  return rows[0]?.readable ?? false;
}

/** Crypto-shredding of the whole org: the wrapped org key goes (SECURITY DEFINER, 0028). */
export async function destroyOrgKey(tx: Queryable, orgId: string): Promise<boolean> {
  const { rows } = await tx.query<{ destroyed: boolean }>('SELECT org_key_destroy($1) AS destroyed', [orgId]);
  return rows[0]?.destroyed ?? false;
}

// --- export reads ---------------------------------------------------------------------------

/** How an exported table's rows find the candidate whose key sealed their _enc columns. */
export type CandidateLink = 'self' | 'candidate_id' | 'application_id' | 'interview_id' | null;

export const EXPORT_KINDS: readonly { kind: string; table: string; link: CandidateLink }[] = [
  { kind: 'jobs', table: 'jobs', link: null },
  { kind: 'pipeline_stages', table: 'pipeline_stages', link: null },
  { kind: 'job_assignments', table: 'job_assignments', link: null },
  { kind: 'message_templates', table: 'message_templates', link: null },
  { kind: 'interview_plans', table: 'interview_plans', link: null },
  { kind: 'candidates', table: 'candidates', link: 'self' },
  { kind: 'applications', table: 'applications', link: 'candidate_id' },
  { kind: 'application_events', table: 'application_events', link: 'application_id' },
  { kind: 'documents', table: 'documents', link: 'candidate_id' },
  { kind: 'screenings', table: 'screenings', link: 'application_id' },
  { kind: 'decisions', table: 'decisions', link: 'application_id' },
  { kind: 'notes', table: 'application_notes', link: 'application_id' },
  { kind: 'messages', table: 'messages', link: 'application_id' },
  { kind: 'demographics', table: 'demographics', link: 'application_id' },
  { kind: 'job_question_sets', table: 'job_question_sets', link: null },
  { kind: 'application_answers', table: 'application_answers', link: 'application_id' },
  { kind: 'review_tasks', table: 'review_tasks', link: 'application_id' },
  { kind: 'interviews', table: 'interviews', link: 'candidate_id' },
  { kind: 'interview_scores', table: 'interview_scores', link: 'interview_id' },
  // Typed interviews' answers are in the exported transcript once finished; accommodation requests (note decrypted).
  { kind: 'interview_accommodations', table: 'interview_accommodations', link: 'application_id' },
  // The privacy-request register (issue 18 item 6): no ciphertexts, the org's own record of requests.
  { kind: 'privacy_requests', table: 'privacy_requests', link: null },
];

export async function tableRows(q: Queryable, table: string): Promise<Record<string, unknown>[]> {
  const { rows } = await q.query<Record<string, unknown>>(`SELECT * FROM ${ident(table)} ORDER BY 1`);
  return rows;
}

export async function applicationCandidates(q: Queryable): Promise<Map<string, string>> {
  const { rows } = await q.query<{ id: string; candidate_id: string }>('SELECT id, candidate_id FROM applications');
  return new Map(rows.map((r) => [r.id, r.candidate_id]));
}

export async function interviewCandidates(q: Queryable): Promise<Map<string, string>> {
  const { rows } = await q.query<{ id: string; candidate_id: string }>('SELECT id, candidate_id FROM interviews');
  return new Map(rows.map((r) => [r.id, r.candidate_id]));
}

export async function candidateIds(q: Queryable): Promise<{ id: string; erased_at: Date | null }[]> {
  const { rows } = await q.query<{ id: string; erased_at: Date | null }>('SELECT id, erased_at FROM candidates ORDER BY created_at, id');
  return rows;
}

export async function membersWithEmail(q: Queryable): Promise<{ user_id: string; email: string; display_name: string | null; role: string; created_at: Date }[]> {
  const { rows } = await q.query<{ user_id: string; email: string; display_name: string | null; role: string; created_at: Date }>(
    'SELECT m.user_id, u.email, u.display_name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY m.created_at, m.user_id',
  );
  return rows;
}

export async function documentsOfCandidate(q: Queryable, candidateId: string): Promise<{ id: string; media_type: string }[]> {
  const { rows } = await q.query<{ id: string; media_type: string }>('SELECT id, media_type FROM documents WHERE candidate_id = $1 ORDER BY created_at, id', [candidateId]);
  return rows;
}

export async function allDocuments(q: Queryable): Promise<{ id: string; candidate_id: string; media_type: string }[]> {
  const { rows } = await q.query<{ id: string; candidate_id: string; media_type: string }>('SELECT id, candidate_id, media_type FROM documents ORDER BY created_at, id');
  return rows;
}

export async function auditEventRows(q: Queryable): Promise<EventRowShape[]> {
  const { rows } = await q.query<EventRowShape>(`SELECT ${EVENT_COLUMNS} FROM audit_events ORDER BY seq`);
  return rows;
}
