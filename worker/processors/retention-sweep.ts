// Daily retention sweep (DESIGN section 9): erases candidates whose data is past their
// org's retention period. Idempotent: an erased candidate is never due again, so a
// repeated or overlapping run finds nothing more to do.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads } from '../../server/core/queues.js';
import type { OffboardingService } from '../../server/modules/privacy/index.js';
import type { RetentionService } from '../../server/modules/retention/index.js';

// The daily run (no orgId) also deletes orgs whose 30-day offboarding export window has
// closed (DESIGN section 9: data deleted, org key destroyed, tombstone and audit kept).
export function createRetentionSweepProcessor(deps: { retention: RetentionService; logger: Logger; offboarding?: Pick<OffboardingService, 'sweep'> }) {
  return async function processRetentionSweep(job: Job<JobPayloads['retention-sweep']>): Promise<{ orgs: number; erased: number; orgsDeleted?: number }> {
    const results = await deps.retention.sweep({ orgId: job.data.orgId });
    const erased = results.reduce((n, r) => n + r.erased, 0);
    const deleted = !job.data.orgId && deps.offboarding ? await deps.offboarding.sweep() : null;
    deps.logger.info({ jobId: job.id, orgs: results.length, erased, orgsDeleted: deleted?.length }, 'retention sweep finished');
    return deleted ? { orgs: results.length, erased, orgsDeleted: deleted.length } : { orgs: results.length, erased };
  };
}
