// Wires the hiring modules (jobs, candidates, applications, public pages) into the app:
// one encapsulated plugin with multipart parsing, the keyring, the blob store and the
// cv-parse producer. buildApp registers it with its deps. It is its own module (a
// composition only, nothing imports it but buildApp) because these routes share one
// encapsulation context and their services call each other: kept inside applications,
// it made applications import every module that imports applications (import cycles).
import type { ErasureLedger } from '../../core/erasure-ledger.js';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import type { Mailer } from '../../core/mailer.js';
import { createQueue, QUEUES } from '../../core/queues.js';
import { enqueue, QUEUE_JOBS } from '../../core/queue-jobs.js';
import type { IntakeConfig } from '../../core/config.js';
import { recentVolumePriority } from '../../core/org-fairness.js';
import { createApplyLimiter } from '../public/index.js';
import { resubmissionRoutes } from '../resubmissions/index.js';
import { createResubmissionService } from '../resubmissions/index.js';
import { createPostgresBlobStore, type BlobStore } from '../../core/storage.js';
import { candidateRoutes } from '../candidates/index.js';
import { createCandidateService } from '../candidates/index.js';
import { jobRoutes } from '../jobs/index.js';
import { createJobService } from '../jobs/index.js';
import { questionRoutes } from '../jobs/index.js';
import { createQuestionService } from '../jobs/index.js';
import { candidateExportRoutes, createCandidateExportService, type CandidateExportService } from '../messages/index.js';
import { messageRoutes } from '../messages/index.js';
import { createMessageService } from '../messages/index.js';
import type { AlertSink } from '../alerts/index.js';
import { noticeRoutes } from '../notices/index.js';
import { createNoticeService } from '../notices/index.js';
import { publicRoutes } from '../public/index.js';
import { retentionRoutes } from '../retention/index.js';
import { createRetentionService } from '../retention/index.js';
import type { Platform } from '../../plugins/platform.js';
import { scorecardRoutes } from '../scorecards/index.js';
import { createScorecardService } from '../scorecards/index.js';
import { applicationRoutes, createApplicationService, MULTIPART_LIMITS, type ApplicationHooks, type ApplicationService, type CvParseProducer } from '../applications/index.js';

export interface HiringDeps {
  db: Db;
  audit: AuditLog;
  redis: Redis;
  logger: Logger;
  redisPrefix: string;
  publicUrl: URL;
  mailer: Mailer;
  /** The process keyring (platform.keyring): keys reach modules only through it. */
  keyring: Keyring;
  /** The erasure ledger (server/core/erasure-ledger.ts) the retention service appends to. */
  erasureLedger: ErasureLedger;
  blobs?: BlobStore;
  parseQueue?: CvParseProducer;
  clock?: () => Date;
  alerts?: AlertSink;
  /** issue 14 (M1): apply rates per job and per org; without it only the per-IP limit applies. */
  intake?: Pick<IntakeConfig, 'applyPerJobPerHour' | 'applyPerOrgPerHour' | 'applyPerJobPerMinute'>;
  /** issue 22: also runs after a submission (the status-page link mail); must not throw. */
  afterSubmit?: NonNullable<ApplicationHooks['afterSubmit']>;
  /** Hands the services other modules use (the status page) to the composition root. */
  expose?: (services: { applications: ApplicationService; exports: CandidateExportService }) => void;
}

export async function hiringRoutes(app: FastifyInstance, deps: HiringDeps): Promise<void> {
  const keyring = deps.keyring;
  const blobs = deps.blobs ?? createPostgresBlobStore();
  let parseQueue = deps.parseQueue;
  if (!parseQueue) {
    const queue = createQueue(QUEUES.cvParse, deps.redis, deps.redisPrefix);
    app.addHook('onClose', async () => queue.close());
    parseQueue = {
      async enqueue(orgId, documentId) {
        // Ordered by the org's recent volume, so one org's burst queues behind other orgs' CVs (server/core/org-fairness.ts).
        const priority = await recentVolumePriority({ redis: deps.redis, redisPrefix: deps.redisPrefix, queue: QUEUES.cvParse }, orgId).catch(() => 1_000);
        await enqueue(queue, QUEUE_JOBS.cvParse, { orgId, documentId }, { options: { priority } });
      },
    };
  }
  await app.register(multipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: true });
  const jobs = createJobService({ db: deps.db, audit: deps.audit });
  const messages = createMessageService({ db: deps.db, audit: deps.audit, keyring, mailer: deps.mailer, logger: deps.logger });
  const resubmissions = createResubmissionService({
    db: deps.db,
    audit: deps.audit,
    keyring,
    blobs,
    mailer: deps.mailer,
    parseQueue,
    publicUrl: deps.publicUrl,
    clock: deps.clock ?? (() => new Date()),
    logger: deps.logger,
  });
  const applications = createApplicationService({
    db: deps.db,
    audit: deps.audit,
    keyring,
    blobs,
    parseQueue,
    logger: deps.logger,
    hooks: {
      afterSubmit: async (orgId, e) => {
        await messages.afterSubmit(orgId, e);
        await deps.afterSubmit?.(orgId, e);
      },
      afterStageChange: messages.afterStageChange,
    },
    resubmissions,
  });
  const candidates = createCandidateService({ db: deps.db, audit: deps.audit, keyring });
  await app.register(jobRoutes, { jobs });
  await app.register(questionRoutes, { questions: createQuestionService({ db: deps.db, audit: deps.audit }) });
  await app.register(applicationRoutes, { applications });
  await app.register(candidateRoutes, { candidates });
  await app.register(messageRoutes, { messages });
  const exports = createCandidateExportService({ db: deps.db, audit: deps.audit, keyring, alerts: deps.alerts });
  deps.expose?.({ applications, exports });
  await app.register(candidateExportRoutes, { exports });
  await app.register(retentionRoutes, {
    retention: createRetentionService({ db: deps.db, audit: deps.audit, keyring, blobs, ledger: deps.erasureLedger, clock: deps.clock ?? (() => new Date()), logger: deps.logger }),
  });
  await app.register(noticeRoutes, { notices: createNoticeService({ db: deps.db, audit: deps.audit }) });
  const applyLimiter = deps.intake
    ? createApplyLimiter({ redis: deps.redis, redisPrefix: deps.redisPrefix, limits: { perJobPerHour: deps.intake.applyPerJobPerHour, perOrgPerHour: deps.intake.applyPerOrgPerHour, perJobPerMinute: deps.intake.applyPerJobPerMinute } })
    : undefined;
  await app.register(publicRoutes, { db: deps.db, applications, publicUrl: deps.publicUrl, applyLimiter });
  await app.register(resubmissionRoutes, { resubmissions });
  await app.register(scorecardRoutes, { scorecards: createScorecardService({ db: deps.db, audit: deps.audit, keyring }) });
}

/** The hiring module (jobs, applications, candidates, messages, intake); returns the services the status page acts through. */
export async function wireHiring(p: Platform, w: { alerts: AlertSink; afterSubmit: NonNullable<ApplicationHooks['afterSubmit']> }): Promise<{ applications: ApplicationService; exports: CandidateExportService }> {
  const { config } = p;
  const handed: { services?: { applications: ApplicationService; exports: CandidateExportService } } = {};
  await p.app.register(hiringRoutes, {
    db: p.db,
    audit: p.audit,
    redis: p.redis,
    logger: p.logger,
    keyring: p.keyring,
    erasureLedger: p.erasureLedger,
    redisPrefix: config.redisPrefix,
    publicUrl: config.publicUrl,
    mailer: p.mailer,
    alerts: w.alerts,
    intake: config.intake,
    afterSubmit: w.afterSubmit,
    expose: (s) => {
      handed.services = s;
    },
  });
  // register() has run the plugin by now, so expose() was called.
  if (!handed.services) throw new Error('the hiring module did not hand over its services');
  return handed.services;
}
