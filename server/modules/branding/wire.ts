// Wires the careers site's branding (issue 20 item 4).
import type { Platform } from '../../plugins/platform.js';
import { brandingRoutes } from './routes.js';
import { createBrandingService } from './service.js';

export async function wireBranding(p: Platform): Promise<void> {
  await p.app.register(brandingRoutes, { branding: createBrandingService({ db: p.db, audit: p.audit }) });
}
