// Wires the careers site (/jobs/<org>, sitemap, embed, JSON feed; issue 20 item 4).
import type { Platform } from '../../plugins/platform.js';
import { careersRoutes } from './careers.js';

/** rateLimit: requests per minute per IP on each careers route (tests use a small one). */
export async function wireCareers(p: Platform, w: { rateLimit?: number }): Promise<void> {
  await p.app.register(careersRoutes, { db: p.db, publicUrl: p.config.publicUrl, rateLimit: w.rateLimit });
}
