// Queue reconciliation (issue 19): accepted work must never depend on Redis surviving.
//
// Postgres is the source of truth; a BullMQ job only carries a row that needs work. The
// app answers a request once its rows are committed and enqueues after the commit, so an
// enqueue can be lost (Redis down at that moment, or restarted later without its data).
// Every queue whose work is visible in Postgres therefore has a reconciler: the owning
// module (its pending-work.ts) finds rows that have needed work for longer than a grace
// period, and the reconciler re-offers each under its deterministic job id (reconcileJobs): a job that is waiting, delayed or running is left
// alone, a missing one is added again, a failed-out one is retried once (with its attempts
// already spent, so the processor treats that run as the last one and records a visible
// failure instead of looping).
//
// The driver (startReconciler) is a timer in every worker process, not a BullMQ
// repeatable job: a repeatable job lives in Redis and is lost with it. Each tick also
// re-applies the worker's job schedulers (the daily sweeps, the existing webhook-ingest,
// interview-start, vapi-delete and event-hook sweeps), which a Redis restarted without
// its data would otherwise forget until the worker restarts. Every step is idempotent,
// so several worker processes ticking at once only repeat no-ops.
import type { JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../server/core/db.js';
import { QUEUES, type JobPayloads, type QueueName, type TypedQueue } from '../server/core/queues.js';
import type { QueueJob } from '../server/core/queue-jobs.js';
import { documentsAwaitingParse } from '../server/modules/documents/index.js';
import { screeningsUnfinished } from '../server/modules/screening/index.js';
import { alertsUndelivered } from '../server/modules/alerts/index.js';
import { interviewsUnreconciled, interviewsUnscored, recordingsUnfetched, remindersUnsent } from '../server/modules/interviews/index.js';

export const RECONCILE_BATCH = 500;

export interface ReconcileJob<N extends QueueName> {
  name: string;
  data: JobPayloads[N];
  jobId: string;
  opts?: Omit<JobsOptions, 'jobId'>;
}

function toReconcileJob<N extends QueueName>(j: QueueJob<N>): ReconcileJob<N> {
  const { jobId, ...opts } = j.opts;
  return { name: j.name, data: j.data, jobId, opts };
}

export interface ReconcileOutcome {
  added: number;
  retried: number;
}

/**
 * Re-offers each job under its deterministic id: added when missing, retried once when it
 * failed out, left alone otherwise. `resetAttempts` gives a retried job its full attempts
 * again (for work that must go on until it succeeds, such as Vapi deletions).
 */
export async function reconcileJobs<N extends QueueName>(queue: TypedQueue<N>, jobs: readonly ReconcileJob<N>[], options: { resetAttempts?: boolean } = {}): Promise<ReconcileOutcome> {
  const out: ReconcileOutcome = { added: 0, retried: 0 };
  for (const j of jobs) {
    const existing = await queue.getJob(j.jobId);
    if (!existing) {
      // add() with an id that appeared meanwhile is a no-op, so a race with the app is harmless.
      await queue.add(j.name as never, j.data as never, { ...j.opts, jobId: j.jobId });
      out.added += 1;
    } else if (await existing.isFailed()) {
      await existing.retry('failed', { resetAttemptsMade: options.resetAttempts === true });
      out.retried += 1;
    }
  }
  return out;
}

/** One queue's reconciler: finds rows needing work (older than graceSeconds) and re-offers their jobs. */
export interface QueueReconciler {
  queue: QueueName;
  run(graceSeconds: number): Promise<ReconcileOutcome>;
}

/** Adapts a module's "accepted work without a live job" finder to a reconciler of its queue. */
function reconcilerOf<N extends QueueName>(queue: TypedQueue<N>, name: N, find: (graceSeconds: number) => Promise<QueueJob<N>[]>): QueueReconciler {
  return {
    queue: name,
    async run(graceSeconds) {
      return reconcileJobs(queue, (await find(graceSeconds)).map(toReconcileJob));
    },
  };
}

export function cvParseReconciler(db: Db, queue: TypedQueue<'cv-parse'>): QueueReconciler {
  return reconcilerOf(queue, QUEUES.cvParse, (grace) => documentsAwaitingParse(db, grace, RECONCILE_BATCH));
}

export function cvScreenReconciler(db: Db, queue: TypedQueue<'cv-screen'>): QueueReconciler {
  return reconcilerOf(queue, QUEUES.cvScreen, (grace) => screeningsUnfinished(db, grace, RECONCILE_BATCH));
}

export function alertDeliverReconciler(db: Db, queue: TypedQueue<'alert-deliver'>, retryDelayMs?: number): QueueReconciler {
  return reconcilerOf(queue, QUEUES.alertDeliver, (grace) => alertsUndelivered(db, grace, RECONCILE_BATCH, retryDelayMs));
}

export function interviewScoreReconciler(db: Db, queue: TypedQueue<'interview-score'>): QueueReconciler {
  return reconcilerOf(queue, QUEUES.interviewScore, (grace) => interviewsUnscored(db, grace, RECONCILE_BATCH));
}

export function recordingFetchReconciler(db: Db, queue: TypedQueue<'recording-fetch'>, retryDelayMs?: number): QueueReconciler {
  return reconcilerOf(queue, QUEUES.recordingFetch, (grace) => recordingsUnfetched(db, grace, RECONCILE_BATCH, retryDelayMs));
}

export function interviewReconcileReconciler(db: Db, queue: TypedQueue<'interview-reconcile'>): QueueReconciler {
  return reconcilerOf(queue, QUEUES.interviewReconcile, (grace) => interviewsUnreconciled(db, grace, RECONCILE_BATCH));
}

/** No grace period: a future reminder re-added under the same id as the app's is the same job. */
export function interviewReminderReconciler(db: Db, queue: TypedQueue<'interview-reminder'>, clock: () => Date = () => new Date()): QueueReconciler {
  return reconcilerOf(queue, QUEUES.interviewReminder, () => remindersUnsent(db, clock(), RECONCILE_BATCH));
}

export interface ReconcilerHandle {
  /** One pass now (schedules, then every queue); resolves with what each queue re-offered. */
  runOnce(): Promise<Partial<Record<QueueName, ReconcileOutcome>>>;
  stop(): Promise<void>;
}

/** Runs a pass every everyMs (unref'd timer; passes never overlap) until stopped. */
export function startReconciler(deps: { reconcilers: readonly QueueReconciler[]; schedules: readonly (() => Promise<void>)[]; everyMs: number; graceSeconds: number; logger: Logger }): ReconcilerHandle {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  async function pass(): Promise<Partial<Record<QueueName, ReconcileOutcome>>> {
    const result: Partial<Record<QueueName, ReconcileOutcome>> = {};
    for (const s of deps.schedules) {
      await s().catch((err: Error) => deps.logger.warn({ err: { message: err.message } }, 'reconcile: re-applying a job schedule failed'));
    }
    for (const r of deps.reconcilers) {
      try {
        const out = await r.run(deps.graceSeconds);
        result[r.queue] = out;
        if (out.added + out.retried > 0) deps.logger.warn({ queue: r.queue, ...out }, 'reconcile: re-offered accepted work that had no live job');
      } catch (err) {
        deps.logger.warn({ queue: r.queue, err: { message: (err as Error).message } }, 'reconcile pass failed');
      }
    }
    return result;
  }
  const runOnce = (): Promise<Partial<Record<QueueName, ReconcileOutcome>>> => {
    const next = running.then(pass, pass);
    running = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    if (!stopped) void runOnce().catch(() => undefined);
  }, deps.everyMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
