// SQL for members' private calendar feeds (0042).
import type { Queryable } from '../../core/db.js';

export async function upsertFeed(tx: Queryable, orgId: string, userId: string, tokenHash: Buffer): Promise<void> {
  await tx.query(
    `INSERT INTO calendar_feeds (org_id, user_id, token_hash) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()`,
    [orgId, userId, tokenHash],
  );
}

export async function deleteFeed(tx: Queryable, userId: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM calendar_feeds WHERE user_id = $1', [userId]);
  return (rowCount ?? 0) > 0;
}

/** The org of a feed token hash (SECURITY DEFINER lookup, no tenant needed). */
export async function orgOfFeed(q: Queryable, tokenHash: Buffer): Promise<string | null> {
  const { rows } = await q.query<{ org_id: string | null }>('SELECT calendar_feed_org($1) AS org_id', [tokenHash]);
  return rows[0]?.org_id ?? null;
}

/** The member behind a feed (with their current role), inside the org's tenant context. */
export async function feedMember(q: Queryable, tokenHash: Buffer): Promise<{ userId: string; role: string } | null> {
  const { rows } = await q.query<{ user_id: string; role: string }>(
    'SELECT f.user_id, m.role FROM calendar_feeds f JOIN memberships m ON m.org_id = f.org_id AND m.user_id = f.user_id WHERE f.token_hash = $1',
    [tokenHash],
  );
  return rows[0] ? { userId: rows[0].user_id, role: rows[0].role } : null;
}

export interface FeedInterviewRow {
  id: string;
  application_id: string;
  status: string;
  scheduled_for: Date;
  max_duration_seconds: number;
  ical_sequence: number;
  job_title: string;
  timezone: string | null;
}

/**
 * Interviews with a booked slot from `since` on (cancelled ones too, so subscribed clients
 * drop them), limited to jobs assigned to `assignedTo` when set (hiring managers).
 */
export async function feedInterviews(q: Queryable, assignedTo: string | null, since: Date, limit: number): Promise<FeedInterviewRow[]> {
  const { rows } = await q.query<FeedInterviewRow>(
    `SELECT i.id, i.application_id, i.status, i.scheduled_for, i.max_duration_seconds, i.ical_sequence, j.title AS job_title,
            p.weekly_hours->>'timezone' AS timezone
       FROM interviews i JOIN jobs j ON j.id = i.job_id LEFT JOIN interview_plans p ON p.job_id = i.job_id
      WHERE i.scheduled_for IS NOT NULL AND i.scheduled_for >= $2
        AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = i.job_id AND ja.user_id = $1))
      ORDER BY i.scheduled_for, i.id LIMIT $3`,
    [assignedTo, since, limit],
  );
  return rows;
}
