// Accepted work without a live queue job (issue 19): screenings asked for (automatically
// after parsing, or by a rescreen) but never finished, as the cv-screen jobs to re-offer.
import type { Db } from '../../core/db.js';
import { queueJob, QUEUE_JOBS, type QueueJob } from '../../core/queue-jobs.js';

export async function screeningsUnfinished(db: Db, graceSeconds: number, limit: number): Promise<QueueJob<'cv-screen'>[]> {
  const { rows } = await db.pool.query<{ org_id: string; application_id: string; document_id: string; screening_id: string | null; generation: number; requested: boolean }>(
    'SELECT org_id, application_id, document_id, screening_id, generation, requested FROM screenings_unfinished($1, $2)',
    [graceSeconds, limit],
  );
  // A first, automatic screening runs under the producer's id; a rescreen under the oversight's.
  const jobs = rows.map((r) => {
    const data = { orgId: r.org_id, applicationId: r.application_id };
    return r.screening_id && (r.requested || r.generation > 1)
      ? queueJob(QUEUE_JOBS.cvRescreen, data, { key: { screeningId: r.screening_id } })
      : queueJob(QUEUE_JOBS.cvScreen, data, { key: { documentId: r.document_id } });
  });
  // Several rows may map to one job (one id): offer it once.
  return [...new Map(jobs.map((j) => [j.opts.jobId, j])).values()];
}
