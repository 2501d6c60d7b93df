// Issue 14 M3 regression: an org admin points the alert webhook or the SSO issuer at
// internal addresses (cloud metadata, loopback in every notation, RFC 1918, ULA, NAT64,
// 6to4, names that resolve inside, a name that rebinds after the save-time check). With
// OUTBOUND_ALLOW_LOOPBACK off (the default) every attempt is refused, a loopback listener
// on the targeted port counts zero connections, and what the admin sees is the same for
// every internal address ("refused: address not allowed"), so it never tells whether an
// internal host answered.
import { createServer, type AddressInfo } from 'node:net';
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { createMailer } from '../../server/core/mailer.js';
import type { Resolver } from '../../server/core/outbound.js';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { startWorkers } from '../../worker/worker.js';
import { buildTestApp, createOrgWithMember, ORIGIN, type Member } from '../helper.js';
import { until } from '../support/until.js';

// Any TCP connection to the targeted port counts, whatever speaks on it.
let connections = 0;
const listener = createServer((socket) => {
  connections += 1;
  socket.destroy();
});
await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => listener.close(() => r())));
const PORT = (listener.address() as AddressInfo).port;

// DNS as an attacker would arrange it: names inside, a mixed answer, and names that answer a
// public address to the save-time check and loopback/private ones afterwards (rebinding).
const lookups = new Map<string, number>();
const resolver: Resolver = async (host) => {
  const n = (lookups.get(host) ?? 0) + 1;
  lookups.set(host, n);
  if (host === 'internal.example.test') return [{ address: '10.0.0.1', family: 4 }];
  if (host === 'metadata.example.test') return [{ address: 'fd00:ec2::254', family: 6 }];
  if (host === 'mixed.example.test') return [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }];
  if (host === 'rebind-a.example.test') return [{ address: n === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
  if (host === 'rebind-b.example.test') return [{ address: n === 1 ? '93.184.216.34' : '10.0.0.1', family: 4 }];
  if (host === 'rebind-sso.example.test') return [{ address: n === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
  if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

const ctx = await buildTestApp(t, { appDeps: { alertRetryDelayMs: 50, outboundResolver: resolver } });
const workerRedis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerRedis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  alerts: { mailer: createMailer({ smtpUrl: null, from: 'alerts@hirebox.test', outboxDir: ctx.env.HIREBOX_DATA_DIR ?? '/tmp' }), nodeEnv: 'test', publicUrl: ctx.config.publicUrl, outbound: { allowLoopback: false, resolver } },
});
t.teardown(async () => {
  await running.close();
  workerRedis.disconnect();
});

const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
const PASSWORD = 'violet harbour compass 4';
const orgA = await orgs.createOrg({ name: 'Probe A', adminEmail: 'owner@probe-a.test', adminPassword: PASSWORD });
const orgB = await orgs.createOrg({ name: 'Probe B', adminEmail: 'owner@probe-b.test', adminPassword: PASSWORD });
const adminA = await createOrgWithMember(ctx, 'admin', orgA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin', orgB.orgId);

// Each settings write from its own address: the per-route rate limit (per IP) is not what is tested here.
let writes = 0;
const nextAddress = (): string => `203.0.113.${(writes += 1)}`;
const putAlerts = (m: Member, webhookUrl: string | null) =>
  ctx.app.inject({ method: 'PUT', url: '/api/v1/org/alerts', headers: m.headers, remoteAddress: nextAddress(), payload: { emails: [], webhookUrl, kinds: ['signin_burst'] } });
const putSso = (m: Member, issuer: string) =>
  ctx.app.inject({
    method: 'PUT',
    url: '/api/v1/org/sso',
    headers: m.headers,
    remoteAddress: nextAddress(),
    payload: { issuer, clientId: 'hirebox', clientSecret: 'a-client-secret-of-some-length', allowedDomains: ['probe-a.test'], defaultRole: 'recruiter', requireSso: false, trustIdpMfa: false, breakGlassUserId: null },
  });

const INTERNAL_WEBHOOKS = [
  'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
  `https://169.254.169.254:${PORT}/latest/meta-data/`,
  `https://127.1:${PORT}/hook`,
  `https://0x7f000001:${PORT}/hook`,
  `https://0x7f.1:${PORT}/hook`,
  `https://2130706433:${PORT}/hook`,
  `https://0177.0.0.1:${PORT}/hook`,
  `https://[::ffff:127.0.0.1]:${PORT}/hook`,
  `https://[::1]:${PORT}/hook`,
  `http://127.0.0.1:${PORT}/hook`,
  `http://localhost:${PORT}/hook`,
  `https://localhost.:${PORT}/hook`,
  `https://api.localhost:${PORT}/hook`,
  // IDN and full-width forms the URL parser maps onto loopback.
  `https://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ:${PORT}/hook`,
  `https://１２７.０.０.１:${PORT}/hook`,
  `https://127。0。0。1:${PORT}/hook`,
  `https://[0:0:0:0:0:ffff:7f00:1]:${PORT}/hook`,
  'https://10.0.0.1/hook',
  'https://172.16.5.4/hook',
  'https://192.168.1.1/hook',
  'https://100.64.0.1/hook',
  'https://0.0.0.0/hook',
  'https://[fd00:ec2::254]/latest/meta-data/',
  'https://[fe80::1]/hook',
  'https://[64:ff9b::a9fe:a9fe]/hook',
  'https://[2002:7f00:1::]/hook',
  `https://internal.example.test:${PORT}/hook`,
  'https://metadata.example.test/latest/meta-data/',
  'https://mixed.example.test/hook',
];

t.test('an admin cannot set the alert webhook to an internal address, in any notation', async (t) => {
  t.equal(ctx.config.outbound.allowLoopback, false, 'OUTBOUND_ALLOW_LOOPBACK is off by default');
  for (const url of INTERNAL_WEBHOOKS) {
    const res = await putAlerts(adminA, url);
    t.equal(res.statusCode, 400, `refused: ${url}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), { detail: 'The webhook address not allowed: it must be a public address.', errors: [{ path: 'body/webhookUrl', message: 'address not allowed' }] }, 'the same answer for every internal address');
  }
  const stored = await ctx.app.inject({ method: 'GET', url: '/api/v1/org/alerts', headers: adminA.headers });
  t.equal(stored.json<{ webhookUrl: string | null }>().webhookUrl, null, 'nothing was stored');
  t.equal(connections, 0, 'nothing connected to the loopback listener');
});

t.test('a name that rebinds to an internal address after the save is refused at delivery, with the same status for every internal host', async (t) => {
  t.equal((await putAlerts(adminA, `https://rebind-a.example.test:${PORT}/hook`)).statusCode, 200, 'the name answered a public address when saved');
  t.equal((await putAlerts(adminB, 'https://rebind-b.example.test/hook')).statusCode, 200);
  const burst = async (email: string, ipBase: number) => {
    for (let i = 0; i < 5; i++) {
      await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: `wrong ${i}` }, headers: { origin: ORIGIN }, remoteAddress: `198.51.100.${ipBase + i}` });
    }
  };
  await burst('owner@probe-a.test', 10);
  await burst('owner@probe-b.test', 20);
  const failed = (orgId: string) =>
    until(
      'final failure',
      async () => {
        const row = await ctx.db.withTenant(orgId, async (q) => (await q.query<{ webhook_status: string; last_error: string | null }>("SELECT webhook_status, last_error FROM alerts WHERE kind = 'signin_burst'")).rows[0]);
        return row?.webhook_status === 'failed' ? row : null;
      },
      20_000,
    );
  const rowA = await failed(orgA.orgId);
  const rowB = await failed(orgB.orgId);
  t.equal(rowA.last_error, 'webhook: refused: address not allowed', 'loopback (where something listens): refused');
  t.equal(rowB.last_error, rowA.last_error, 'private address (where nothing listens): the very same words');
  t.ok((lookups.get('rebind-a.example.test') ?? 0) >= 2, 'the delivery resolved the name again, through the guard');
  const view = await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts', headers: adminA.headers });
  t.match(view.json(), { items: [{ kind: 'signin_burst', webhookStatus: 'failed' }] }, 'the admin sees a failed delivery, nothing about the host');
  t.equal(connections, 0, 'nothing connected to the loopback listener');
});

t.test('an SSO issuer on loopback is refused while the setting is off, and a rebinding issuer never gets a connection', async (t) => {
  for (const issuer of [`http://127.0.0.1:${PORT}`, `http://localhost:${PORT}`, `https://[::ffff:7f00:1]:${PORT}`, `https://169.254.169.254`, `https://internal.example.test:${PORT}`]) {
    const res = await putSso(adminA, issuer);
    t.equal(res.statusCode, 400, `refused: ${issuer}`);
    t.match(res.json(), { errors: [{ path: 'body/issuer', message: 'address not allowed' }] });
  }
  t.match((await ctx.app.inject({ method: 'GET', url: '/api/v1/org/sso', headers: adminA.headers })).json(), { configured: false, issuer: null }, 'nothing was stored');

  t.equal((await putSso(adminA, `https://rebind-sso.example.test:${PORT}`)).statusCode, 200, 'public when saved');
  const { rows } = await ctx.db.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [orgA.orgId]);
  const start = await ctx.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${rows[0]?.slug ?? ''}/start` });
  t.equal(start.statusCode, 503, 'discovery is refused: the provider "could not be reached"');
  t.match(start.headers['content-type'], /^application\/problem\+json/);
  t.notMatch(start.body, /127\.0\.0\.1|refused|rebind/, 'nothing about the address in the answer');
  t.equal(lookups.get('rebind-sso.example.test'), 2, 'discovery resolved the issuer through the guard (and got loopback)');
  t.equal(connections, 0, 'nothing connected to the loopback listener');
});
