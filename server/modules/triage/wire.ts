// Wires saved pipeline views, job visits and job summaries (issue 21).
import type { Platform } from '../../plugins/platform.js';
import { triageRoutes } from './routes.js';
import { createTriageService } from './service.js';

export async function wireTriage(p: Platform): Promise<void> {
  await p.app.register(triageRoutes, { triage: createTriageService({ db: p.db, clock: p.clock }) });
}
