// Bias monitor (DESIGN section 8): one daily schedule shared by every worker process; breaches raise alerts.
import { QUEUES } from '../../server/core/queues.js';
import { createBiasService } from '../../server/modules/bias/index.js';
import { createBiasMonitorProcessor } from '../processors/bias-monitor.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';

export async function biasProcessors(p: WorkerPlatform): Promise<ProcessorRegistration[]> {
  const monitor = p.deps.biasMonitor;
  if (!monitor) return [];
  const pattern = monitor.pattern ?? '23 4 * * *';
  await p.schedule(() => p.queue(QUEUES.biasMonitor).upsertJobScheduler('bias-monitor-daily', { pattern, tz: 'UTC' }, { name: 'monitor', data: {} }));
  const bias = createBiasService({ db: p.db, audit: p.audit, keyring: p.keyring, alerts: p.monitorAlerts(monitor.redis, () => new Date()), log: p.logger });
  return [processor(QUEUES.biasMonitor, 1, createBiasMonitorProcessor({ bias, logger: p.logger }))];
}
