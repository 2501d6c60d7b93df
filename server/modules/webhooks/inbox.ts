// The webhook inbox (webhook_messages), owned by this module: the webhook route stores each
// verified message once (service.ts, batched), the interviews module claims and applies it
// (webhook-ingest) and marks it processed, and the worker's sweep re-offers what is still
// unprocessed after an enqueue was lost. Other modules use these functions, not the SQL.
import { openText, type Keyring } from '../../core/crypto.js';
import type { Db, Queryable } from '../../core/db.js';
import { findMessage, markProcessed, unprocessedMessagesAllOrgs, type MessageRow } from './repo.js';
import { messageAad, type ServerMessageEnvelope } from './service.js';

export interface ClaimedMessage {
  row: MessageRow;
  envelope: ServerMessageEnvelope;
}

/**
 * Locks a stored message in the caller's transaction and opens its body with the org key;
 * null when it is gone or already processed (its body is dropped then).
 */
export async function claimMessage(tx: Queryable, keyring: Keyring, orgId: string, messageId: string): Promise<ClaimedMessage | null> {
  const row = await findMessage(tx, messageId, true);
  if (!row || row.processed_at || !row.body_enc) return null;
  const raw = openText(await keyring.orgKey(tx, orgId), row.body_enc, messageAad(orgId, row.id));
  return { row, envelope: JSON.parse(raw) as ServerMessageEnvelope };
}

/** Marks a message processed with its outcome and drops its body (the row stays as the idempotency record). */
export async function markMessageProcessed(tx: Queryable, messageId: string, outcome: string): Promise<void> {
  await markProcessed(tx, messageId, outcome);
}

/** Accepted, unprocessed messages of every org older than the given age, oldest first (the sweep; looks across orgs). */
export async function unprocessedMessages(db: Pick<Db, 'pool'>, olderThanSeconds: number, limit: number): Promise<{ orgId: string; id: string }[]> {
  return unprocessedMessagesAllOrgs(db.pool, olderThanSeconds, limit);
}
