// Wires the /.well-known documents (security.txt and friends).
import type { Platform } from '../../plugins/platform.js';
import { wellKnownRoutes } from './routes.js';

export async function wireWellKnown(p: Platform): Promise<void> {
  await p.app.register(wellKnownRoutes, { config: p.config, clock: p.clock });
}
