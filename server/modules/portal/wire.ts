// Wires the candidate status page (issue 22 item 2): buildApp makes the links first (the
// apply hook mails them), then, once the hiring and interview modules have handed over
// their services, the status page's service and routes.
import type { Db } from '../../core/db.js';
import { orgProfile } from '../orgs/index.js';
import { resolvePublicOrg } from '../public/index.js';
import { createPortalLinks, type PortalLinks, type PortalOrg } from './links.js';
import type { ApplicationService } from '../applications/index.js';
import type { CandidateExportService } from '../messages/index.js';
import type { InterviewService } from '../interviews/index.js';
import type { RightsService } from '../rights/index.js';
import type { Platform } from '../../plugins/platform.js';
import { portalRoutes } from './routes.js';
import { createPortalService } from './service.js';

/** The org's slug and public display name (branding), or null for an unknown or offboarding org. */
export async function portalOrgById(db: Db, orgId: string): Promise<PortalOrg | null> {
  const profile = await orgProfile(db.pool, orgId);
  if (!profile) return null;
  const org = await resolvePublicOrg(db, profile.slug);
  return org ? { id: org.id, slug: org.slug, name: org.name } : null;
}

/** issue 22 item 2: status-page links, mailed after a public application (the hiring module's afterSubmit hook). */
export function wirePortalLinks(p: Platform, w: { perEmailPerHour?: number }): PortalLinks {
  return createPortalLinks({
    db: p.db,
    audit: p.audit,
    keyring: p.keyring,
    mailer: p.mailer,
    redis: p.redis,
    redisPrefix: p.config.redisPrefix,
    publicUrl: p.config.publicUrl,
    clock: p.clock,
    logger: p.logger,
    perEmailPerHour: w.perEmailPerHour,
    orgOf: (orgId) => portalOrgById(p.db, orgId),
  });
}

export interface PortalWiring {
  applications: ApplicationService;
  exports: CandidateExportService;
  interviews: InterviewService;
  rights: RightsService;
  links: PortalLinks;
  secureCookie: boolean;
  limits?: { perIpPerMinute?: number; exportsPerHour?: number };
}

/** The candidate status page, acting through the hiring, interview, export and register services. */
export async function wirePortal(p: Platform, w: PortalWiring): Promise<void> {
  const { config } = p;
  const portal = createPortalService({
    db: p.db,
    audit: p.audit,
    redis: p.redis,
    redisPrefix: config.redisPrefix,
    clock: p.clock,
    applications: w.applications,
    interviews: w.interviews,
    exports: w.exports,
    rights: w.rights,
    exportsPerHour: w.limits?.exportsPerHour,
  });
  await p.app.register(portalRoutes, { db: p.db, portal, links: w.links, publicOrigin: config.publicOrigin, secureCookie: w.secureCookie, linkRateLimit: w.limits?.perIpPerMinute });
}
