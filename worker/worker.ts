// Builds the worker's BullMQ Workers and repeatable schedules from deps; main.ts wires
// real deps, tests wire the same function against throwaway Postgres/Redis.
import { availableParallelism } from 'node:os';
import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { AuditLog } from '../server/core/audit.js';
import type { Db } from '../server/core/db.js';
import { bullPrefix, createQueue, QUEUES } from '../server/core/queues.js';
import { createAuditCheckpointProcessor } from './processors/audit-checkpoint.js';
import { createKeyring } from '../server/core/crypto.js';
import { createPostgresBlobStore } from '../server/core/storage.js';
import { createCvParseProcessor } from './processors/cv-parse.js';
import { createOrgSlots } from '../server/core/org-fairness.js';
import type { Redis } from 'ioredis';
import type { ModelProvider } from '../server/modules/screening/model.js';
import { createScreeningProducer } from '../server/modules/screening/queue.js';
import { createScreeningRunner } from '../server/modules/screening/service.js';
import { createCvScreenProcessor } from './processors/cv-screen.js';
import { createCallService } from '../server/modules/interviews/calls.js';
import { withVapiBreaker, type VapiApi } from '../server/modules/interviews/vapi.js';
import { createReminderService } from '../server/modules/interviews/reminders.js';
import type { Mailer } from '../server/core/mailer.js';
import { createInterviewReminderProcessor } from './processors/interview-reminder.js';
import { createInterviewReconcileProcessor } from './processors/interview-reconcile.js';
import { createInterviewStartProcessor, scheduleStartSweep, sweepOverdueStarts } from './processors/interview-start.js';
import { interviewReconcileJobId, interviewScoreJobId, interviewStartJobId } from '../server/modules/interviews/job-ids.js';
import { createInterviewScoreProcessor } from './processors/interview-score.js';
import { createInterviewScorer } from '../server/modules/interviews/score.js';
import { createWebhookIngestProcessor, scheduleWebhookSweep, sweepUnprocessed } from './processors/webhook-ingest.js';
import { createRetentionService } from '../server/modules/retention/service.js';
import { createRetentionSweepProcessor } from './processors/retention-sweep.js';
import { createOffboardingService } from '../server/modules/privacy/offboarding.js';
import type { CircuitBreaker } from '../server/core/circuit-breaker.js';
import { withCircuitBreaker } from '../server/modules/ai/providers/breaker.js';
import type { NodeEnv } from '../server/core/config.js';
import { createAlertDeliverer } from '../server/modules/alerts/service.js';
import { createOutbound, type Resolver } from '../server/core/outbound.js';
import { createAlertDeliverProcessor } from './processors/alert-deliver.js';
import type { AlertService } from '../server/modules/alerts/service.js';
import { queuedAlertService } from '../server/modules/alerts/wire.js';
import { createBiasService } from '../server/modules/bias/service.js';
import { createBiasMonitorProcessor } from './processors/bias-monitor.js';
import { createBackupMonitor } from '../server/modules/backups/monitor.js';
import { createBackupMonitorProcessor, scheduleBackupMonitor } from './processors/backup-monitor.js';
import path from 'node:path';
import { createErasureLedger } from '../server/core/erasure-ledger.js';
import { createEventHookDeliverer } from '../server/modules/event-hooks/service.js';
import { eventHookProducer } from '../server/modules/event-hooks/wire.js';
import { createEventHookDeliverProcessor, scheduleEventHookSweep } from './processors/event-hook-deliver.js';
import { createVapiDeletionService } from '../server/modules/interviews/deletions.js';
import { createVapiDeleteProcessor, scheduleVapiDeleteSweep, vapiDeletionProducer } from './processors/vapi-delete.js';
import { createRecordingService } from '../server/modules/interviews/recordings.js';
import { createRecordingFetchProcessor, RECORDING_FETCH_ATTEMPTS, recordingFetchJobId } from './processors/recording-fetch.js';
import { createDeadlineMonitor } from '../server/modules/rights/service.js';
import { createPrivacyDeadlinesProcessor, schedulePrivacyDeadlines } from './processors/privacy-deadlines.js';
import { createTrustChecksProcessor, scheduleTrustChecks } from './processors/trust-checks.js';
import type { Config } from '../server/core/config.js';
import { wireTrust } from '../server/modules/trust/wire.js';
import { alertDeliverReconciler, cvParseReconciler, cvScreenReconciler, INTERVIEW_RECONCILE_OPTS, interviewReconcileReconciler, interviewReminderReconciler, interviewScoreReconciler, recordingFetchReconciler, startReconciler, type QueueReconciler, type ReconcilerHandle } from './reconcile.js';

export interface WorkerDeps {
  db: Db;
  audit: AuditLog;
  logger: Logger;
  connection: ConnectionOptions;
  redisPrefix: string;
  auditCheckpointEveryMs: number;
  /** Cron pattern (UTC) of the daily retention sweep (needs masterKey); default 03:17 every day. */
  retentionSweepPattern?: string;
  /** Unwraps org keys (cv-parse decrypts CVs and encrypts extracted text); without it no cv-parse worker runs. */
  masterKey?: Buffer;
  /** Previous master keys (MASTER_KEY_PREVIOUS_FILES): unwrap org keys not yet re-wrapped by `hirebox keys rotate`. */
  previousMasterKeys?: readonly Buffer[];
  /** The erasure ledger file (ERASURE_LEDGER_PATH) the retention sweep and org deletion append to. */
  erasureLedgerFile?: string;
  /** Concurrent CV extractions (each in its own worker thread); defaults to 2. */
  cvParseConcurrency?: number;
  /** issue 14 (M1): per-org parse leases in Redis (server/core/org-fairness.ts) and the page cap; without it no per-org limit. */
  cvParse?: { redis: Redis; perOrgConcurrency: number; maxPages?: number; slotRetryDelayMs?: number };
  /** issue 6: AI screening of parsed CVs (cv-screen); needs masterKey too. */
  screening?: { provider: ModelProvider; defaultModel: string; redis: Redis; concurrency?: number; breaker?: CircuitBreaker };
  /** issue 7: Vapi interviews (webhook-ingest, interview-start, interview-reconcile); needs masterKey too. */
  /** Re-dials go to interview-start; with a mailer, interview-reminder mails run too; with a breaker, every Vapi REST call goes through it. */
  /** publicUrl: managed Vapi assistants name the org's webhook endpoint as their server. */
  interviews?: { vapi: VapiApi | null; clock?: () => Date; mailer?: Mailer; vapiBreaker?: CircuitBreaker; publicUrl?: URL; /** The operator's voice-assistant model (issue 18). */ assistantModel?: { provider: string; model: string }; /** Recordings may come from loopback (dev/test: the fake Vapi); never in production. */ allowLoopbackRecordings?: boolean; recordingMaxBytes?: number };
  /** DESIGN §9: org alerts (alert-deliver) to the org's e-mail recipients and signed webhook; needs masterKey too. */
  /** outbound: the guard for the org-set webhook URL (issue 14 M3); allowLoopback only from OUTBOUND_ALLOW_LOOPBACK, resolver for tests. */
  alerts?: { mailer: Mailer; nodeEnv: NodeEnv; publicUrl?: URL; outbound?: { allowLoopback: boolean; resolver?: Resolver } };
  /** DESIGN §8: the daily bias monitor (bias-monitor; needs masterKey); raises bias_breach alerts through redis-backed alert service. Default 04:23 UTC. */
  biasMonitor?: { redis: Redis; pattern?: string };
  /** DESIGN §9: the hourly stale-backup check (backup-monitor; needs masterKey for the alert service); off unless expected. */
  backupMonitor?: { redis: Redis; expected: boolean; maxAgeMs: number; pattern?: string; clock?: () => Date };
  /** issue 20: outbound event webhooks (event-hook-deliver; needs masterKey). redis backs the alert raised on auto-disable; outbound as for alerts; scheduleMs/sweepEveryMs for tests. */
  eventHooks?: { redis: Redis; outbound?: { allowLoopback: boolean; resolver?: Resolver }; scheduleMs?: readonly number[]; sweepEveryMs?: number; clock?: () => Date; nodeEnv?: NodeEnv };
  /** issue 18: deleting interview calls at Vapi (vapi-delete, runs with interviews); with redis, failures past alertAfterAttempts raise vapi_deletion alerts. */
  vapiDeletion?: { redis?: Redis; backoffMs?: number; attempts?: number; alertAfterAttempts?: number; sweepEveryMs?: number };
  /** Issue 18 item 6: the daily privacy-request deadline check (privacy-deadlines; needs masterKey for the alert service). Default 07:05 UTC. */
  privacyDeadlines?: { redis: Redis; pattern?: string; clock?: () => Date };
  /** issue 23: the trust page's checks (trust-checks; needs masterKey for the alert service); everyMs for tests. */
  trustChecks?: { redis: Redis; config: Config; everyMs?: number; clock?: () => Date };
  /** Issue 19: re-offer accepted work without a live job (cv-parse, cv-screen, alert-deliver) and re-apply job schedules every everyMs (RECONCILE_EVERY_SECONDS, RECONCILE_GRACE_SECONDS). */
  reconcile?: { everyMs: number; graceSeconds: number };
}

export interface RunningWorker {
  workers: Worker[];
  /** The reconciler (with deps.reconcile); runOnce() for tests. */
  reconciler?: ReconcilerHandle;
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorker> {
  const prefix = bullPrefix(deps.redisPrefix);
  const checkpointQueue = createQueue(QUEUES.auditCheckpoint, deps.connection, deps.redisPrefix);
  // One scheduler id: many worker processes upserting it still yield one schedule.
  // Every job schedule is recorded so the reconciler can re-apply it after Redis lost its data (worker/reconcile.ts).
  const schedules: (() => Promise<void>)[] = [];
  const schedule = async (apply: () => Promise<unknown>): Promise<void> => {
    const run = async (): Promise<void> => void (await apply());
    schedules.push(run);
    await run();
  };
  await schedule(() => checkpointQueue.upsertJobScheduler('audit-checkpoint-all-orgs', { every: deps.auditCheckpointEveryMs }, { name: 'checkpoint', data: {} }));

  const closers: (() => Promise<void>)[] = [];
  const reconcilers: QueueReconciler[] = [];
  const workers: Worker[] = [
    new Worker(QUEUES.auditCheckpoint, createAuditCheckpointProcessor(deps), { connection: deps.connection, prefix, concurrency: 1 }),
  ];
  // Every model call (screening and interview scoring) goes through the provider's breaker; while it is open, AI jobs wait (ai-job.ts).
  const breaker = deps.screening?.breaker;
  const provider = deps.screening ? (breaker ? withCircuitBreaker(deps.screening.provider, breaker) : deps.screening.provider) : null;
  if (deps.masterKey) {
    const keyring = createKeyring({ masterKey: deps.masterKey, previousMasterKeys: deps.previousMasterKeys });
    // Retention (DESIGN section 9): one daily schedule shared by every worker process.
    const retentionQueue = createQueue(QUEUES.retentionSweep, deps.connection, deps.redisPrefix);
    closers.push(() => retentionQueue.close());
    await schedule(() => retentionQueue.upsertJobScheduler('retention-sweep-daily', { pattern: deps.retentionSweepPattern ?? '17 3 * * *', tz: 'UTC' }, { name: 'sweep', data: {} }));
    // Erasure, retention and offboarding queue the deletion of each interview call at Vapi (issue 18).
    // Erasure ledger (issue 18): ERASURE_LEDGER_PATH from worker/main.ts; the default matches config's.
    const ledger = createErasureLedger({ file: deps.erasureLedgerFile ?? path.resolve('.data/erasure-ledger.jsonl'), masterKey: deps.masterKey, previousMasterKeys: deps.previousMasterKeys });
    const vapiDeleteQueue = createQueue(QUEUES.vapiDelete, deps.connection, deps.redisPrefix);
    closers.push(() => vapiDeleteQueue.close());
    const vapiDeletions = vapiDeletionProducer(vapiDeleteQueue, { backoffMs: deps.vapiDeletion?.backoffMs, attempts: deps.vapiDeletion?.attempts });
    const retention = createRetentionService({ db: deps.db, audit: deps.audit, keyring, blobs: createPostgresBlobStore(), ledger, clock: () => new Date(), logger: deps.logger, vapiDeletions });
    const offboarding = createOffboardingService({ db: deps.db, audit: deps.audit, ledger, clock: () => new Date(), logger: deps.logger, vapiDeletions });
    workers.push(new Worker(QUEUES.retentionSweep, createRetentionSweepProcessor({ retention, logger: deps.logger, offboarding }), { connection: deps.connection, prefix, concurrency: 1 }));
    const outbound = createOutbound({ allowLoopback: deps.alerts?.outbound?.allowLoopback ?? false, resolver: deps.alerts?.outbound?.resolver });
    closers.push(() => outbound.close());
    if (deps.alerts) {
      const deliverer = createAlertDeliverer({ db: deps.db, keyring, mailer: deps.alerts.mailer, nodeEnv: deps.alerts.nodeEnv, publicUrl: deps.alerts.publicUrl, log: deps.logger, outbound });
      workers.push(new Worker(QUEUES.alertDeliver, createAlertDeliverProcessor({ deliverer }), { connection: deps.connection, prefix, concurrency: 5 }));
      const alertQueue = createQueue(QUEUES.alertDeliver, deps.connection, deps.redisPrefix);
      closers.push(() => alertQueue.close());
      reconcilers.push(alertDeliverReconciler(deps.db, alertQueue));
    }
    // Alerts raised by the worker's monitors (bias, stale backups), delivered through the alert-deliver queue.
    const monitorAlerts = (redis: Redis, clock: () => Date): AlertService => {
      const queue = createQueue(QUEUES.alertDeliver, deps.connection, deps.redisPrefix);
      closers.push(() => queue.close());
      return queuedAlertService({ db: deps.db, audit: deps.audit, keyring, redis, redisPrefix: deps.redisPrefix, nodeEnv: deps.alerts?.nodeEnv ?? 'production', outbound, clock, logger: deps.logger, queue });
    };
    if (deps.biasMonitor) {
      // Bias monitor (DESIGN section 8): one daily schedule shared by every worker process.
      const biasQueue = createQueue(QUEUES.biasMonitor, deps.connection, deps.redisPrefix);
      closers.push(() => biasQueue.close());
      const biasPattern = deps.biasMonitor.pattern ?? '23 4 * * *';
      await schedule(() => biasQueue.upsertJobScheduler('bias-monitor-daily', { pattern: biasPattern, tz: 'UTC' }, { name: 'monitor', data: {} }));
      const alertSink = monitorAlerts(deps.biasMonitor.redis, () => new Date());
      const bias = createBiasService({ db: deps.db, audit: deps.audit, keyring, alerts: alertSink, log: deps.logger });
      workers.push(new Worker(QUEUES.biasMonitor, createBiasMonitorProcessor({ bias, logger: deps.logger }), { connection: deps.connection, prefix, concurrency: 1 }));
    }
    if (deps.backupMonitor) {
      // Stale backups (DESIGN section 9): one hourly schedule shared by every worker process;
      // the check itself does nothing unless backups are expected (BACKUPS_EXPECTED).
      const { redis, expected, maxAgeMs, pattern } = deps.backupMonitor;
      const clock = deps.backupMonitor.clock ?? (() => new Date());
      const monitorQueue = createQueue(QUEUES.backupMonitor, deps.connection, deps.redisPrefix);
      closers.push(() => monitorQueue.close());
      await schedule(() => scheduleBackupMonitor(monitorQueue, pattern));
      const alerts = monitorAlerts(redis, clock);
      const monitor = createBackupMonitor({ db: deps.db, alerts, expected, maxAgeMs, clock, log: deps.logger });
      workers.push(new Worker(QUEUES.backupMonitor, createBackupMonitorProcessor({ monitor, logger: deps.logger }), { connection: deps.connection, prefix, concurrency: 1 }));
    }
    if (deps.eventHooks) {
      // Outbound event webhooks (issue 20): the sweep first picks up outbox rows, then each attempt is its own job.
      const hooks = deps.eventHooks;
      const clock = hooks.clock ?? (() => new Date());
      const hookQueue = createQueue(QUEUES.eventHookDeliver, deps.connection, deps.redisPrefix);
      closers.push(() => hookQueue.close());
      await schedule(() => scheduleEventHookSweep(hookQueue, hooks.sweepEveryMs));
      const hookOutbound = hooks.outbound ? createOutbound({ allowLoopback: hooks.outbound.allowLoopback, resolver: hooks.outbound.resolver }) : outbound;
      if (hooks.outbound) closers.push(() => hookOutbound.close());
      const alertQueue = createQueue(QUEUES.alertDeliver, deps.connection, deps.redisPrefix);
      closers.push(() => alertQueue.close());
      const hookAlerts = queuedAlertService({ db: deps.db, audit: deps.audit, keyring, redis: hooks.redis, redisPrefix: deps.redisPrefix, nodeEnv: hooks.nodeEnv ?? deps.alerts?.nodeEnv ?? 'production', outbound: hookOutbound, clock, logger: deps.logger, queue: alertQueue });
      const deliverer = createEventHookDeliverer({ db: deps.db, keyring, outbound: hookOutbound, alerts: hookAlerts, deliver: eventHookProducer(hookQueue), log: deps.logger, clock, scheduleMs: hooks.scheduleMs });
      workers.push(new Worker(QUEUES.eventHookDeliver, createEventHookDeliverProcessor({ deliverer, db: deps.db, queue: hookQueue, clock, logger: deps.logger }), { connection: deps.connection, prefix, concurrency: 10 }));
    }
    if (deps.privacyDeadlines) {
      // Privacy-request deadlines (GDPR Art. 12(3)): one daily schedule shared by every worker process.
      const clock = deps.privacyDeadlines.clock ?? (() => new Date());
      const deadlinesQueue = createQueue(QUEUES.privacyDeadlines, deps.connection, deps.redisPrefix);
      closers.push(() => deadlinesQueue.close());
      const deadlinesPattern = deps.privacyDeadlines.pattern;
      await schedule(() => schedulePrivacyDeadlines(deadlinesQueue, deadlinesPattern));
      const monitor = createDeadlineMonitor({ db: deps.db, alerts: monitorAlerts(deps.privacyDeadlines.redis, clock), clock, log: deps.logger });
      workers.push(new Worker(QUEUES.privacyDeadlines, createPrivacyDeadlinesProcessor({ monitor, logger: deps.logger }), { connection: deps.connection, prefix, concurrency: 1 }));
    }
    if (deps.trustChecks) {
      // Trust page (issue 23): one schedule shared by every worker process; each run does only the checks that are due.
      const clock = deps.trustChecks.clock ?? (() => new Date());
      const trustQueue = createQueue(QUEUES.trustChecks, deps.connection, deps.redisPrefix);
      closers.push(() => trustQueue.close());
      await schedule(() => scheduleTrustChecks(trustQueue, deps.trustChecks?.everyMs));
      const trust = wireTrust({ db: deps.db, config: deps.trustChecks.config, keyring, clock, logger: deps.logger, audit: deps.audit, alerts: monitorAlerts(deps.trustChecks.redis, clock) });
      workers.push(new Worker(QUEUES.trustChecks, createTrustChecksProcessor({ trust, logger: deps.logger }), { connection: deps.connection, prefix, concurrency: 1 }));
    }
    const screenQueue = deps.screening ? createQueue(QUEUES.cvScreen, deps.connection, deps.redisPrefix) : null;
    const onParsed = screenQueue ? createScreeningProducer(screenQueue).enqueueScreening : undefined;
    if (screenQueue && deps.screening) {
      closers.push(() => screenQueue.close());
      reconcilers.push(cvScreenReconciler(deps.db, screenQueue));
      const runner = createScreeningRunner({ db: deps.db, audit: deps.audit, keyring, provider: provider ?? deps.screening.provider, defaultModel: deps.screening.defaultModel, logger: deps.logger });
      workers.push(
        new Worker(QUEUES.cvScreen, createCvScreenProcessor({ runner, redis: deps.screening.redis, redisPrefix: deps.redisPrefix, logger: deps.logger, breaker }), {
          connection: deps.connection,
          prefix,
          concurrency: deps.screening.concurrency ?? 20,
        }),
      );
    }
    if (deps.interviews) {
      const reconcileQueue = createQueue(QUEUES.interviewReconcile, deps.connection, deps.redisPrefix);
      closers.push(() => reconcileQueue.close());
      const startQueue = createQueue(QUEUES.interviewStart, deps.connection, deps.redisPrefix);
      closers.push(() => startQueue.close());
      // Transcript scoring needs the screening's model provider; without it transcripts stay unscored.
      const scoreQueue = deps.screening ? createQueue(QUEUES.interviewScore, deps.connection, deps.redisPrefix) : null;
      if (scoreQueue) closers.push(() => scoreQueue.close());
      const recordingQueue = createQueue(QUEUES.recordingFetch, deps.connection, deps.redisPrefix);
      closers.push(() => recordingQueue.close());
      const calls = createCallService({
        db: deps.db,
        audit: deps.audit,
        keyring,
        vapi: deps.interviews.vapi && deps.interviews.vapiBreaker ? withVapiBreaker(deps.interviews.vapi, deps.interviews.vapiBreaker) : deps.interviews.vapi,
        clock: deps.interviews.clock ?? (() => new Date()),
        ...(deps.interviews.publicUrl ? { publicUrl: deps.interviews.publicUrl } : {}),
        ...(deps.interviews.assistantModel ? { assistantModel: deps.interviews.assistantModel } : {}),
        retry: {
          async enqueue(orgId, interviewId, delayMs, key) {
            await startQueue.add('start', { orgId, interviewId }, { jobId: interviewStartJobId(interviewId, key), delay: delayMs });
          },
        },
        log: deps.logger,
        reconcile: {
          async enqueue(orgId, interviewId, delayMs, callId, phase) {
            await reconcileQueue.add('reconcile', { orgId, interviewId }, { jobId: interviewReconcileJobId(interviewId, callId, phase), delay: delayMs, ...INTERVIEW_RECONCILE_OPTS });
          },
        },
        recordings: {
          async enqueue(orgId, interviewId) {
            await recordingQueue.add('fetch', { orgId, interviewId }, { jobId: recordingFetchJobId(interviewId), attempts: RECORDING_FETCH_ATTEMPTS, backoff: { type: 'exponential', delay: 30_000 } });
          },
        },
        score: scoreQueue
          ? { enqueue: async (orgId, interviewId) => void (await scoreQueue.add('score', { orgId, interviewId }, { jobId: interviewScoreJobId(interviewId) })) }
          : undefined,
      });
      const opts = { connection: deps.connection, prefix };
      // The sweep re-enqueues accepted webhook messages whose (unawaited) enqueue was lost.
      const ingestQueue = createQueue(QUEUES.webhookIngest, deps.connection, deps.redisPrefix);
      closers.push(() => ingestQueue.close());
      await schedule(() => scheduleWebhookSweep(ingestQueue));
      // The start sweep re-enqueues phone interviews that are due but whose start job was lost.
      await schedule(() => scheduleStartSweep(startQueue));
      // The same sweeps, driven by the reconciler too: they come back with it after Redis lost their schedules.
      reconcilers.push(
        { queue: QUEUES.webhookIngest, run: async (graceSeconds) => ({ added: await sweepUnprocessed({ db: deps.db, queue: ingestQueue, afterSeconds: graceSeconds }), retried: 0 }) },
        { queue: QUEUES.interviewStart, run: async (graceSeconds) => ({ added: await sweepOverdueStarts({ db: deps.db, queue: startQueue, graceSeconds }), retried: 0 }) },
      );
      // Score and recording jobs are enqueued after the commit that stored the transcript: re-offered from Postgres when lost.
      reconcilers.push(recordingFetchReconciler(deps.db, recordingQueue), interviewReconcileReconciler(deps.db, reconcileQueue));
      if (scoreQueue) reconcilers.push(interviewScoreReconciler(deps.db, scoreQueue));
      workers.push(
        new Worker(QUEUES.webhookIngest, createWebhookIngestProcessor({ calls, logger: deps.logger, sweep: { db: deps.db, queue: ingestQueue } }), { ...opts, concurrency: 10 }),
        new Worker(QUEUES.interviewStart, createInterviewStartProcessor({ calls, logger: deps.logger, sweep: { db: deps.db, queue: startQueue } }), { ...opts, concurrency: 5 }),
        new Worker(QUEUES.interviewReconcile, createInterviewReconcileProcessor({ calls }), { ...opts, concurrency: 5 }),
      );
      {
        const vapi = deps.interviews.vapi && deps.interviews.vapiBreaker ? withVapiBreaker(deps.interviews.vapi, deps.interviews.vapiBreaker) : deps.interviews.vapi;
        const alerts = deps.vapiDeletion?.redis ? monitorAlerts(deps.vapiDeletion.redis, () => new Date()) : undefined;
        const deletions = createVapiDeletionService({ db: deps.db, audit: deps.audit, vapi, alerts, clock: () => new Date(), log: deps.logger, alertAfterAttempts: deps.vapiDeletion?.alertAfterAttempts });
        const vapiSweepEveryMs = deps.vapiDeletion?.sweepEveryMs;
        await schedule(() => scheduleVapiDeleteSweep(vapiDeleteQueue, vapiSweepEveryMs));
        const recordings = createRecordingService({ db: deps.db, audit: deps.audit, keyring, vapi, deletions: vapiDeletions, log: deps.logger, allowLoopback: deps.interviews.allowLoopbackRecordings === true, maxBytes: deps.interviews.recordingMaxBytes });
        closers.push(() => recordings.close());
        workers.push(new Worker(QUEUES.recordingFetch, createRecordingFetchProcessor({ recordings }), { ...opts, concurrency: 2 }));
        workers.push(new Worker(QUEUES.vapiDelete, createVapiDeleteProcessor({ deletions, logger: deps.logger, sweep: { db: deps.db, queue: vapiDeleteQueue, producer: vapiDeletions } }), { ...opts, concurrency: 5 }));
      }
      if (deps.interviews.mailer) {
        const reminders = createReminderService({ db: deps.db, keyring, mailer: deps.interviews.mailer, clock: deps.interviews.clock ?? (() => new Date()), log: deps.logger });
        workers.push(new Worker(QUEUES.interviewReminder, createInterviewReminderProcessor({ reminders }), { ...opts, concurrency: 5 }));
        // Reminders wait in Redis for up to a day: re-added from Postgres when Redis lost them.
        const reminderQueue = createQueue(QUEUES.interviewReminder, deps.connection, deps.redisPrefix);
        closers.push(() => reminderQueue.close());
        reconcilers.push(interviewReminderReconciler(deps.db, reminderQueue, deps.interviews.clock));
      }
      if (deps.screening) {
        const scorer = createInterviewScorer({ db: deps.db, audit: deps.audit, keyring, provider: provider ?? deps.screening.provider, defaultModel: deps.screening.defaultModel, logger: deps.logger });
        workers.push(new Worker(QUEUES.interviewScore, createInterviewScoreProcessor({ scorer, logger: deps.logger, breaker }), { ...opts, concurrency: 5 }));
      }
    }
    const parseQueue = createQueue(QUEUES.cvParse, deps.connection, deps.redisPrefix);
    closers.push(() => parseQueue.close());
    reconcilers.push(cvParseReconciler(deps.db, parseQueue));
    workers.push(
      new Worker(
        QUEUES.cvParse,
        createCvParseProcessor({
          db: deps.db,
          audit: deps.audit,
          keyring,
          blobs: createPostgresBlobStore(),
          logger: deps.logger,
          onParsed,
          ...(deps.cvParse?.maxPages ? { limits: { maxPages: deps.cvParse.maxPages } } : {}),
          ...(deps.cvParse
            ? {
                slots: {
                  // The lease outlives the extraction time limit (20 s) with margin for the DB work around it.
                  slots: createOrgSlots({ redis: deps.cvParse.redis, redisPrefix: deps.redisPrefix, queue: QUEUES.cvParse, perOrg: deps.cvParse.perOrgConcurrency, leaseMs: 90_000 }),
                  retryDelayMs: deps.cvParse.slotRetryDelayMs ?? 1_000,
                },
              }
            : {}),
        }),
        {
          connection: deps.connection,
          prefix,
          // Parsing never takes every core (issue 19 floods): all but one, at least 1.
          concurrency: deps.cvParseConcurrency ?? Math.max(1, availableParallelism() - 1),
        },
      ),
    );
  }
  for (const w of workers) {
    w.on('failed', (job, err) => deps.logger.warn({ queue: w.name, jobId: job?.id, err: { message: err.message } }, 'job failed'));
    w.on('error', (err) => deps.logger.warn({ queue: w.name, err: { message: err.message } }, 'worker error'));
  }
  const reconciler = deps.reconcile ? startReconciler({ reconcilers, schedules, everyMs: deps.reconcile.everyMs, graceSeconds: deps.reconcile.graceSeconds, logger: deps.logger }) : undefined;
  return {
    workers,
    reconciler,
    async close() {
      await reconciler?.stop();
      // Worker.close() waits for active jobs to finish.
      await Promise.all(workers.map((w) => w.close()));
      await checkpointQueue.close();
      await Promise.all(closers.map((c) => c()));
    },
  };
}
