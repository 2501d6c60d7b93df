// The platform (wiring, not a Fastify plugin: it lives beside them because it holds the HTTP app):
// one object holding what every module's wire(platform) needs — the HTTP
// app, config, db, redis, audit, logger, mailer, clock, the keyring (the only way keys
// reach modules), the outbound guard and the erasure ledger — and producer queues closed
// with the app. Services modules produce for each other are passed explicitly by buildApp.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../core/audit.js';
import type { Config } from '../core/config.js';
import type { Keyring } from '../core/crypto.js';
import type { Db } from '../core/db.js';
import type { ErasureLedger } from '../core/erasure-ledger.js';
import type { Mailer } from '../core/mailer.js';
import type { Outbound } from '../core/outbound.js';
import { createQueueCache, type QueueName, type TypedQueue } from '../core/queues.js';

export interface Platform {
  app: FastifyInstance;
  config: Config;
  db: Db;
  redis: Redis;
  audit: AuditLog;
  logger: Logger;
  mailer: Mailer;
  clock: () => Date;
  /** One keyring per process (one org-key cache), holding the previous master keys too. */
  keyring: Keyring;
  /** The guard for every request to a URL a tenant can set (alert webhooks, SSO issuers, event hooks). */
  outbound: Outbound;
  /** issue 18: every erasure is also written to the ledger outside the database (a restore re-applies it). */
  erasureLedger: ErasureLedger;
  /** A producer queue (one per name), closed with the app. */
  queue<N extends QueueName>(name: N): TypedQueue<N>;
}

export function createPlatform(fields: Omit<Platform, 'queue'>): Platform {
  const queue = createQueueCache(fields.redis, fields.config.redisPrefix, (opened) => fields.app.addHook('onClose', async () => opened.close()));
  return {
    ...fields,
    queue,
  };
}
