// Queue reconciliation (issue 19): accepted work must never depend on Redis surviving.
//
// Postgres is the source of truth; a BullMQ job only carries a row that needs work. The
// app answers a request once its rows are committed and enqueues after the commit, so an
// enqueue can be lost (Redis down at that moment, or restarted later without its data).
// Every queue whose work is visible in Postgres therefore has a reconciler: it finds rows
// that have needed work for longer than a grace period and re-offers each under its
// deterministic job id (reconcileJobs): a job that is waiting, delayed or running is left
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
import { cvParseJobId } from '../server/modules/applications/index.js';
import { alertDeliverJobId, ALERT_DELIVER_ATTEMPTS } from '../server/modules/alerts/index.js';
import { cvScreenJobId } from '../server/modules/screening/index.js';
import { rescreenJobId } from '../server/modules/screening/index.js';
import { interviewReconcileJobId, interviewReminderJobId, interviewScoreJobId } from '../server/modules/interviews/index.js';
import { RECONCILE_SLACK_MS } from '../server/modules/interviews/index.js';
import { RECORDING_FETCH_ATTEMPTS, recordingFetchJobId } from './processors/recording-fetch.js';

export const RECONCILE_BATCH = 500;

export interface ReconcileJob<N extends QueueName> {
  name: string;
  data: JobPayloads[N];
  jobId: string;
  opts?: Omit<JobsOptions, 'jobId'>;
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

export function cvParseReconciler(db: Db, queue: TypedQueue<'cv-parse'>): QueueReconciler {
  return {
    queue: QUEUES.cvParse,
    async run(graceSeconds) {
      const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM documents_pending_parse($1, $2)', [graceSeconds, RECONCILE_BATCH]);
      return reconcileJobs(queue, rows.map((r) => ({ name: 'parse', data: { orgId: r.org_id, documentId: r.id }, jobId: cvParseJobId(r.id) })));
    },
  };
}

export function cvScreenReconciler(db: Db, queue: TypedQueue<'cv-screen'>): QueueReconciler {
  return {
    queue: QUEUES.cvScreen,
    async run(graceSeconds) {
      const { rows } = await db.pool.query<{ org_id: string; application_id: string; document_id: string; screening_id: string | null; generation: number; requested: boolean }>(
        'SELECT org_id, application_id, document_id, screening_id, generation, requested FROM screenings_unfinished($1, $2)',
        [graceSeconds, RECONCILE_BATCH],
      );
      // A first, automatic screening runs under the producer's id; a rescreen under the oversight's.
      const jobId = (r: (typeof rows)[number]): string =>
        r.screening_id && (r.requested || r.generation > 1) ? rescreenJobId(r.application_id, r.screening_id) : cvScreenJobId(r.application_id, r.document_id);
      const unique = new Map(rows.map((r) => [jobId(r), r]));
      return reconcileJobs(queue, [...unique].map(([id, r]) => ({ name: 'screen', data: { orgId: r.org_id, applicationId: r.application_id }, jobId: id })));
    },
  };
}

export function alertDeliverReconciler(db: Db, queue: TypedQueue<'alert-deliver'>, retryDelayMs = 10_000): QueueReconciler {
  return {
    queue: QUEUES.alertDeliver,
    async run(graceSeconds) {
      const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM alerts_undelivered($1, $2)', [graceSeconds, RECONCILE_BATCH]);
      return reconcileJobs(
        queue,
        rows.map((r) => ({ name: 'deliver', data: { orgId: r.org_id, alertId: r.id }, jobId: alertDeliverJobId(r.id), opts: { attempts: ALERT_DELIVER_ATTEMPTS, backoff: { type: 'exponential', delay: retryDelayMs } } })),
      );
    },
  };
}

/** interview-score: ended interviews with a transcript and no finished score (migration 0053). */
export function interviewScoreReconciler(db: Db, queue: TypedQueue<'interview-score'>): QueueReconciler {
  return {
    queue: QUEUES.interviewScore,
    async run(graceSeconds) {
      const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM interviews_unscored($1, $2)', [graceSeconds, RECONCILE_BATCH]);
      return reconcileJobs(queue, rows.map((r) => ({ name: 'score', data: { orgId: r.org_id, interviewId: r.id }, jobId: interviewScoreJobId(r.id) })));
    },
  };
}

/** recording-fetch: reconciled interviews whose recording was neither stored nor its call queued for deletion (migration 0053). */
export function recordingFetchReconciler(db: Db, queue: TypedQueue<'recording-fetch'>, retryDelayMs = 30_000): QueueReconciler {
  return {
    queue: QUEUES.recordingFetch,
    async run(graceSeconds) {
      const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM interviews_recording_unfetched($1, $2)', [graceSeconds, RECONCILE_BATCH]);
      return reconcileJobs(
        queue,
        rows.map((r) => ({ name: 'fetch', data: { orgId: r.org_id, interviewId: r.id }, jobId: recordingFetchJobId(r.id), opts: { attempts: RECORDING_FETCH_ATTEMPTS, backoff: { type: 'exponential', delay: retryDelayMs } } })),
      );
    },
  };
}

/** interview-reconcile jobs: a call not ended yet is asked again with backoff (~2 h in all). */
export const INTERVIEW_RECONCILE_OPTS = { attempts: 8, backoff: { type: 'exponential', delay: 30_000 } } as const;

/**
 * interview-reconcile (migration 0062): interviews whose current call ended (report
 * received) or should have ended (placed longer ago than its max duration plus the slack)
 * but were never reconciled. Each is re-offered under the producer's id for that call and
 * phase ('report' when the report came, else 'due'), at once.
 */
export function interviewReconcileReconciler(db: Db, queue: TypedQueue<'interview-reconcile'>): QueueReconciler {
  return {
    queue: QUEUES.interviewReconcile,
    async run(graceSeconds) {
      const { rows } = await db.pool.query<{ org_id: string; id: string; call_id: string; reported: boolean }>(
        'SELECT org_id, id, call_id, reported FROM interviews_unreconciled($1, $2, $3)',
        [graceSeconds, RECONCILE_SLACK_MS / 1000, RECONCILE_BATCH],
      );
      return reconcileJobs(
        queue,
        rows.map((r) => ({ name: 'reconcile', data: { orgId: r.org_id, interviewId: r.id }, jobId: interviewReconcileJobId(r.id, r.call_id, r.reported ? 'report' : 'due'), opts: INTERVIEW_RECONCILE_OPTS })),
      );
    },
  };
}

/** A reminder found unsent this late is still sent; later, its wording ("tomorrow", "in one hour") would mislead. */
export const REMINDER_LATE_SECONDS = 15 * 60;

/**
 * interview-reminder: each reminder of a booked interview that has neither been sent nor
 * has a job is added again under the producer's id, delayed until its time (or at once
 * when that time passed less than REMINDER_LATE_SECONDS ago). No grace period: a future
 * reminder re-added under the same id as the app's is the same job.
 */
export function interviewReminderReconciler(db: Db, queue: TypedQueue<'interview-reminder'>, clock: () => Date = () => new Date()): QueueReconciler {
  return {
    queue: QUEUES.interviewReminder,
    async run() {
      const { rows } = await db.pool.query<{ org_id: string; id: string; kind: '24h' | '1h'; version: number; send_at: Date }>(
        'SELECT org_id, id, kind, version, send_at FROM interviews_reminders_unsent($1, $2)',
        [REMINDER_LATE_SECONDS, RECONCILE_BATCH],
      );
      const now = clock().getTime();
      return reconcileJobs(
        queue,
        rows.map((r) => ({
          name: 'remind',
          data: { orgId: r.org_id, interviewId: r.id, kind: r.kind, version: r.version },
          jobId: interviewReminderJobId(r.id, r.kind, r.version),
          opts: { delay: Math.max(0, r.send_at.getTime() - now) },
        })),
      );
    },
  };
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
