// Wires voice interviews and their Vapi webhooks into the app: the keyring, the queue
// producers (webhook-ingest, interview-start), the synchronous answers Vapi waits for
// (assistant-request, tool-calls) and the routes. buildApp registers it.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { createKeyring, type Keyring } from '../../core/crypto.js';
import { isUuid, type Db } from '../../core/db.js';
import type { Mailer } from '../../core/mailer.js';
import { createQueue, QUEUES } from '../../core/queues.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { createWebhookService, type IngestProducer, type SyncResponder } from '../webhooks/service.js';
import { AI_DISCLOSURE_FIRST_MESSAGE } from './calls.js';
import { findInterview, findInterviewByCall, findSettings } from './repo.js';
import { interviewApiRoutes, invitePageRoutes } from './routes.js';
import { createInterviewService, type InterviewStartProducer } from './service.js';

export interface InterviewDeps {
  db: Db;
  audit: AuditLog;
  redis: Redis;
  logger: Logger;
  mailer: Mailer;
  masterKey: Buffer;
  redisPrefix: string;
  publicUrl: URL;
  clock?: () => Date;
  keyring?: Keyring;
  ingest?: IngestProducer;
  start?: InterviewStartProducer;
}

export const webhookIngestJobId = (messageId: string): string => `webhook-ingest-${messageId}`;
export const interviewStartJobId = (interviewId: string): string => `interview-start-${interviewId}`;

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
        const row = (await findInterviewByCall(q, callId)) ?? (isUuid(meta) ? await findInterview(q, meta) : null);
        const settings = await findSettings(q);
        if (!row || !settings?.vapi_assistant_id || !['calling', 'in_progress', 'scheduled'].includes(row.status)) return { error: 'No interview is scheduled for this call.' };
        return {
          assistantId: settings.vapi_assistant_id,
          assistantOverrides: {
            firstMessage: AI_DISCLOSURE_FIRST_MESSAGE,
            maxDurationSeconds: row.max_duration_seconds,
            artifactPlan: { recordingEnabled: row.recording_consent === true },
            variableValues: { questions: row.questions.map((x, i) => `${i + 1}. ${x}`).join('\n'), questionCount: row.questions.length, language: row.language },
            metadata: { orgId, applicationId: row.application_id, interviewId: row.id },
          },
        };
      });
    },
  };
}

export async function interviewRoutes(app: FastifyInstance, deps: InterviewDeps): Promise<void> {
  const keyring = deps.keyring ?? createKeyring({ masterKey: deps.masterKey });
  const clock = deps.clock ?? (() => new Date());
  let ingest = deps.ingest;
  if (!ingest) {
    const queue = createQueue(QUEUES.webhookIngest, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    ingest = {
      async enqueue(orgId, messageId) {
        await queue.add('ingest', { orgId, messageId }, { jobId: webhookIngestJobId(messageId) });
      },
    };
  }
  let start = deps.start;
  if (!start) {
    const queue = createQueue(QUEUES.interviewStart, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    start = {
      async enqueue(orgId, interviewId) {
        await queue.add('start', { orgId, interviewId }, { jobId: interviewStartJobId(interviewId) });
      },
    };
  }
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
  });
  const interviews = createInterviewService({ db: deps.db, audit: deps.audit, keyring, mailer: deps.mailer, start, publicUrl: deps.publicUrl, clock, log: deps.logger });
  await app.register(webhookRoutes, { webhooks });
  await app.register(interviewApiRoutes, { interviews });
  await app.register(invitePageRoutes, { interviews });
}
