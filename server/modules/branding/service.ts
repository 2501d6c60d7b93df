// Org branding for the careers site (issue 20 item 4): display name, accent colour, a link to
// the org's own site, a logo, and the origins allowed to embed the listing. Admin only
// (settings:manage); every change is audited (which fields, never the values of the logo).
//
// The logo is uploaded and served from hirebox rather than hot-linked from an https URL: the
// public pages keep img-src 'self' under the strict CSP, a candidate's browser never calls a
// third-party host (no tracking of who reads a job), and nothing is fetched server-side from
// a tenant-set URL. The bytes are sniffed (PNG, JPEG or WebP only; SVG can carry script),
// must parse as an image of sane dimensions, and are capped in size.
import { createHash } from 'node:crypto';
import { imageSize } from 'image-size';
import type { AuditLog } from '../../core/audit.js';
import type { TenantDb } from '../../core/db.js';
import { PayloadTooLargeError, UnprocessableError, UnsupportedMediaTypeError, ValidationError } from '../../core/errors.js';
import type { Ctx } from '../../core/context.js';
import { findBranding, readLogo, setLogo, upsertBranding, type BrandingPatch, type BrandingRow, type LogoType } from './repo.js';

export const LOGO_MAX_BYTES = 256 * 1024;
export const LOGO_MAX_SIDE = 2048;
/** WCAG 2 AA for normal text: white text on the accent colour must reach this contrast. */
export const MIN_CONTRAST = 4.5;

export interface BrandingView {
  displayName: string | null;
  accentColor: string | null;
  websiteUrl: string | null;
  logo: { type: LogoType; sha256: string } | null;
  embedOrigins: string[];
  updatedAt: string | null;
}

export function toBrandingView(r: BrandingRow | null): BrandingView {
  return {
    displayName: r?.display_name ?? null,
    accentColor: r?.accent_color ?? null,
    websiteUrl: r?.website_url ?? null,
    logo: r?.logo_type && r.logo_sha256 ? { type: r.logo_type, sha256: r.logo_sha256 } : null,
    embedOrigins: r?.embed_origins ?? [],
    updatedAt: r ? r.updated_at.toISOString() : null,
  };
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2 contrast ratio between white and a #rrggbb colour. */
export function contrastWithWhite(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  const l = 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  return 1.05 / (l + 0.05);
}

/** An origin an org's site is served from: https (http only for localhost), no path, no credentials. */
export function parseEmbedOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return null;
  if (url.username || url.password || url.origin !== value.replace(/\/$/, '')) return null;
  // A plain host name or address: no CSP wildcards such as https://*.example.com.
  if (!/^[a-z0-9.-]+$/.test(url.hostname) && !/^\[[0-9a-f:.]+\]$/.test(url.hostname)) return null;
  return url.origin;
}

/** PNG, JPEG or WebP by their magic numbers; anything else (SVG, GIF, HTML…) is null. */
export function sniffLogo(bytes: Buffer): LogoType | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

const SNIFFED_NAME: Record<LogoType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export interface BrandingInput {
  displayName?: string | null;
  accentColor?: string | null;
  websiteUrl?: string | null;
  embedOrigins?: string[];
}

export function createBrandingService(deps: { db: TenantDb; audit: AuditLog }) {
  const { db, audit } = deps;
  return {
    async get(ctx: Ctx): Promise<BrandingView> {
      return toBrandingView(await db.withTenant(ctx.orgId, (q) => findBranding(q)));
    },

    async update(ctx: Ctx, input: BrandingInput): Promise<BrandingView> {
      const patch: BrandingPatch = {};
      if (input.displayName !== undefined) patch.displayName = input.displayName === null ? null : input.displayName.trim() || null;
      if (input.accentColor !== undefined) {
        if (input.accentColor !== null) {
          const colour = input.accentColor.toLowerCase();
          const ratio = contrastWithWhite(colour);
          if (ratio < MIN_CONTRAST) {
            throw new UnprocessableError({
              detail: `White text on ${colour} has a contrast of ${ratio.toFixed(2)}:1; choose a darker colour (at least ${MIN_CONTRAST}:1, WCAG AA).`,
              extra: { contrast: Math.round(ratio * 100) / 100 },
            });
          }
          patch.accentColor = colour;
        } else {
          patch.accentColor = null;
        }
      }
      if (input.websiteUrl !== undefined) {
        if (input.websiteUrl !== null) {
          let url: URL | null = null;
          try {
            url = new URL(input.websiteUrl);
          } catch {
            url = null;
          }
          if (!url || url.protocol !== 'https:' || url.username || url.password) throw new UnprocessableError({ detail: 'websiteUrl must be an https URL.' });
          patch.websiteUrl = url.toString();
        } else {
          patch.websiteUrl = null;
        }
      }
      if (input.embedOrigins !== undefined) {
        const origins: string[] = [];
        for (const o of input.embedOrigins) {
          const parsed = parseEmbedOrigin(o);
          if (!parsed) throw new UnprocessableError({ detail: `embedOrigins: "${o.slice(0, 100)}" is not an origin such as https://www.example.com (https, no path).` });
          if (!origins.includes(parsed)) origins.push(parsed);
        }
        patch.embedOrigins = origins;
      }
      if (Object.keys(patch).length === 0) throw new ValidationError([{ path: 'body', message: 'must set at least one of displayName, accentColor, websiteUrl, embedOrigins' }]);
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await upsertBranding(tx, ctx.orgId, patch);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'org.branding_updated',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'org', id: ctx.orgId },
          metadata: { fields: Object.keys(patch).sort(), ...(patch.embedOrigins ? { embedOrigins: patch.embedOrigins.length } : {}) },
          requestId: ctx.requestId,
        });
      });
      return this.get(ctx);
    },

    async setLogo(ctx: Ctx, bytes: Buffer): Promise<BrandingView> {
      if (bytes.length > LOGO_MAX_BYTES) throw new PayloadTooLargeError({ detail: `The logo may be at most ${LOGO_MAX_BYTES / 1024} KiB.` });
      const type = sniffLogo(bytes);
      if (!type) throw new UnsupportedMediaTypeError({ detail: 'The logo must be a PNG, JPEG or WebP image.' });
      let size: { width?: number; height?: number; type?: string };
      try {
        size = imageSize(bytes);
      } catch {
        throw new UnprocessableError({ detail: 'The logo is not a readable image.' });
      }
      if (size.type !== SNIFFED_NAME[type] || !size.width || !size.height) throw new UnprocessableError({ detail: 'The logo is not a readable image.' });
      if (size.width > LOGO_MAX_SIDE || size.height > LOGO_MAX_SIDE) throw new UnprocessableError({ detail: `The logo may be at most ${LOGO_MAX_SIDE}×${LOGO_MAX_SIDE} pixels.` });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await setLogo(tx, ctx.orgId, { bytes, type, sha256 });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'org.logo_updated',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'org', id: ctx.orgId },
          metadata: { type, bytes: bytes.length, width: size.width, height: size.height, sha256 },
          requestId: ctx.requestId,
        });
      });
      return this.get(ctx);
    },

    async removeLogo(ctx: Ctx): Promise<BrandingView> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await setLogo(tx, ctx.orgId, null);
        await audit.recordIn(tx, ctx.orgId, { action: 'org.logo_removed', actor: { type: 'user', id: ctx.userId }, target: { type: 'org', id: ctx.orgId }, metadata: {}, requestId: ctx.requestId });
      });
      return this.get(ctx);
    },

    /** Public side (careers pages): the branding of an org the caller resolved from its slug. */
    async publicBranding(orgId: string): Promise<BrandingView> {
      return toBrandingView(await db.withTenant(orgId, (q) => findBranding(q)));
    },

    async publicLogo(orgId: string): Promise<{ logo: Buffer; logo_type: LogoType; logo_sha256: string } | null> {
      return db.withTenant(orgId, (q) => readLogo(q));
    },
  };
}

export type BrandingService = ReturnType<typeof createBrandingService>;
