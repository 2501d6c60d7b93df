// Org alerts (DESIGN §9): security events (sign-in bursts, webhook signature failures, mass
// exports, ...) become an alert row, shown in the console, and are delivered to the org's
// alert channel (e-mail addresses and/or a signed webhook) by the alert-deliver worker.
//
// raise() is called from request paths (sign-in, webhooks, exports): it never throws, so an
// alerting problem can never break the path that noticed the incident. The same kind is
// sent at most once per org per THROTTLE_MS; later ones only count on the sent row.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { NodeEnv } from '../../core/config.js';
import { openText, seal, type Aad, type Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import type { Mailer } from '../../core/mailer.js';
import { describeOutboundFailure, REFUSED_MESSAGE, type Outbound } from '../../core/outbound.js';
import { ValidationError } from '../../core/errors.js';
import type { RequestContext } from '../../core/context.js';
import { isDomainName } from '../sso/index.js';
import {
  claimChannels,
  countSuppressed,
  findAlert,
  getAlertSettings,
  insertAlert,
  listAlerts,
  lockKind,
  recentAlertOfKind,
  updateDelivery,
  upsertAlertSettings,
  type AlertRow,
  type AlertSettingsRecord,
  type ChannelStatus,
} from './repo.js';
import { newToken } from '../../core/tokens.js';

export const ALERT_KINDS = ['signin_burst', 'webhook_signature', 'mass_export', 'bias_breach', 'stale_backup', 'event_hook_failing', 'vapi_deletion', 'privacy_request_overdue', 'privacy_request_due', 'trust_check_failing'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const SEVERITY: Readonly<Record<AlertKind, 'warning' | 'critical'>> = {
  signin_burst: 'warning',
  webhook_signature: 'warning',
  mass_export: 'critical',
  bias_breach: 'critical',
  stale_backup: 'warning',
  event_hook_failing: 'warning',
  vapi_deletion: 'critical',
  privacy_request_overdue: 'critical',
  privacy_request_due: 'warning',
  trust_check_failing: 'critical',
};
export const THROTTLE_MS = 10 * 60_000;
export const MAX_ALERT_EMAILS = 5;
/** Candidate exports/explanations by one user within an hour above which mass_export is raised. */
export const MASS_EXPORT_THRESHOLD = 20;
export const WEBHOOK_TIMEOUT_MS = 5_000;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// Loose on purpose: the mail server is the judge; this catches typos and header injection.
const LOCAL_PART = /^[^\s@<>(),;:"\\]{1,64}$/;

export function isAlertEmail(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.length > 254) return false;
  return LOCAL_PART.test(address.slice(0, at)) && isDomainName(address.slice(at + 1).toLowerCase());
}

export interface AlertSettingsInput {
  emails: string[];
  webhookUrl: string | null;
  kinds: AlertKind[];
}

export interface AlertSettingsView {
  emails: string[];
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  kinds: string[];
  updatedAt: string | null;
}

export interface AlertView {
  id: string;
  kind: string;
  severity: string;
  summary: string;
  suppressed: number;
  emailStatus: ChannelStatus;
  webhookStatus: ChannelStatus;
  deliveryAttempts: number;
  createdAt: string;
}

/** What alert sources depend on: raise never throws. */
export interface AlertSink {
  raise(orgId: string, kind: AlertKind, summary: string, details?: Record<string, string | number | boolean | null>): Promise<void>;
  /** Counts one candidate export/explanation by a user; raises mass_export when the hourly count passes the threshold. */
  noteExport(orgId: string, userId: string): Promise<void>;
}

export interface AlertDeliverProducer {
  enqueue(orgId: string, alertId: string): Promise<void>;
}

/** Why a webhook URL is not acceptable, or null: https only, except http to loopback outside production. */
export function webhookUrlProblem(raw: string, nodeEnv: NodeEnv): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'webhookUrl must be an absolute URL';
  }
  if (url.username || url.password) return 'webhookUrl must not contain credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && nodeEnv !== 'production' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return nodeEnv === 'production' ? 'webhookUrl must use https' : 'webhookUrl must use https (http only to localhost outside production)';
}

/** HMAC-SHA256 over `${timestamp}.${body}`, hex: what x-hirebox-signature carries after "sha256=". */
export function signAlertBody(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

const secretAad = (orgId: string): Aad => ({ orgId, table: 'org_alert_settings', column: 'webhook_secret', rowId: orgId });

function toSettingsView(s: AlertSettingsRecord | null): AlertSettingsView {
  return {
    emails: s?.emails ?? [],
    webhookUrl: s?.webhookUrl ?? null,
    webhookSecretSet: Boolean(s?.webhookSecretEnc),
    kinds: s?.kinds ?? [],
    updatedAt: s?.updatedAt ? s.updatedAt.toISOString() : null,
  };
}

function toAlertView(r: AlertRow): AlertView {
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity,
    summary: r.summary,
    suppressed: r.suppressed,
    emailStatus: r.email_status,
    webhookStatus: r.webhook_status,
    deliveryAttempts: r.delivery_attempts,
    createdAt: r.created_at.toISOString(),
  };
}

export function encodeCursor(r: { created_at: Date; id: string }): string {
  return Buffer.from(`${r.created_at.toISOString()}|${r.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) throw new ValidationError([{ path: 'querystring/cursor', message: 'is not a valid cursor' }], 'The cursor is not valid.');
  return { createdAt, id };
}

export function createAlertService(deps: {
  db: TenantDb;
  audit: AuditLog;
  keyring: Keyring;
  redis: Redis;
  redisPrefix: string;
  deliver: AlertDeliverProducer;
  nodeEnv: NodeEnv;
  /** Save-time check of the webhook host (the deliverer checks again at connect time). */
  outbound: Outbound;
  clock: () => Date;
  log: Logger;
}) {
  const { db, audit, keyring, clock } = deps;

  async function raise(orgId: string, kind: AlertKind, summary: string, details: Record<string, string | number | boolean | null> = {}): Promise<void> {
    try {
      const now = clock();
      const created = await db.withTenantTx(orgId, async (tx) => {
        await lockKind(tx, orgId, kind);
        const recent = await recentAlertOfKind(tx, kind, new Date(now.getTime() - THROTTLE_MS));
        if (recent) {
          await countSuppressed(tx, recent.id);
          return null;
        }
        const settings = await getAlertSettings(tx, orgId);
        const wanted = settings?.kinds.includes(kind) ?? false;
        const id = randomUUID();
        const emailStatus: ChannelStatus = wanted && settings && settings.emails.length > 0 ? 'pending' : 'skipped';
        const webhookStatus: ChannelStatus = wanted && settings?.webhookUrl && settings.webhookSecretEnc ? 'pending' : 'skipped';
        await insertAlert(tx, { id, orgId, kind, severity: SEVERITY[kind], summary: summary.slice(0, 500), details, emailStatus, webhookStatus, createdAt: now });
        await audit.recordIn(tx, orgId, { action: 'alert.raised', actor: { type: 'system' }, target: { type: 'alert', id }, metadata: { kind, severity: SEVERITY[kind] } });
        return emailStatus === 'pending' || webhookStatus === 'pending' ? id : null;
      });
      // Enqueued after commit: the worker must find the row.
      if (created) await deps.deliver.enqueue(orgId, created);
    } catch (err) {
      deps.log.error({ orgId, kind, err: { message: (err as Error).message } }, 'alert could not be raised');
    }
  }

  return {
    raise,

    async noteExport(orgId: string, userId: string): Promise<void> {
      try {
        const key = `${deps.redisPrefix}:alerts:exports:${orgId}:${userId}`;
        const n = await deps.redis.incr(key);
        if (n === 1) await deps.redis.pexpire(key, 3_600_000);
        if (n === MASS_EXPORT_THRESHOLD + 1) {
          await raise(orgId, 'mass_export', `One member exported or explained more than ${MASS_EXPORT_THRESHOLD} candidates within an hour.`, { userId, count: n });
        }
      } catch (err) {
        deps.log.error({ orgId, err: { message: (err as Error).message } }, 'export count failed');
      }
    },

    async getSettings(ctx: RequestContext): Promise<AlertSettingsView> {
      return toSettingsView(await db.withTenant(ctx.orgId, (q) => getAlertSettings(q, ctx.orgId)));
    },

    /** Saves the channel; the first time a webhook is set, a signing secret is created and returned once. */
    async putSettings(ctx: RequestContext, input: AlertSettingsInput): Promise<AlertSettingsView & { secret?: string }> {
      const emails = [...new Set(input.emails.map((e) => e.trim().toLowerCase()))];
      const bad = emails.findIndex((e) => !isAlertEmail(e));
      if (bad >= 0) throw new ValidationError([{ path: `body/emails/${bad}`, message: 'must be an e-mail address' }], 'Each alert recipient must be an e-mail address.');
      if (emails.length > MAX_ALERT_EMAILS) throw new ValidationError([{ path: 'body/emails', message: `at most ${MAX_ALERT_EMAILS}` }], `At most ${MAX_ALERT_EMAILS} alert recipients.`);
      const webhookUrl = input.webhookUrl === null ? null : input.webhookUrl.trim();
      const problem = webhookUrl === null ? null : webhookUrlProblem(webhookUrl, deps.nodeEnv);
      if (problem) throw new ValidationError([{ path: 'body/webhookUrl', message: problem }], `${problem}.`);
      if (webhookUrl !== null && (await deps.outbound.hostProblem(webhookUrl)) !== null) {
        throw new ValidationError([{ path: 'body/webhookUrl', message: REFUSED_MESSAGE }], `The webhook ${REFUSED_MESSAGE}: it must be a public address.`);
      }
      const kinds = [...new Set(input.kinds)];
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await getAlertSettings(tx, ctx.orgId);
        const secret = webhookUrl && !before?.webhookSecretEnc ? newToken() : undefined;
        const webhookSecretEnc = secret ? seal(await keyring.orgKey(tx, ctx.orgId), secret, secretAad(ctx.orgId)) : null;
        await upsertAlertSettings(tx, ctx.orgId, { emails, webhookUrl, webhookSecretEnc, kinds });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'alerts.settings_changed',
          actor: { type: 'user', id: ctx.userId },
          // Recipient count and webhook host only: the full URL may carry a token.
          metadata: { emails: emails.length, webhookHost: webhookUrl ? new URL(webhookUrl).host : null, kinds, secretCreated: Boolean(secret) },
          requestId: ctx.requestId,
        });
        const view = toSettingsView(await getAlertSettings(tx, ctx.orgId));
        return secret ? { ...view, secret } : view;
      });
    },

    async rotateSecret(ctx: RequestContext): Promise<{ secret: string }> {
      const secret = newToken();
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await getAlertSettings(tx, ctx.orgId);
        const webhookSecretEnc = seal(await keyring.orgKey(tx, ctx.orgId), secret, secretAad(ctx.orgId));
        await upsertAlertSettings(tx, ctx.orgId, { emails: before?.emails ?? [], webhookUrl: before?.webhookUrl ?? null, webhookSecretEnc, kinds: before?.kinds ?? [] });
        await audit.recordIn(tx, ctx.orgId, { action: 'alerts.secret_rotated', actor: { type: 'user', id: ctx.userId }, metadata: {}, requestId: ctx.requestId });
      });
      return { secret };
    },

    async list(ctx: RequestContext, query: { limit: number; cursor?: string }): Promise<{ items: AlertView[]; nextCursor: string | null }> {
      const cursor = query.cursor ? decodeCursor(query.cursor) : null;
      const rows = await db.withTenant(ctx.orgId, (q) => listAlerts(q, query.limit + 1, cursor));
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map(toAlertView), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
    },
  };
}
export type AlertService = ReturnType<typeof createAlertService>;

/**
 * How long a claimed send may still be in flight: longer than the bounded SMTP timeouts
 * (server/core/mailer.ts) times MAX_ALERT_EMAILS, and the webhook timeout. A claim older
 * than this with no recorded outcome means the sending worker died.
 */
export const ALERT_CLAIM_STALE_MS = 15 * 60_000;
const UNKNOWN_NOTE = 'outcome unknown: an earlier attempt stopped between sending and recording';

/** Message-ID of one alert mail: stable per alert and recipient, so a resent copy can be dropped. */
export function alertMessageId(alertId: string, address: string, host: string): string {
  return `<alert.${alertId}.${createHash('sha256').update(address).digest('hex').slice(0, 16)}@${host}>`;
}

/**
 * Delivers one alert to its pending channels (the alert-deliver worker). A channel that
 * went out stays delivered; a failure throws so BullMQ retries with backoff, and on the
 * final attempt the failed channels are recorded as failed.
 *
 * Exactly once (issue 19): each channel to send is claimed in a committed write before the
 * send, and the claim is released with the recorded outcome. A claim found still set means
 * an earlier attempt died between the send and the record (or is still sending, if fresh):
 * - fresh claim: retry later (on the final attempt: 'unknown');
 * - stale claim, e-mail: at-most-once — 'unknown', shown in the console, never mailed
 *   twice to a human (each mail also has a Message-ID derived from the alert id);
 * - stale claim, webhook: at-least-once — resent with the same x-hirebox-alert-id (and
 *   body id), which the receiver dedupes on.
 */
export function createAlertDeliverer(deps: { db: TenantDb; keyring: Keyring; mailer: Mailer; nodeEnv: NodeEnv; publicUrl?: URL; log: Logger; outbound: Outbound; clock?: () => Date; claimStaleMs?: number }) {
  const clock = deps.clock ?? (() => new Date());
  const staleMs = deps.claimStaleMs ?? ALERT_CLAIM_STALE_MS;
  const mailHost = deps.publicUrl?.hostname ?? 'hirebox.invalid';
  return {
    async deliver(orgId: string, alertId: string, final: boolean): Promise<void> {
      const loaded = await deps.db.withTenant(orgId, async (q) => {
        const alert = await findAlert(q, alertId);
        const settings = await getAlertSettings(q, orgId);
        const secret = settings?.webhookSecretEnc ? openText(await deps.keyring.orgKey(q, orgId), settings.webhookSecretEnc, secretAad(orgId)) : null;
        return { alert, settings, secret };
      });
      const { alert, settings, secret } = loaded;
      if (!alert) return;
      let emailStatus = alert.email_status;
      let webhookStatus = alert.webhook_status;
      if (emailStatus !== 'pending' && webhookStatus !== 'pending') return;

      const now = clock();
      const fresh = (at: Date | null) => at !== null && now.getTime() - at.getTime() < staleMs;
      const emailClaimed = emailStatus === 'pending' && alert.email_claimed_at !== null;
      const webhookClaimed = webhookStatus === 'pending' && alert.webhook_claimed_at !== null;
      if (!final && ((emailClaimed && fresh(alert.email_claimed_at)) || (webhookClaimed && fresh(alert.webhook_claimed_at)))) {
        throw new Error('an earlier attempt of this alert may still be in flight');
      }
      if (emailClaimed) emailStatus = 'unknown';
      if (webhookClaimed && fresh(alert.webhook_claimed_at)) webhookStatus = 'unknown';
      const resolved = emailClaimed || webhookClaimed;
      if (resolved) deps.log.warn({ orgId, alertId, emailStatus, webhookStatus }, 'an earlier alert send was never recorded (worker died?)');
      const claimed = await deps.db.withTenant(orgId, (q) =>
        claimChannels(q, alertId, {
          emailStatus,
          webhookStatus,
          email: emailStatus === 'pending',
          webhook: webhookStatus === 'pending',
          at: now,
          seen: { email: alert.email_claimed_at, webhook: alert.webhook_claimed_at },
        }),
      );
      if (!claimed) throw new Error('another attempt of this alert claimed it meanwhile');
      if (emailStatus !== 'pending' && webhookStatus !== 'pending') {
        await deps.db.withTenant(orgId, (q) => updateDelivery(q, alertId, { emailStatus, webhookStatus, lastError: UNKNOWN_NOTE }));
        return;
      }
      const errors: string[] = [];
      const payload = { id: alert.id, orgId, kind: alert.kind, severity: alert.severity, summary: alert.summary, suppressed: alert.suppressed, createdAt: alert.created_at.toISOString() };

      if (emailStatus === 'pending') {
        const to = settings?.emails ?? [];
        if (to.length === 0) emailStatus = 'skipped';
        else {
          try {
            const link = deps.publicUrl ? `\n\nSee the console: ${new URL('/app/settings', deps.publicUrl).href}` : '';
            for (const address of to) {
              await deps.mailer.send({ to: address, messageId: alertMessageId(alert.id, address, mailHost), subject: `[hirebox] ${alert.severity} alert: ${alert.kind}`, text: `${alert.summary}\n\nRaised at ${payload.createdAt}.${link}` });
            }
            emailStatus = 'delivered';
          } catch (err) {
            // The code only: transport messages can name hosts, users or recipients.
            const code = (err as { code?: unknown }).code;
            errors.push(`email: ${typeof code === 'string' ? code.slice(0, 40) : 'send failed'}`);
          }
        }
      }
      if (webhookStatus === 'pending') {
        const url = settings?.webhookUrl ?? null;
        if (!url || !secret || webhookUrlProblem(url, deps.nodeEnv)) webhookStatus = 'skipped';
        else {
          const body = JSON.stringify(payload);
          const timestamp = String(Math.floor(Date.now() / 1000));
          try {
            // The outbound guard never follows a redirect (the org named this URL, not another)
            // and refuses internal addresses before connecting.
            const res = await deps.outbound.fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-hirebox-alert-id': alert.id, 'x-hirebox-timestamp': timestamp, 'x-hirebox-signature': `sha256=${signAlertBody(secret, timestamp, body)}` },
              body,
              signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
            });
            await res.body?.cancel();
            if (res.status >= 200 && res.status < 300) webhookStatus = 'delivered';
            else errors.push(`webhook: HTTP ${res.status}`);
          } catch (err) {
            // The same words for every refused address, so the status never tells whether an internal host answered.
            errors.push(`webhook: ${describeOutboundFailure(err)}`);
          }
        }
      }
      const failedNow = errors.length > 0;
      if (failedNow && final) {
        if (emailStatus === 'pending') emailStatus = 'failed';
        if (webhookStatus === 'pending') webhookStatus = 'failed';
      }
      await deps.db.withTenant(orgId, (q) => updateDelivery(q, alertId, { emailStatus, webhookStatus, lastError: failedNow ? errors.join('; ') : resolved ? UNKNOWN_NOTE : null }));
      if (failedNow && !final) throw new Error(`alert delivery failed (${errors.join('; ')})`);
      if (failedNow) deps.log.warn({ orgId, alertId, errors }, 'alert delivery failed for good');
    },
  };
}
export type AlertDeliverer = ReturnType<typeof createAlertDeliverer>;
