// Retention (DESIGN section 9): one daily sweep shared by every worker process; the daily run
// also deletes offboarded orgs. Both queue the deletion of interview calls at Vapi (issue 18).
import { QUEUES } from '../../server/core/queues.js';
import { createPostgresBlobStore } from '../../server/core/storage.js';
import { createOffboardingService } from '../../server/modules/privacy/index.js';
import { createRetentionService } from '../../server/modules/retention/index.js';
import { createRetentionSweepProcessor } from '../processors/retention-sweep.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';

export async function retentionProcessors(p: WorkerPlatform): Promise<ProcessorRegistration[]> {
  const pattern = p.deps.retentionSweepPattern ?? '17 3 * * *';
  await p.schedule(() => p.queue(QUEUES.retentionSweep).upsertJobScheduler('retention-sweep-daily', { pattern, tz: 'UTC' }, { name: 'sweep', data: {} }));
  const common = { db: p.db, audit: p.audit, ledger: p.ledger, clock: () => new Date(), logger: p.logger, vapiDeletions: p.vapiDeletions };
  const retention = createRetentionService({ ...common, keyring: p.keyring, blobs: createPostgresBlobStore() });
  const offboarding = createOffboardingService(common);
  return [processor(QUEUES.retentionSweep, 1, createRetentionSweepProcessor({ retention, logger: p.logger, offboarding }))];
}
