// Daily retention sweep (DESIGN section 9): erases candidates whose data is past their
// org's retention period. Idempotent: an erased candidate is never due again, so a
// repeated or overlapping run finds nothing more to do.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads } from '../../server/core/queues.js';
import type { RetentionService } from '../../server/modules/retention/service.js';

export function createRetentionSweepProcessor(deps: { retention: RetentionService; logger: Logger }) {
  return async function processRetentionSweep(job: Job<JobPayloads['retention-sweep']>): Promise<{ orgs: number; erased: number }> {
    const results = await deps.retention.sweep({ orgId: job.data.orgId });
    const erased = results.reduce((n, r) => n + r.erased, 0);
    deps.logger.info({ jobId: job.id, orgs: results.length, erased }, 'retention sweep finished');
    return { orgs: results.length, erased };
  };
}
