// Applies one verified, stored Vapi server message (queue webhook-ingest, payload
// { orgId, messageId }). Idempotent: a processed message is skipped. A message whose call
// no interview knows yet is retried with backoff (our write of the call id may lag the
// webhook), and dropped as 'no_interview' after a grace period.
//
// The same queue carries a repeatable 'sweep' job (SweepPayload, no ids): the app answers a
// webhook once the message is stored and enqueues it without waiting, so an enqueue can
// be lost (Redis blip, crash right after the answer). The sweep re-enqueues every
// accepted message still unprocessed after SWEEP_AFTER_S, under the same deterministic
// job id the app uses, so a message whose job is still queued is not enqueued twice.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import { PermanentFailure, type CallService } from '../../server/modules/interviews/index.js';
import { enqueueBulk, queueJob, QUEUE_JOBS, scheduleSweep, SWEEP_JOB_NAME as SWEEP } from '../../server/core/queue-jobs.js';
import { unprocessedMessages } from '../../server/modules/webhooks/index.js';

export const SWEEP_JOB_NAME = SWEEP;
export const SWEEP_EVERY_MS = 60_000;
/** Older than this and still unprocessed: its enqueue was probably lost. */
export const SWEEP_AFTER_S = 60;
const SWEEP_BATCH = 500;

export interface WebhookSweepDeps {
  db: Db;
  queue: TypedQueue<'webhook-ingest'>;
  afterSeconds?: number;
}

/** One schedule for every worker process (same scheduler id). */
export async function scheduleWebhookSweep(queue: TypedQueue<'webhook-ingest'>, everyMs = SWEEP_EVERY_MS): Promise<void> {
  await scheduleSweep(queue, 'webhook-ingest-sweep', { every: everyMs });
}

/** Re-enqueues accepted, unprocessed messages older than the threshold; returns how many were offered. */
export async function sweepUnprocessed(deps: WebhookSweepDeps): Promise<number> {
  const rows = await unprocessedMessages(deps.db, deps.afterSeconds ?? SWEEP_AFTER_S, SWEEP_BATCH);
  if (rows.length === 0) return 0;
  await enqueueBulk(deps.queue, rows.map((r) => queueJob(QUEUE_JOBS.webhookIngest, { orgId: r.orgId, messageId: r.id })));
  return rows.length;
}

export function createWebhookIngestProcessor(deps: { calls: CallService; logger: Logger; sweep?: WebhookSweepDeps }) {
  return async (job: Job<JobPayloads['webhook-ingest']>): Promise<string> => {
    if (job.name === SWEEP_JOB_NAME) {
      if (!deps.sweep) return 'no_sweep';
      const n = await sweepUnprocessed(deps.sweep);
      if (n > 0) deps.logger.info({ messages: n }, 'webhook sweep re-enqueued unprocessed messages');
      return `swept_${n}`;
    }
    try {
      const outcome = await deps.calls.applyMessage(job.data.orgId, job.data.messageId);
      deps.logger.debug({ jobId: job.id, messageId: job.data.messageId, outcome }, 'webhook message applied');
      return outcome;
    } catch (err) {
      if (err instanceof PermanentFailure) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
