// Wires the privacy-request register and rectification (issue 18 item 6); the status page acts through the service.
import type { Platform } from '../../plugins/platform.js';
import { rightsRoutes } from './routes.js';
import { createRightsService, type RightsService } from './service.js';

export async function wireRights(p: Platform): Promise<RightsService> {
  const rights = createRightsService({ db: p.db, audit: p.audit, keyring: p.keyring, clock: p.clock });
  await p.app.register(rightsRoutes, { rights });
  return rights;
}
