// Trust page (issue 23): one schedule shared by every worker process; each run does only the checks that are due.
import { QUEUES } from '../../server/core/queues.js';
import { wireTrust } from '../../server/modules/trust/index.js';
import { createTrustChecksProcessor, scheduleTrustChecks } from '../processors/trust-checks.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';

export async function trustProcessors(p: WorkerPlatform): Promise<ProcessorRegistration[]> {
  const checks = p.deps.trustChecks;
  if (!checks) return [];
  const clock = checks.clock ?? (() => new Date());
  await p.schedule(() => scheduleTrustChecks(p.queue(QUEUES.trustChecks), checks.everyMs));
  const trust = wireTrust({ db: p.db, config: checks.config, keyring: p.keyring, clock, logger: p.logger, audit: p.audit, alerts: p.monitorAlerts(checks.redis, clock) });
  return [processor(QUEUES.trustChecks, 1, createTrustChecksProcessor({ trust, logger: p.logger }))];
}
