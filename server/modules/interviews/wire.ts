// Wires voice interviews and their Vapi webhooks into the app: the keyring, the queue
// producers (webhook-ingest, interview-start) and the routes. buildApp registers it.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { createKeyring, type Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import { createQueue, QUEUES } from '../../core/queues.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { createWebhookService, type IngestProducer } from '../webhooks/service.js';

export interface InterviewDeps {
  db: Db;
  audit: AuditLog;
  redis: Redis;
  logger: Logger;
  masterKey: Buffer;
  redisPrefix: string;
  publicUrl: URL;
  clock?: () => Date;
  keyring?: Keyring;
  ingest?: IngestProducer;
}

export const webhookIngestJobId = (messageId: string): string => `webhook-ingest-${messageId}`;

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
  const webhooks = createWebhookService({
    db: deps.db,
    audit: deps.audit,
    keyring,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    ingest,
    publicUrl: deps.publicUrl,
    clock,
    log: deps.logger,
  });
  await app.register(webhookRoutes, { webhooks });
}
