// What every AI job (CV screening, interview scoring) does with its outcome: "waiting"
// (AI paused or budget used up) delays the job and re-checks later; a provider failure is
// thrown for BullMQ to retry with backoff, and after the last attempt (or a permanent
// error) the work is marked failed with the reason, visibly, and not retried again.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { ProviderError } from '../../server/modules/screening/model.js';

export interface AiJobSteps<T extends { status: string }> {
  job: Job;
  token: string | undefined;
  log: Logger;
  /** e.g. 'screening' or 'interview scoring', for log lines. */
  label: string;
  waitMs: number;
  run(): Promise<T>;
  markProviderFailure(reason: string): Promise<void>;
}

export async function runAiJob<T extends { status: string }>(steps: AiJobSteps<T>): Promise<T> {
  const { job, log } = steps;
  try {
    const outcome = await steps.run();
    if (outcome.status === 'waiting') {
      const reason = (outcome as { reason?: string }).reason ?? '';
      log.info({ reason: reason.split(':')[0] }, `${steps.label} waits`);
      await job.moveToDelayed(Date.now() + steps.waitMs, steps.token);
      throw new DelayedError();
    }
    return outcome;
  } catch (err) {
    if (err instanceof ProviderError) {
      const attempts = job.opts.attempts ?? 1;
      const last = !err.retryable || job.attemptsMade + 1 >= attempts;
      log.warn({ code: err.code, attempt: job.attemptsMade + 1, attempts, retryable: err.retryable }, `${steps.label} provider call failed`);
      if (last) {
        await steps.markProviderFailure(`provider_${err.code}`);
        throw new UnrecoverableError(`provider_${err.code}`);
      }
    }
    throw err;
  }
}
