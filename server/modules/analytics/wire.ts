// Wires hiring analytics (funnel, time in stage, time to hire, AI agreement; JSON and CSV; issue 21 item 3).
import type { Platform } from '../../plugins/platform.js';
import { analyticsRoutes } from './routes.js';
import { createAnalyticsService } from './service.js';

export async function wireAnalytics(p: Platform): Promise<void> {
  await p.app.register(analyticsRoutes, { analytics: createAnalyticsService({ db: p.db, clock: p.clock }) });
}
