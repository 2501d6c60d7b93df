// Scores an ended interview's transcript (queue interview-score, payload { orgId,
// interviewId }), enqueued once the transcript is stored (end-of-call report or
// reconciliation). AI paused or the month's token budget used up: the score shows
// "waiting" and the job is delayed and re-checked. Provider failures throw so BullMQ
// retries with backoff; after the last attempt (or a permanent error) the score is marked
// failed with the reason.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads } from '../../server/core/queues.js';
import type { InterviewScorer, ScoreOutcome } from '../../server/modules/interviews/score.js';
import { ProviderError } from '../../server/modules/screening/model.js';

export function createInterviewScoreProcessor(deps: { scorer: InterviewScorer; logger: Logger; waitMs?: number }) {
  const waitMs = deps.waitMs ?? 60_000;
  return async function processInterviewScore(job: Job<JobPayloads['interview-score']>, token?: string): Promise<ScoreOutcome> {
    const { orgId, interviewId } = job.data;
    const log = deps.logger.child({ queue: 'interview-score', jobId: job.id, interviewId });
    try {
      const outcome = await deps.scorer.score(orgId, interviewId);
      if (outcome.status === 'waiting') {
        log.info({ reason: outcome.reason.split(':')[0] }, 'interview scoring waits');
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
      return outcome;
    } catch (err) {
      if (err instanceof ProviderError) {
        const attempts = job.opts.attempts ?? 1;
        const last = !err.retryable || job.attemptsMade + 1 >= attempts;
        log.warn({ code: err.code, attempt: job.attemptsMade + 1, attempts, retryable: err.retryable }, 'interview scoring provider call failed');
        if (last) {
          await deps.scorer.markProviderFailure(orgId, interviewId, `provider_${err.code}`);
          throw new UnrecoverableError(`provider_${err.code}`);
        }
      }
      throw err;
    }
  };
}
