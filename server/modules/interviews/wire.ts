// Wires voice interviews and their Vapi webhooks into the app: the keyring, the queue
// producers (webhook-ingest, interview-start), the synchronous answers Vapi waits for
// (assistant-request, tool-calls) and the routes. buildApp registers it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../core/paths.js';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { type Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import type { Mailer } from '../../core/mailer.js';
import { createQueue, QUEUES } from '../../core/queues.js';
import { webhookRoutes } from '../webhooks/index.js';
import type { AlertSink } from '../alerts/index.js';
import { createWebhookService, type IngestProducer, type SyncResponder } from '../webhooks/index.js';
import type { Platform } from '../../plugins/platform.js';
import { createCircuitBreaker } from '../../core/circuit-breaker.js';
import { callOverrides } from './calls.js';
import { enqueue, enqueueBulk, interviewReminderJobId, interviewStartJobId, queueJob, QUEUE_JOBS } from '../../core/queue-jobs.js';
import { createAccommodationService } from './accommodations.js';
import { accommodationApiRoutes } from './typed-routes.js';
import { createTypedInterviewService } from './typed.js';
import { assistantPayload } from './assistant.js';
import { interviewOfCallIn, storedAssistantIdIn } from './calls.js';
import { interviewApiRoutes, invitePageRoutes } from './routes.js';
import type { PlanModel } from './plan-service.js';
import { createInterviewService, type CallControlProducer, type InterviewService, type InterviewStartProducer, type ReminderProducer } from './service.js';

export interface InterviewDeps {
  db: Db;
  audit: AuditLog;
  redis: Redis;
  logger: Logger;
  mailer: Mailer;
  redisPrefix: string;
  publicUrl: URL;
  /** MAIL_FROM: the ORGANIZER of candidates' calendar invites. */
  mailFrom?: string;
  /** Where candidates' browsers reach Vapi (VAPI_BASE_URL): the browser-call page may connect there. */
  vapiBaseUrl?: string;
  /** The operator's voice-assistant model (VAPI_ASSISTANT_MODEL_PROVIDER / VAPI_ASSISTANT_MODEL). */
  assistantModel?: { provider: string; model: string };
  /** The language model that drafts interview plans. */
  planModel?: PlanModel;
  clock?: () => Date;
  /** The process keyring (platform.keyring): keys reach modules only through it. */
  keyring: Keyring;
  ingest?: IngestProducer;
  start?: InterviewStartProducer;
  reminders?: ReminderProducer;
  control?: CallControlProducer;
  /** The Vite build holding the browser-interview module; defaults to server/web/dist. */
  webDistDir?: string;
  /** Webhook signature failures are raised on the org alert channel. */
  alerts?: AlertSink;
  /** Hands the interview service to the composition root (the status page reopens self-booking through it). */
  expose?: (interviews: InterviewService) => void;
}

/** The hashed browser-interview module of the console build (/app/assets/invite-call-<hash>.js), or null when not built. */
export function findInviteCallScript(distDir = path.join(packageRoot(), 'server', 'web', 'dist')): string | null {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the build directory comes from the package root (or a test), never from a request
    const name = readdirSync(path.join(distDir, 'assets')).find((n) => /^invite-call-[A-Za-z0-9_-]+\.js$/.test(n));
    return name ? `/app/assets/${name}` : null;
  } catch {
    return null;
  }
}


/** assistant-request: the interview's assistant and overrides; tool-calls: no tools are offered. */
export function createSyncResponder(db: Db): SyncResponder {
  return {
    async respond(orgId, message) {
      if (message.type === 'tool-calls') {
        const list = Array.isArray(message.toolCallList) ? (message.toolCallList as { id?: unknown; function?: { name?: unknown } }[]) : [];
        return { results: list.map((c) => ({ toolCallId: String(c.id ?? ''), name: String(c.function?.name ?? ''), error: 'No tools are available in this interview.' })) };
      }
      const callId = typeof message.call?.id === 'string' ? message.call.id : '';
      const meta = (message.call as { assistantOverrides?: { metadata?: { interviewId?: unknown } } } | undefined)?.assistantOverrides?.metadata?.interviewId;
      return db.withTenant(orgId, async (q) => {
        const row = await interviewOfCallIn(q, callId, meta);
        if (!row || !['calling', 'in_progress', 'scheduled'].includes(row.status)) return { error: 'No interview is scheduled for this call.' };
        const assistantId = await storedAssistantIdIn(q, row.job_id);
        // No stored assistant (managed, not created yet): answer with the transient assistant itself.
        if (!assistantId) return { assistant: assistantPayload(orgId, { job_id: row.job_id, language: row.language, max_duration_seconds: row.max_duration_seconds, voice: null }), assistantOverrides: callOverrides(orgId, row) };
        return { assistantId, assistantOverrides: callOverrides(orgId, row) };
      });
    },
  };
}

export async function interviewRoutes(app: FastifyInstance, deps: InterviewDeps): Promise<void> {
  const keyring = deps.keyring;
  const clock = deps.clock ?? (() => new Date());
  let ingest = deps.ingest;
  // The webhook service holds stored ids for up to ENQUEUE_WINDOW_MS; on close they are
  // enqueued before the queue closes, instead of waiting a minute for the worker's sweep.
  let beforeIngestClose = async (): Promise<void> => undefined;
  if (!ingest) {
    const queue = createQueue(QUEUES.webhookIngest, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => {
      await beforeIngestClose();
      await queue.close();
    });
    ingest = {
      async enqueue(messages) {
        await enqueueBulk(queue, messages.map((m) => queueJob(QUEUE_JOBS.webhookIngest, { orgId: m.orgId, messageId: m.messageId })));
      },
    };
  }
  let start = deps.start;
  if (!start) {
    const queue = createQueue(QUEUES.interviewStart, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    start = {
      async enqueue(orgId, interviewId, options) {
        await enqueue(queue, QUEUE_JOBS.interviewStart, { orgId, interviewId }, { key: { key: options?.key }, ...(options ? { options: { delay: options.delayMs } } : {}) });
      },
      async remove(interviewId, key) {
        await queue.remove(interviewStartJobId(interviewId, key));
      },
    };
  }
  let reminders = deps.reminders;
  if (!reminders) {
    const queue = createQueue(QUEUES.interviewReminder, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    reminders = {
      async enqueue(orgId, interviewId, kind, version, delayMs) {
        await enqueue(queue, QUEUE_JOBS.interviewReminder, { orgId, interviewId, kind, version }, { options: { delay: delayMs } });
      },
      async remove(interviewId, kind, version) {
        await queue.remove(interviewReminderJobId(interviewId, kind, version));
      },
    };
  }
  let control = deps.control;
  if (!control) {
    const queue = createQueue(QUEUES.interviewReconcile, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    control = {
      async hangUp(orgId, interviewId, callId) {
        await enqueue(queue, QUEUE_JOBS.interviewHangUp, { orgId, interviewId }, { key: { callId } });
      },
    };
  }
  // Read-only here: the worker's Vapi calls go through the same Redis-backed breaker.
  const vapiBreaker = createCircuitBreaker({ name: 'vapi', redis: deps.redis, prefix: deps.redisPrefix });
  const webhooks = createWebhookService({
    db: deps.db,
    audit: deps.audit,
    keyring,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    ingest,
    responder: createSyncResponder(deps.db),
    publicUrl: deps.publicUrl,
    clock,
    log: deps.logger,
    alerts: deps.alerts,
  });
  beforeIngestClose = () => webhooks.flushEnqueues();
  const interviews = createInterviewService({
    db: deps.db,
    audit: deps.audit,
    keyring,
    mailer: deps.mailer,
    start,
    reminders,
    control,
    providerStatus: async () => {
      const s = await vapiBreaker.snapshot();
      return { state: s.state, retryAt: s.retryAt };
    },
    publicUrl: deps.publicUrl,
    mailFrom: deps.mailFrom,
    clock,
    log: deps.logger,
    ...(deps.assistantModel ? { assistantModel: deps.assistantModel } : {}),
    ...(deps.planModel ? { planModel: deps.planModel } : {}),
  });
  deps.expose?.(interviews);
  await app.register(webhookRoutes, { webhooks });
  await app.register(interviewApiRoutes, { interviews });
  // A finished typed interview is scored by the same interview-score job as a voice transcript.
  const scoreQueue = createQueue(QUEUES.interviewScore, deps.redis, deps.redisPrefix);
  app.addHook('onClose', async () => scoreQueue.close());
  const typed = createTypedInterviewService({
    db: deps.db,
    audit: deps.audit,
    keyring,
    clock,
    log: deps.logger,
    score: { enqueue: (orgId, interviewId) => enqueue(scoreQueue, QUEUE_JOBS.interviewScore, { orgId, interviewId }) },
  });
  const accommodations = createAccommodationService({ db: deps.db, audit: deps.audit, keyring, clock });
  await app.register(accommodationApiRoutes, { accommodations });
  await app.register(invitePageRoutes, { interviews, browserScript: findInviteCallScript(deps.webDistDir), vapiBaseUrl: deps.vapiBaseUrl ?? 'https://api.vapi.ai', typed, accommodations });
}

/** The interview module (plans, scheduling, Vapi webhooks, invite pages); returns the service the status page acts through. */
export async function wireInterviews(p: Platform, w: { alerts: AlertSink; planModel: PlanModel }): Promise<InterviewService> {
  const { config } = p;
  const handed: { service?: InterviewService } = {};
  await p.app.register(interviewRoutes, {
    db: p.db,
    audit: p.audit,
    redis: p.redis,
    logger: p.logger,
    mailer: p.mailer,
    keyring: p.keyring,
    redisPrefix: config.redisPrefix,
    publicUrl: config.publicUrl,
    mailFrom: config.mailFrom,
    vapiBaseUrl: config.vapi.baseUrl,
    assistantModel: config.vapi.assistantModel,
    planModel: w.planModel,
    clock: p.clock,
    alerts: w.alerts,
    expose: (s) => {
      handed.service = s;
    },
  });
  // register() has run the plugin by now, so expose() was called.
  if (!handed.service) throw new Error('the interview module did not hand over its service');
  return handed.service;
}
