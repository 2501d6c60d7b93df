// SQL for outbound event webhooks (migration 0041). Every function runs inside the caller's
// tenant context (RLS), except dueDeliveriesAllOrgs (a SECURITY DEFINER function returning ids).
import type { Queryable } from '../../core/db.js';

export const EVENT_TYPES = ['application.created', 'application.stage_changed', 'screening.completed', 'interview.completed', 'decision.recorded', 'candidate.erased'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface SubscriptionRow {
  id: string;
  url: string;
  description: string;
  events: string[];
  secret_enc: Buffer;
  enabled: boolean;
  disabled_reason: 'manual' | 'failing' | null;
  consecutive_failures: number;
  last_success_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const SUB_COLUMNS = 'id, url, description, events, secret_enc, enabled, disabled_reason, consecutive_failures, last_success_at, created_at, updated_at';

export async function insertSubscription(tx: Queryable, s: { id: string; orgId: string; url: string; description: string; events: string[]; secretEnc: Buffer; createdBy: string | null }): Promise<void> {
  await tx.query('INSERT INTO event_hook_subscriptions (id, org_id, url, description, events, secret_enc, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    s.id,
    s.orgId,
    s.url,
    s.description,
    s.events,
    s.secretEnc,
    s.createdBy,
  ]);
}

export async function listSubscriptions(q: Queryable): Promise<SubscriptionRow[]> {
  const { rows } = await q.query<SubscriptionRow>(`SELECT ${SUB_COLUMNS} FROM event_hook_subscriptions ORDER BY created_at, id`);
  return rows;
}

export async function countSubscriptions(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM event_hook_subscriptions');
  return rows[0]?.n ?? 0;
}

export async function findSubscription(q: Queryable, id: string, forUpdate = false): Promise<SubscriptionRow | null> {
  const { rows } = await q.query<SubscriptionRow>(`SELECT ${SUB_COLUMNS} FROM event_hook_subscriptions WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function updateSubscription(
  tx: Queryable,
  id: string,
  s: { url: string; description: string; events: string[]; enabled: boolean; disabledReason: 'manual' | 'failing' | null; resetFailures: boolean },
): Promise<void> {
  await tx.query(
    `UPDATE event_hook_subscriptions SET url = $2, description = $3, events = $4, enabled = $5, disabled_reason = $6,
       consecutive_failures = CASE WHEN $7 THEN 0 ELSE consecutive_failures END, updated_at = now() WHERE id = $1`,
    [id, s.url, s.description, s.events, s.enabled, s.disabledReason, s.resetFailures],
  );
}

export async function setSubscriptionSecret(tx: Queryable, id: string, secretEnc: Buffer): Promise<void> {
  await tx.query('UPDATE event_hook_subscriptions SET secret_enc = $2, updated_at = now() WHERE id = $1', [id, secretEnc]);
}

export async function deleteSubscription(tx: Queryable, id: string): Promise<boolean> {
  const r = await tx.query('DELETE FROM event_hook_subscriptions WHERE id = $1', [id]);
  return (r.rowCount ?? 0) > 0;
}

/** Pending deliveries of a subscription that is disabled or removed go nowhere. */
export async function cancelPending(tx: Queryable, subscriptionId: string): Promise<void> {
  await tx.query("UPDATE event_hook_deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = now() WHERE subscription_id = $1 AND status = 'pending'", [subscriptionId]);
}

// --- the outbox ---------------------------------------------------------------------------

/**
 * Records one event for every enabled subscription of the org that wants its type, in the
 * caller's transaction. Nothing is stored when no subscription wants it.
 */
export async function recordHookEvent(tx: Queryable, orgId: string, type: EventType, data: Record<string, unknown>): Promise<void> {
  await tx.query(
    `WITH subs AS (SELECT id FROM event_hook_subscriptions WHERE enabled AND $2 = ANY(events)),
          ev AS (INSERT INTO event_hook_events (org_id, type, data) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM subs) RETURNING id)
     INSERT INTO event_hook_deliveries (org_id, subscription_id, event_id, next_attempt_at)
     SELECT $1, subs.id, ev.id, now() FROM subs CROSS JOIN ev`,
    [orgId, type, JSON.stringify(data)],
  );
}

export async function wantsEvent(q: Queryable, type: EventType): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM event_hook_subscriptions WHERE enabled AND $1 = ANY(events) LIMIT 1', [type]);
  return rows.length > 0;
}

export async function applicationRefs(q: Queryable, applicationId: string): Promise<{ job_id: string; candidate_id: string } | null> {
  const { rows } = await q.query<{ job_id: string; candidate_id: string }>('SELECT job_id, candidate_id FROM applications WHERE id = $1', [applicationId]);
  return rows[0] ?? null;
}

export async function stagesById(q: Queryable, ids: string[]): Promise<Map<string, { id: string; name: string; kind: string }>> {
  const { rows } = await q.query<{ id: string; name: string; kind: string }>('SELECT id, name, kind FROM pipeline_stages WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(rows.map((r) => [r.id, r]));
}

// --- deliveries ---------------------------------------------------------------------------

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  manual: boolean;
  next_attempt_at: Date | null;
  first_failed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}
const DELIVERY_COLUMNS = 'id, subscription_id, event_id, status, attempts, manual, next_attempt_at, first_failed_at, created_at, updated_at';

export async function dueDeliveriesAllOrgs(q: Queryable, at: Date, limit: number): Promise<{ orgId: string; id: string; attempts: number }[]> {
  const { rows } = await q.query<{ org_id: string; id: string; attempts: number }>('SELECT org_id, id, attempts FROM event_hook_due_deliveries($1, $2)', [at, limit]);
  return rows.map((r) => ({ orgId: r.org_id, id: r.id, attempts: r.attempts }));
}

export async function findDelivery(q: Queryable, id: string, forUpdate = false): Promise<DeliveryRow | null> {
  const { rows } = await q.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM event_hook_deliveries WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function findEvent(q: Queryable, id: string): Promise<{ id: string; type: string; data: Record<string, unknown>; created_at: Date } | null> {
  const { rows } = await q.query<{ id: string; type: string; data: Record<string, unknown>; created_at: Date }>('SELECT id, type, data, created_at FROM event_hook_events WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Claims the next attempt: counts it and pushes next_attempt_at past the request so the sweep leaves it alone meanwhile. */
export async function claimAttempt(tx: Queryable, id: string, leaseUntil: Date): Promise<void> {
  await tx.query('UPDATE event_hook_deliveries SET attempts = attempts + 1, next_attempt_at = $2, updated_at = now() WHERE id = $1', [id, leaseUntil]);
}

export async function insertAttempt(
  tx: Queryable,
  a: { orgId: string; deliveryId: string; attempt: number; ok: boolean; responseCode: number | null; durationMs: number; errorClass: string | null; snippet: string | null; at: Date },
): Promise<void> {
  await tx.query(
    'INSERT INTO event_hook_attempts (org_id, delivery_id, attempt, ok, response_code, duration_ms, error_class, response_snippet, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [a.orgId, a.deliveryId, a.attempt, a.ok, a.responseCode, a.durationMs, a.errorClass, a.snippet, a.at],
  );
}

export async function finishDelivery(tx: Queryable, id: string, d: { status: DeliveryRow['status']; nextAttemptAt: Date | null; firstFailedAt: Date | null }): Promise<void> {
  await tx.query('UPDATE event_hook_deliveries SET status = $2, next_attempt_at = $3, first_failed_at = $4, updated_at = now() WHERE id = $1', [id, d.status, d.nextAttemptAt, d.firstFailedAt]);
}

export async function noteSuccess(tx: Queryable, subscriptionId: string, at: Date): Promise<void> {
  await tx.query('UPDATE event_hook_subscriptions SET consecutive_failures = 0, last_success_at = $2 WHERE id = $1', [subscriptionId, at]);
}

export async function noteFailedDelivery(tx: Queryable, subscriptionId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>('UPDATE event_hook_subscriptions SET consecutive_failures = consecutive_failures + 1 WHERE id = $1 RETURNING consecutive_failures AS n', [subscriptionId]);
  return rows[0]?.n ?? 0;
}

export async function disableFailing(tx: Queryable, subscriptionId: string): Promise<void> {
  await tx.query("UPDATE event_hook_subscriptions SET enabled = false, disabled_reason = 'failing', updated_at = now() WHERE id = $1", [subscriptionId]);
}

export async function requeueDelivery(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query("UPDATE event_hook_deliveries SET status = 'pending', manual = true, next_attempt_at = $2, updated_at = now() WHERE id = $1", [id, at]);
}

export interface DeliveryLogRow extends DeliveryRow {
  event_type: string;
  last_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_snippet: string | null;
  last_at: Date | null;
}

export async function listDeliveries(q: Queryable, subscriptionId: string, limit: number): Promise<DeliveryLogRow[]> {
  const { rows } = await q.query<DeliveryLogRow>(
    `SELECT d.id, d.subscription_id, d.event_id, d.status, d.attempts, d.manual, d.next_attempt_at, d.first_failed_at, d.created_at, d.updated_at,
            e.type AS event_type, a.response_code AS last_code, a.error_class AS last_error, a.duration_ms AS last_duration_ms,
            a.response_snippet AS last_snippet, a.created_at AS last_at
       FROM event_hook_deliveries d JOIN event_hook_events e ON e.id = d.event_id
       LEFT JOIN LATERAL (SELECT response_code, error_class, duration_ms, response_snippet, created_at FROM event_hook_attempts
                           WHERE delivery_id = d.id ORDER BY attempt DESC, created_at DESC LIMIT 1) a ON true
      WHERE d.subscription_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
    [subscriptionId, limit],
  );
  return rows;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  ok: boolean;
  response_code: number | null;
  duration_ms: number;
  error_class: string | null;
  response_snippet: string | null;
  created_at: Date;
}

export async function attemptsOf(q: Queryable, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  const { rows } = await q.query<AttemptRow>(
    'SELECT delivery_id, attempt, ok, response_code, duration_ms, error_class, response_snippet, created_at FROM event_hook_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY created_at, attempt',
    [deliveryIds],
  );
  return rows;
}
