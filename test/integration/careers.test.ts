// issue 20 item 4: the careers site. Listing (search, filters, pages, empty states, 404s),
// closed and expired jobs leaving every public surface, JobPosting structured data checked
// by independent tools, the sitemap parsed as XML, the embed page's frame-ancestors, the
// CORS JSON feed, branding (admin only, audited, validated), rate limits and bad input.
import t, { type Test } from 'tap';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildTestApp, connectOwner, createOrgWithMember, PUBLIC_URL, type Member } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { extractStructuredData, validateStructuredData } from '../support/jobposting.js';

const RATE = 40;
const ctx = await buildTestApp(t, { appDeps: { careersRateLimit: RATE } });
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const slugOf = async (orgId: string) => (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [orgId])).rows[0]?.slug as string;
const slugA = await slugOf(adminA.orgId);
const slugB = await slugOf(adminB.orgId);

// Each request comes from its own address unless a test says otherwise (the per-IP limit is small here).
let ip = 0;
const nextIp = () => {
  ip += 1;
  return `10.20.${Math.floor(ip / 250)}.${(ip % 250) + 1}`;
};
const get = (url: string, headers: Record<string, string> = {}, remoteAddress = nextIp()) => ctx.app.inject({ method: 'GET', url, headers, remoteAddress });

function isProblem(t: Test, res: { statusCode: number; headers: Record<string, unknown> }, status: number, what: string): void {
  t.equal(res.statusCode, status, `${what}: ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
}

const inAYear = new Date(Date.now() + 365 * 24 * 3_600_000).toISOString();
const ONSITE = {
  title: 'Platform Engineer',
  description: 'Run the platform.\n\nYou will own Postgres and queues.',
  location: 'Berlin',
  streetAddress: 'Invalidenstraße 1',
  postalCode: '10115',
  region: 'Berlin',
  country: 'DE',
  workplace: 'onsite',
  salary: { min: 65000, max: 80000, currency: 'EUR', unit: 'YEAR' },
  validThrough: inAYear,
};
const REMOTE = { title: 'Remote Support Lead', description: 'Help customers.', location: '', workplace: 'remote', remoteCountries: ['DE', 'AT', 'CH'], employmentType: 'part_time', validThrough: inAYear };

const onsite = await createJob(ctx, adminA, ONSITE);
const remote = await createJob(ctx, adminA, REMOTE);
const hybrid = await createJob(ctx, adminA, { title: 'Data Analyst', location: 'Lisbon', country: 'PT', workplace: 'hybrid', description: 'Numbers.' });
const draft = await createJob(ctx, adminA, { title: 'Secret Draft Role', status: 'draft' });
const closed = await createJob(ctx, adminA, { title: 'Closed Role' });
await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${closed.id}`, headers: adminA.headers, payload: { status: 'closed' } });
const expired = await createJob(ctx, adminA, { title: 'Expired Role', validThrough: inAYear });
// The API refuses a past validThrough; time passing is what expires a posting.
await owner.query("UPDATE jobs SET valid_through = now() - interval '1 minute' WHERE id = $1", [expired.id]);
const jobB = await createJob(ctx, adminB, { title: 'Only At B' });

t.test('job API: careers fields are stored, shown and validated', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${onsite.id}`, headers: adminA.headers });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { workplace: 'onsite', streetAddress: 'Invalidenstraße 1', postalCode: '10115', region: 'Berlin', country: 'DE', remoteCountries: [], salary: { min: 65000, max: 80000, currency: 'EUR', unit: 'YEAR' }, validThrough: inAYear });
  const count = async () => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE org_id = $1', [adminA.orgId])).rows[0]?.n;
  const before = await count();
  const bad: [Record<string, unknown>, number, string][] = [
    [{ country: 'XX' }, 422, 'unknown country'],
    [{ country: 'de' }, 400, 'lower-case country'],
    [{ salary: { min: 10, max: 5, currency: 'EUR', unit: 'YEAR' } }, 422, 'max below min'],
    [{ salary: { min: 10, currency: 'ABC', unit: 'YEAR' } }, 422, 'unknown currency'],
    [{ salary: { min: 10, currency: 'EUR', unit: 'FORTNIGHT' } }, 400, 'unknown unit'],
    [{ salary: { min: -1, currency: 'EUR', unit: 'YEAR' } }, 400, 'negative salary'],
    [{ salary: { min: 'lots', currency: 'EUR', unit: 'YEAR' } }, 400, 'salary not a number'],
    [{ workplace: 'remote' }, 422, 'remote without remoteCountries'],
    [{ workplace: 'moon' }, 400, 'unknown workplace'],
    [{ validThrough: '2001-01-01T00:00:00Z' }, 422, 'validThrough in the past'],
    [{ validThrough: new Date(Date.now() + 3 * 366 * 24 * 3_600_000).toISOString() }, 422, 'validThrough too far'],
    [{ validThrough: 'tomorrow' }, 400, 'validThrough not a date-time'],
    [{ remoteCountries: ['DE', 'ZZ'], workplace: 'remote' }, 422, 'unknown remote country'],
    [{ postalCode: 'x'.repeat(21) }, 400, 'postal code too long'],
  ];
  for (const [extra, status, what] of bad) {
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: adminA.headers, payload: { title: 'Bad', employmentType: 'full_time', ...extra } });
    isProblem(t, r, status, what);
  }
  t.equal(await count(), before, 'nothing stored');
  const patchBad = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${remote.id}`, headers: adminA.headers, payload: { remoteCountries: [] } });
  isProblem(t, patchBad, 422, 'a remote job cannot drop its countries');
  const cleared = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${hybrid.id}`, headers: adminA.headers, payload: { salary: { min: 30, currency: 'EUR', unit: 'HOUR' } } });
  t.equal(cleared.statusCode, 200);
  t.same(cleared.json<{ salary: unknown }>().salary, { min: 30, max: null, currency: 'EUR', unit: 'HOUR' });
  const gone = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${hybrid.id}`, headers: adminA.headers, payload: { salary: null, title: 'Data Analyst' } });
  t.equal(gone.json<{ salary: unknown }>().salary, null, 'null clears the salary');
  const cross = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${jobB.id}`, headers: adminA.headers, payload: { country: 'DE' } });
  isProblem(t, cross, 404, "another org's job");
});

t.test('/jobs/<org> lists open, unexpired jobs of that org only, without scripts', async (t) => {
  const res = await get(`/jobs/${slugA}`);
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^text\/html/);
  for (const title of ['Platform Engineer', 'Remote Support Lead', 'Data Analyst']) t.ok(res.body.includes(title), `lists ${title}`);
  for (const title of ['Secret Draft Role', 'Closed Role', 'Expired Role', 'Only At B']) t.notOk(res.body.includes(title), `never lists ${title}`);
  t.notOk(/<script(?![^>]*application\/ld\+json)/i.test(res.body), 'no executable script');
  t.notOk(/\sstyle=|<style/i.test(res.body), 'no inline style');
  t.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  t.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
  t.ok(res.body.includes('EUR 65,000–80,000 per year'), 'salary shown');
  t.ok(res.body.includes('Remote (DE, AT, CH)'), 'remote countries shown');
  const b = await get(`/jobs/${slugB}`);
  t.ok(b.body.includes('Only At B'));
  for (const title of ['Platform Engineer', 'Remote Support Lead', 'Data Analyst']) t.notOk(b.body.includes(title), `org B's page never shows ${title}`);
});

t.test('search, location and remote filters', async (t) => {
  const q = await get(`/jobs/${slugA}?q=postgres`);
  t.ok(q.body.includes('Platform Engineer'), 'q matches the description');
  t.notOk(q.body.includes('Remote Support Lead'));
  t.ok(q.body.includes('noindex'), 'filtered pages are not indexed');
  const loc = await get(`/jobs/${slugA}?location=Lisbon`);
  t.ok(loc.body.includes('Data Analyst'));
  t.notOk(loc.body.includes('Platform Engineer'));
  const country = await get(`/jobs/${slugA}?location=de`);
  t.ok(country.body.includes('Platform Engineer'), 'a country code matches');
  const rem = await get(`/jobs/${slugA}?remote=remote`);
  t.ok(rem.body.includes('Remote Support Lead'));
  t.notOk(rem.body.includes('Platform Engineer'));
  const ons = await get(`/jobs/${slugA}?remote=onsite`);
  t.ok(ons.body.includes('Platform Engineer') && ons.body.includes('Data Analyst'));
  t.notOk(ons.body.includes('Remote Support Lead'));
  const like = await get(`/jobs/${slugA}?q=${encodeURIComponent('%')}`);
  t.ok(like.body.includes('id="empty"'), 'LIKE wildcards are literal');
  t.ok(like.body.includes('No open positions match your search'), 'empty state for a search');
  const xss = await get(`/jobs/${slugA}?q=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`);
  t.equal(xss.statusCode, 200);
  t.notOk(xss.body.includes('<img src=x'), 'the query is escaped');
});

t.test('pagination: fixed page size, stable order, no overlap', async (t) => {
  const admin = await createOrgWithMember(ctx, 'admin');
  const slug = await slugOf(admin.orgId);
  for (let i = 0; i < 23; i += 1) await createJob(ctx, admin, { title: `Role ${String(i).padStart(2, '0')}` });
  const titles = (html: string) => [...html.matchAll(/<h2><a href="[^"]+">(Role \d+)<\/a>/g)].map((m) => m[1]);
  const p1 = await get(`/jobs/${slug}`);
  const p2 = await get(`/jobs/${slug}?page=2`);
  t.equal(titles(p1.body).length, 20);
  t.equal(titles(p2.body).length, 3);
  t.equal(new Set([...titles(p1.body), ...titles(p2.body)]).size, 23, 'every job once');
  t.same(titles((await get(`/jobs/${slug}?page=2`)).body), titles(p2.body), 'the same page twice is the same');
  t.ok(p1.body.includes('Page 1 of 2') && p1.body.includes(`href="/jobs/${slug}?page=2"`));
  const far = await get(`/jobs/${slug}?page=7`);
  t.equal(far.statusCode, 200);
  t.ok(far.body.includes('There is no such page'));
  const json = await get(`/api/v1/public/jobs/${slug}?page=2`);
  t.match(json.json(), { total: 23, page: 2, pageSize: 20 });
  t.equal(json.json<{ jobs: unknown[] }>().jobs.length, 3);
});

t.test('empty state, unknown and offboarded orgs', async (t) => {
  const admin = await createOrgWithMember(ctx, 'admin');
  const slug = await slugOf(admin.orgId);
  const empty = await get(`/jobs/${slug}`);
  t.equal(empty.statusCode, 200);
  t.ok(empty.body.includes('has no open positions right now'));
  for (const url of ['/jobs/no-such-org', '/jobs/no-such-org/sitemap.xml', '/jobs/no-such-org/embed.html', '/api/v1/public/jobs/no-such-org', '/jobs/no-such-org/brand/logo']) {
    isProblem(t, await get(url), 404, url);
  }
  await owner.query('UPDATE orgs SET offboarding_started_at = now() WHERE id = $1', [admin.orgId]);
  for (const url of [`/jobs/${slug}`, `/jobs/${slug}/sitemap.xml`, `/jobs/${slug}/embed.html`, `/api/v1/public/jobs/${slug}`, `/jobs/${slug}/feed.xml`]) {
    isProblem(t, await get(url), 404, `offboarded ${url}`);
  }
});

t.test('malformed query parameters are 400 problems', async (t) => {
  for (const qs of ['page=0', 'page=-1', 'page=99999999999999999999', 'page=abc', 'page=1.5', `page=${'9'.repeat(400)}`, 'remote=maybe', `q=${'a'.repeat(101)}`, 'q=a%00b', `location=${'x'.repeat(101)}`, 'q=a&q=b']) {
    isProblem(t, await get(`/jobs/${slugA}?${qs}`), 400, `HTML ${qs}`);
    isProblem(t, await get(`/api/v1/public/jobs/${slugA}?${qs}`), 400, `JSON ${qs}`);
  }
  isProblem(t, await get('/jobs/UPPER'), 400, 'slug shape');
  isProblem(t, await get(`/jobs/${'a'.repeat(81)}/sitemap.xml`), 400, 'slug length');
});

t.test('closed and expired jobs leave the job page, RSS, sitemap and JSON feed', async (t) => {
  for (const j of [closed, expired, draft]) {
    isProblem(t, await get(`/jobs/${slugA}/${j.slug}`), 404, `job page of ${j.slug}`);
    const apply = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slugA}/${j.slug}/apply`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--\r\n', remoteAddress: nextIp() });
    t.equal(apply.statusCode, 404, `no applications to ${j.slug}`);
  }
  const rss = await get(`/jobs/${slugA}/feed.xml`);
  const sitemap = await get(`/jobs/${slugA}/sitemap.xml`);
  const feed = await get(`/api/v1/public/jobs/${slugA}`);
  for (const [name, body] of [['rss', rss.body], ['sitemap', sitemap.body], ['json', feed.body]] as const) {
    t.ok(body.includes(onsite.slug), `${name} has the open job`);
    for (const j of [closed, expired, draft]) t.notOk(body.includes(j.slug), `${name} leaves out ${j.slug}`);
  }
  // Closing a listed job takes it off at once.
  const temp = await createJob(ctx, adminA, { title: 'Short Lived' });
  t.ok((await get(`/jobs/${slugA}/sitemap.xml`)).body.includes(temp.slug));
  await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${temp.id}`, headers: adminA.headers, payload: { status: 'closed' } });
  t.notOk((await get(`/jobs/${slugA}/sitemap.xml`)).body.includes(temp.slug));
  t.notOk((await get(`/jobs/${slugA}`)).body.includes('Short Lived'));
});

t.test('the sitemap is valid sitemaps.org XML with lastmod', async (t) => {
  const res = await get(`/jobs/${slugA}/sitemap.xml`);
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/xml/);
  t.equal(XMLValidator.validate(res.body), true, 'well-formed XML');
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'url' }).parse(res.body) as { urlset: { '@_xmlns': string; url: { loc: string; lastmod: string }[] } };
  t.equal(doc.urlset['@_xmlns'], 'http://www.sitemaps.org/schemas/sitemap/0.9');
  const locs = doc.urlset.url.map((u) => u.loc);
  t.same(new Set(locs), new Set([`${PUBLIC_URL}/jobs/${slugA}`, ...[onsite, remote, hybrid].map((j) => `${PUBLIC_URL}/jobs/${slugA}/${j.slug}`)]));
  for (const u of doc.urlset.url) {
    t.match(u.lastmod, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'W3C datetime lastmod');
    t.ok(locs.every((l) => l.length < 2048));
  }
});

t.test('JobPosting structured data passes an independent validator', async (t) => {
  const page = await get(`/jobs/${slugA}/${onsite.slug}`);
  t.equal(page.statusCode, 200);
  const { extracted, issues } = await validateStructuredData(page.body);
  const posting = extracted.jsonld.JobPosting?.[0] as Record<string, unknown>;
  t.ok(posting, 'a JobPosting is found in the page');
  // The validator recommends jobLocationType and applicantLocationRequirements for every job;
  // Google's guide asks for them only on remote jobs ("if the job is fully remote"), so an
  // on-site job rightly has neither. Nothing else may be reported.
  const REMOTE_ONLY = ['jobLocationType', 'applicantLocationRequirements'];
  const onsiteIssues = (list: typeof issues) => list.filter((i) => !(i.severity === 'WARNING' && i.fieldNames?.length === 1 && REMOTE_ONLY.includes(i.fieldNames[0] as string)));
  t.same(onsiteIssues(issues), [], 'no errors or warnings: every required and recommended field, all schema.org properties');
  t.match(posting, {
    title: 'Platform Engineer',
    datePosted: String,
    validThrough: inAYear,
    employmentType: 'FULL_TIME',
    directApply: true,
    hiringOrganization: { '@type': 'Organization', sameAs: `${PUBLIC_URL}/jobs/${slugA}` },
    jobLocation: { '@type': 'Place', address: { '@type': 'PostalAddress', streetAddress: 'Invalidenstraße 1', addressLocality: 'Berlin', postalCode: '10115', addressCountry: 'DE' } },
    baseSalary: { '@type': 'MonetaryAmount', currency: 'EUR', value: { '@type': 'QuantitativeValue', minValue: 65000, maxValue: 80000, unitText: 'YEAR' } },
    identifier: { '@type': 'PropertyValue', value: onsite.id },
  });

  const rem = await get(`/jobs/${slugA}/${remote.slug}`);
  const remoteCheck = await validateStructuredData(rem.body);
  t.same(
    remoteCheck.issues.filter((i) => !(i.severity === 'WARNING' && i.fieldNames?.includes('baseSalary'))),
    [],
    'a remote job without a stated salary: nothing missing but the salary it does not state',
  );
  t.match(remoteCheck.extracted.jsonld.JobPosting?.[0], { jobLocationType: 'TELECOMMUTE', applicantLocationRequirements: [{ '@type': 'Country', name: 'DE' }, { '@type': 'Country', name: 'AT' }, { '@type': 'Country', name: 'CH' }], employmentType: 'PART_TIME' });
  t.notOk('jobLocation' in (remoteCheck.extracted.jsonld.JobPosting?.[0] ?? {}), 'a remote job has no office');

  // The validator is not a rubber stamp: a posting missing what Google requires fails it.
  const broken = page.body.replace(/"hiringOrganization":\{[^}]*\},/, '').replace(/"addressCountry":"DE"/, '"addressCountryX":"DE"');
  const brokenIssues = (await validateStructuredData(broken)).issues;
  t.ok(brokenIssues.some((i) => i.severity === 'ERROR' && i.fieldNames?.includes('hiringOrganization')), 'missing hiringOrganization is an error');
  t.ok(brokenIssues.some((i) => i.fieldNames?.some((f) => f.includes('addressCountry'))), 'missing addressCountry is reported');
  t.ok(brokenIssues.some((i) => i.errorType === 'schemaOrg'), 'a property schema.org lacks is reported');

  // JSON-LD cannot break out of its script element.
  const evil = await createJob(ctx, adminA, { title: 'Evil </script><script>alert(1)</script>', description: '</script><img src=x onerror=alert(1)>' });
  const evilPage = await get(`/jobs/${slugA}/${evil.slug}`);
  // The JSON-LD data block and the external time-zone script (issue 22); nothing injected.
  t.equal(evilPage.body.match(/<script/g)?.length, 2, 'one data script element and the time-zone script');
  t.equal(evilPage.body.match(/<script(?![^>]*application\/ld\+json)[^>]*>/g)?.join(''), '<script src="/assets/tz.js" defer>', 'the only executable script is the external tz.js');
  t.equal((extractStructuredData(evilPage.body).jsonld.JobPosting?.[0] as { title?: string }).title, 'Evil </script><script>alert(1)</script>', 'the title survives as data');
  await ctx.app.inject({ method: 'PATCH', url: `/api/v1/jobs/${evil.id}`, headers: adminA.headers, payload: { status: 'closed' } });
});

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const putBranding = (m: Member | null, payload: unknown) =>
  ctx.app.inject({ method: 'PUT', url: '/api/v1/org/branding', headers: m ? m.headers : { origin: 'http://localhost:3000' }, payload: payload as Record<string, unknown> });
const putLogo = (m: Member, body: Buffer, type = 'image/png') => ctx.app.inject({ method: 'PUT', url: '/api/v1/org/branding/logo', headers: { ...m.headers, 'content-type': type }, payload: body });
const brandingRow = async (orgId: string) => (await owner.query('SELECT display_name, accent_color, website_url, logo_type, embed_origins FROM org_branding WHERE org_id = $1', [orgId])).rows[0] ?? null;

t.test('branding API: admin only, validated, audited, per org', async (t) => {
  isProblem(t, await putBranding(recruiterA, { displayName: 'Nope' }), 403, 'recruiter');
  isProblem(t, await putBranding(null, { displayName: 'Nope' }), 401, 'anonymous');
  isProblem(t, await ctx.app.inject({ method: 'GET', url: '/api/v1/org/branding', headers: recruiterA.headers }), 403, 'recruiter reads');
  const bad: [Record<string, unknown>, number, string][] = [
    [{ accentColor: '#ffff00' }, 422, 'yellow fails contrast with white'],
    [{ accentColor: 'red' }, 400, 'not a hex colour'],
    [{ accentColor: '#1234567' }, 400, 'too long'],
    [{ accentColor: '#123;}body{' }, 400, 'css injection'],
    [{ embedOrigins: ['http://example.com'] }, 422, 'plain http origin'],
    [{ embedOrigins: ['https://example.com/path'] }, 422, 'origin with a path'],
    [{ embedOrigins: ["https://a.example; script-src 'unsafe-inline'"] }, 422, 'CSP injection'],
    [{ embedOrigins: ['*'] }, 422, 'wildcard'],
    [{ embedOrigins: Array.from({ length: 11 }, (_, i) => `https://s${i}.example`) }, 400, 'too many origins'],
    [{ websiteUrl: 'javascript:alert(1)' }, 422, 'javascript: website'],
    [{ displayName: 'x'.repeat(121) }, 400, 'long name'],
    [{ displayName: 'evil\u202Ename' }, 400, 'bidi control'],
    [{}, 400, 'empty body'],
    [{ unknown: 1 }, 400, 'only unknown keys'],
  ];
  for (const [payload, status, what] of bad) isProblem(t, await putBranding(adminA, payload), status, what);
  t.equal(await brandingRow(adminA.orgId), null, 'nothing stored');

  const ok = await putBranding(adminA, { displayName: 'Acme Careers', accentColor: '#0B5FFF', websiteUrl: 'https://acme.example', embedOrigins: ['https://www.acme.example', 'http://localhost:5173'] });
  t.equal(ok.statusCode, 200, ok.body);
  t.match(ok.json(), { displayName: 'Acme Careers', accentColor: '#0b5fff', websiteUrl: 'https://acme.example/', embedOrigins: ['https://www.acme.example', 'http://localhost:5173'], logo: null });
  t.match(await brandingRow(adminA.orgId), { display_name: 'Acme Careers' });
  t.equal(await brandingRow(adminB.orgId), null, "org B's branding untouched");
  const events = (await owner.query<{ action: string; metadata: { fields: string[] } }>("SELECT action, metadata FROM audit_events WHERE org_id = $1 AND action LIKE 'org.%'", [adminA.orgId])).rows;
  t.ok(events.some((e) => e.action === 'org.branding_updated' && e.metadata.fields.includes('accentColor')), 'audited');

  const css = await get(`/jobs/${slugA}/brand/accent.css`);
  t.equal(css.statusCode, 200);
  t.match(String(css.headers['content-type']), /^text\/css/);
  t.equal(css.body, ':root{--accent:#0b5fff}\n');
  isProblem(t, await get(`/jobs/${slugB}/brand/accent.css`), 404, 'no accent for B');
  const page = await get(`/jobs/${slugA}`);
  t.ok(page.body.includes('Jobs at Acme Careers'), 'display name shown');
  t.ok(page.body.includes(`<link rel="stylesheet" href="/jobs/${slugA}/brand/accent.css?v=0b5fff">`), 'accent via a stylesheet, not inline');
  t.notOk((await get(`/jobs/${slugB}`)).body.includes('Acme Careers'), "A's branding never on B's page");
});

t.test('logo upload: sniffed, capped, served safely', async (t) => {
  isProblem(t, await putLogo(recruiterA, PNG_1X1), 403, 'recruiter');
  isProblem(t, await putLogo(adminA, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png'), 415, 'SVG labelled PNG');
  isProblem(t, await putLogo(adminA, Buffer.from('<svg/>'), 'image/svg+xml'), 415, 'SVG content type');
  isProblem(t, await putLogo(adminA, Buffer.concat([PNG_1X1.subarray(0, 8), Buffer.alloc(40, 1)])), 422, 'PNG magic, garbage after');
  isProblem(t, await putLogo(adminA, Buffer.concat([PNG_1X1, Buffer.alloc(256 * 1024)])), 413, 'over 256 KiB');
  isProblem(t, await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/branding/logo', headers: adminA.headers, payload: { logo: 'x' } }), 415, 'JSON body');
  t.equal((await brandingRow(adminA.orgId))?.logo_type, null, 'nothing stored');
  const up = await putLogo(adminA, PNG_1X1);
  t.equal(up.statusCode, 200, up.body);
  const sha = up.json<{ logo: { sha256: string } }>().logo.sha256;
  t.match(sha, /^[0-9a-f]{64}$/);
  const logo = await get(`/jobs/${slugA}/brand/logo?v=${sha.slice(0, 16)}`);
  t.equal(logo.statusCode, 200);
  t.equal(logo.headers['content-type'], 'image/png');
  t.equal(logo.headers['x-content-type-options'], 'nosniff');
  t.same(logo.rawPayload, PNG_1X1);
  const page = await get(`/jobs/${slugA}/${onsite.slug}`);
  t.ok(page.body.includes(`src="/jobs/${slugA}/brand/logo?v=${sha.slice(0, 16)}"`), 'job page shows the logo');
  const { issues, extracted } = await validateStructuredData(page.body);
  t.same(
    issues.filter((i) => !(i.severity === 'WARNING' && ['jobLocationType', 'applicantLocationRequirements'].includes(i.fieldNames?.[0] ?? ''))),
    [],
    'still valid with branding',
  );
  t.match(extracted.jsonld.JobPosting?.[0], { hiringOrganization: { name: 'Acme Careers', sameAs: 'https://acme.example/', logo: `${PUBLIC_URL}/jobs/${slugA}/brand/logo?v=${sha.slice(0, 16)}` } });
  isProblem(t, await get(`/jobs/${slugB}/brand/logo`), 404, "B has no logo (A's is not served under B)");
  const del = await ctx.app.inject({ method: 'DELETE', url: '/api/v1/org/branding/logo', headers: adminA.headers });
  t.equal(del.statusCode, 200);
  isProblem(t, await get(`/jobs/${slugA}/brand/logo`), 404, 'removed');
  const actions = (await owner.query<{ action: string }>("SELECT action FROM audit_events WHERE org_id = $1 AND action LIKE 'org.logo%'", [adminA.orgId])).rows.map((r) => r.action);
  t.same(actions.sort(), ['org.logo_removed', 'org.logo_updated']);
  await putLogo(adminA, PNG_1X1);
});

t.test('embed page: framable only by the configured origins', async (t) => {
  const a = await get(`/jobs/${slugA}/embed.html`);
  t.equal(a.statusCode, 200);
  const csp = String(a.headers['content-security-policy']);
  t.match(csp, /frame-ancestors https:\/\/www\.acme\.example http:\/\/localhost:5173(;|$)/);
  t.match(csp, /script-src 'self'/, 'the rest of the policy stays');
  t.notOk(a.headers['x-frame-options'], 'no legacy header forbidding the frame');
  t.ok(a.body.includes('Platform Engineer') && a.body.includes('target="_blank"'));
  const b = await get(`/jobs/${slugB}/embed.html`);
  t.match(String(b.headers['content-security-policy']), /frame-ancestors 'none'/, 'no origins: nobody may frame');
  t.notOk(b.body.includes('Platform Engineer'));
  const page = await get(`/jobs/${slugA}`);
  t.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/, 'the full page is never framable');
  t.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
});

t.test('JSON feed: public data, CORS for configured origins or *, never credentials', async (t) => {
  const allowed = await get(`/api/v1/public/jobs/${slugA}`, { origin: 'https://www.acme.example', cookie: adminA.cookie });
  t.equal(allowed.statusCode, 200);
  t.equal(allowed.headers['access-control-allow-origin'], 'https://www.acme.example');
  t.notOk(allowed.headers['access-control-allow-credentials']);
  t.match(String(allowed.headers.vary), /Origin/);
  const body = allowed.json<{ organisation: { name: string }; jobs: Record<string, unknown>[] }>();
  t.equal(body.organisation.name, 'Acme Careers');
  t.same(new Set(body.jobs.map((j) => j.title)), new Set(['Platform Engineer', 'Remote Support Lead', 'Data Analyst']));
  for (const key of ['criteria', 'interviewQuestions', 'hiringManagerIds', 'status', 'description']) t.notOk(allowed.body.includes(`"${key}"`), `no ${key}`);
  const other = await get(`/api/v1/public/jobs/${slugA}`, { origin: 'https://evil.example' });
  t.equal(other.statusCode, 200);
  t.notOk(other.headers['access-control-allow-origin'], 'an unlisted origin is not allowed');
  const any = await get(`/api/v1/public/jobs/${slugB}`, { origin: 'https://anyone.example' });
  t.equal(any.headers['access-control-allow-origin'], '*', 'no origins configured: public to all');
  t.same(any.json<{ jobs: { title: string }[] }>().jobs.map((j) => j.title), ['Only At B']);
  const preflight = await ctx.app.inject({ method: 'OPTIONS', url: `/api/v1/public/jobs/${slugA}`, headers: { origin: 'https://www.acme.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'accept' }, remoteAddress: nextIp() });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], 'https://www.acme.example');
  t.equal(preflight.headers['access-control-allow-methods'], 'GET', 'read-only');
  t.notOk(preflight.headers['access-control-allow-credentials']);
  const badPreflight = await ctx.app.inject({ method: 'OPTIONS', url: `/api/v1/public/jobs/${slugA}`, headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' }, remoteAddress: nextIp() });
  t.notOk(badPreflight.headers['access-control-allow-origin'], 'no preflight pass for an unlisted origin');
});

t.test('public careers routes are rate limited per IP', async (t) => {
  const addr = '10.99.0.1';
  const codes: number[] = [];
  for (let i = 0; i < RATE + 1; i += 1) codes.push((await get(`/jobs/${slugA}`, {}, addr)).statusCode);
  t.equal(codes.filter((c) => c === 200).length, RATE);
  const last = await get(`/jobs/${slugA}`, {}, addr);
  isProblem(t, last, 429, 'over the limit');
  t.ok(last.headers['retry-after']);
  t.equal((await get(`/jobs/${slugA}`, {}, '10.99.0.2')).statusCode, 200, 'another IP is unaffected');
});

t.test('OpenAPI documents the public JSON feed and the branding API', async (t) => {
  const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs' })).json<{ paths: Record<string, unknown> }>();
  for (const path of ['/api/v1/public/jobs/{orgSlug}', '/api/v1/org/branding', '/api/v1/org/branding/logo']) t.ok(doc.paths[path], path);
});
