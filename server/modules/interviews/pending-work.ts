// Accepted work without a live queue job (issue 19): the interview queues' jobs that are
// enqueued after a commit (score, recording fetch, reconcile) or wait in Redis for a day
// (reminders), found in Postgres (migrations 0053, 0062) and offered under the producer's ids.
import type { Db } from '../../core/db.js';
import { queueJob, QUEUE_JOBS, type QueueJob } from '../../core/queue-jobs.js';
import { RECONCILE_SLACK_MS } from './calls.js';

/** Ended interviews with a transcript and no finished score. */
export async function interviewsUnscored(db: Db, graceSeconds: number, limit: number): Promise<QueueJob<'interview-score'>[]> {
  const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM interviews_unscored($1, $2)', [graceSeconds, limit]);
  return rows.map((r) => queueJob(QUEUE_JOBS.interviewScore, { orgId: r.org_id, interviewId: r.id }));
}

/** Reconciled interviews whose recording was neither stored nor its call queued for deletion. */
export async function recordingsUnfetched(db: Db, graceSeconds: number, limit: number, retryDelayMs?: number): Promise<QueueJob<'recording-fetch'>[]> {
  const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM interviews_recording_unfetched($1, $2)', [graceSeconds, limit]);
  const options = retryDelayMs === undefined ? {} : { options: { backoff: { type: 'exponential', delay: retryDelayMs } } };
  return rows.map((r) => queueJob(QUEUE_JOBS.recordingFetch, { orgId: r.org_id, interviewId: r.id }, options));
}

/**
 * Interviews whose current call ended (report received) or should have ended (placed longer
 * ago than its max duration plus the slack) but were never reconciled: the job for that call
 * and phase ('report' when the report came, else 'due'), at once.
 */
export async function interviewsUnreconciled(db: Db, graceSeconds: number, limit: number): Promise<QueueJob<'interview-reconcile'>[]> {
  const { rows } = await db.pool.query<{ org_id: string; id: string; call_id: string; reported: boolean }>(
    'SELECT org_id, id, call_id, reported FROM interviews_unreconciled($1, $2, $3)',
    [graceSeconds, RECONCILE_SLACK_MS / 1000, limit],
  );
  return rows.map((r) => queueJob(QUEUE_JOBS.interviewReconcile, { orgId: r.org_id, interviewId: r.id }, { key: { callId: r.call_id, phase: r.reported ? 'report' : 'due' } }));
}

/** A reminder found unsent this late is still sent; later, its wording ("tomorrow", "in one hour") would mislead. */
export const REMINDER_LATE_SECONDS = 15 * 60;

/** Reminders neither sent nor queued, delayed until their time (or at once when it passed less than REMINDER_LATE_SECONDS ago). */
export async function remindersUnsent(db: Db, now: Date, limit: number): Promise<QueueJob<'interview-reminder'>[]> {
  const { rows } = await db.pool.query<{ org_id: string; id: string; kind: '24h' | '1h'; version: number; send_at: Date }>(
    'SELECT org_id, id, kind, version, send_at FROM interviews_reminders_unsent($1, $2)',
    [REMINDER_LATE_SECONDS, limit],
  );
  return rows.map((r) =>
    queueJob(QUEUE_JOBS.interviewReminder, { orgId: r.org_id, interviewId: r.id, kind: r.kind, version: r.version }, { options: { delay: Math.max(0, r.send_at.getTime() - now.getTime()) } }),
  );
}
