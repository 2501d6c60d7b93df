// SQL for org_branding (one row per org, tenant table under RLS). Every function runs on a
// tenant-bound connection.
import type { Queryable } from '../../core/db.js';

export type LogoType = 'image/png' | 'image/jpeg' | 'image/webp';

export interface BrandingRow {
  display_name: string | null;
  accent_color: string | null;
  website_url: string | null;
  logo_type: LogoType | null;
  logo_sha256: string | null;
  embed_origins: string[];
  updated_at: Date;
}

const COLUMNS = 'display_name, accent_color, website_url, logo_type, logo_sha256, embed_origins, updated_at';

export async function findBranding(q: Queryable): Promise<BrandingRow | null> {
  const { rows } = await q.query<BrandingRow>(`SELECT ${COLUMNS} FROM org_branding`);
  return rows[0] ?? null;
}

export interface BrandingPatch {
  displayName?: string | null;
  accentColor?: string | null;
  websiteUrl?: string | null;
  embedOrigins?: string[];
}

export async function upsertBranding(tx: Queryable, orgId: string, p: BrandingPatch): Promise<void> {
  await tx.query('INSERT INTO org_branding (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING', [orgId]);
  await tx.query(
    `UPDATE org_branding SET
       display_name = CASE WHEN $1::boolean THEN $2 ELSE display_name END,
       accent_color = CASE WHEN $3::boolean THEN $4 ELSE accent_color END,
       website_url = CASE WHEN $5::boolean THEN $6 ELSE website_url END,
       embed_origins = COALESCE($7::text[], embed_origins),
       updated_at = now()`,
    [
      p.displayName !== undefined,
      p.displayName ?? null,
      p.accentColor !== undefined,
      p.accentColor ?? null,
      p.websiteUrl !== undefined,
      p.websiteUrl ?? null,
      p.embedOrigins ?? null,
    ],
  );
}

export async function setLogo(tx: Queryable, orgId: string, logo: { bytes: Buffer; type: LogoType; sha256: string } | null): Promise<void> {
  await tx.query('INSERT INTO org_branding (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING', [orgId]);
  await tx.query('UPDATE org_branding SET logo = $1, logo_type = $2, logo_sha256 = $3, updated_at = now()', [logo?.bytes ?? null, logo?.type ?? null, logo?.sha256 ?? null]);
}

export async function readLogo(q: Queryable): Promise<{ logo: Buffer; logo_type: LogoType; logo_sha256: string } | null> {
  const { rows } = await q.query<{ logo: Buffer; logo_type: LogoType; logo_sha256: string }>('SELECT logo, logo_type, logo_sha256 FROM org_branding WHERE logo IS NOT NULL');
  return rows[0] ?? null;
}
