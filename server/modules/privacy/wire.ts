// Wires data subject requests (DESIGN §9: erasure on request). An erasure queues the deletion
// of the candidate's calls at Vapi (issue 18; the worker's sweep catches a lost enqueue).
import type { Platform } from '../../plugins/platform.js';
import { QUEUES } from '../../core/queues.js';
import { createPostgresBlobStore } from '../../core/storage.js';
import { vapiDeletionProducer } from '../interviews/index.js';
import { privacyRoutes } from './routes.js';
import { createPrivacyService } from './service.js';

/** vapiDeleteJob: shorter backoff and fewer attempts of the queued deletions (tests). */
export async function wirePrivacy(p: Platform, w: { vapiDeleteJob?: { backoffMs?: number; attempts?: number } }): Promise<void> {
  const vapiDeletions = vapiDeletionProducer(p.queue(QUEUES.vapiDelete), w.vapiDeleteJob);
  const privacy = createPrivacyService({ db: p.db, audit: p.audit, keyring: p.keyring, blobs: createPostgresBlobStore(), ledger: p.erasureLedger, clock: p.clock, vapiDeletions, logger: p.logger });
  await p.app.register(privacyRoutes, { privacy });
}
