// issue 20 item 4: an org's careers site. /jobs/<org> lists its open, unexpired jobs
// (search, location and remote filters, stable pages of a fixed size) as server-rendered
// HTML without JavaScript under the strict CSP; /jobs/<org>/sitemap.xml lists the same jobs
// for search engines; /jobs/<org>/embed.html is a compact listing that only the origins the
// org's admin configured may frame; /api/v1/public/jobs/<org> is the same public data as
// JSON, readable cross-origin (CORS, never with credentials). Branding (logo, accent
// colour) is served from hirebox itself. Every route is rate limited per IP.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { Problem } from '../../core/schemas.js';
import { listOpenJobs, openJobLocations, searchOpenJobs, type JobRow } from '../jobs/index.js';
import { careersOf } from '../jobs/index.js';
import { brandHead, brandHeader, escapeHtml, jobMeta, layout, logoUrl } from './html.js';
import { requirePublicOrg, type ResolvedOrg } from './org.js';
import { readLogo } from '../branding/index.js';
import { translator, type Translator } from '../../core/i18n/translator.js';
import { languageSwitcher } from '../../core/i18n/switcher.js';
import { candidateTranslator } from '../../plugins/locale.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

/** Jobs per careers page (and JSON feed page). */
export const CAREERS_PAGE_SIZE = 20;
/** Highest page number accepted: beyond it is a 400, not a deep scan. */
export const CAREERS_MAX_PAGE = 500;
/** Requests per minute per IP on each careers route. */
export const CAREERS_RATE_LIMIT_PER_MINUTE = 120;
/** Jobs in a sitemap (sitemaps.org allows 50,000 URLs). */
const SITEMAP_MAX = 10_000;
const EMBED_MAX = 50;

const SlugParam = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$' });
const OrgParams = Type.Object({ orgSlug: SlugParam }, { additionalProperties: false });
export const CareersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'words in the title or description' })),
    location: Type.Optional(Type.String({ maxLength: 100, description: 'city, region or ISO country code' })),
    remote: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('remote'), Type.Literal('onsite')], { description: '"remote": remote jobs only; "onsite": on-site and hybrid jobs only' })),
    // A digit string, not an integer: a 400-digit number must be refused, not coerced to Infinity.
    page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: `page number, 1 to ${CAREERS_MAX_PAGE}` })),
    lang: Type.Optional(Type.String({ maxLength: 10, description: 'the page language (en, de, fr, es, nl); remembered in a cookie' })),
  },
  { additionalProperties: false },
);
interface CareersQueryT {
  q?: string;
  location?: string;
  remote?: '' | 'remote' | 'onsite';
  page?: string;
  lang?: string;
}

const PublicJob = Type.Object({
  id: Type.String(),
  title: Type.String(),
  url: Type.String(),
  employmentType: Type.String(),
  location: Type.String(),
  region: Type.String(),
  country: Type.Union([Type.String(), Type.Null()]),
  workplace: Type.String(),
  remoteCountries: Type.Array(Type.String()),
  salary: Type.Union([Type.Object({ min: Type.Number(), max: Type.Union([Type.Number(), Type.Null()]), currency: Type.String(), unit: Type.String() }), Type.Null()]),
  datePosted: Type.String(),
  validThrough: Type.Union([Type.String(), Type.Null()]),
});
const PublicFeed = Type.Object({
  organisation: Type.Object({ name: Type.String(), careersUrl: Type.String(), websiteUrl: Type.Union([Type.String(), Type.Null()]), logo: Type.Union([Type.String(), Type.Null()]) }),
  jobs: Type.Array(PublicJob),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export interface CareersRouteOptions {
  // GlobalDb: the careers page resolves the org from its public slug before any tenant is known.
  db: TenantDb & GlobalDb;
  publicUrl: URL;
  /** Requests per minute per IP on each careers route (tests use a small one). */
  rateLimit?: number;
}

const clean = (s: string | undefined): string | undefined => {
  const v = s?.trim();
  return v ? v : undefined;
};

function listingHref(slug: string, f: { q?: string; location?: string; remote?: string }, page: number): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.location) p.set('location', f.location);
  if (f.remote) p.set('remote', f.remote);
  if (page > 1) p.set('page', String(page));
  const qs = p.toString();
  return `/jobs/${slug}${qs ? `?${qs}` : ''}`;
}

function jobItem(org: ResolvedOrg, j: JobRow, tr: Translator, target = ''): string {
  return `<li><h2><a href="/jobs/${org.slug}/${j.slug}"${target}>${escapeHtml(j.title)}</a></h2><p class="meta">${escapeHtml(jobMeta(j, tr))}</p></li>`;
}

export function renderCareersPage(
  org: ResolvedOrg,
  publicUrl: URL,
  r: { jobs: JobRow[]; total: number; page: number; filters: { q?: string; location?: string; remote?: string }; locations: string[]; anyOpen: boolean },
  tr: Translator = translator('en'),
  requestUrl = `/jobs/${org.slug}`,
): string {
  const x = (key: Parameters<Translator['t']>[0], values?: Parameters<Translator['t']>[1]) => escapeHtml(tr.t(key, values));
  const f = r.filters;
  const pages = Math.max(1, Math.ceil(r.total / CAREERS_PAGE_SIZE));
  const filtered = Boolean(f.q || f.location || f.remote);
  const locationOptions = [`<option value="">${x('careers.anywhere')}</option>`, ...r.locations.map((l) => `<option value="${escapeHtml(l)}"${l === f.location ? ' selected' : ''}>${escapeHtml(l)}</option>`)];
  if (f.location && !r.locations.includes(f.location)) locationOptions.push(`<option value="${escapeHtml(f.location)}" selected>${escapeHtml(f.location)}</option>`);
  const remoteOptions = [
    ['', x('careers.anyWorkplace')],
    ['remote', x('careers.remoteOnly')],
    ['onsite', x('careers.onsiteOrHybrid')],
  ]
    .map(([v, label]) => `<option value="${v}"${(f.remote ?? '') === v ? ' selected' : ''}>${label}</option>`)
    .join('');
  let list: string;
  if (!r.anyOpen) {
    list = org.websiteUrl
      ? `<p class="empty" id="empty">${x('careers.noneOpenWebsite', { org: org.name })} <a href="${escapeHtml(org.websiteUrl)}" rel="noopener">${x('careers.website', { org: org.name })}</a></p>`
      : `<p class="empty" id="empty">${x('careers.noneOpen', { org: org.name })}</p>`;
  } else if (r.jobs.length === 0) {
    list = `<p class="empty" id="empty">${r.page > pages ? x('careers.noSuchPage') : x('careers.noMatch')} <a href="/jobs/${org.slug}">${x('careers.showAll')}</a></p>`;
  } else {
    list = `<ul class="jobs">${r.jobs.map((j) => jobItem(org, j, tr)).join('\n')}</ul>`;
  }
  const pager =
    r.jobs.length > 0 && pages > 1
      ? `<nav class="pager" aria-label="${x('careers.pages')}">${r.page > 1 ? `<a rel="prev" href="${escapeHtml(listingHref(org.slug, f, r.page - 1))}">${x('careers.previous')}</a>` : ''}<span>${x('careers.pageOf', { page: r.page, pages })}</span>${r.page < pages ? `<a rel="next" href="${escapeHtml(listingHref(org.slug, f, r.page + 1))}">${x('careers.next')}</a>` : ''}</nav>`
      : '';
  const canonical = new URL(`/jobs/${org.slug}`, publicUrl).toString();
  const head = `<link rel="canonical" href="${escapeHtml(canonical)}">
<meta name="description" content="${x('careers.description', { org: org.name })}">
<link rel="alternate" type="application/rss+xml" title="${x('apply.feedTitle', { org: org.name })}" href="/jobs/${org.slug}/feed.xml">
${filtered || r.page > 1 ? '<meta name="robots" content="noindex, follow">' : ''}
${brandHead(org)}`;
  return layout(
    tr.t('careers.title', { org: org.name }),
    `${languageSwitcher(tr, requestUrl)}
<header class="careers-hero">${brandHeader(org, publicUrl, tr)}<h1>${x('careers.title', { org: org.name })}</h1>
<p class="meta">${x(filtered ? 'careers.countMatching' : 'careers.count', { count: r.total })}</p></header>
<form class="filters" method="get" action="/jobs/${org.slug}" role="search">
<label>${x('careers.search')} <input type="search" name="q" maxlength="100" value="${escapeHtml(f.q ?? '')}"></label>
<label>${x('careers.location')} <select name="location">${locationOptions.join('')}</select></label>
<label>${x('careers.workplace')} <select name="remote">${remoteOptions}</select></label>
<button type="submit">${x('careers.searchButton')}</button>
</form>
${list}
${pager}`,
    head,
    tr.locale,
  );
}

export function renderEmbed(org: ResolvedOrg, publicUrl: URL, jobs: JobRow[], tr: Translator = translator('en')): string {
  const list = jobs.length
    ? `<ul class="jobs">${jobs.map((j) => jobItem(org, j, tr, ' target="_blank" rel="noopener"')).join('\n')}</ul>`
    : `<p class="empty">${escapeHtml(tr.t('careers.embedEmpty'))}</p>`;
  return layout(
    tr.t('careers.title', { org: org.name }),
    `${brandHeader(org, publicUrl, tr).replace('<a class="brand"', '<a class="brand" target="_blank" rel="noopener"')}
${list}
<p><a href="/jobs/${org.slug}" target="_blank" rel="noopener">${escapeHtml(tr.t('apply.allJobs', { org: org.name }))}</a></p>`,
    `<meta name="robots" content="noindex">${brandHead(org)}`,
    tr.locale,
  ).replace('<body>', '<body class="embed">');
}

export function renderSitemap(org: ResolvedOrg, publicUrl: URL, jobs: JobRow[]): string {
  const x = escapeHtml;
  const newest = jobs.reduce<Date | null>((m, j) => (!m || j.updated_at > m ? j.updated_at : m), null);
  const urls = [
    `<url><loc>${x(new URL(`/jobs/${org.slug}`, publicUrl).toString())}</loc>${newest ? `<lastmod>${newest.toISOString()}</lastmod>` : ''}</url>`,
    ...jobs.map((j) => `<url><loc>${x(new URL(`/jobs/${org.slug}/${j.slug}`, publicUrl).toString())}</loc><lastmod>${j.updated_at.toISOString()}</lastmod></url>`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`;
}

/** The embed page's CSP: the app's policy with frame-ancestors set to the org's origins ('none' without any). */
export function embedCsp(basePolicy: string, origins: string[]): string {
  const ancestors = origins.length > 0 ? origins.join(' ') : "'none'";
  return basePolicy.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors}`);
}

export async function careersRoutes(fastify: FastifyInstance, deps: CareersRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: deps.rateLimit ?? CAREERS_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' };
  const errors = { 400: Problem, 404: Problem, 429: Problem };

  async function search(org: ResolvedOrg, query: CareersQueryT) {
    const filters = { q: clean(query.q), location: clean(query.location), remote: query.remote || undefined };
    const page = query.page === undefined ? 1 : Number(query.page);
    if (page > CAREERS_MAX_PAGE) throw new ValidationError([{ path: 'querystring/page', message: `must be at most ${CAREERS_MAX_PAGE}` }]);
    const result = await deps.db.withTenant(org.id, (q) => searchOpenJobs(q, { ...filters, offset: (page - 1) * CAREERS_PAGE_SIZE, limit: CAREERS_PAGE_SIZE }));
    return { ...result, page, filters };
  }

  app.get(
    '/jobs/:orgSlug',
    {
      schema: { operationId: 'careersPage', tags: ['public'], summary: 'Careers site: the org’s open jobs (HTML)', params: OrgParams, querystring: CareersQuery, response: { 200: Type.String(), ...errors } },
      config: { access: { public: 'careers site of an org: its open jobs' }, rateLimit },
    },
    async (request, reply) => {
      const { orgSlug } = request.params;
      const org = await requirePublicOrg(deps.db, orgSlug);
      const result = await search(org, request.query);
      const locations = await deps.db.withTenant(org.id, (q) => openJobLocations(q));
      const anyOpen = result.total > 0 || (await deps.db.withTenant(org.id, (q) => listOpenJobs(q, 1))).length > 0;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(renderCareersPage(org, deps.publicUrl, { ...result, locations, anyOpen }, candidateTranslator(request, reply), request.url));
    },
  );

  app.get(
    '/jobs/:orgSlug/sitemap.xml',
    {
      schema: { operationId: 'careersSitemap', tags: ['public'], summary: 'sitemaps.org sitemap of the careers site', params: OrgParams, response: { 200: Type.String(), ...errors } },
      config: { access: { public: 'sitemap of an org careers site for search engines' }, rateLimit },
    },
    async (request, reply) => {
      const org = await requirePublicOrg(deps.db, request.params.orgSlug);
      const jobs = await deps.db.withTenant(org.id, (q) => listOpenJobs(q, SITEMAP_MAX));
      return reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(renderSitemap(org, deps.publicUrl, jobs));
    },
  );

  app.get(
    '/jobs/:orgSlug/embed.html',
    {
      schema: { operationId: 'careersEmbed', tags: ['public'], summary: 'Embeddable job listing (frameable by the org’s configured origins only)', params: OrgParams, response: { 200: Type.String(), ...errors } },
      config: { access: { public: 'listing an org embeds in its own website' }, rateLimit },
    },
    async (request, reply) => {
      const org = await requirePublicOrg(deps.db, request.params.orgSlug);
      const jobs = await deps.db.withTenant(org.id, (q) => listOpenJobs(q, EMBED_MAX));
      const base = reply.getHeader('content-security-policy');
      if (typeof base === 'string') reply.header('content-security-policy', embedCsp(base, org.branding?.embed_origins ?? []));
      // frame-ancestors decides; the legacy header would forbid every framing.
      reply.removeHeader('x-frame-options');
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(renderEmbed(org, deps.publicUrl, jobs, candidateTranslator(request, reply)));
    },
  );

  app.get(
    '/api/v1/public/jobs/:orgSlug',
    {
      schema: {
        operationId: 'careersFeed',
        tags: ['public'],
        summary: 'Open jobs of an org as JSON (CORS: the org’s embed origins, or any origin when none are set; never credentials)',
        params: OrgParams,
        querystring: CareersQuery,
        response: { 200: PublicFeed, ...errors },
      },
      config: { access: { public: 'open jobs as JSON for an org’s own website' }, rateLimit },
    },
    async (request, reply) => {
      const org = await requirePublicOrg(deps.db, request.params.orgSlug);
      corsHeaders(request, reply, org);
      const result = await search(org, request.query);
      return reply.header('cache-control', 'public, max-age=60').send({
        organisation: { name: org.name, careersUrl: new URL(`/jobs/${org.slug}`, deps.publicUrl).toString(), websiteUrl: org.websiteUrl ?? null, logo: logoUrl(org, deps.publicUrl) },
        jobs: result.jobs.map((j) => {
          const c = careersOf(j);
          return {
            id: j.id,
            title: j.title,
            url: new URL(`/jobs/${org.slug}/${j.slug}`, deps.publicUrl).toString(),
            employmentType: j.employment_type,
            location: j.location,
            region: c.region,
            country: c.country,
            workplace: c.workplace,
            remoteCountries: c.remoteCountries,
            salary: c.salary ? { ...c.salary, max: c.salary.max ?? null } : null,
            datePosted: (j.published_at ?? j.created_at).toISOString(),
            validThrough: c.validThrough,
          };
        }),
        total: result.total,
        page: result.page,
        pageSize: CAREERS_PAGE_SIZE,
      });
    },
  );

  // A CORS preflight (a page sending other headers than the simple ones): GET only, no credentials.
  app.options(
    '/api/v1/public/jobs/:orgSlug',
    {
      schema: { hide: true, params: OrgParams },
      config: { access: { public: 'CORS preflight of the public JSON feed' }, rateLimit },
    },
    async (request, reply) => {
      const org = await requirePublicOrg(deps.db, request.params.orgSlug);
      corsHeaders(request, reply, org);
      return reply.code(204).header('access-control-allow-methods', 'GET').header('access-control-allow-headers', 'accept').header('access-control-max-age', '600').send();
    },
  );

  app.get(
    '/jobs/:orgSlug/brand/logo',
    {
      schema: { hide: true, params: OrgParams },
      config: { access: { public: 'logo of an org careers site' }, rateLimit: { max: (deps.rateLimit ?? CAREERS_RATE_LIMIT_PER_MINUTE) * 4, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const org = await requirePublicOrg(deps.db, request.params.orgSlug);
      const logo = org.logoSha ? await deps.db.withTenant(org.id, (q) => readLogo(q)) : null;
      if (!logo) throw new NotFoundError({ resource: 'Logo' });
      return reply
        .type(logo.logo_type)
        .header('cache-control', 'public, max-age=86400')
        .header('etag', `"${logo.logo_sha256.slice(0, 32)}"`)
        .header('content-disposition', 'inline; filename="logo"')
        .send(logo.logo);
    },
  );

  app.get(
    '/jobs/:orgSlug/brand/accent.css',
    {
      schema: { hide: true, params: OrgParams },
      config: { access: { public: 'accent colour of an org careers site' }, rateLimit: { max: (deps.rateLimit ?? CAREERS_RATE_LIMIT_PER_MINUTE) * 4, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const org = await requirePublicOrg(deps.db, request.params.orgSlug);
      const colour = org.branding?.accent_color;
      // Stored only as ^#[0-9a-f]{6}$ (CHECK constraint): nothing else can reach the stylesheet.
      if (!colour || !/^#[0-9a-f]{6}$/.test(colour)) throw new NotFoundError({ resource: 'Stylesheet' });
      return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(`:root{--accent:${colour}}\n`);
    },
  );
}

/** CORS for the JSON feed: the configured origins (echoed, Vary: Origin), or * when none; never credentials. */
function corsHeaders(request: FastifyRequest, reply: FastifyReply, org: ResolvedOrg): void {
  const allowed = org.branding?.embed_origins ?? [];
  reply.header('vary', 'Origin');
  if (allowed.length === 0) {
    reply.header('access-control-allow-origin', '*');
  } else {
    const origin = request.headers.origin;
    if (typeof origin === 'string' && allowed.includes(origin)) reply.header('access-control-allow-origin', origin);
  }
  // Helmet's same-origin resource policy would stop other sites reading the feed.
  reply.header('cross-origin-resource-policy', 'cross-origin');
}


