// CV parsing (cv-parse): each extraction in its own worker thread; a parsed CV is handed to
// screening when it runs. Documents stored but never parsed are re-offered by the reconciler.
import { availableParallelism } from 'node:os';
import { createOrgSlots } from '../../server/core/org-fairness.js';
import { QUEUES } from '../../server/core/queues.js';
import { createPostgresBlobStore } from '../../server/core/storage.js';
import { createScreeningProducer } from '../../server/modules/screening/index.js';
import { createCvParseProcessor } from '../processors/cv-parse.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';
import { cvParseReconciler } from '../reconcile.js';

export function documentProcessors(p: WorkerPlatform): ProcessorRegistration[] {
  const { deps } = p;
  p.reconcile(cvParseReconciler(p.db, p.queue(QUEUES.cvParse)));
  const onParsed = deps.screening ? createScreeningProducer(p.queue(QUEUES.cvScreen)).enqueueScreening : undefined;
  const process = createCvParseProcessor({
    db: p.db,
    audit: p.audit,
    keyring: p.keyring,
    blobs: createPostgresBlobStore(),
    logger: p.logger,
    onParsed,
    ...(deps.cvParse?.maxPages ? { limits: { maxPages: deps.cvParse.maxPages } } : {}),
    ...(deps.cvParse
      ? {
          slots: {
            // The lease outlives the extraction time limit (20 s) with margin for the DB work around it.
            slots: createOrgSlots({ redis: deps.cvParse.redis, redisPrefix: deps.redisPrefix, queue: QUEUES.cvParse, perOrg: deps.cvParse.perOrgConcurrency, leaseMs: 90_000 }),
            retryDelayMs: deps.cvParse.slotRetryDelayMs ?? 1_000,
          },
        }
      : {}),
  });
  // Parsing never takes every core (issue 19 floods): all but one, at least 1.
  return [processor(QUEUES.cvParse, deps.cvParseConcurrency ?? Math.max(1, availableParallelism() - 1), process)];
}
