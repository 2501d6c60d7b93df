// Org alerts (DESIGN section 9): delivery to the org's e-mail recipients and signed webhook;
// alerts raised but never delivered are re-offered by the reconciler.
import { QUEUES } from '../../server/core/queues.js';
import { createAlertDeliverer } from '../../server/modules/alerts/index.js';
import { createAlertDeliverProcessor } from '../processors/alert-deliver.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';
import { alertDeliverReconciler } from '../reconcile.js';

export function alertProcessors(p: WorkerPlatform): ProcessorRegistration[] {
  const alerts = p.deps.alerts;
  if (!alerts) return [];
  const deliverer = createAlertDeliverer({ db: p.db, keyring: p.keyring, mailer: alerts.mailer, nodeEnv: alerts.nodeEnv, publicUrl: alerts.publicUrl, log: p.logger, outbound: p.outbound });
  p.reconcile(alertDeliverReconciler(p.db, p.queue(QUEUES.alertDeliver)));
  return [processor(QUEUES.alertDeliver, 5, createAlertDeliverProcessor({ deliverer }))];
}
