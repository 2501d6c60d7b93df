// SQL for webhook endpoints and accepted server messages.
import type { Queryable } from '../../core/db.js';
import type { AuthMode } from './verify.js';

export interface EndpointRow {
  id: string;
  org_id: string;
  auth_mode: AuthMode;
  secret_enc: Buffer;
  signature_header: string;
  timestamp_header: string;
  created_at: Date;
  revoked_at: Date | null;
}

const ENDPOINT_COLUMNS = 'id, org_id, auth_mode, secret_enc, signature_header, timestamp_header, created_at, revoked_at';

/** The org of a live hook id, through the SECURITY DEFINER lookup (no tenant needed). */
export async function orgOfHook(q: Queryable, hookId: string): Promise<string | null> {
  const { rows } = await q.query<{ org_id: string | null }>('SELECT webhook_endpoint_org($1) AS org_id', [hookId]);
  return rows[0]?.org_id ?? null;
}

export async function findEndpoint(q: Queryable, id: string): Promise<EndpointRow | null> {
  const { rows } = await q.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function listEndpoints(q: Queryable): Promise<EndpointRow[]> {
  const { rows } = await q.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`);
  return rows;
}

export async function insertEndpoint(
  tx: Queryable,
  e: { id: string; orgId: string; mode: AuthMode; secretEnc: Buffer; signatureHeader: string; timestampHeader: string; createdBy: string | null },
): Promise<EndpointRow> {
  const { rows } = await tx.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, org_id, auth_mode, secret_enc, signature_header, timestamp_header, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ENDPOINT_COLUMNS}`,
    [e.id, e.orgId, e.mode, e.secretEnc, e.signatureHeader, e.timestampHeader, e.createdBy],
  );
  return rows[0] as EndpointRow;
}

/** The org's newest live endpoint with its Vapi credential id (for a managed assistant's server URL). */
export async function newestLiveEndpoint(q: Queryable): Promise<(EndpointRow & { vapi_credential_id: string | null }) | null> {
  const { rows } = await q.query<EndpointRow & { vapi_credential_id: string | null }>(
    `SELECT ${ENDPOINT_COLUMNS}, vapi_credential_id FROM webhook_endpoints WHERE revoked_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

/** Records the endpoint's Vapi credential unless one is recorded already; returns the one that holds. */
export async function setEndpointCredential(tx: Queryable, id: string, credentialId: string): Promise<string | null> {
  await tx.query('UPDATE webhook_endpoints SET vapi_credential_id = $2 WHERE id = $1 AND vapi_credential_id IS NULL', [id, credentialId]);
  const { rows } = await tx.query<{ vapi_credential_id: string | null }>('SELECT vapi_credential_id FROM webhook_endpoints WHERE id = $1', [id]);
  return rows[0]?.vapi_credential_id ?? null;
}

export async function revokeEndpoint(tx: Queryable, id: string): Promise<boolean> {
  const res = await tx.query('UPDATE webhook_endpoints SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (res.rowCount ?? 0) > 0;
}

export type StoreOutcome = 'stored' | 'duplicate' | 'not_live';

export interface NewMessage {
  id: string;
  orgId: string;
  endpointId: string;
  callId: string;
  type: string;
  ts: number;
  bodyEnc: Buffer;
}

/**
 * Stores messages in one round trip and one commit, without tenant context, through the
 * SECURITY DEFINER function of migration 0020: per message it checks that the endpoint is
 * live and belongs to the message's org, then inserts unless (call, type, timestamp) is
 * already there. Returns the outcome per message id.
 */
export async function storeMessages(q: Queryable, ms: readonly NewMessage[]): Promise<Map<string, StoreOutcome>> {
  const { rows } = await q.query<{ id: string; outcome: StoreOutcome }>('SELECT id, outcome FROM webhook_store_messages($1, $2, $3, $4, $5, $6, $7)', [
    ms.map((m) => m.id),
    ms.map((m) => m.orgId),
    ms.map((m) => m.endpointId),
    ms.map((m) => m.callId),
    ms.map((m) => m.type),
    ms.map((m) => m.ts),
    ms.map((m) => m.bodyEnc),
  ]);
  return new Map(rows.map((r) => [r.id, r.outcome]));
}

/** Accepted, unprocessed messages of every org older than the given age (ids only), oldest first. */
export async function unprocessedMessagesAllOrgs(q: Queryable, olderThanSeconds: number, limit: number): Promise<{ orgId: string; id: string }[]> {
  const { rows } = await q.query<{ org_id: string; id: string }>('SELECT org_id, id FROM webhook_unprocessed_messages($1, $2)', [olderThanSeconds, limit]);
  return rows.map((r) => ({ orgId: r.org_id, id: r.id }));
}

export interface MessageRow {
  id: string;
  call_id: string;
  message_type: string;
  message_ts: number;
  body_enc: Buffer | null;
  processed_at: Date | null;
}

export async function findMessage(q: Queryable, id: string, forUpdate = false): Promise<MessageRow | null> {
  const { rows } = await q.query<MessageRow>(
    `SELECT id, call_id, message_type, message_ts, body_enc, processed_at FROM webhook_messages WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/** Marks a message processed and drops its body (the row stays as the idempotency record). */
export async function markProcessed(tx: Queryable, id: string, outcome: string): Promise<void> {
  await tx.query('UPDATE webhook_messages SET processed_at = now(), outcome = $2, body_enc = NULL WHERE id = $1', [id, outcome]);
}

export async function unprocessedMessageIds(q: Queryable, olderThanSeconds: number, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM webhook_messages WHERE processed_at IS NULL AND received_at < now() - make_interval(secs => $1) ORDER BY received_at LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows.map((r) => r.id);
}
