// The trust page's checks (issue 23): every few minutes, runs the checks whose stored result
// is close to its interval, stores the results and raises alerts for lines turning to failing.
// Idempotent: a repeated run finds nothing due.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import type { RunResult, TrustService } from '../../server/modules/trust/index.js';

/** One schedule id shared by every worker process. */
export const TRUST_CHECKS_SCHEDULER = 'trust-checks-every-5-min';
export const TRUST_CHECKS_EVERY_MS = 5 * 60_000;

export function createTrustChecksProcessor(deps: { trust: TrustService; logger: Logger }) {
  return async function processTrustChecks(job: Job<JobPayloads['trust-checks']>): Promise<RunResult[]> {
    const results = await deps.trust.run();
    deps.logger.info({ jobId: job.id, ran: results.map((r) => `${r.id}:${r.status}`) }, 'trust checks run');
    return results;
  };
}

export async function scheduleTrustChecks(queue: TypedQueue<'trust-checks'>, everyMs = TRUST_CHECKS_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(TRUST_CHECKS_SCHEDULER, { every: everyMs }, { name: 'run', data: {} });
}
