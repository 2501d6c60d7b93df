// Privacy-request deadlines (GDPR Art. 12(3)): one daily schedule shared by every worker process.
import { QUEUES } from '../../server/core/queues.js';
import { createDeadlineMonitor } from '../../server/modules/rights/index.js';
import { createPrivacyDeadlinesProcessor, schedulePrivacyDeadlines } from '../processors/privacy-deadlines.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';

export async function privacyProcessors(p: WorkerPlatform): Promise<ProcessorRegistration[]> {
  const deadlines = p.deps.privacyDeadlines;
  if (!deadlines) return [];
  const clock = deadlines.clock ?? (() => new Date());
  await p.schedule(() => schedulePrivacyDeadlines(p.queue(QUEUES.privacyDeadlines), deadlines.pattern));
  const monitor = createDeadlineMonitor({ db: p.db, alerts: p.monitorAlerts(deadlines.redis, clock), clock, log: p.logger });
  return [processor(QUEUES.privacyDeadlines, 1, createPrivacyDeadlinesProcessor({ monitor, logger: p.logger }))];
}
