// Signs the tip of every org's audit chain and the platform chain (or one org's, when the
// payload names it), after writing the summaries of closed windows of repeated 403s.
// Idempotent: a tip that already has a checkpoint is skipped.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AuditLog } from '../../server/core/audit.js';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { summariseClosedDenials } from '../../server/modules/audit/index.js';
import { allOrgIds } from '../../server/modules/orgs/index.js';

export interface AuditCheckpointDeps {
  db: Db;
  audit: AuditLog;
  logger: Logger;
  /** Decides which 403 windows are closed (the worker's clock by default). */
  clock?: () => Date;
}

export function createAuditCheckpointProcessor(deps: AuditCheckpointDeps) {
  return async function processAuditCheckpoint(job: Job<JobPayloads['audit-checkpoint']>): Promise<{ signed: number; orgs: number }> {
    const orgIds = job.data.orgId ? [job.data.orgId] : await allOrgIds(deps.db);
    let signed = 0;
    let denialSummaries = 0;
    for (const orgId of orgIds) {
      // Closed windows of repeated 403s get their summary event before the tip is signed.
      denialSummaries += await summariseClosedDenials(deps, orgId);
      const checkpoint = await deps.audit.writeCheckpoint(orgId);
      if (checkpoint) signed += 1;
    }
    // The scheduled run over every org also signs the platform chain (counted in `signed`).
    if (!job.data.orgId && (await deps.audit.writePlatformCheckpoint())) signed += 1;
    deps.logger.info({ jobId: job.id, orgs: orgIds.length, signed, denialSummaries }, 'audit checkpoints written');
    return { signed, orgs: orgIds.length };
  };
}
