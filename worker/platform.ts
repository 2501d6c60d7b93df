// The worker's platform: one object holding what every worker module needs (db, audit,
// logger, keyring, erasure ledger, outbound guard, the model provider behind its breaker)
// and the means to take part in the process's life cycle: queues closed with the worker,
// job schedules the reconciler re-applies, reconcilers, and alert services for monitors.
// Worker modules (worker/modules/*.ts) take it and return their processor registrations.
import path from 'node:path';
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../server/core/audit.js';
import type { CircuitBreaker } from '../server/core/circuit-breaker.js';
import type { NodeEnv } from '../server/core/config.js';
import { createKeyring, type Keyring } from '../server/core/crypto.js';
import type { Db } from '../server/core/db.js';
import { createErasureLedger, type ErasureLedger } from '../server/core/erasure-ledger.js';
import { createOutbound, type Outbound } from '../server/core/outbound.js';
import { createQueueCache, type JobPayloads, type QueueName, type TypedQueue } from '../server/core/queues.js';
import type { AlertService } from '../server/modules/alerts/index.js';
import { queuedAlertService } from '../server/modules/alerts/index.js';
import { vapiDeletionProducer, type VapiDeletionProducer } from '../server/modules/interviews/index.js';
import type { ModelProvider } from '../server/modules/screening/index.js';
import type { WorkerDeps } from './deps.js';
import { withCircuitBreaker } from '../server/modules/model-providers/index.js';
import type { QueueReconciler } from './reconcile.js';

/** One processor: the queue it consumes, how many of its jobs run at once, and how its Worker starts. */
export interface ProcessorRegistration {
  queue: QueueName;
  concurrency: number;
  /** Starts the BullMQ Worker; the function it runs was checked against the queue's payload in processor(). */
  start(options: Pick<WorkerOptions, 'connection' | 'prefix'>): Worker;
}

/** Registers a processor, checking that it takes the queue's payload. */
export function processor<N extends QueueName>(queue: N, concurrency: number, process: (job: Job<JobPayloads[N]>, token?: string) => Promise<unknown>): ProcessorRegistration {
  return { queue, concurrency, start: (options) => new Worker<JobPayloads[N], unknown, string>(queue, process, { ...options, concurrency }) };
}

/** The life cycle shared by every worker module, with or without a master key. */
export interface WorkerLifecycle {
  deps: WorkerDeps;
  /** A queue to produce to (one per name, closed with the worker). */
  queue<N extends QueueName>(name: N): TypedQueue<N>;
  /** Applies a job schedule now and records it so the reconciler re-applies it after Redis lost its data. */
  schedule(apply: () => Promise<unknown>): Promise<void>;
  onClose(close: () => Promise<void>): void;
  reconcile(...reconcilers: QueueReconciler[]): void;
}

/** Everything a worker module needs once the master key is known. */
export interface WorkerPlatform extends WorkerLifecycle {
  db: Db;
  audit: AuditLog;
  logger: Logger;
  keyring: Keyring;
  ledger: ErasureLedger;
  /** The guard for org-set URLs (alerts, event hooks); outbound.allowLoopback only from deps.alerts. */
  outbound: Outbound;
  /** The deletions of interview calls at Vapi, queued by erasure, retention and offboarding. */
  vapiDeletions: VapiDeletionProducer;
  /** The screening model provider, behind the breaker when one is given; null without screening. */
  provider: ModelProvider | null;
  breaker?: CircuitBreaker;
  /** An alert service for a monitor, delivering through the alert-deliver queue. */
  monitorAlerts(redis: Redis, clock: () => Date, options?: { outbound?: Outbound; nodeEnv?: NodeEnv }): AlertService;
}

export interface LifecycleState {
  lifecycle: WorkerLifecycle;
  schedules: (() => Promise<void>)[];
  reconcilers: QueueReconciler[];
  closers: (() => Promise<void>)[];
}

export function createLifecycle(deps: WorkerDeps): LifecycleState {
  const schedules: (() => Promise<void>)[] = [];
  const reconcilers: QueueReconciler[] = [];
  const closers: (() => Promise<void>)[] = [];
  const lifecycle: WorkerLifecycle = {
    deps,
    queue: createQueueCache(deps.connection, deps.redisPrefix, (opened) => closers.push(() => opened.close())),
    async schedule(apply) {
      const run = async (): Promise<void> => void (await apply());
      schedules.push(run);
      await run();
    },
    onClose(close) {
      closers.push(close);
    },
    reconcile(...r) {
      reconcilers.push(...r);
    },
  };
  return { lifecycle, schedules, reconcilers, closers };
}

export function createWorkerPlatform(lifecycle: WorkerLifecycle, masterKey: Buffer): WorkerPlatform {
  const { deps } = lifecycle;
  const keyring = createKeyring({ masterKey, previousMasterKeys: deps.previousMasterKeys });
  // Erasure ledger (issue 18): ERASURE_LEDGER_PATH from worker/main.ts; the default matches config's.
  const ledger = createErasureLedger({ file: deps.erasureLedgerFile ?? path.resolve('.data/erasure-ledger.jsonl'), masterKey, previousMasterKeys: deps.previousMasterKeys });
  const outbound = createOutbound({ allowLoopback: deps.alerts?.outbound?.allowLoopback ?? false, resolver: deps.alerts?.outbound?.resolver });
  lifecycle.onClose(async () => outbound.close());
  // Every model call (screening and interview scoring) goes through the provider's breaker; while it is open, AI jobs wait (ai-job.ts).
  const breaker = deps.screening?.breaker;
  const provider = deps.screening ? (breaker ? withCircuitBreaker(deps.screening.provider, breaker) : deps.screening.provider) : null;
  const vapiDeletions = vapiDeletionProducer(lifecycle.queue('vapi-delete'), { backoffMs: deps.vapiDeletion?.backoffMs, attempts: deps.vapiDeletion?.attempts });
  return {
    ...lifecycle,
    db: deps.db,
    audit: deps.audit,
    logger: deps.logger,
    keyring,
    ledger,
    outbound,
    vapiDeletions,
    provider,
    breaker,
    monitorAlerts(redis, clock, options = {}) {
      return queuedAlertService({
        db: deps.db,
        audit: deps.audit,
        keyring,
        redis,
        redisPrefix: deps.redisPrefix,
        nodeEnv: options.nodeEnv ?? deps.alerts?.nodeEnv ?? 'production',
        outbound: options.outbound ?? outbound,
        clock,
        logger: deps.logger,
        queue: lifecycle.queue('alert-deliver'),
      });
    },
  };
}
