// Builds the worker's BullMQ Workers and repeatable schedules from deps; main.ts wires
// real deps, tests wire the same function against throwaway Postgres/Redis. Each worker
// module (worker/modules/*.ts) returns its processor registrations; this file is the list
// of modules (order kept) and one loop that starts a Worker per registration.
import type { Worker } from 'bullmq';
import { bullPrefix } from '../server/core/queues.js';
import type { WorkerDeps } from './deps.js';
import { alertProcessors } from './modules/alerts.js';
import { auditProcessors } from './modules/audit.js';
import { backupProcessors } from './modules/backups.js';
import { biasProcessors } from './modules/bias.js';
import { documentProcessors } from './modules/documents.js';
import { eventHookProcessors } from './modules/event-hooks.js';
import { interviewProcessors } from './modules/interviews.js';
import { privacyProcessors } from './modules/privacy.js';
import { retentionProcessors } from './modules/retention.js';
import { screeningProcessors } from './modules/screening.js';
import { trustProcessors } from './modules/trust.js';
import { createLifecycle, createWorkerPlatform, type ProcessorRegistration } from './platform.js';
import { startReconciler, type ReconcilerHandle } from './reconcile.js';

export type { WorkerDeps } from './deps.js';

export interface RunningWorker {
  workers: Worker[];
  /** The reconciler (with deps.reconcile); runOnce() for tests. */
  reconciler?: ReconcilerHandle;
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorker> {
  // Every job schedule is recorded so the reconciler can re-apply it after Redis lost its data (worker/reconcile.ts).
  const { lifecycle, schedules, reconcilers, closers } = createLifecycle(deps);
  const registrations: ProcessorRegistration[] = [...(await auditProcessors(lifecycle))];
  // Everything else reads or writes org data: it needs the master key to unwrap org keys.
  if (deps.masterKey) {
    const platform = createWorkerPlatform(lifecycle, deps.masterKey);
    registrations.push(
      ...(await retentionProcessors(platform)),
      ...alertProcessors(platform),
      ...(await biasProcessors(platform)),
      ...(await backupProcessors(platform)),
      ...(await eventHookProcessors(platform)),
      ...(await privacyProcessors(platform)),
      ...(await trustProcessors(platform)),
      ...screeningProcessors(platform),
      ...(await interviewProcessors(platform)),
      ...documentProcessors(platform),
    );
  }
  const prefix = bullPrefix(deps.redisPrefix);
  const workers = registrations.map((r) => r.start({ connection: deps.connection, prefix }));
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
      await Promise.all(closers.map((c) => c()));
    },
  };
}
