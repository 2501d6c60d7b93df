// Wires the candidate status page (issue 22 item 2): buildApp makes the links first (the
// apply hook mails them), then, once the hiring and interview modules have handed over
// their services, the status page's service and routes.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../core/db.js';
import { orgProfile } from '../orgs/index.js';
import { resolvePublicOrg } from '../public/index.js';
import type { PortalLinks, PortalOrg } from './links.js';
import { portalRoutes } from './routes.js';
import { createPortalService } from './service.js';

/** The org's slug and public display name (branding), or null for an unknown or offboarding org. */
export async function portalOrgById(db: Db, orgId: string): Promise<PortalOrg | null> {
  const profile = await orgProfile(db.pool, orgId);
  if (!profile) return null;
  const org = await resolvePublicOrg(db, profile.slug);
  return org ? { id: org.id, slug: org.slug, name: org.name } : null;
}

export async function registerPortal(
  app: FastifyInstance,
  deps: Parameters<typeof createPortalService>[0] & { db: Db; links: PortalLinks; publicOrigin: string; secureCookie: boolean; linkRateLimit?: number },
): Promise<void> {
  const portal = createPortalService(deps);
  await app.register(portalRoutes, { db: deps.db, portal, links: deps.links, publicOrigin: deps.publicOrigin, secureCookie: deps.secureCookie, linkRateLimit: deps.linkRateLimit });
}
