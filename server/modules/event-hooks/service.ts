// Outbound event webhooks (issue 20, item 2): per-org subscriptions (admins) and their
// delivery by the worker.
//
// Signing follows the Standard Webhooks specification through its reference library
// (npm standardwebhooks): headers webhook-id (the event id, the same on every retry),
// webhook-timestamp (seconds) and webhook-signature ("v1,<base64 HMAC-SHA256>"), with a
// "whsec_<base64>" secret, so any consumer's Standard Webhooks verifier works.
//
// Every request goes through the outbound guard (server/core/outbound.ts): the URL is
// checked at save time and again at connect time, redirects are not followed.
//
// Retries: RETRY_SCHEDULE_MS after attempts 1..7 (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h),
// so the 8th and last attempt comes 27 h 35 min after the first. A delivery that fails its
// whole schedule (more than 24 h of failures) with no success of the subscription since it
// first failed disables the subscription and raises an org alert (event_hook_failing).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { AuditLog } from '../../core/audit.js';
import type { NodeEnv } from '../../core/config.js';
import { openText, seal, type Aad, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { OutboundRefusedError, OutboundResponseTooLargeError, REFUSED_MESSAGE, type Outbound } from '../../core/outbound.js';
import type { RequestContext } from '../../core/context.js';
import type { AlertSink } from '../alerts/index.js';
import { webhookUrlProblem } from '../alerts/index.js';
import { attemptsOf, cancelPending, claimAttempt, countSubscriptions, deleteSubscription, disableFailing, dueDeliveriesAllOrgs, findDelivery, findEvent, findSubscription, finishDelivery, insertAttempt, insertSubscription, listDeliveries, listSubscriptions, noteFailedDelivery, noteSuccess, requeueDelivery, setSubscriptionSecret, updateSubscription, type AttemptRow, type DeliveryLogRow, type SubscriptionRow } from './repo.js';

export { EVENT_TYPES, type EventType } from './repo.js';

/** Delay before attempt n+1 after attempt n failed (n = 1..7); 8 attempts over 27 h 35 min. */
export const RETRY_SCHEDULE_MS: readonly number[] = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];
export const MAX_SUBSCRIPTIONS = 10;
export const DELIVERY_TIMEOUT_MS = 10_000;
export const SNIPPET_CHARS = 200;

export interface SubscriptionView {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AttemptView {
  attempt: number;
  ok: boolean;
  responseCode: number | null;
  durationMs: number;
  errorClass: string | null;
  responseSnippet: string | null;
  at: string;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  manual: boolean;
  nextAttemptAt: string | null;
  lastResponseCode: number | null;
  lastErrorClass: string | null;
  createdAt: string;
  log: AttemptView[];
}

export interface CreateInput {
  url: string;
  events: string[];
  description?: string;
}

export interface UpdateInput {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
}

const secretAad = (orgId: string, id: string): Aad => ({ orgId, table: 'event_hook_subscriptions', column: 'secret_enc', rowId: id });

/** A Standard Webhooks secret: "whsec_" and the base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The row without its encrypted secret, in the API's names, dates as ISO strings. */
function toView({ id, url, description, events, enabled, ...r }: SubscriptionRow): SubscriptionView {
  const dates = { lastSuccessAt: r.last_success_at?.toISOString() ?? null, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
  return { id, url, description, events, enabled, disabledReason: r.disabled_reason, consecutiveFailures: r.consecutive_failures, ...dates };
}

function toAttemptView(a: AttemptRow): AttemptView {
  return { attempt: a.attempt, ok: a.ok, responseCode: a.response_code, durationMs: a.duration_ms, errorClass: a.error_class, responseSnippet: a.response_snippet, at: a.created_at.toISOString() };
}

function toDeliveryView(d: DeliveryLogRow, log: AttemptView[]): DeliveryView {
  return {
    id: d.id,
    eventId: d.event_id,
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    manual: d.manual,
    nextAttemptAt: d.status === 'pending' ? (d.next_attempt_at?.toISOString() ?? null) : null,
    lastResponseCode: d.last_code,
    lastErrorClass: d.last_error,
    createdAt: d.created_at.toISOString(),
    log,
  };
}

/** Host only: a URL's path or query may carry a token. */
const hostOf = (url: string): string => new URL(url).host;

export interface EventHookDeliverProducer {
  /** Enqueues attempt `attempt` of a delivery after `delayMs` (deterministic job id). */
  enqueue(orgId: string, deliveryId: string, attempt: number, delayMs: number): Promise<void>;
}

export function createEventHookService(deps: { db: TenantDb; audit: AuditLog; keyring: Keyring; outbound: Outbound; nodeEnv: NodeEnv; deliver: EventHookDeliverProducer; clock: () => Date }) {
  const { db, audit, keyring } = deps;

  async function checkUrl(raw: string): Promise<string> {
    const url = raw.trim();
    const problem = webhookUrlProblem(url, deps.nodeEnv);
    if (problem) {
      const message = problem.replace(/^webhookUrl/, 'url');
      throw new ValidationError([{ path: 'body/url', message }], `The ${message}.`);
    }
    if ((await deps.outbound.hostProblem(url)) !== null) {
      throw new ValidationError([{ path: 'body/url', message: REFUSED_MESSAGE }], `The webhook ${REFUSED_MESSAGE}: it must be a public address.`);
    }
    return url;
  }

  async function mustFind(q: Parameters<typeof findSubscription>[0], id: string, forUpdate = false): Promise<SubscriptionRow> {
    const sub = await findSubscription(q, id, forUpdate);
    if (!sub) throw new NotFoundError({ resource: 'Event webhook' });
    return sub;
  }

  return {
    async list(ctx: RequestContext): Promise<SubscriptionView[]> {
      return (await db.withTenant(ctx.orgId, (q) => listSubscriptions(q))).map(toView);
    },

    /** Creates a subscription; its signing secret is returned here and never again. */
    async create(ctx: RequestContext, input: CreateInput): Promise<SubscriptionView & { secret: string }> {
      const url = await checkUrl(input.url);
      const events = [...new Set(input.events)];
      const id = randomUUID();
      const secret = newSigningSecret();
      return db.withTenantTx(ctx.orgId, async (tx) => {
        if ((await countSubscriptions(tx)) >= MAX_SUBSCRIPTIONS) throw new UnprocessableError({ detail: `At most ${MAX_SUBSCRIPTIONS} event webhooks per organisation.` });
        const secretEnc = seal(await keyring.orgKey(tx, ctx.orgId), secret, secretAad(ctx.orgId, id));
        await insertSubscription(tx, { id, orgId: ctx.orgId, url, description: (input.description ?? '').trim(), events, secretEnc, createdBy: ctx.userId });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'event_hooks.created',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'event_hook', id },
          metadata: { host: hostOf(url), events },
          requestId: ctx.requestId,
        });
        return { ...toView(await mustFind(tx, id)), secret };
      });
    },

    async update(ctx: RequestContext, id: string, input: UpdateInput): Promise<SubscriptionView> {
      const url = input.url === undefined ? undefined : await checkUrl(input.url);
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await mustFind(tx, id, true);
        const enabled = input.enabled ?? before.enabled;
        const reenabled = enabled && !before.enabled;
        await updateSubscription(tx, id, {
          url: url ?? before.url,
          description: input.description === undefined ? before.description : input.description.trim(),
          events: input.events ? [...new Set(input.events)] : before.events,
          enabled,
          disabledReason: enabled ? null : before.enabled ? 'manual' : before.disabled_reason,
          resetFailures: reenabled,
        });
        if (!enabled && before.enabled) await cancelPending(tx, id);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'event_hooks.updated',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'event_hook', id },
          metadata: { host: hostOf(url ?? before.url), events: input.events ?? null, enabled },
          requestId: ctx.requestId,
        });
        return toView(await mustFind(tx, id));
      });
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        if (!(await deleteSubscription(tx, id))) throw new NotFoundError({ resource: 'Event webhook' });
        await audit.recordIn(tx, ctx.orgId, { action: 'event_hooks.deleted', actor: { type: 'user', id: ctx.userId }, target: { type: 'event_hook', id }, metadata: {}, requestId: ctx.requestId });
      });
    },

    async rotateSecret(ctx: RequestContext, id: string): Promise<{ secret: string }> {
      const secret = newSigningSecret();
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await mustFind(tx, id, true);
        await setSubscriptionSecret(tx, id, seal(await keyring.orgKey(tx, ctx.orgId), secret, secretAad(ctx.orgId, id)));
        await audit.recordIn(tx, ctx.orgId, { action: 'event_hooks.secret_rotated', actor: { type: 'user', id: ctx.userId }, target: { type: 'event_hook', id }, metadata: {}, requestId: ctx.requestId });
      });
      return { secret };
    },

    async deliveries(ctx: RequestContext, id: string, limit: number): Promise<DeliveryView[]> {
      return db.withTenant(ctx.orgId, async (q) => {
        await mustFind(q, id);
        const rows = await listDeliveries(q, id, limit);
        const attempts = await attemptsOf(q, rows.map((r) => r.id));
        return rows.map((r) => toDeliveryView(r, attempts.filter((a) => a.delivery_id === r.id).map(toAttemptView)));
      });
    },

    /** One more attempt of a finished delivery, now (not a new retry schedule). */
    async redeliver(ctx: RequestContext, id: string, deliveryId: string): Promise<{ deliveryId: string; attempt: number }> {
      const attempt = await db.withTenantTx(ctx.orgId, async (tx) => {
        const sub = await mustFind(tx, id);
        const d = await findDelivery(tx, deliveryId, true);
        if (!d || d.subscription_id !== sub.id) throw new NotFoundError({ resource: 'Delivery' });
        if (!sub.enabled) throw new ConflictError({ detail: 'The event webhook is disabled: enable it first.' });
        if (d.status === 'pending') throw new ConflictError({ detail: 'The delivery is still being attempted.' });
        await requeueDelivery(tx, deliveryId, deps.clock());
        await audit.recordIn(tx, ctx.orgId, { action: 'event_hooks.redelivered', actor: { type: 'user', id: ctx.userId }, target: { type: 'event_hook', id }, metadata: { deliveryId }, requestId: ctx.requestId });
        return d.attempts + 1;
      });
      // After commit; the worker's sweep picks it up as well if this enqueue is lost.
      await deps.deliver.enqueue(ctx.orgId, deliveryId, attempt, 0);
      return { deliveryId, attempt };
    },
  };
}
export type EventHookService = ReturnType<typeof createEventHookService>;

function errorClass(err: unknown): string {
  if (err instanceof OutboundRefusedError) return 'refused';
  if (err instanceof OutboundResponseTooLargeError) return 'too_large';
  const name = (err as { name?: unknown }).name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable';
}

/** The first SNIPPET_CHARS characters of a response body, reading no more than needed. */
async function snippetOf(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that breaks off still gives what arrived.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  return text.length > 0 ? text.slice(0, SNIPPET_CHARS) : null;
}

export interface DeliveryDeps {
  db: TenantDb;
  keyring: Keyring;
  outbound: Outbound;
  alerts: AlertSink;
  deliver: EventHookDeliverProducer;
  log: Logger;
  clock?: () => Date;
  /** Delays between attempts; tests pass short ones to run the whole schedule. */
  scheduleMs?: readonly number[];
  timeoutMs?: number;
}

/**
 * Delivers attempt `attempt` of one delivery (the event-hook-deliver worker). Idempotent
 * per (delivery, attempt): a job for an attempt already made, a finished delivery or a
 * disabled subscription does nothing. Failures are recorded, not thrown: the next attempt
 * is its own delayed job, so the schedule lives in the database and survives restarts.
 */
export function createEventHookDeliverer(deps: DeliveryDeps) {
  const clock = deps.clock ?? (() => new Date());
  const schedule = deps.scheduleMs ?? RETRY_SCHEDULE_MS;
  const timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;

  return {
    async deliver(orgId: string, deliveryId: string, attempt: number): Promise<'delivered' | 'retrying' | 'failed' | 'stale' | 'cancelled'> {
      const claimed = await deps.db.withTenantTx(orgId, async (tx) => {
        const d = await findDelivery(tx, deliveryId, true);
        if (!d || d.status !== 'pending' || d.attempts + 1 !== attempt) return 'stale' as const;
        const sub = await findSubscription(tx, d.subscription_id);
        const event = await findEvent(tx, d.event_id);
        if (!sub || !sub.enabled || !event) {
          await finishDelivery(tx, d.id, { status: 'cancelled', nextAttemptAt: null, firstFailedAt: d.first_failed_at });
          return 'cancelled' as const;
        }
        const secret = openText(await deps.keyring.orgKey(tx, orgId), sub.secret_enc, secretAad(orgId, sub.id));
        // The lease keeps the sweep from offering this attempt again while it runs.
        await claimAttempt(tx, d.id, new Date(clock().getTime() + 3 * timeoutMs));
        return { d, sub, event, secret };
      });
      if (claimed === 'stale' || claimed === 'cancelled') return claimed;
      const { d, sub, event, secret } = claimed;

      const body = JSON.stringify({ type: event.type, timestamp: event.created_at.toISOString(), data: event.data });
      const sentAt = clock();
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'hirebox-webhooks/1',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(event.id, sentAt, body),
      };
      const started = performance.now();
      let ok = false;
      let code: number | null = null;
      let errClass: string | null = null;
      let snippet: string | null = null;
      try {
        const res = await deps.outbound.fetch(sub.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        code = res.status;
        snippet = await snippetOf(res);
        ok = res.status >= 200 && res.status < 300;
        if (!ok) errClass = 'http_status';
      } catch (err) {
        errClass = errorClass(err);
      }
      const durationMs = Math.round(performance.now() - started);
      const now = clock();
      const retryDelay = !ok && !d.manual ? schedule[attempt - 1] : undefined;

      const outcome = await deps.db.withTenantTx(orgId, async (tx) => {
        await insertAttempt(tx, { orgId, deliveryId: d.id, attempt, ok, responseCode: code, durationMs, errorClass: errClass, snippet, at: now });
        if (ok) {
          await finishDelivery(tx, d.id, { status: 'delivered', nextAttemptAt: null, firstFailedAt: d.first_failed_at });
          await noteSuccess(tx, sub.id, now);
          return 'delivered' as const;
        }
        const firstFailedAt = d.first_failed_at ?? now;
        if (retryDelay !== undefined) {
          await finishDelivery(tx, d.id, { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelay), firstFailedAt });
          return 'retrying' as const;
        }
        await finishDelivery(tx, d.id, { status: 'failed', nextAttemptAt: null, firstFailedAt });
        await noteFailedDelivery(tx, sub.id);
        if (d.manual) return 'failed' as const;
        // The whole schedule failed; disable unless the endpoint succeeded meanwhile (then this event alone was the problem).
        const fresh = await findSubscription(tx, sub.id, true);
        const recovered = fresh?.last_success_at && fresh.last_success_at > firstFailedAt;
        if (fresh?.enabled && !recovered) {
          await disableFailing(tx, sub.id);
          await cancelPending(tx, sub.id);
          return 'disabled' as const;
        }
        return 'failed' as const;
      });
      if (outcome === 'retrying' && retryDelay !== undefined) await deps.deliver.enqueue(orgId, d.id, attempt + 1, retryDelay);
      if (outcome === 'disabled') {
        deps.log.warn({ orgId, subscriptionId: sub.id, deliveryId: d.id }, 'event webhook disabled after persistent failure');
        await deps.alerts.raise(orgId, 'event_hook_failing', `An event webhook to ${hostOf(sub.url)} failed every delivery attempt for ${Math.round((now.getTime() - firstFailedAtOf(d, now).getTime()) / 60_000)} minutes and was disabled. Fix the receiver, then enable it again.`, {
          subscriptionId: sub.id,
          deliveryId: d.id,
          attempts: attempt,
        });
        return 'failed';
      }
      return outcome;
    },
  };
}
export type EventHookDeliverer = ReturnType<typeof createEventHookDeliverer>;

const firstFailedAtOf = (d: { first_failed_at: Date | null }, now: Date): Date => d.first_failed_at ?? now;

/** Deliveries due now in every org (the worker's sweep; looks across orgs through a SECURITY DEFINER function). */
// GlobalDb: the sweep looks across orgs (through a SECURITY DEFINER function).
export async function dueDeliveries(db: Pick<GlobalDb, 'pool'>, at: Date, limit: number): Promise<{ orgId: string; id: string; attempts: number }[]> {
  return dueDeliveriesAllOrgs(db.pool, at, limit);
}
