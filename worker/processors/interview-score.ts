// Scores an ended interview's transcript (queue interview-score, payload { orgId,
// interviewId }), enqueued once the transcript is stored (end-of-call report or
// reconciliation). AI paused or the month's token budget used up: the score shows
// "waiting" and the job is delayed and re-checked. Provider failures throw so BullMQ
// retries with backoff; after the last attempt (or a permanent error) the score is marked
// failed with the reason. Provider circuit breaker open: the job waits (ai-job.ts).
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { CircuitBreaker } from '../../server/core/circuit-breaker.js';
import type { JobPayloads } from '../../server/core/queues.js';
import type { InterviewScorer, ScoreOutcome } from '../../server/modules/interviews/index.js';
import { runAiJob } from './ai-job.js';

export function createInterviewScoreProcessor(deps: { scorer: InterviewScorer; logger: Logger; waitMs?: number; breaker?: CircuitBreaker }) {
  const waitMs = deps.waitMs ?? 60_000;
  return async function processInterviewScore(job: Job<JobPayloads['interview-score']>, token?: string): Promise<ScoreOutcome> {
    const { orgId, interviewId } = job.data;
    const log = deps.logger.child({ queue: 'interview-score', jobId: job.id, interviewId });
    return runAiJob({
      job,
      token,
      log,
      label: 'interview scoring',
      waitMs,
      breaker: deps.breaker,
      run: () => deps.scorer.score(orgId, interviewId),
      markProviderFailure: (reason) => deps.scorer.markProviderFailure(orgId, interviewId, reason),
    });
  };
}
