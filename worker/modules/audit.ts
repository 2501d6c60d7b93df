// Audit checkpoints: one schedule shared by every worker process (one scheduler id), with or without a master key.
import { QUEUES } from '../../server/core/queues.js';
import { createAuditCheckpointProcessor } from '../processors/audit-checkpoint.js';
import { processor, type ProcessorRegistration, type WorkerLifecycle } from '../platform.js';

export async function auditProcessors(p: WorkerLifecycle): Promise<ProcessorRegistration[]> {
  const { deps } = p;
  await p.schedule(() => p.queue(QUEUES.auditCheckpoint).upsertJobScheduler('audit-checkpoint-all-orgs', { every: deps.auditCheckpointEveryMs }, { name: 'checkpoint', data: {} }));
  return [processor(QUEUES.auditCheckpoint, 1, createAuditCheckpointProcessor(deps))];
}
