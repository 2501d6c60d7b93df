// Accepted work without a live queue job (issue 19): CVs stored but never parsed, offered
// again by the worker's reconciler as cv-parse jobs under the producer's id.
import type { Db } from '../../core/db.js';
import { queueJob, QUEUE_JOBS, type QueueJob } from '../../core/queue-jobs.js';

/** Documents still waiting for their parse after graceSeconds, across every org (migration's documents_pending_parse). */
export async function documentsAwaitingParse(db: Db, graceSeconds: number, limit: number): Promise<QueueJob<'cv-parse'>[]> {
  const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM documents_pending_parse($1, $2)', [graceSeconds, limit]);
  return rows.map((r) => queueJob(QUEUE_JOBS.cvParse, { orgId: r.org_id, documentId: r.id }));
}
