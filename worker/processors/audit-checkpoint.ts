// Signs the tip of every org's audit chain (or one org's, when the payload names it).
// Idempotent: a tip that already has a checkpoint is skipped.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AuditLog } from '../../server/core/audit.js';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { listOrgIds } from '../../server/modules/orgs/repo.js';

export interface AuditCheckpointDeps {
  db: Db;
  audit: AuditLog;
  logger: Logger;
}

export function createAuditCheckpointProcessor(deps: AuditCheckpointDeps) {
  return async function processAuditCheckpoint(job: Job<JobPayloads['audit-checkpoint']>): Promise<{ signed: number; orgs: number }> {
    const orgIds = job.data.orgId ? [job.data.orgId] : await listOrgIds(deps.db.pool);
    let signed = 0;
    for (const orgId of orgIds) {
      const checkpoint = await deps.audit.writeCheckpoint(orgId);
      if (checkpoint) signed += 1;
    }
    deps.logger.info({ jobId: job.id, orgs: orgIds.length, signed }, 'audit checkpoints written');
    return { signed, orgs: orgIds.length };
  };
}
