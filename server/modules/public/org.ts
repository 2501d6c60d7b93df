// The org behind a public slug, with its careers branding (issue 20 item 4). An unknown or
// offboarded org is a 404 for every public page.
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { findBranding, type BrandingRow } from '../branding/index.js';
import { findOrgBySlug } from '../orgs/index.js';
import type { PublicOrg } from './html.js';

export interface ResolvedOrg extends PublicOrg {
  id: string;
  branding: BrandingRow | null;
}

// GlobalDb: public pages resolve the org from its slug before any tenant is known.
export async function resolvePublicOrg(db: TenantDb & GlobalDb, slug: string): Promise<ResolvedOrg | null> {
  const org = await findOrgBySlug(db.pool, slug);
  if (!org) return null;
  const branding = await db.withTenant(org.id, (q) => findBranding(q));
  return {
    id: org.id,
    slug,
    name: branding?.display_name ?? org.name,
    logoSha: branding?.logo_sha256 ?? null,
    websiteUrl: branding?.website_url ?? null,
    accent: branding?.accent_color ?? null,
    branding,
  };
}

export async function requirePublicOrg(db: TenantDb & GlobalDb, slug: string): Promise<ResolvedOrg> {
  const org = await resolvePublicOrg(db, slug);
  if (!org) throw new NotFoundError({ resource: 'Organisation', detail: 'There is no careers site here.', i18n: { key: 'apply.orgNotFound' } });
  return org;
}
