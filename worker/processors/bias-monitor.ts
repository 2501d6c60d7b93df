// Daily bias monitor (DESIGN §8): recomputes each org's bias reports (org-wide and per job)
// and, for a breach not seen on the previous run, raises one bias_breach alert and writes an
// audit event. Idempotent: the org's last breach state is stored, so a repeated run with the
// same breaches alerts nobody.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads } from '../../server/core/queues.js';
import type { BiasService } from '../../server/modules/bias/index.js';

export function createBiasMonitorProcessor(deps: { bias: Pick<BiasService, 'monitor'>; logger: Logger }) {
  return async function processBiasMonitor(job: Job<JobPayloads['bias-monitor']>): Promise<{ orgs: number; newBreaches: number }> {
    const results = await deps.bias.monitor({ orgId: job.data.orgId });
    const newBreaches = results.reduce((n, r) => n + r.newBreaches, 0);
    deps.logger.info({ jobId: job.id, orgs: results.length, newBreaches }, 'bias monitor finished');
    return { orgs: results.length, newBreaches };
  };
}
