// Wires screening's HTTP side: results, oversight (rescreens, contests) and AI status.
import type { Platform } from '../../plugins/platform.js';
import type { AlertSink } from '../alerts/index.js';
import { screeningRoutes } from './routes.js';

export async function wireScreening(p: Platform, w: { alerts: Pick<AlertSink, 'noteExport'> }): Promise<void> {
  const { config } = p;
  await p.app.register(screeningRoutes, { db: p.db, audit: p.audit, keyring: p.keyring, redis: p.redis, redisPrefix: config.redisPrefix, publicUrl: config.publicUrl, clock: p.clock, alerts: w.alerts });
}
