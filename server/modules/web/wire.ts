// Wires the console's static build.
import type { Platform } from '../../plugins/platform.js';
import { webRoutes } from './routes.js';

export async function wireWeb(p: Platform): Promise<void> {
  await p.app.register(webRoutes);
}
