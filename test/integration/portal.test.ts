// issue 22 item 2: the candidate status page through HTTP against the real app. A public
// application mails a single-use link (hashed at rest) to the address on file; asking for
// a link always answers the same 202; the link is exchanged once for a short candidate
// session (HttpOnly, SameSite=Strict cookie scoped to /portal/<org>); the page lists only
// that candidate's applications in that org; withdraw, book, download and register
// requests act through the owning services. Expired, reused, malformed and other-org
// tokens, oversized input and rate limits answer clearly and change nothing. The
// cross-org walk: the same address applied to org B too, and nothing of B is reachable
// from A's link, session or URLs (nor A's from B's).
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, ORIGIN } from '../helper.js';
import { approvePlan, createJob } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { until } from '../support/until.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { csrfTokenFor } from '../../server/core/tokens.js';

const ctx = await buildTestApp(t, { appDeps: { portalLimits: { perEmailPerHour: 3, perIpPerMinute: 6, exportsPerHour: 2 } } });
const owner = await connectOwner(t, ctx);
const a = await createOrgWithMember(ctx, 'admin');
const b = await createOrgWithMember(ctx, 'admin');
const slugOf = async (orgId: string) => (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [orgId])).rows[0]?.slug as string;
const slugA = await slugOf(a.orgId);
const slugB = await slugOf(b.orgId);
const jobA = await createJob(ctx, a, { title: 'Platform Engineer' });
const jobA2 = await createJob(ctx, a, { title: 'Site Reliability Engineer' });
const jobB = await createJob(ctx, b, { title: 'Secret Project Lead' });

let ip = 0;
const nextIp = () => `10.22.${Math.floor(++ip / 250)}.${ip % 250}`;
async function apply(slug: string, jobSlug: string, email: string, extra: Record<string, string> = {}): Promise<void> {
  const { body, contentType } = multipartBody({ name: 'Pat Doe', email, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, ...extra }, { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slug}/${jobSlug}/apply`, headers: { 'content-type': contentType, accept: 'application/json' }, payload: body, remoteAddress: nextIp() });
  if (res.statusCode !== 202) throw new Error(`apply: ${res.statusCode} ${res.body}`);
}
const mailsTo = (to: string) => ctx.mailer.outbox.filter((m) => m.to === to);
const tokenIn = (text: string, slug: string): string => [...text.matchAll(/\/portal\/([a-z0-9-]+)\/enter\/([A-Za-z0-9_-]{43})/g)].find((m) => m[1] === slug)?.[2] ?? '';
const count = async (sql: string, params: unknown[] = []) => Number((await owner.query<{ n: number }>(sql, params)).rows[0]?.n);
const state = async () => ({
  links: await count('SELECT count(*)::int AS n FROM portal_links'),
  sessions: await count('SELECT count(*)::int AS n FROM portal_sessions'),
  requests: await count('SELECT count(*)::int AS n FROM privacy_requests'),
  stages: (await owner.query('SELECT id, stage_kind FROM applications ORDER BY id')).rows,
});

const pat = 'pat.doe@example.test';
await apply(slugA, jobA.slug, pat);
await apply(slugA, jobA2.slug, pat, { humanReviewOnly: 'true' });
await apply(slugB, jobB.slug, pat);
await apply(slugA, jobA.slug, 'someone.else@example.test');
const appsOf = async (orgId: string, email: string) => {
  void email;
  return (await owner.query<{ id: string; job_id: string; candidate_id: string }>('SELECT id, job_id, candidate_id FROM applications WHERE org_id = $1 ORDER BY created_at', [orgId])).rows;
};
const [patA1, patA2, otherA] = await appsOf(a.orgId, pat);
const [patB] = await appsOf(b.orgId, pat);

t.test('applying mails a status-page link per org, stored only as its hash', async (t) => {
  const mails = mailsTo(pat).filter((m) => /status page/.test(m.text));
  t.equal(mails.length, 3, 'one link mail per new application');
  const tokenA = tokenIn(mails[0]?.text ?? '', slugA);
  t.equal(tokenA.length, 43);
  t.ok(tokenIn(mails[2]?.text ?? '', slugB), "org B's mail links to org B's page");
  const raw = await count('SELECT count(*)::int AS n FROM portal_links WHERE token_hash = $1', [Buffer.from(tokenA)]);
  t.equal(raw, 0, 'the token itself is not stored');
  const hashed = await count("SELECT count(*)::int AS n FROM portal_links WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [tokenA]);
  t.equal(hashed, 1, 'its SHA-256 is');
});

async function askLink(slug: string, email: string, remoteAddress = nextIp()) {
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/portal/${slug}/link`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: { email }, remoteAddress });
}

/** The per-address allowance (3 an hour here) is tested on its own below: other tests start it afresh. */
async function resetAskCounters(): Promise<void> {
  const keys = await ctx.redis.keys(`${ctx.config.redisPrefix}:portal:ask:*`);
  if (keys.length) await ctx.redis.del(...keys);
}

async function freshToken(slug: string, email = pat): Promise<string> {
  await resetAskCounters();
  const before = mailsTo(email).length;
  const res = await askLink(slug, email);
  if (res.statusCode !== 202) throw new Error(`ask: ${res.statusCode} ${res.body}`);
  const mail = await until('the link mail', async () => mailsTo(email)[before]);
  return tokenIn(mail.text, slug);
}

async function signIn(slug: string, token: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await ctx.app.inject({ method: 'POST', url: `/portal/${slug}/enter/${token}`, headers: { origin: ORIGIN }, remoteAddress: nextIp() });
  if (res.statusCode !== 303) throw new Error(`sign-in: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const value = /hirebox-portal=([A-Za-z0-9_-]{43})/.exec(setCookie)?.[1] as string;
  return { cookie: `hirebox-portal=${value}`, csrf: csrfTokenFor(value), setCookie };
}

t.test('asking for a link: the same 202 whether or not the address applied; the mail only to a candidate of that org', async (t) => {
  const unknown = await askLink(slugA, 'nobody@example.test');
  const known = await askLink(slugA, pat);
  t.equal(unknown.statusCode, 202);
  t.equal(known.statusCode, 202);
  t.same(unknown.json(), known.json(), 'same body');
  t.equal(unknown.headers['content-type'], known.headers['content-type']);
  await until('the mail to the candidate', async () => mailsTo(pat).find((m) => m.text.includes('Here is your sign-in link')));
  t.equal(mailsTo('nobody@example.test').length, 0, 'nothing is mailed to an address that never applied');
  // An address that applied only to org A asks on org B's page: nothing is mailed.
  const onlyA = 'someone.else@example.test';
  const n = mailsTo(onlyA).length;
  t.equal((await askLink(slugB, onlyA)).statusCode, 202);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(mailsTo(onlyA).length, n, "org B does not know org A's candidate");
  const form = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/portal/${slugA}/link`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'email=nobody%40example.test', remoteAddress: nextIp() });
  t.equal(form.statusCode, 202);
  t.match(form.body, /Check your e-mail/);
});

t.test('malformed, oversized and unknown input: problem+json, nothing stored', async (t) => {
  const before = await state();
  const cases: [string, Awaited<ReturnType<typeof askLink>>, number][] = [
    ['not an e-mail', await askLink(slugA, 'not-an-email'), 400],
    ['unknown org', await askLink('no-such-org', pat), 404],
    ['bad slug', await askLink('BAD_SLUG', pat), 400],
    ['oversized form', await ctx.app.inject({ method: 'POST', url: `/api/v1/public/portal/${slugA}/link`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `email=${'a'.repeat(5000)}%40example.test`, remoteAddress: nextIp() }), 413],
    ['too long e-mail', await askLink(slugA, `${'a'.repeat(250)}@example.test`), 400],
    ['NUL in e-mail', await ctx.app.inject({ method: 'POST', url: `/api/v1/public/portal/${slugA}/link`, headers: { 'content-type': 'application/json' }, payload: '{"email":"pat\\u0000@example.test"}', remoteAddress: nextIp() }), 400],
  ];
  for (const [what, res, status] of cases) {
    t.equal(res.statusCode, status, what);
    t.match(res.headers['content-type'], /application\/problem\+json/, `${what}: problem+json`);
  }
  for (const [url, status] of [
    [`/portal/${slugA}/enter/short`, 400],
    [`/portal/${slugA}/enter/${'A'.repeat(43)}`, 404],
    [`/portal/${slugA}/enter/${'A'.repeat(42)}*`, 400],
  ] as const) {
    const res = await ctx.app.inject({ method: 'GET', url, remoteAddress: nextIp() });
    t.equal(res.statusCode, status, url);
    t.match(res.headers['content-type'], /problem\+json/);
    const post = await ctx.app.inject({ method: 'POST', url, headers: { origin: ORIGIN }, remoteAddress: nextIp() });
    t.equal(post.statusCode, status, `POST ${url}`);
  }
  const page = await ctx.app.inject({ method: 'GET', url: `/portal/${slugA}/enter/${'A'.repeat(43)}`, headers: { accept: 'text/html' }, remoteAddress: nextIp() });
  t.equal(page.statusCode, 404);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.body, /This sign-in link is not valid here/, 'a browser gets a clear page');
  await new Promise((r) => setTimeout(r, 200));
  t.same(await state(), before, 'nothing stored or changed');
});

t.test('a link works once, expires, and only under its own org', async (t) => {
  const token = await freshToken(slugA);
  const page = await ctx.app.inject({ method: 'GET', url: `/portal/${slugA}/enter/${token}`, remoteAddress: nextIp() });
  t.equal(page.statusCode, 200);
  t.ok(page.body.includes(`<form method="post" action="/portal/${slugA}/enter/${token}">`), 'opening the link only shows a button: a mail scanner uses nothing up');
  t.equal((await ctx.app.inject({ method: 'GET', url: `/portal/${slugA}/enter/${token}`, remoteAddress: nextIp() })).statusCode, 200, 'still live after a GET');

  const cross = await ctx.app.inject({ method: 'POST', url: `/portal/${slugB}/enter/${token}`, headers: { origin: ORIGIN }, remoteAddress: nextIp() });
  t.equal(cross.statusCode, 404, "org A's token is unknown on org B's URL");
  t.equal((await ctx.app.inject({ method: 'GET', url: `/portal/${slugB}/enter/${token}`, remoteAddress: nextIp() })).statusCode, 404);
  const noOrigin = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${token}`, remoteAddress: nextIp() });
  t.equal(noOrigin.statusCode, 403, 'a cross-site POST is refused');
  const evil = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${token}`, headers: { origin: 'https://evil.example' }, remoteAddress: nextIp() });
  t.equal(evil.statusCode, 403);
  const crossSite = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${token}`, headers: { origin: 'null', 'sec-fetch-site': 'cross-site' }, remoteAddress: nextIp() });
  t.equal(crossSite.statusCode, 403, 'Origin null from another site is refused');

  // A browser under Referrer-Policy no-referrer posts the form with Origin null and Sec-Fetch-Site same-origin.
  const viaBrowser = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${token}`, headers: { origin: 'null', 'sec-fetch-site': 'same-origin' }, remoteAddress: nextIp() });
  t.equal(viaBrowser.statusCode, 303, 'a same-origin form post signs in');
  t.equal(viaBrowser.headers.location, `/portal/${slugA}`);
  const again0 = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${token}`, headers: { origin: ORIGIN }, remoteAddress: nextIp() });
  t.equal(again0.statusCode, 410, 'and the link is used up');
  const s = await signIn(slugA, await freshToken(slugA));
  t.match(s.setCookie, /HttpOnly/);
  t.match(s.setCookie, /SameSite=Strict/);
  t.ok(s.setCookie.split(/;\s*/).includes(`Path=/portal/${slugA}`), 'scoped to the portal path');
  t.match(s.setCookie, /Max-Age=1800/);
  const sessionsBefore = await count('SELECT count(*)::int AS n FROM portal_sessions');
  const again = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${token}`, headers: { origin: ORIGIN }, remoteAddress: nextIp() });
  t.equal(again.statusCode, 410, 'a used link is gone');
  t.match(again.json<{ detail: string }>().detail, /already been used/);
  const againPage = await ctx.app.inject({ method: 'GET', url: `/portal/${slugA}/enter/${token}`, headers: { accept: 'text/html' }, remoteAddress: nextIp() });
  t.equal(againPage.statusCode, 410);
  t.match(againPage.body, /already been used/);
  t.ok(againPage.body.includes(`href="/portal/${slugA}"`), 'the page offers a new link');

  const expired = await freshToken(slugA);
  await owner.query("UPDATE portal_links SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [expired]);
  const late = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${expired}`, headers: { origin: ORIGIN }, remoteAddress: nextIp() });
  t.equal(late.statusCode, 410);
  t.match(late.json<{ detail: string }>().detail, /expired/);
  t.equal(await count('SELECT count(*)::int AS n FROM portal_sessions'), sessionsBefore, 'no session for a used or expired link');
});

t.test("the status page shows this candidate's applications in this org only", async (t) => {
  const s = await signIn(slugA, await freshToken(slugA));
  const page = await ctx.app.inject({ method: 'GET', url: `/portal/${slugA}`, headers: { cookie: s.cookie }, remoteAddress: nextIp() });
  t.equal(page.statusCode, 200);
  t.match(page.body, /Platform Engineer/);
  t.match(page.body, /Site Reliability Engineer/);
  t.match(page.body, /You chose the AI-free route/, 'the AI-free route is shown');
  t.match(page.body.split(`Privacy notice ${PRIVACY_NOTICE_VERSION}, accepted on `)[1] ?? '', /^[A-Z][a-z]+ \d{1,2}, \d{4}/, 'the notice accepted, with its day in the candidate\'s locale');
  t.notMatch(page.body, /Secret Project Lead/, "org B's application (same address) is not visible");
  t.equal(page.headers['cache-control'], 'no-store');
  t.match(String(page.headers['content-security-policy']), /script-src/, 'under the strict CSP');
  t.notMatch(page.body, /<script|style=/, 'no script, no inline style');

  const onB = await ctx.app.inject({ method: 'GET', url: `/portal/${slugB}`, headers: { cookie: s.cookie }, remoteAddress: nextIp() });
  t.equal(onB.statusCode, 200);
  t.match(onB.body, /Send me a sign-in link/, "org A's session is not a session on org B's page");
  t.notMatch(onB.body, /Secret Project Lead|Platform Engineer/);

  const sB = await signIn(slugB, await freshToken(slugB));
  const pageB = await ctx.app.inject({ method: 'GET', url: `/portal/${slugB}`, headers: { cookie: sB.cookie }, remoteAddress: nextIp() });
  t.match(pageB.body, /Secret Project Lead/);
  t.notMatch(pageB.body, /Platform Engineer|Site Reliability/, "and B's session sees nothing of A");
});

const post = (slug: string, path: string, s: { cookie: string; csrf: string } | null, body: Record<string, string> = {}, extra: Record<string, string> = {}) =>
  ctx.app.inject({
    method: 'POST',
    url: `/portal/${slug}${path}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: ORIGIN, ...(s ? { cookie: s.cookie } : {}), ...extra },
    payload: new URLSearchParams({ ...(s ? { csrf: s.csrf } : {}), ...body }).toString(),
    remoteAddress: nextIp(),
  });

t.test('withdraw: session, CSRF and ownership checked; other candidates and other orgs are 404; nothing changes on refusal', async (t) => {
  const s = await signIn(slugA, await freshToken(slugA));
  const sB = await signIn(slugB, await freshToken(slugB));
  const before = await state();
  const refusals: [string, Awaited<ReturnType<typeof post>>, number][] = [
    ['no session', await post(slugA, `/applications/${patA1?.id}/withdraw`, null, { confirm: 'yes' }), 401],
    ['no CSRF', await post(slugA, `/applications/${patA1?.id}/withdraw`, { cookie: s.cookie, csrf: 'x' }, { confirm: 'yes' }), 403],
    ["B's CSRF token", await post(slugA, `/applications/${patA1?.id}/withdraw`, { cookie: s.cookie, csrf: sB.csrf }, { confirm: 'yes' }), 403],
    ['wrong origin', await post(slugA, `/applications/${patA1?.id}/withdraw`, s, { confirm: 'yes' }, { origin: 'https://evil.example' }), 403],
    ['not confirmed', await post(slugA, `/applications/${patA1?.id}/withdraw`, s, {}), 400],
    ["another candidate's application", await post(slugA, `/applications/${otherA?.id}/withdraw`, s, { confirm: 'yes' }), 404],
    ["the same person's application in org B, via A", await post(slugA, `/applications/${patB?.id}/withdraw`, s, { confirm: 'yes' }), 404],
    ["A's session on B's URL", await post(slugB, `/applications/${patB?.id}/withdraw`, s, { confirm: 'yes' }), 401],
    ['bad id', await post(slugA, '/applications/not-a-uuid/withdraw', s, { confirm: 'yes' }), 400],
    ['oversized', await post(slugA, `/applications/${patA1?.id}/withdraw`, s, { confirm: 'yes', pad: 'x'.repeat(4000) }), 413],
  ];
  for (const [what, res, status] of refusals) {
    t.equal(res.statusCode, status, what);
    t.match(res.headers['content-type'], /problem\+json/, `${what}: problem+json`);
  }
  t.same(await state(), before, 'nothing changed');

  const ok = await post(slugA, `/applications/${patA1?.id}/withdraw`, s, { confirm: 'yes' });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { status: 'withdrawn' });
  t.equal((await owner.query('SELECT stage_kind FROM applications WHERE id = $1', [patA1?.id])).rows[0]?.stage_kind, 'withdrawn');
  t.equal((await owner.query('SELECT stage_kind FROM applications WHERE id = $1', [patB?.id])).rows[0]?.stage_kind, 'new', "org B's application is untouched");
  const audit = await owner.query("SELECT actor_type FROM audit_events WHERE action = 'application.withdrawn' AND target_id = $1", [patA1?.id]);
  t.same(audit.rows, [{ actor_type: 'candidate' }], 'audited with the candidate as the actor');
  const twice = await post(slugA, `/applications/${patA1?.id}/withdraw`, s, { confirm: 'yes' });
  t.equal(twice.statusCode, 409);
});

t.test('download: the privacy export of this candidate in this org, audited and rate limited', async (t) => {
  const s = await signIn(slugA, await freshToken(slugA));
  const res = await post(slugA, '/export', s);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-disposition'], /attachment/);
  const data = res.json<{ candidate: { email: string }; applications: { jobTitle: string }[] }>();
  t.equal(data.candidate.email, pat);
  t.same(data.applications.map((x) => x.jobTitle).sort(), ['Platform Engineer', 'Site Reliability Engineer']);
  const audited = await owner.query("SELECT actor_type, metadata->>'via' AS via FROM audit_events WHERE action = 'candidate.exported' AND org_id = $1", [a.orgId]);
  t.same(audited.rows, [{ actor_type: 'candidate', via: 'portal' }]);
  t.equal((await post(slugA, '/export', s)).statusCode, 200);
  const limited = await post(slugA, '/export', s);
  t.equal(limited.statusCode, 429, 'past the hourly allowance');
  t.ok(Number(limited.headers['retry-after']) > 0);
  t.equal(await count("SELECT count(*)::int AS n FROM audit_events WHERE action = 'candidate.exported' AND org_id = $1", [a.orgId]), 2, 'a refused download is not an export');
});

t.test('human review and erasure requests enter the privacy-request register, verified and linked', async (t) => {
  const s = await signIn(slugA, await freshToken(slugA));
  const review = await post(slugA, '/requests', s, { type: 'human_review' });
  t.equal(review.statusCode, 201);
  const r = review.json<{ id: string; reference: string; dueOn: string; created: boolean }>();
  t.match(r.reference, /^portal-\d{8}-[0-9a-f]{8}$/);
  const row = (await owner.query('SELECT org_id, type, identity_status, candidate_id, status FROM privacy_requests WHERE id = $1', [r.id])).rows[0];
  t.same(row, { org_id: a.orgId, type: 'human_review', identity_status: 'verified', candidate_id: patA1?.candidate_id, status: 'open' });
  const again = await post(slugA, '/requests', s, { type: 'human_review' });
  t.equal(again.statusCode, 200, 'asking again returns the open request');
  t.equal(again.json<{ id: string }>().id, r.id);
  const erasure = await post(slugA, '/requests', s, { type: 'erasure' }, { accept: 'text/html' });
  t.equal(erasure.statusCode, 200);
  t.match(erasure.body, /Your erasure request is registered as portal-/);
  t.equal(await count("SELECT count(*)::int AS n FROM privacy_requests WHERE type = 'erasure' AND org_id = $1", [a.orgId]), 1);
  const bad = await post(slugA, '/requests', s, { type: 'delete_everything' });
  t.equal(bad.statusCode, 400);
  // The admin sees it in the register.
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/privacy-requests', headers: { cookie: a.cookie } });
  t.ok(list.json<{ items: { id: string }[] }>().items.some((x) => x.id === r.id), 'in the console register');
});

t.test('book or reschedule: the interviews self-booking page with a fresh link; withdrawing cancels the interview', async (t) => {
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: a.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } });
  // Invites need the job's approved interview plan (issue 22 item 4).
  await approvePlan(ctx, a, jobA.id);
  await approvePlan(ctx, a, jobA2.id);
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${patA2?.id}/interviews`, headers: a.headers, payload: {} });
  t.equal(created.statusCode, 201, created.body);
  const interviewId = created.json<{ id: string }>().id;
  const s = await signIn(slugA, await freshToken(slugA));
  const page = await ctx.app.inject({ method: 'GET', url: `/portal/${slugA}`, headers: { cookie: s.cookie }, remoteAddress: nextIp() });
  t.ok(page.body.includes(`action="/portal/${slugA}/interviews/${interviewId}/open"`), 'the page offers booking');
  const other = await post(slugA, `/interviews/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/open`, s);
  t.equal(other.statusCode, 404);
  const theirs = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${otherA?.id}/interviews`, headers: a.headers, payload: {} });
  t.equal(theirs.statusCode, 201);
  const theirsId = theirs.json<{ id: string }>().id;
  const hashBefore = (await owner.query('SELECT invite_token_hash FROM interviews WHERE id = $1', [theirsId])).rows[0];
  t.equal((await post(slugA, `/interviews/${theirsId}/open`, s)).statusCode, 404, "another candidate's interview is a 404");
  t.same((await owner.query('SELECT invite_token_hash FROM interviews WHERE id = $1', [theirsId])).rows[0], hashBefore, 'and its invite link is unchanged');
  const open = await post(slugA, `/interviews/${interviewId}/open`, s);
  t.equal(open.statusCode, 303);
  const location = String(open.headers.location);
  t.match(location, /^\/i\/[A-Za-z0-9_-]{43}$/);
  const invite = await ctx.app.inject({ method: 'GET', url: location, remoteAddress: nextIp() });
  t.equal(invite.statusCode, 200, 'the self-booking page opens');
  t.match(invite.body, /Site Reliability Engineer/);

  const withdrawn = await post(slugA, `/applications/${patA2?.id}/withdraw`, s, { confirm: 'yes' });
  t.equal(withdrawn.statusCode, 200);
  t.equal((await owner.query('SELECT status, cancelled_by FROM interviews WHERE id = $1', [interviewId])).rows[0]?.status, 'cancelled', 'no interview for a withdrawn application');
  t.equal((await ctx.app.inject({ method: 'GET', url: location, remoteAddress: nextIp() })).statusCode, 404, 'its link is revoked');
});

t.test('sessions end: sign-out and expiry', async (t) => {
  const s = await signIn(slugA, await freshToken(slugA));
  const out = await post(slugA, '/sign-out', s);
  t.equal(out.statusCode, 200);
  t.match(String(out.headers['set-cookie']), /hirebox-portal=;/);
  t.equal((await post(slugA, '/export', s)).statusCode, 401, 'a signed-out session is gone');
  const s2 = await signIn(slugA, await freshToken(slugA));
  await owner.query("UPDATE portal_sessions SET expires_at = now() - interval '1 second'");
  const late = await post(slugA, '/requests', s2, { type: 'erasure' });
  t.equal(late.statusCode, 401);
  t.match(late.json<{ detail: string }>().detail, /session has ended/);
});

t.test('an erasure ends every way into the status page', async (t) => {
  const email = 'someone.else@example.test';
  const s = await signIn(slugA, await freshToken(slugA, email));
  const pending = await freshToken(slugA, email);
  const candidateId = otherA?.candidate_id as string;
  t.ok((await count('SELECT count(*)::int AS n FROM portal_links WHERE candidate_id = $1', [candidateId])) > 0);
  const erased = await ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${candidateId}/erasure`, headers: a.headers, payload: { reference: 'T-22', confirm: true } });
  t.equal(erased.statusCode, 200, erased.body);
  t.equal(await count('SELECT count(*)::int AS n FROM portal_links WHERE candidate_id = $1', [candidateId]), 0, 'links deleted');
  t.equal(await count('SELECT count(*)::int AS n FROM portal_sessions WHERE candidate_id = $1', [candidateId]), 0, 'sessions deleted');
  t.equal((await post(slugA, '/export', s)).statusCode, 401, 'the open session no longer works');
  const late = await ctx.app.inject({ method: 'POST', url: `/portal/${slugA}/enter/${pending}`, headers: { origin: ORIGIN }, remoteAddress: nextIp() });
  t.equal(late.statusCode, 404, 'nor the unused link');
});

t.test('rate limits: per address per hour and per IP per minute (429, nothing mailed or stored)', async (t) => {
  const email = 'rate.limited@example.test';
  await apply(slugA, jobA.slug, email);
  const links = await count('SELECT count(*)::int AS n FROM portal_links');
  for (let i = 0; i < 3; i += 1) t.equal((await askLink(slugA, email)).statusCode, 202);
  await until('three link mails', async () => mailsTo(email).filter((m) => m.text.includes('Here is your sign-in link')).length === 3);
  const fourth = await askLink(slugA, email);
  t.equal(fourth.statusCode, 429, 'the fourth ask for one address within the hour');
  t.match(fourth.headers['content-type'], /problem\+json/);
  t.ok(Number(fourth.headers['retry-after']) > 0);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(mailsTo(email).filter((m) => m.text.includes('Here is your sign-in link')).length, 3, 'no fourth mail');
  t.ok((await count('SELECT count(*)::int AS n FROM portal_links')) <= links + 3);
  t.equal((await askLink(slugA, 'RATE.limited@Example.test')).statusCode, 429, 'the same address in other case counts together');
  // Per IP: 6 a minute from one address, whatever the e-mail.
  const statuses: number[] = [];
  for (let i = 0; i < 7; i += 1) statuses.push((await askLink(slugA, `ip${i}@example.test`, '10.99.0.1')).statusCode);
  t.same(statuses, [202, 202, 202, 202, 202, 202, 429]);
});
