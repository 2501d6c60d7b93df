// AI screening of parsed CVs (issue 6): cv-screen jobs, and screenings asked for but never finished re-offered by the reconciler.
import { QUEUES } from '../../server/core/queues.js';
import { createScreeningRunner } from '../../server/modules/screening/index.js';
import { createCvScreenProcessor } from '../processors/cv-screen.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';
import { cvScreenReconciler } from '../reconcile.js';

export function screeningProcessors(p: WorkerPlatform): ProcessorRegistration[] {
  const screening = p.deps.screening;
  if (!screening) return [];
  p.reconcile(cvScreenReconciler(p.db, p.queue(QUEUES.cvScreen)));
  const runner = createScreeningRunner({ db: p.db, audit: p.audit, keyring: p.keyring, provider: p.provider ?? screening.provider, defaultModel: screening.defaultModel, logger: p.logger });
  const process = createCvScreenProcessor({ runner, redis: screening.redis, redisPrefix: p.deps.redisPrefix, logger: p.logger, breaker: p.breaker });
  return [processor(QUEUES.cvScreen, screening.concurrency ?? 20, process)];
}
