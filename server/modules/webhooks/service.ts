// Vapi server messages: verify, store once, acknowledge, enqueue (DESIGN §7).
//
// The hot path is: hook id -> (org, endpoint auth, org key) from a short-lived in-process
// cache (else one SECURITY DEFINER lookup + one tenant read), HMAC check, the body sealed
// with the org key, and ONE database round trip: webhook_store_messages (migration 0020),
// a SECURITY DEFINER function that checks the endpoint is live and the org's, then
// inserts ... ON CONFLICT DO NOTHING; concurrent requests share that round trip and its
// commit (store-batcher.ts). (A tenant-scoped INSERT took three round trips on one
// connection: set app.org_id, INSERT, reset.) The enqueue of the message id is not
// awaited, and the ids stored within ENQUEUE_WINDOW_MS are enqueued together (one addBulk,
// one Redis round trip, core/tick-batch.ts): the row is the durable record, and the worker's
// sweep (webhook-ingest 'sweep' jobs) re-enqueues any accepted message still unprocessed
// after a minute, so an enqueue lost to a Redis blip, a crash or a shutdown inside the
// window delays a message but never loses it. Processing is the worker's (webhook-ingest). A rejected request stores
// nothing, answers 401 and leaves a log line plus an audit event (throttled per hook and
// reason, so a forgery flood cannot turn into an audit-log flood).
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { openText, seal, type Keyring } from '../../core/crypto.js';
import { isUuid, type TenantDb, type GlobalDb } from '../../core/db.js';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../../core/errors.js';
import type { Ctx } from '../../core/context.js';
import { findEndpoint, insertEndpoint, listEndpoints, orgOfHook, revokeEndpoint, type EndpointRow } from './repo.js';
import { createStoreBatcher } from './store-batcher.js';
import { createTickBatch } from '../../core/tick-batch.js';
import { messageFreshness, verifyRequest, type AuthMode, type EndpointAuth } from './verify.js';
import type { AlertSink } from '../alerts/index.js';
import { newToken } from '../../core/tokens.js';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 5_000;
const REJECT_AUDIT_EVERY_S = 60;
/**
 * How long the ids stored by successive store batches are collected before one addBulk
 * (core/tick-batch.ts). Nobody waits on the enqueue, so a message reaches the worker at
 * most this much later; in exchange, at 2,000 req/s the app builds ~50 BullMQ pipelines a
 * second instead of one per store batch (~300), each a Pipeline object with every Lua
 * command defined on it plus a socket write, on the loop the requests share.
 */
export const ENQUEUE_WINDOW_MS = 20;
const ENQUEUE_MAX = 500;

export interface IngestProducer {
  /** Enqueues a webhook-ingest job per message (one call for all messages stored in one enqueue window). */
  enqueue(messages: readonly { orgId: string; messageId: string }[]): Promise<void>;
}

/** Answers the message types Vapi waits on (assistant-request, tool-calls). */
export interface SyncResponder {
  respond(orgId: string, message: ServerMessageEnvelope['message']): Promise<Record<string, unknown> | null>;
}

export interface ServerMessageEnvelope {
  message: { type: string; timestamp?: number; call?: { id?: string } & Record<string, unknown> } & Record<string, unknown>;
}

export interface EndpointView {
  id: string;
  url: string;
  mode: AuthMode;
  signatureHeader: string;
  timestampHeader: string;
  createdAt: string;
  revokedAt: string | null;
}

interface CachedEndpoint {
  orgId: string;
  endpointId: string;
  auth: EndpointAuth;
  /** The unwrapped org key (the keyring caches it per process anyway): bodies are sealed without a tenant read. */
  orgKey: Buffer;
  expires: number;
}

export const endpointAad = (orgId: string, id: string) => ({ orgId, table: 'webhook_endpoints', column: 'secret_enc', rowId: id });
export const messageAad = (orgId: string, id: string) => ({ orgId, table: 'webhook_messages', column: 'body_enc', rowId: id });

/** Parses a verified body into the envelope we store, or null if it is not one. */
export function parseEnvelope(raw: Buffer): { envelope: ServerMessageEnvelope; type: string; callId: string } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const message = (parsed as { message?: unknown }).message;
  if (!message || typeof message !== 'object' || Array.isArray(message)) return null;
  const type = (message as { type?: unknown }).type;
  if (typeof type !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(type)) return null;
  const call = (message as { call?: unknown }).call;
  const callId = call && typeof call === 'object' ? (call as { id?: unknown }).id : undefined;
  if (typeof callId !== 'string' || callId.length < 1 || callId.length > 128) return null;
  return { envelope: parsed as ServerMessageEnvelope, type, callId };
}

/** The dedup timestamp: the message's own, else the signed header's, else a body digest. */
export function dedupTimestamp(envelope: ServerMessageEnvelope, headerTsMs: number | null, raw: Buffer): number {
  const ts = envelope.message.timestamp;
  if (typeof ts === 'number' && Number.isSafeInteger(ts) && ts > 0) return ts;
  if (headerTsMs !== null) return headerTsMs;
  return -createHash('sha256').update(raw).digest().readUIntBE(0, 6);
}

export function createWebhookService(deps: {
  // GlobalDb: inbound webhooks are stored before their org is known (hook id -> org lookup).
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  keyring: Keyring;
  redis: Redis;
  redisPrefix: string;
  ingest: IngestProducer;
  responder?: SyncResponder;
  publicUrl: URL;
  clock: () => Date;
  log: Logger;
  alerts?: AlertSink;
  /** ENQUEUE_WINDOW_MS by default; 0 enqueues what one turn stored on the next turn. */
  enqueueWindowMs?: number;
}) {
  const { db, keyring } = deps;
  const batcher = createStoreBatcher(db.pool);
  // Not awaited by the request: the stored row is the durable record and the worker's sweep enqueues it if this fails.
  const enqueueSoon = createTickBatch(
    (messages: { orgId: string; messageId: string }[]) => deps.ingest.enqueue(messages),
    (err, messages) => deps.log.warn({ messages: messages.length, err: { message: (err as Error).message } }, 'webhook-ingest enqueue failed; the sweep will pick the messages up'),
    { windowMs: deps.enqueueWindowMs ?? ENQUEUE_WINDOW_MS, maxItems: ENQUEUE_MAX },
  );
  const cache = new Map<string, CachedEndpoint | null>();
  const negativeUntil = new Map<string, number>();
  const loading = new Map<string, Promise<CachedEndpoint | null>>();

  const view = (r: EndpointRow): EndpointView => ({
    id: r.id,
    url: new URL(`/webhooks/vapi/${r.id}`, deps.publicUrl).toString(),
    mode: r.auth_mode,
    signatureHeader: r.signature_header,
    timestampHeader: r.timestamp_header,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
  });

  async function load(hookId: string): Promise<CachedEndpoint | null> {
    const now = Date.now();
    const orgId = await orgOfHook(db.pool, hookId);
    const found = orgId
      ? await db.withTenant(orgId, async (q) => {
          const row = await findEndpoint(q, hookId);
          if (!row || row.revoked_at) return null;
          const orgKey = await keyring.orgKey(q, orgId);
          const secret = openText(orgKey, row.secret_enc, endpointAad(orgId, row.id));
          return { orgId, endpointId: row.id, auth: { mode: row.auth_mode, secret, signatureHeader: row.signature_header, timestampHeader: row.timestamp_header }, orgKey, expires: now + CACHE_TTL_MS };
        })
      : null;
    if (cache.size >= CACHE_MAX) cache.clear();
    if (negativeUntil.size >= CACHE_MAX) negativeUntil.clear();
    if (found) cache.set(hookId, found);
    else {
      cache.delete(hookId);
      negativeUntil.set(hookId, now + 2_000);
    }
    return found;
  }

  // One lookup per hook at a time: at 2,000 req/s a cold or expired entry would otherwise
  // send every request arriving during the lookup to the database (a stall every TTL).
  // An expired entry keeps answering while its refresh runs: it cannot store anything
  // for a revoked endpoint, because webhook_store_messages checks liveness at write time.
  function resolve(hookId: string): Promise<CachedEndpoint | null> | CachedEndpoint | null {
    const now = Date.now();
    const hit = cache.get(hookId);
    if (hit && hit.expires > now) return hit;
    if (!hit && (negativeUntil.get(hookId) ?? 0) > now) return null;
    let pending = loading.get(hookId);
    if (!pending) {
      pending = load(hookId).finally(() => loading.delete(hookId));
      loading.set(hookId, pending);
    }
    if (hit) {
      pending.catch(() => undefined); // a failed refresh leaves the entry to the next request
      return hit;
    }
    return pending;
  }

  async function reject(endpoint: CachedEndpoint | null, hookId: string, reason: string, requestId: string): Promise<never> {
    deps.log.warn({ alert: 'webhook.rejected', hookId: isUuid(hookId) ? hookId : 'malformed', reason, requestId }, 'webhook rejected');
    if (endpoint) {
      try {
        const key = `${deps.redisPrefix}:webhook-reject:${endpoint.endpointId}:${reason}`;
        const n = await deps.redis.incr(key);
        if (n === 1) {
          await deps.redis.expire(key, REJECT_AUDIT_EVERY_S);
          await deps.audit.record(endpoint.orgId, {
            action: 'webhook.rejected',
            actor: { type: 'anonymous' },
            target: { type: 'webhook_endpoint', id: endpoint.endpointId },
            metadata: { provider: 'vapi', reason, throttleSeconds: REJECT_AUDIT_EVERY_S },
            requestId,
          });
          await deps.alerts?.raise(endpoint.orgId, 'webhook_signature', `A Vapi webhook was rejected (${reason}); check the endpoint secret or look for forged requests.`, { endpointId: endpoint.endpointId, reason });
        }
      } catch (err) {
        deps.log.warn({ err: { message: (err as Error).message } }, 'webhook rejection audit failed');
      }
    }
    throw new UnauthorizedError({ detail: 'The webhook could not be verified.' });
  }

  return {
    /** Enqueues the stored messages still waiting for their enqueue window; the app calls it on close, before its queues close. */
    flushEnqueues(): Promise<void> {
      return enqueueSoon.flush();
    },

    async createEndpoint(ctx: Ctx, input: { mode: AuthMode; signatureHeader?: string; timestampHeader?: string }): Promise<EndpointView & { secret: string }> {
      const id = randomUUID();
      const secret = newToken();
      const row = await db.withTenantTx(ctx.orgId, async (tx) => {
        const secretEnc = seal(await keyring.orgKey(tx, ctx.orgId), secret, endpointAad(ctx.orgId, id));
        const inserted = await insertEndpoint(tx, {
          id,
          orgId: ctx.orgId,
          mode: input.mode,
          secretEnc,
          signatureHeader: (input.signatureHeader ?? 'x-signature').toLowerCase(),
          timestampHeader: (input.timestampHeader ?? 'x-timestamp').toLowerCase(),
          createdBy: ctx.userId,
        });
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'webhook.endpoint_created',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'webhook_endpoint', id },
          metadata: { provider: 'vapi', mode: input.mode },
          requestId: ctx.requestId,
        });
        return inserted;
      });
      return { ...view(row), secret };
    },

    async listEndpoints(ctx: Ctx): Promise<EndpointView[]> {
      return (await db.withTenant(ctx.orgId, (q) => listEndpoints(q))).map(view);
    },

    async revokeEndpoint(ctx: Ctx, id: string): Promise<void> {
      const done = await db.withTenantTx(ctx.orgId, async (tx) => {
        if (!(await revokeEndpoint(tx, id))) return false;
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'webhook.endpoint_revoked',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'webhook_endpoint', id },
          requestId: ctx.requestId,
        });
        return true;
      });
      if (!done) throw new NotFoundError({ resource: 'Webhook endpoint' });
      cache.delete(id);
    },

    /** Verifies, stores once and enqueues one server message; returns the response body. */
    async ingest(hookId: string, headers: Record<string, string | string[] | undefined>, raw: Buffer, requestId: string): Promise<{ received: boolean; duplicate: boolean } & Record<string, unknown>> {
      const endpoint = isUuid(hookId) ? await resolve(hookId) : null;
      if (!endpoint) return reject(null, hookId, 'unknown_hook', requestId);
      const verdict = verifyRequest(endpoint.auth, headers, raw, deps.clock().getTime());
      if (!verdict.ok) return reject(endpoint, hookId, verdict.reason, requestId);
      const parsed = parseEnvelope(raw);
      if (!parsed) throw new BadRequestError({ detail: 'The body is not a Vapi server message with a call id.' });
      const { envelope, type, callId } = parsed;
      if (endpoint.auth.mode !== 'hmac') {
        // Bearer and X-Vapi-Secret sign nothing: the message's own timestamp is their replay window.
        const fresh = messageFreshness(envelope.message.timestamp, deps.clock().getTime());
        if (!fresh.ok) return reject(endpoint, hookId, fresh.reason, requestId);
      }
      const messageId = randomUUID();
      const ts = dedupTimestamp(envelope, verdict.timestampMs, raw);
      const bodyEnc = seal(endpoint.orgKey, raw, messageAad(endpoint.orgId, messageId));
      const outcome = await batcher.store({ id: messageId, orgId: endpoint.orgId, endpointId: endpoint.endpointId, callId, type, ts, bodyEnc });
      if (outcome === 'not_live') {
        // Revoked since it was cached (possibly by another process): forget it everywhere here.
        cache.delete(hookId);
        negativeUntil.set(hookId, Date.now() + 2_000);
        return reject(null, hookId, 'unknown_hook', requestId);
      }
      if (outcome === 'stored') enqueueSoon({ orgId: endpoint.orgId, messageId });
      const answer = deps.responder && (type === 'assistant-request' || type === 'tool-calls') ? await deps.responder.respond(endpoint.orgId, envelope.message) : null;
      return { received: true, duplicate: outcome === 'duplicate', ...(answer ?? {}) };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
