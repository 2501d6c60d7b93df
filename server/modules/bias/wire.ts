// Wires the bias report and thresholds (DESIGN §8; the monitor runs in the worker).
import type { Platform } from '../../plugins/platform.js';
import type { AlertService } from '../alerts/index.js';
import { biasRoutes } from './routes.js';
import { createBiasService } from './service.js';

export async function wireBias(p: Platform, w: { alerts: AlertService }): Promise<void> {
  await p.app.register(biasRoutes, { bias: createBiasService({ db: p.db, audit: p.audit, keyring: p.keyring, alerts: w.alerts, clock: p.clock, log: p.logger }) });
}
