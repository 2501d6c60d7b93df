// Places the outbound interview call (queue interview-start, payload { orgId, interviewId })
// with POST /call. Idempotent: only a due 'scheduled' interview without a call id is called,
// and it is claimed before the request, so a retry never rings the candidate twice. Jobs
// are per schedule version and per re-dial (ids interview-start-<id>[-v<n>|-r<n>]); a stale
// one finds the interview not due, cancelled or already called and does nothing.
// While Vapi's circuit breaker is open the job goes back to the delayed set until the
// cool-down ends, without using up an attempt (the interview shows 'waiting-provider').
//
// The same queue carries a repeatable 'sweep' job (SweepPayload, no ids): a start job is enqueued
// after the commit that made the interview due, so Redis being down at that moment (or a
// crash in between) would leave a consented candidate waiting forever. The sweep
// enqueues a start for every phone interview due for over SWEEP_GRACE_S without a call
// (migration 0024), one job id per interview and attempt count (interview-start-<id>-due<n>);
// a finished job under that id is removed first, so a failed one never blocks the re-offer.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { CircuitOpenError } from '../../server/core/circuit-breaker.js';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import { breakerWaitUntil, PermanentFailure, type CallService } from '../../server/modules/interviews/index.js';
import { enqueueBulk, queueJob, QUEUE_JOBS, scheduleSweep, SWEEP_JOB_NAME } from '../../server/core/queue-jobs.js';
import { overdueStarts } from '../../server/modules/interviews/index.js';

export const START_SWEEP_JOB_NAME = SWEEP_JOB_NAME;
const SWEEP_EVERY_MS = 2 * 60_000;
/** Due for longer than this without a call: its start job was probably lost. */
export const SWEEP_GRACE_S = 5 * 60;
const SWEEP_BATCH = 200;

export interface StartSweepDeps {
  db: Db;
  queue: TypedQueue<'interview-start'>;
  graceSeconds?: number;
}

/** One schedule for every worker process (same scheduler id). */
export async function scheduleStartSweep(queue: TypedQueue<'interview-start'>, everyMs = SWEEP_EVERY_MS): Promise<void> {
  await scheduleSweep(queue, 'interview-start-sweep', { every: everyMs });
}

/** Enqueues a start for each overdue phone interview; returns how many were offered. */
export async function sweepOverdueStarts(deps: StartSweepDeps): Promise<number> {
  const rows = await overdueStarts(deps.db, deps.graceSeconds ?? SWEEP_GRACE_S, SWEEP_BATCH);
  if (rows.length === 0) return 0;
  const jobs = rows.map((r) => queueJob(QUEUE_JOBS.interviewStart, { orgId: r.orgId, interviewId: r.id }, { key: { key: `due${r.attempts}` } }));
  // A finished job keeps its id (removeOnFail/removeOnComplete keep them for days), and adding
  // under a kept id is a no-op: a stuck-claim start that used up its attempts inside the
  // create window would never run again. The interview is still overdue, so that job is
  // finished with: remove it so this add is a fresh one. Waiting/active/delayed jobs stay.
  await Promise.all(jobs.map((j) => removeFinished(deps.queue, j.opts.jobId)));
  await enqueueBulk(deps.queue, jobs);
  return rows.length;
}

async function removeFinished(queue: TypedQueue<'interview-start'>, jobId: string): Promise<void> {
  const state = await queue.getJobState(jobId);
  if (state !== 'failed' && state !== 'completed') return;
  // Another sweep may have removed or replaced it meanwhile: the add below is then a no-op or fresh anyway.
  await queue.remove(jobId).catch(() => undefined);
}

export function createInterviewStartProcessor(deps: { calls: CallService; logger?: Logger; sweep?: StartSweepDeps }) {
  return async (job: Job<JobPayloads['interview-start']>, token?: string): Promise<string> => {
    if (job.name === START_SWEEP_JOB_NAME) {
      if (!deps.sweep) return 'no_sweep';
      const n = await sweepOverdueStarts(deps.sweep);
      if (n > 0) deps.logger?.warn({ interviews: n }, 'start sweep re-enqueued interviews that were due without a call');
      return `swept_${n}`;
    }
    try {
      return await deps.calls.startCall(job.data.orgId, job.data.interviewId);
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        await job.moveToDelayed(breakerWaitUntil(err, Date.now()), token);
        throw new DelayedError();
      }
      if (err instanceof PermanentFailure) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
