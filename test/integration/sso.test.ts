// Per-org OIDC SSO against a real OpenID provider (oidc-provider on loopback) and the real
// app listening on a real port. A fetch-driven "browser" with one cookie jar per origin
// walks start -> IdP authorization -> IdP interaction (login) -> callback.
import t, { type Test } from 'tap';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, createOrgWithMember, type Member } from '../helper.js';
import { createKeyring, openText } from '../../server/core/crypto.js';
import { totpCode } from '../../server/modules/auth/totp.js';
import { idpDidMfa, issuerProblem, safeReturnTo } from '../../server/modules/sso/service.js';
import { csrfTokenFor } from '../../server/core/tokens.js';
import { startFakeDns } from '../fakes/dns.js';
import { cli } from '../support/cli.js';

// --- oidc-provider ships no types: the little of it this test uses --------------------

interface InteractionDetails {
  uid: string;
  prompt: { name: string };
  params: Record<string, unknown>;
  session?: { accountId?: string };
}
interface GrantLike {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface ProviderLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: { new (props: { accountId: string; clientId: string }): GrantLike; find(id: string): Promise<GrantLike | undefined> };
}
interface GrantContext {
  oidc: { client: { clientId: string }; session: { accountId: string; grantIdFor(clientId: string): string | undefined }; result?: { consent?: { grantId?: string } }; provider: ProviderLike };
}
type ProviderCtor = new (issuer: string, configuration: Record<string, unknown>) => ProviderLike;
// A non-literal specifier keeps tsc from looking for type declarations the package lacks.
const OIDC_PROVIDER_MODULE = 'oidc-provider';
const { default: Provider } = (await import(OIDC_PROVIDER_MODULE)) as { default: ProviderCtor };

// --- the app on a real port (PUBLIC_URL must name that port) ------------------------------

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const appPort = await freePort();
const PUBLIC = `http://127.0.0.1:${appPort}`;
const CALLBACK = `${PUBLIC}/api/v1/auth/sso/callback`;
// The IdP listens on loopback: OUTBOUND_ALLOW_LOOPBACK is the development/test setting that allows it.
// SSO domain ownership is looked up by the real node:dns Resolver, pointed at a DNS server on loopback.
const dns = await startFakeDns();
t.teardown(() => dns.close());
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: PUBLIC, OUTBOUND_ALLOW_LOOPBACK: 'true' }, appDeps: { dnsResolver: dns.resolver() } });
await ctx.app.listen({ port: appPort, host: '127.0.0.1' });

// --- the identity provider --------------------------------------------------------------

const CLIENT_ID = 'hirebox-test';
const CLIENT_SECRET = `idp-secret-${randomBytes(16).toString('hex')}`;
const accounts = new Map<string, { email: string; email_verified: boolean; name: string }>([
  ['alice', { email: 'alice@acme.test', email_verified: true, name: 'Alice' }],
  ['bob', { email: 'Bob@ACME.test', email_verified: true, name: 'Bob' }],
  ['carol', { email: 'carol@acme.test', email_verified: true, name: 'Carol' }],
  ['dave', { email: 'dave@acme.test', email_verified: true, name: 'Dave' }],
  ['erin', { email: 'erin@acme.test', email_verified: true, name: 'Erin' }],
  ['unverified', { email: 'unverified@acme.test', email_verified: false, name: 'U' }],
  ['mallory', { email: 'mallory@evil.test', email_verified: true, name: 'Mallory' }],
  ['grace', { email: 'grace@acme.test', email_verified: true, name: 'Grace' }],
  ['victim', { email: 'victim@victim.test', email_verified: true, name: 'Victim' }],
  ['victim2', { email: 'victim2@victim.test', email_verified: true, name: 'Victim Two' }],
  ['domainvictim', { email: 'ceo@victim-domain.test', email_verified: true, name: 'Domain Victim' }],
]);

const idpServer = http.createServer();
await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
const ISSUER = `http://127.0.0.1:${(idpServer.address() as AddressInfo).port}`;
t.teardown(() => {
  idpServer.closeAllConnections();
  return new Promise<void>((resolve) => idpServer.close(() => resolve()));
});

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...signingKey, use: 'sig', kid: 'test-key' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  findAccount: (_ctx: unknown, sub: string) => {
    const account = accounts.get(sub);
    return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
  },
  // First-party client: no consent screen, every requested OIDC scope is granted.
  loadExistingGrant: async (gctx: GrantContext) => {
    const { client, session, result, provider: p } = gctx.oidc;
    const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
    if (grantId) return p.Grant.find(grantId);
    const grant = new p.Grant({ accountId: session.accountId, clientId: client.clientId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
const providerHandler = provider.callback();
// The "login page": the test names the account (and the amr/acr the IdP reports) in the URL.
idpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', ISSUER);
  if (!url.pathname.startsWith('/interaction/')) {
    providerHandler(req, res);
    return;
  }
  void (async () => {
    const details = await provider.interactionDetails(req, res);
    const account = url.searchParams.get('account') ?? 'alice';
    const amr = url.searchParams.get('amr');
    const acr = url.searchParams.get('acr');
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account, ...(amr ? { amr: amr.split(',') } : {}), ...(acr ? { acr } : {}) } },
      { mergeWithLastSubmission: false },
    );
    void details;
  })().catch((err: Error) => {
    res.statusCode = 500;
    res.end(err.message);
  });
});

// --- a browser without a browser ---------------------------------------------------------

class Browser {
  readonly jars = new Map<string, Map<string, string>>();

  jar(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) {
      jar = new Map();
      this.jars.set(origin, jar);
    }
    return jar;
  }

  async get(href: string): Promise<Response> {
    const url = new URL(href);
    const jar = this.jar(url.origin);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
      if (!value || gone) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** The app session token (cookie "hirebox" on plain-http loopback). */
  session(): string | undefined {
    return this.jar(PUBLIC).get('hirebox');
  }
}

interface SignInOptions {
  account: string;
  amr?: string;
  acr?: string;
  returnTo?: string;
  /** Change the authorization request on its way to the IdP. */
  tamper?: (authorizationUrl: URL) => void;
}

/** start -> IdP -> interaction -> IdP; returns the IdP's redirect to the app's callback (not yet followed). */
async function untilCallback(b: Browser, slug: string, opts: SignInOptions): Promise<{ callback: URL; authorization: URL; start: Response }> {
  const start = await b.get(`${PUBLIC}/api/v1/auth/sso/${slug}/start${opts.returnTo ? `?returnTo=${encodeURIComponent(opts.returnTo)}` : ''}`);
  if (start.status !== 302) throw new Error(`start answered ${start.status}: ${await start.text()}`);
  const authorization = new URL(start.headers.get('location') as string);
  opts.tamper?.(authorization);
  let res = await b.get(authorization.href);
  let current = authorization;
  for (let hops = 0; hops < 10; hops += 1) {
    const location = res.headers.get('location');
    if (!location) throw new Error(`IdP stopped at ${current.pathname} with ${res.status}: ${await res.text()}`);
    const next = new URL(location, current);
    if (next.origin === PUBLIC) return { callback: next, authorization, start };
    if (next.pathname.startsWith('/interaction/')) {
      next.searchParams.set('account', opts.account);
      if (opts.amr) next.searchParams.set('amr', opts.amr);
      if (opts.acr) next.searchParams.set('acr', opts.acr);
    }
    current = next;
    res = await b.get(next.href);
  }
  throw new Error('too many redirects at the IdP');
}

async function signIn(slug: string, opts: SignInOptions): Promise<{ browser: Browser; res: Response; authorization: URL }> {
  const browser = new Browser();
  const { callback, authorization } = await untilCallback(browser, slug, opts);
  const res = await browser.get(callback.href);
  return { browser, res, authorization };
}

// --- app-side helpers -------------------------------------------------------------------

const headersFor = (token: string): Record<string, string> => ({ cookie: `hirebox=${token}`, 'x-csrf-token': csrfTokenFor(token), origin: PUBLIC });
const memberHeaders = (m: Member): Record<string, string> => ({ cookie: m.cookie, 'x-csrf-token': m.csrfToken, origin: PUBLIC });

async function slugOf(orgId: string): Promise<string> {
  const { rows } = await ctx.db.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [orgId]);
  return (rows[0] as { slug: string }).slug;
}

async function auditActions(orgId: string, action: string): Promise<{ actor_id: string | null; metadata: Record<string, unknown> }[]> {
  return ctx.db.withTenant(orgId, async (q) => {
    const { rows } = await q.query<{ actor_id: string | null; metadata: Record<string, unknown> }>('SELECT actor_id, metadata FROM audit_events WHERE action = $1 ORDER BY seq', [action]);
    return rows;
  });
}

function isProblem(t: Test, res: LightMyRequestResponse | Response, status: number): void {
  const type = res instanceof Response ? res.headers.get('content-type') : res.headers['content-type'];
  const code = res instanceof Response ? res.status : res.statusCode;
  t.equal(code, status, `status ${status}`);
  t.match(String(type), /^application\/problem\+json/, 'problem+json');
}

const baseConfig = {
  issuer: ISSUER,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  allowedDomains: ['acme.test'],
  defaultRole: 'recruiter',
  requireSso: false,
  trustIdpMfa: false,
  breakGlassUserId: null as string | null,
};

async function putConfig(m: Member, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return ctx.app.inject({ method: 'PUT', url: '/api/v1/org/sso', headers: memberHeaders(m), payload: body });
}

// All setup happens before the first t.test (tap ends the root test when its queue drains).
const admin = await createOrgWithMember(ctx, 'admin');
const slug = await slugOf(admin.orgId);
const otherAdmin = await createOrgWithMember(ctx, 'admin');
const otherSlug = await slugOf(otherAdmin.orgId);
const nonAdmins = await Promise.all((['recruiter', 'hiring_manager', 'auditor'] as const).map((role) => createOrgWithMember(ctx, role, admin.orgId)));

t.test('an admin configures SSO; the secret is stored sealed and never returned or logged', async (t) => {
  const before = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: memberHeaders(admin) });
  t.equal(before.statusCode, 200);
  t.match(before.json(), { configured: false, clientSecretSet: false, issuer: null });

  const put = await putConfig(admin, baseConfig);
  t.equal(put.statusCode, 200, put.body);
  t.match(put.json(), { configured: true, issuer: ISSUER, clientId: CLIENT_ID, clientSecretSet: true, allowedDomains: ['acme.test'], defaultRole: 'recruiter' });
  t.notOk(put.body.includes(CLIENT_SECRET), 'PUT does not echo the secret');
  const got = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: memberHeaders(admin) });
  t.notOk(got.body.includes(CLIENT_SECRET), 'GET does not return the secret');
  t.notOk('clientSecret' in got.json<Record<string, unknown>>());

  const stored = await ctx.db.withTenant(admin.orgId, async (q) => {
    const { rows } = await q.query<{ sso_client_secret_enc: Buffer }>('SELECT sso_client_secret_enc FROM org_auth_settings WHERE org_id = $1', [admin.orgId]);
    const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
    const sealed = (rows[0] as { sso_client_secret_enc: Buffer }).sso_client_secret_enc;
    return { sealed, opened: openText(await keyring.orgKey(q, admin.orgId), sealed, { orgId: admin.orgId, table: 'org_auth_settings', column: 'sso_client_secret', rowId: admin.orgId }) };
  });
  t.notOk(stored.sealed.includes(Buffer.from(CLIENT_SECRET)), 'the column holds ciphertext');
  t.equal(stored.opened, CLIENT_SECRET, 'sealed under the org key with the documented AAD');

  // Updating without a secret keeps the stored one.
  const keep = await putConfig(admin, { ...baseConfig, clientSecret: undefined, allowedDomains: ['acme.test', 'ACME-labs.test'] });
  t.equal(keep.statusCode, 200, keep.body);
  t.same(keep.json<{ allowedDomains: string[] }>().allowedDomains, ['acme.test', 'acme-labs.test']);
  t.equal(keep.json<{ clientSecretSet: boolean }>().clientSecretSet, true);

  const events = await auditActions(admin.orgId, 'sso.config_changed');
  t.equal(events.length, 2, 'each change is audited');
  t.equal(events[0]?.actor_id, admin.userId);
  t.match(events[0]?.metadata, { issuer: ISSUER, clientId: CLIENT_ID, clientSecretChanged: true });
  t.match(events[1]?.metadata, { clientSecretChanged: false });
  t.notOk(JSON.stringify(events).includes(CLIENT_SECRET), 'no secret in audit metadata');
  t.notOk(ctx.logs.some((line) => line.includes(CLIENT_SECRET)), 'no secret in logs');
});

t.test('recruiters, hiring managers and auditors get 403 on the SSO config endpoints', async (t) => {
  for (const m of nonAdmins) {
    const get = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: memberHeaders(m) });
    isProblem(t, get, 403);
    t.match(get.json(), { permission: 'settings:manage' });
    const put = await putConfig(m, { ...baseConfig, issuer: 'https://evil.example' });
    isProblem(t, put, 403);
  }
  const anon = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso' });
  isProblem(t, anon, 401);
  const still = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: memberHeaders(admin) });
  t.equal(still.json<{ issuer: string }>().issuer, ISSUER, 'nothing changed');
});

t.test("another org's admin can neither read nor change this org's SSO", async (t) => {
  const theirs = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: memberHeaders(otherAdmin) });
  t.equal(theirs.statusCode, 200);
  t.match(theirs.json(), { configured: false, issuer: null, allowedDomains: [] }, 'they see only their own (empty) config');
  const put = await putConfig(otherAdmin, { ...baseConfig, issuer: 'https://idp.other.example', allowedDomains: ['other.test'] });
  t.equal(put.statusCode, 200);
  const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: memberHeaders(admin) });
  t.match(mine.json(), { issuer: ISSUER, allowedDomains: ['acme.test', 'acme-labs.test'] }, 'org A is untouched');
  // A break-glass account must be an admin of the org itself, not of another org.
  const foreign = await putConfig(otherAdmin, { ...baseConfig, breakGlassUserId: admin.userId });
  isProblem(t, foreign, 400);
  const ourAudit = await auditActions(admin.orgId, 'sso.config_changed');
  t.equal(ourAudit.length, 2, "org B's change is not in org A's audit log");
  t.ok(otherSlug.length > 0);
});

t.test('malformed SSO config bodies give 400 problem+json', async (t) => {
  const cases: [string, unknown][] = [
    ['missing fields', { issuer: ISSUER }],
    ['admin is not a default role', { ...baseConfig, defaultRole: 'admin' }],
    ['plain http to a non-loopback host', { ...baseConfig, issuer: 'http://idp.example.com' }],
    ['not a URL', { ...baseConfig, issuer: 'definitely not a url' }],
    ['ftp issuer', { ...baseConfig, issuer: 'ftp://idp.example.com' }],
    ['issuer with credentials', { ...baseConfig, issuer: 'https://user:pw@idp.example.com' }],
    ['issuer with a query', { ...baseConfig, issuer: 'https://idp.example.com/?a=b' }],
    ['no allowed domains', { ...baseConfig, allowedDomains: [] }],
    ['a domain that is not a domain', { ...baseConfig, allowedDomains: ['not a domain'] }],
    ['break-glass id not a uuid', { ...baseConfig, breakGlassUserId: 'nope' }],
    ['break-glass account is not an admin', { ...baseConfig, breakGlassUserId: (nonAdmins[0] as Member).userId }],
    ['requireSso not a boolean', { ...baseConfig, requireSso: 'yes please' }],
    ['clientSecret empty', { ...baseConfig, clientSecret: '' }],
  ];
  for (const [name, body] of cases) {
    const res = await putConfig(admin, body as Record<string, unknown>);
    t.equal(res.statusCode, 400, name);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`);
  }
  const badJson = await ctx.app.inject({ method: 'PUT', url: '/api/v1/org/sso', headers: { ...memberHeaders(admin), 'content-type': 'application/json' }, payload: '{"issuer":' });
  isProblem(t, badJson, 400);
  const firstWithoutSecret = await ctx.app.inject({
    method: 'PUT',
    url: '/api/v1/org/sso',
    headers: memberHeaders(nonAdmins[0] as Member),
    payload: { ...baseConfig, clientSecret: undefined },
  });
  t.equal(firstWithoutSecret.statusCode, 403, 'still a permission check first');
  const fresh = await createOrgWithMember(ctx, 'admin');
  const noSecret = await putConfig(fresh, { ...baseConfig, clientSecret: undefined });
  isProblem(t, noSecret, 400);
  t.match(noSecret.json(), { errors: [{ path: 'body/clientSecret' }] });
  const unchanged = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: memberHeaders(admin) });
  t.match(unchanged.json(), { issuer: ISSUER, defaultRole: 'recruiter' }, 'refused bodies change nothing');
});

t.test('attack replay (H2): an allowed domain counts only after the org proves it owns it with a DNS TXT record', async (t) => {
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso/domains', headers: memberHeaders(admin) });
  t.equal(list.statusCode, 200, list.body);
  const acme = list.json<{ domains: { domain: string; status: string; record: { name: string; value: string } | null }[] }>().domains.find((d) => d.domain === 'acme.test');
  t.match(acme, { status: 'pending', record: { name: '_hirebox-challenge.acme.test', type: 'TXT', value: /^hirebox-domain-verification=[A-Za-z0-9_-]{32}$/ } }, 'each listed domain has a TXT record to publish');
  const record = acme?.record as { name: string; value: string };

  // Listed but unproven: the IdP's assertion for that domain is refused, no account made.
  const early = await signIn(slug, { account: 'alice', amr: 'mfa' });
  isProblem(t, early.res, 403);
  t.notOk(early.browser.session(), 'what the IdP user sees: 403, no session');
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'domain_not_verified', domain: 'acme.test' });
  t.equal((await ctx.db.query('SELECT 1 FROM users WHERE email = $1', ['alice@acme.test'])).rowCount, 0, 'no user was created');

  const check = (m: Member, domain: string): Promise<LightMyRequestResponse> => ctx.app.inject({ method: 'POST', url: `/api/v1/org/sso/domains/${domain}/check`, headers: memberHeaders(m) });
  const none = await check(admin, 'acme.test');
  t.equal(none.statusCode, 200, none.body);
  t.match(none.json(), { status: 'pending', lastCheck: 'not_found' }, 'no record published yet');
  dns.records.set(record.name, [['hirebox-domain-verification=somebody-elses-token']]);
  t.match((await check(admin, 'acme.test')).json(), { status: 'pending', lastCheck: 'mismatch' }, 'a record with another token does not count');
  t.ok(dns.queries.includes('_hirebox-challenge.acme.test'), 'asked over DNS');

  // Access rules and bad input on the domain endpoints.
  for (const m of nonAdmins) isProblem(t, await check(m, 'acme.test'), 403);
  isProblem(t, await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso/domains' }), 401);
  isProblem(t, await check(otherAdmin, 'acme.test'), 404);
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/org/sso/domains/acme.test/verification', headers: memberHeaders(otherAdmin) }), 404);
  isProblem(t, await ctx.app.inject({ method: 'POST', url: '/api/v1/org/sso/domains/not-listed.test/verification', headers: memberHeaders(admin) }), 404);
  isProblem(t, await check(admin, 'bad_domain!'), 400);
  t.equal((await auditActions(admin.orgId, 'sso.domain_verified')).length, 0, 'nothing verified so far');

  const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/org/sso/domains/acme.test/verification', headers: memberHeaders(admin) });
  t.equal(again.statusCode, 200, again.body);
  t.match(again.json(), { record: { value: record.value } }, 'asking again keeps the same record');

  // Published (split into two character-strings, as long TXT values are): verified.
  dns.records.set(record.name, [['v=spf1 -all'], [record.value.slice(0, 20), record.value.slice(20)]]);
  const ok = await check(admin, 'acme.test');
  t.match(ok.json(), { status: 'verified', verifiedVia: 'dns', lastCheck: 'verified' });
  t.match((await auditActions(admin.orgId, 'sso.domain_verified')).at(-1), { actor_id: admin.userId, metadata: { domain: 'acme.test', via: 'dns' } });
  const listed = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso/domains', headers: memberHeaders(admin) });
  t.match(listed.json(), { domains: [{ domain: 'acme.test', status: 'verified' }, { domain: 'acme-labs.test', status: 'pending' }] });
});

t.test('happy path: JIT member, MFA-pending session, TOTP enrolment, then /api/v1/me works', async (t) => {
  const started = Date.now();
  const { browser, res, authorization } = await signIn(slug, { account: 'alice', returnTo: '/jobs?tab=open' });
  t.equal(authorization.searchParams.get('code_challenge_method'), 'S256', 'PKCE S256');
  t.ok(authorization.searchParams.get('code_challenge'), 'a code challenge is sent');
  t.ok(authorization.searchParams.get('state'), 'a state is sent');
  t.ok(authorization.searchParams.get('nonce'), 'a nonce is sent');
  t.equal(authorization.searchParams.get('redirect_uri'), CALLBACK);
  t.equal(res.status, 302, 'callback redirects');
  t.equal(res.headers.get('location'), '/jobs?tab=open', 'to the saved relative returnTo');
  const setCookies = res.headers.getSetCookie();
  const sessionCookie = setCookies.find((c) => c.startsWith('hirebox='));
  t.ok(sessionCookie, 'a session cookie is set');
  t.match(sessionCookie, /HttpOnly/i);
  t.match(sessionCookie, /SameSite=Lax/i);
  t.ok(setCookies.some((c) => c.startsWith('hirebox-sso=;') || /^hirebox-sso=.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i.test(c)), 'the binding cookie is cleared');
  const token = browser.session() as string;

  const pending = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(token) });
  isProblem(t, pending, 401);
  t.match(pending.json(), { mfa: 'required' }, 'MFA is pending: the org does not trust the IdP for MFA');

  const enrol = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: headersFor(token) });
  t.equal(enrol.statusCode, 200, enrol.body);
  const { secret } = enrol.json<{ secret: string }>();
  const verify = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: headersFor(token), payload: { code: await totpCode(secret, new Date()) } });
  t.equal(verify.statusCode, 200, verify.body);
  const full = /hirebox=([^;]+)/.exec(String(verify.headers['set-cookie']))?.[1] as string;
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(full) });
  t.equal(me.statusCode, 200, me.body);
  t.match(me.json(), { user: { email: 'alice@acme.test' }, org: { id: admin.orgId }, role: 'recruiter' });

  const users = await ctx.db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE email = $1', ['alice@acme.test']);
  t.equal(users.rows[0]?.password_hash, null, 'the JIT user has no password');
  const joined = await auditActions(admin.orgId, 'member.joined');
  t.match(joined.at(-1)?.metadata, { role: 'recruiter', via: 'sso' }, 'member.joined (jit) audited');
  const logins = await auditActions(admin.orgId, 'auth.sso_login');
  t.match(logins.at(-1)?.metadata, { mfa: 'enroll', jit: true, userCreated: true });
  t.notOk(ctx.logs.some((line) => line.includes('alice@acme.test')), 'the email is not logged');
  t.comment(`full SSO round trip + MFA enrolment: ${Date.now() - started} ms`);

  // A second sign-in: same user, no second membership, TOTP now required (not enrol).
  const again = await signIn(slug, { account: 'alice', returnTo: 'https://evil.example/steal' });
  t.equal(again.res.status, 302);
  t.equal(again.res.headers.get('location'), '/', 'an absolute returnTo is not followed');
  t.equal((await auditActions(admin.orgId, 'member.joined')).length, joined.length, 'no second JIT');
  t.match((await auditActions(admin.orgId, 'auth.sso_login')).at(-1)?.metadata, { mfa: 'required', jit: false });
});

t.test('trustIdpMfa: amr (or a configured acr) from the IdP completes MFA; otherwise it stays pending', async (t) => {
  const put = await putConfig(admin, { ...baseConfig, clientSecret: undefined, trustIdpMfa: true, mfaAcrValues: ['urn:acme:loa:mfa'], defaultRole: 'hiring_manager' });
  t.equal(put.statusCode, 200, put.body);

  const started = Date.now();
  const bob = await signIn(slug, { account: 'bob', amr: 'pwd,mfa' });
  t.equal(bob.res.status, 302, 'callback redirects');
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(bob.browser.session() as string) });
  t.equal(me.statusCode, 200, me.body);
  t.match(me.json(), { user: { email: 'bob@acme.test' }, role: 'hiring_manager' }, 'email normalised; default role applied');
  t.comment(`SSO round trip with IdP MFA: ${Date.now() - started} ms`);
  t.match((await auditActions(admin.orgId, 'auth.sso_login')).at(-1)?.metadata, { mfa: 'idp', jit: true });

  const carol = await signIn(slug, { account: 'carol', acr: 'urn:acme:loa:mfa' });
  const carolMe = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(carol.browser.session() as string) });
  t.equal(carolMe.statusCode, 200, 'a configured acr counts as MFA');

  const dave = await signIn(slug, { account: 'dave', amr: 'pwd', acr: 'urn:acme:loa:1' });
  t.equal(dave.res.status, 302);
  const daveMe = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(dave.browser.session() as string) });
  isProblem(t, daveMe, 401);
  t.match(daveMe.json(), { mfa: 'required' }, 'password-only at the IdP leaves MFA pending');

  await putConfig(admin, { ...baseConfig, clientSecret: undefined, trustIdpMfa: false });
  const erin = await signIn(slug, { account: 'erin', amr: 'pwd,mfa' });
  const erinMe = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(erin.browser.session() as string) });
  isProblem(t, erinMe, 401);
  t.match(erinMe.json(), { mfa: 'required' }, 'amr is ignored when the org does not trust its IdP for MFA');
});

t.test('a wrong state is refused, and a callback works only once and only in the browser that started it', async (t) => {
  const b = new Browser();
  const { callback } = await untilCallback(b, slug, { account: 'alice' });
  const tampered = new URL(callback);
  tampered.searchParams.set('state', 'not-the-state-we-sent');
  const wrong = await b.get(tampered.href);
  isProblem(t, wrong, 400);
  t.notOk(wrong.headers.getSetCookie().some((c) => c.startsWith('hirebox=')), 'no session');
  t.ok(wrong.headers.getSetCookie().some((c) => c.startsWith('hirebox-sso=;')), 'the binding cookie is cleared on failure too');
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'state_mismatch' });
  const replay = await b.get(callback.href);
  isProblem(t, replay, 400);
  t.notOk(b.session(), 'the pending sign-in was single use: even the right state fails now');

  // A callback replayed in another browser (no binding cookie) is refused.
  const victim = new Browser();
  const other = await untilCallback(victim, slug, { account: 'alice' });
  const attacker = new Browser();
  const stolen = await attacker.get(other.callback.href);
  isProblem(t, stolen, 400);
  t.notOk(attacker.session());
});

t.test('a wrong nonce is refused (openid-client checks the ID token nonce)', async (t) => {
  // The authorization request reaches the IdP with a nonce the app never issued: PKCE and
  // state still match, so only the nonce check can stop it.
  const { browser, res } = await signIn(slug, { account: 'alice', tamper: (url) => url.searchParams.set('nonce', 'attacker-chosen-nonce') });
  isProblem(t, res, 401);
  t.notOk(browser.session(), 'no session');
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'token_invalid' });

  // A code obtained for a different start (code injection) fails PKCE at the token endpoint.
  const mine = new Browser();
  const minePending = await untilCallback(mine, slug, { account: 'alice' });
  const theirs = new Browser();
  const theirsPending = await untilCallback(theirs, slug, { account: 'mallory' });
  const injected = new URL(minePending.callback);
  injected.searchParams.set('code', theirsPending.callback.searchParams.get('code') as string);
  const swapped = await mine.get(injected.href);
  isProblem(t, swapped, 401);
  t.notOk(mine.session());
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'token_exchange_failed' });
});

t.test('an email outside the allowed domains (or unverified) is refused with 403 and audited', async (t) => {
  const { browser, res } = await signIn(slug, { account: 'mallory', amr: 'mfa' });
  isProblem(t, res, 403);
  t.notOk(browser.session(), 'no session');
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'domain_not_allowed', domain: 'evil.test' });
  const created = await ctx.db.query('SELECT 1 FROM users WHERE email = $1', ['mallory@evil.test']);
  t.equal(created.rowCount, 0, 'no user was created');

  const unverified = await signIn(slug, { account: 'unverified' });
  isProblem(t, unverified.res, 403);
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'email_unverified' });
});

t.test('an account that also belongs to another org must prove its own TOTP (the IdP cannot vouch for it)', async (t) => {
  // alice is enrolled (TOTP) from the happy path; she also joins org B.
  const alice = await ctx.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', ['alice@acme.test']);
  const aliceId = (alice.rows[0] as { id: string }).id;
  await ctx.db.withTenantTx(otherAdmin.orgId, (tx) => tx.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'recruiter')", [otherAdmin.orgId, aliceId]));
  await putConfig(admin, { ...baseConfig, clientSecret: undefined, trustIdpMfa: true });
  const res = await signIn(slug, { account: 'alice', amr: 'mfa' });
  t.equal(res.res.status, 302);
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(res.browser.session() as string) });
  isProblem(t, me, 401);
  t.match(me.json(), { mfa: 'required' }, 'trustIdpMfa does not apply to accounts of other orgs');

  // Without TOTP such an account is refused outright.
  const frank = await ctx.db.query<{ id: string }>("INSERT INTO users (email) VALUES ('frank@acme.test') RETURNING id");
  const frankId = (frank.rows[0] as { id: string }).id;
  await ctx.db.withTenantTx(otherAdmin.orgId, (tx) => tx.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'recruiter')", [otherAdmin.orgId, frankId]));
  accounts.set('frank', { email: 'frank@acme.test', email_verified: true, name: 'Frank' });
  // Bound to this IdP identity earlier (just-in-time), so the other-org rule is what decides.
  await ctx.db.query("INSERT INTO sso_identities (issuer, subject, user_id, linked_via) VALUES ($1, 'frank', $2, 'jit')", [ISSUER, frankId]);
  const refused = await signIn(slug, { account: 'frank', amr: 'mfa' });
  isProblem(t, refused.res, 403);
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'account_in_other_org' });
  const memberships = await ctx.db.withTenant(admin.orgId, (q) => q.query('SELECT 1 FROM memberships WHERE user_id = $1', [frankId]));
  t.equal(memberships.rowCount, 0, 'no JIT membership');
  await putConfig(admin, { ...baseConfig, clientSecret: undefined });
});

t.test('an SSO-required org refuses password sign-in except for the break-glass admin', async (t) => {
  const recruiter = nonAdmins[0] as Member;
  await ctx.db.query('UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = $1) WHERE id = $2', [admin.userId, recruiter.userId]);
  const emails = await ctx.db.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE id = ANY($1)', [[admin.userId, recruiter.userId]]);
  const emailOf = (id: string): string => (emails.rows.find((r) => r.id === id) as { email: string }).email;
  const password = 'correct horse battery staple';
  const login = (email: string): Promise<LightMyRequestResponse> =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: PUBLIC }, payload: { email, password } });

  t.equal((await login(emailOf(recruiter.userId))).statusCode, 200, 'password sign-in works while SSO is optional');
  const put = await putConfig(admin, { ...baseConfig, clientSecret: undefined, requireSso: true, breakGlassUserId: admin.userId });
  t.equal(put.statusCode, 200, put.body);
  t.match(put.json(), { requireSso: true, breakGlassUserId: admin.userId });

  const refused = await login(emailOf(recruiter.userId));
  isProblem(t, refused, 403);
  t.match(refused.json(), { sso: `/api/v1/auth/sso/${slug}/start` }, 'points at the SSO start');
  t.notOk(String(refused.headers['set-cookie'] ?? '').includes('hirebox='), 'no session');
  t.equal((await login(emailOf(admin.userId))).statusCode, 200, 'the break-glass admin may still use the password');

  // SSO itself keeps working for the org.
  const viaSso = await signIn(slug, { account: 'alice' });
  t.equal(viaSso.res.status, 302);
  t.ok(viaSso.browser.session());
});

t.test('start: unknown orgs and orgs without SSO get 404; the binding cookie is httpOnly and Lax', async (t) => {
  const unknown = await fetch(`${PUBLIC}/api/v1/auth/sso/no-such-org/start`, { redirect: 'manual' });
  isProblem(t, unknown, 404);
  const fresh = await createOrgWithMember(ctx, 'admin');
  const none = await fetch(`${PUBLIC}/api/v1/auth/sso/${await slugOf(fresh.orgId)}/start`, { redirect: 'manual' });
  isProblem(t, none, 404);
  const badSlug = await fetch(`${PUBLIC}/api/v1/auth/sso/NOT_A_SLUG/start`, { redirect: 'manual' });
  isProblem(t, badSlug, 400);
  const ok = await fetch(`${PUBLIC}/api/v1/auth/sso/${slug}/start`, { redirect: 'manual' });
  t.equal(ok.status, 302);
  t.ok(ok.headers.get('location')?.startsWith(`${ISSUER}/auth?`), 'redirects to the IdP authorization endpoint');
  const binding = ok.headers.getSetCookie().find((c) => c.startsWith('hirebox-sso='));
  t.match(binding, /HttpOnly/i);
  t.match(binding, /SameSite=Lax/i);
  t.match(binding, /Max-Age=600/i);
  const keys = await ctx.redis.keys(`${ctx.config.redisPrefix}:sso:pending:*`);
  t.ok(keys.length > 0, 'the pending sign-in lives in Redis');
  const ttl = await ctx.redis.ttl(keys[0] as string);
  t.ok(ttl > 0 && ttl <= 600, `with a TTL of at most 10 minutes (${ttl}s)`);
  const value = await ctx.redis.get(keys[0] as string);
  t.notOk(value?.includes(binding?.split(';')[0]?.split('=')[1] ?? 'x'), 'keyed by a hash of the cookie, not the cookie');
  t.notOk(keys.some((k) => k.includes(binding?.split(';')[0]?.split('=')[1] ?? 'x')));
});

t.test('returnTo stays on this origin; issuers must be https (http only for loopback outside production); amr/acr rules', async (t) => {
  const base = new URL(PUBLIC);
  for (const evil of ['https://evil.example/', '//evil.example', '/\\evil.example', '/a/..//evil.example', '/./\\evil.example', '/.//evil.example', 'javascript:alert(1)', '/ spaces', `/${'a'.repeat(600)}`]) {
    t.equal(safeReturnTo(evil, base), '/', `refused: ${evil.slice(0, 40)}`);
  }
  t.equal(safeReturnTo('/jobs/1?tab=notes#top', base), '/jobs/1?tab=notes#top');
  t.equal(safeReturnTo(undefined, base), '/');
  t.equal(issuerProblem('https://idp.example.com', 'production'), null);
  t.equal(issuerProblem('http://127.0.0.1:8080', 'development'), null);
  t.ok(issuerProblem('http://127.0.0.1:8080', 'production'), 'no plain http in production, even on loopback');
  t.ok(issuerProblem('http://idp.example.com', 'development'));
  const trusting = { trustIdpMfa: true, mfaAcrValues: ['urn:acme:mfa'] };
  t.ok(idpDidMfa({ amr: ['pwd', 'hwk'] }, trusting));
  t.ok(idpDidMfa({ acr: 'urn:acme:mfa' }, trusting));
  t.notOk(idpDidMfa({ amr: ['pwd'], acr: 'urn:acme:pwd' }, trusting));
  t.notOk(idpDidMfa({ amr: 'mfa' }, trusting), 'amr must be an array');
  t.notOk(idpDidMfa({ amr: ['mfa'] }, { trustIdpMfa: false, mfaAcrValues: [] }), 'only when the org trusts its IdP');
});

// --- issue 14: identities bound to (issuer, sub); never attached by email alone ----------

const PASSWORD = 'correct horse battery staple';

/** Gives the member the admin's password and enrols TOTP through the API; returns the TOTP secret. */
async function withPasswordAndTotp(userId: string, email: string): Promise<string> {
  await ctx.db.query('UPDATE users SET email = $3, password_hash = (SELECT password_hash FROM users WHERE id = $1) WHERE id = $2', [admin.userId, userId, email]);
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: PUBLIC }, payload: { email, password: PASSWORD } });
  if (login.statusCode !== 200) throw new Error(`login ${login.statusCode} ${login.body}`);
  const token = /hirebox=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1] as string;
  const enrol = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enroll', headers: headersFor(token) });
  const { secret } = enrol.json<{ secret: string }>();
  // The previous time step (accepted, ±1): the current one stays free for the proof below.
  const verify = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: headersFor(token), payload: { code: await totpCode(secret, new Date(Date.now() - 30_000)) } });
  if (verify.statusCode !== 200) throw new Error(`verify ${verify.statusCode} ${verify.body}`);
  return secret;
}

const linkTokenOf = (res: Response): string | null => /^\/sso\/link#([A-Za-z0-9_-]{43})$/.exec(res.headers.get('location') ?? '')?.[1] ?? null;

async function postLink(payload: Record<string, unknown>, origin = PUBLIC): Promise<LightMyRequestResponse> {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/sso/link', headers: { origin }, payload });
}

async function isMember(orgId: string, userId: string): Promise<boolean> {
  return ((await ctx.db.withTenant(orgId, (q) => q.query('SELECT 1 FROM memberships WHERE user_id = $1', [userId]))).rowCount ?? 0) > 0;
}

async function identitiesOf(userId: string): Promise<{ issuer: string; subject: string; linked_via: string }[]> {
  return (await ctx.db.query<{ issuer: string; subject: string; linked_via: string }>('SELECT issuer, subject, linked_via FROM sso_identities WHERE user_id = $1', [userId])).rows;
}

t.test('an account that already has the address is attached only after its own password and TOTP', async (t) => {
  await putConfig(admin, { ...baseConfig, clientSecret: undefined }); // password sign-in allowed again
  const grace = await createOrgWithMember(ctx, 'recruiter', otherAdmin.orgId);
  const secret = await withPasswordAndTotp(grace.userId, 'grace@acme.test');

  const first = await signIn(slug, { account: 'grace', amr: 'mfa' });
  t.equal(first.res.status, 302);
  const token = linkTokenOf(first.res) as string;
  t.ok(token, 'redirected to the console link page with a link token in the fragment');
  t.notOk(first.browser.session(), 'no session: the IdP alone does not reach the account');
  t.notOk(await isMember(admin.orgId, grace.userId), 'not joined');
  t.same(await identitiesOf(grace.userId), [], 'not bound');
  t.match((await auditActions(admin.orgId, 'auth.sso_link_required')).at(-1), { metadata: { ip: String } });

  isProblem(t, await postLink({ token: 'short', password: PASSWORD, code: '123456' }), 400);
  isProblem(t, await postLink({ token: 'A'.repeat(43), password: PASSWORD, code: '123456' }), 400);
  isProblem(t, await postLink({ token, password: PASSWORD, code: 'abcdef' }), 400);
  isProblem(t, await postLink({ token, password: PASSWORD, code: await totpCode(secret, new Date()) }, 'https://evil.example'), 403);
  isProblem(t, await postLink({ token, password: 'not the password at all', code: await totpCode(secret, new Date()) }), 401);
  isProblem(t, await postLink({ token, password: PASSWORD, code: '000000' }), 401);
  t.match((await auditActions(admin.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'link_proof_failed' });
  t.notOk(await isMember(admin.orgId, grace.userId), 'still not joined after wrong proofs');

  const linked = await postLink({ token, password: PASSWORD, code: await totpCode(secret, new Date()) });
  t.equal(linked.statusCode, 200, linked.body);
  const session = /hirebox=([^;]+)/.exec(String(linked.headers['set-cookie']))?.[1] as string;
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: headersFor(session) });
  t.equal(me.statusCode, 200, 'signed in, MFA complete (TOTP was just proved)');
  t.match(me.json(), { user: { id: grace.userId }, org: { id: admin.orgId }, role: 'recruiter' });
  t.match(await identitiesOf(grace.userId), [{ issuer: ISSUER, subject: 'grace', linked_via: 'proof' }]);
  t.match((await auditActions(admin.orgId, 'auth.sso_linked')).at(-1), { actor_id: grace.userId, metadata: { issuer: ISSUER } });
  isProblem(t, await postLink({ token, password: PASSWORD, code: await totpCode(secret, new Date(Date.now() + 30_000)) }), 400);

  // Bound now: the next SSO sign-in goes straight through.
  const next = await signIn(slug, { account: 'grace' });
  t.equal(next.res.headers.get('location'), '/');
  t.ok(next.browser.session());
});

t.test('attack replay (H1): an attacker who asks for the victim\'s address is not attached when the victim signs in through another org\'s SSO', async (t) => {
  // Org B configures SSO for victim.test, approved by the operator (CLI).
  const put = await putConfig(otherAdmin, { ...baseConfig, allowedDomains: ['victim.test'] });
  t.equal(put.statusCode, 200, put.body);
  const approve = await cli(ctx.env, ['sso', 'domain', 'approve', '--org', otherAdmin.orgId, '--domain', 'Victim.test', '--json']);
  t.equal(approve.status, 0, approve.stderr);
  t.match(JSON.parse(approve.stdout), { ok: true, orgId: otherAdmin.orgId, domain: 'victim.test', approved: true });
  t.match((await auditActions(otherAdmin.orgId, 'sso.domain_approved')).at(-1)?.metadata, { domain: 'victim.test', via: 'operator' });
  const domains = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso/domains', headers: memberHeaders(otherAdmin) });
  t.match(domains.json(), { domains: [{ domain: 'victim.test', status: 'verified', verifiedVia: 'operator' }] });
  const bad = await cli(ctx.env, ['sso', 'domain', 'approve', '--org', 'nope', '--domain', 'victim.test']);
  t.equal(bad.status, 2, 'usage error');
  const unknownOrg = await cli(ctx.env, ['sso', 'domain', 'approve', '--org', '00000000-0000-4000-8000-000000000000', '--domain', 'victim.test', '--json']);
  t.equal(unknownOrg.status, 1);
  t.match(JSON.parse(unknownOrg.stdout), { ok: false, error: 'org_not_found' });

  // The attacker: a member of org A with password and TOTP.
  const attacker = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
  const attackerSecret = await withPasswordAndTotp(attacker.userId, 'attacker@acme.test');
  const change = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email', headers: memberHeaders(attacker), payload: { email: 'victim@victim.test', password: PASSWORD } });
  t.equal(change.statusCode, 202, 'what the attacker sees: a confirmation is on its way (to the victim)');
  const confirmMail = ctx.mailer.outbox.at(-2);
  t.equal(confirmMail?.to, 'victim@victim.test');
  const confirmToken = /\/email\/confirm\/([A-Za-z0-9_-]{43})/.exec(confirmMail?.text ?? '')?.[1] as string;
  const emailNow = await ctx.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [attacker.userId]);
  t.equal(emailNow.rows[0]?.email, 'attacker@acme.test', 'the address did not change');

  // The real owner signs in through org B's SSO: a new account of their own.
  const victim = await signIn(otherSlug, { account: 'victim', amr: 'mfa' });
  t.equal(victim.res.status, 302);
  t.ok(victim.browser.session(), 'the victim gets in');
  const victimRow = await ctx.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', ['victim@victim.test']);
  t.not(victimRow.rows[0]?.id, attacker.userId, 'a different account from the attacker\'s');
  t.notOk(await isMember(otherAdmin.orgId, attacker.userId), 'the attacker\'s account is not in org B');
  t.same(await identitiesOf(attacker.userId), [], 'nothing bound to the attacker');

  // Even if the victim opened the attacker's link now, the address is taken: nothing changes.
  const late = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email/confirm', headers: { origin: PUBLIC }, payload: { token: confirmToken } });
  isProblem(t, late, 409);

  // The attacker signs in with their own password: org B is not theirs.
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: PUBLIC }, payload: { email: 'attacker@acme.test', password: PASSWORD } });
  const pendingToken = /hirebox=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1] as string;
  const mfa = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', headers: headersFor(pendingToken), payload: { code: await totpCode(attackerSecret, new Date()) } });
  t.equal(mfa.statusCode, 200, mfa.body);
  const attackerToken = /hirebox=([^;]+)/.exec(String(mfa.headers['set-cookie']))?.[1] as string;
  const orgs = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/orgs', headers: headersFor(attackerToken) });
  t.same(orgs.json<{ orgs: { id: string }[] }>().orgs.map((o) => o.id), [admin.orgId], 'the attacker\'s account is in org A only');
  const switched = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/switch-org', headers: headersFor(attackerToken), payload: { orgId: otherAdmin.orgId } });
  isProblem(t, switched, 403);
});

t.test('attack replay (H1, an address taken before the fix): the victim\'s SSO sign-in does not attach the attacker\'s account', async (t) => {
  const attacker = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
  await withPasswordAndTotp(attacker.userId, 'victim2@victim.test'); // holds the victim's address already
  const res = await signIn(otherSlug, { account: 'victim2', amr: 'mfa' });
  t.equal(res.res.status, 302);
  const token = linkTokenOf(res.res);
  t.ok(token, 'the callback asks for the existing account\'s proof instead of attaching it');
  t.notOk(res.browser.session(), 'no session');
  t.notOk(await isMember(otherAdmin.orgId, attacker.userId), 'the attacker\'s account is not joined to org B');
  t.same(await identitiesOf(attacker.userId), [], 'and not bound to the victim\'s IdP identity');
  // The victim does not know the attacker's password or TOTP: the link goes nowhere.
  isProblem(t, await postLink({ token, password: 'whatever the victim tries', code: '123456' }), 401);
  t.notOk(await isMember(otherAdmin.orgId, attacker.userId));
});

t.test('attack replay (H2): a hostile org lists a victim\'s domain without proof; the victim signing in at its IdP is not pulled in', async (t) => {
  const hostile = await createOrgWithMember(ctx, 'admin');
  const hostileSlug = await slugOf(hostile.orgId);
  // The victim already works at victim-domain.test, in org B.
  const victim = await createOrgWithMember(ctx, 'recruiter', otherAdmin.orgId);
  await ctx.db.query("UPDATE users SET email = 'ceo@victim-domain.test' WHERE id = $1", [victim.userId]);

  const put = await putConfig(hostile, { ...baseConfig, allowedDomains: ['victim-domain.test'] });
  t.equal(put.statusCode, 200, 'the admin may list the domain...');
  const check = await ctx.app.inject({ method: 'POST', url: '/api/v1/org/sso/domains/victim-domain.test/check', headers: memberHeaders(hostile) });
  t.match(check.json(), { status: 'pending', lastCheck: 'not_found' }, '...but cannot prove it (no TXT record in the victim\'s DNS)');

  const res = await signIn(hostileSlug, { account: 'domainvictim', amr: 'mfa' });
  isProblem(t, res.res, 403);
  t.notOk(res.browser.session());
  t.match((await auditActions(hostile.orgId, 'auth.sso_refused')).at(-1)?.metadata, { reason: 'domain_not_verified', domain: 'victim-domain.test' });
  t.notOk(await isMember(hostile.orgId, victim.userId), 'the victim is not pulled into the hostile org');
  const members = await ctx.app.inject({ method: 'GET', url: '/api/v1/members', headers: memberHeaders(hostile) });
  t.equal(members.statusCode, 200);
  t.notOk(members.body.includes(victim.userId), 'the hostile admin does not see the victim among their members');
});
