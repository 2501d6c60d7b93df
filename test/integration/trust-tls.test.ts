// issue 23: the trust page's TLS/HSTS line, checked the way production checks it: the app
// connects to itself at PUBLIC_URL through a real Caddy (the repo's Caddyfile, `tls internal`).
// Breaking it: Caddy 2.6 cannot be configured to allow TLS 1.1 at all (its Caddyfile parser
// refuses "tls1.1", asserted below), so the line is broken (a) by a test Caddyfile without the
// HSTS header and (b) by an edge that does accept TLS 1.1 (a Node TLS server in Caddy's place).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../server/core/config.js';
import { createLogger } from '../../server/core/logger.js';
import { createChecks } from '../../server/modules/trust/checks.js';
import { createTrustService } from '../../server/modules/trust/service.js';
import { wireTrust } from '../../server/modules/trust/wire.js';
import { createKeyring } from '../../server/core/crypto.js';
import { handshake } from '../../server/modules/trust/probe.js';
import { background, freePort, repoRoot, tempDir, waitFor, testCaddyEnv } from '../deploy/lib.js';
import { buildTestApp } from '../helper.js';

type TT = Parameters<Parameters<typeof t.test>[0]>[0];
const DOMAIN = 'hirebox.test';

const ctx = await buildTestApp(t);
await ctx.app.listen({ host: '127.0.0.1', port: 0 });
const appPort = (ctx.app.server.address() as AddressInfo).port;

interface Edge {
  port: number;
  ca: Buffer | null;
}

async function startCaddy(tt: TT, caddyfile: string): Promise<Edge> {
  const dir = await tempDir(tt, 'trust-caddy');
  const port = await freePort();
  const admin = await freePort();
  const env = testCaddyEnv({ dir, domain: DOMAIN, httpsPort: port, adminPort: admin, upstream: `127.0.0.1:${appPort}` });
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, caddyfile);
  const proc = background(tt, 'caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { env, cwd: dir });
  const caPath = join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  const edge: Edge = { port, ca: null };
  await waitFor(
    'caddy to serve https',
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`caddy exited:\n${proc.output()}`);
      if (!existsSync(caPath)) return false;
      edge.ca = readFileSync(caPath);
      // Listening with its certificate issued: a TLS 1.3 handshake completes.
      return (await handshake({ publicUrl: new URL(`https://${DOMAIN}:${port}`), connect: { host: '127.0.0.1', port }, ca: edge.ca }, 'TLSv1.3')).ok;
    },
    30_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${proc.output()}`);
  });
  return edge;
}

function trustFor(edge: Edge) {
  const config: Config = { ...ctx.config, publicUrl: new URL(`https://${DOMAIN}:${edge.port}`), trust: { ...ctx.config.trust, selfConnect: { host: '127.0.0.1', port: edge.port } } };
  const checks = createChecks({
    db: ctx.db,
    config,
    audit: ctx.audit,
    docs: { facts: () => Promise.reject(new Error('unused')) },
    bias: { orgReportForTrust: () => Promise.reject(new Error('unused')) },
    clock: () => new Date(),
    selfCa: () => edge.ca,
  }).filter((c) => c.id === 'tls' || c.id === 'security_txt');
  return createTrustService({ db: ctx.db, checks, signingKey: ctx.config.auditSigningKey.reveal(), publicUrl: config.publicUrl, clock: () => new Date(), log: createLogger('silent') });
}

async function lines(edge: Edge): Promise<Record<string, { status: string; summary: string; evidence: Record<string, unknown> }>> {
  const trust = trustFor(edge);
  await trust.run({ force: true });
  const doc = await trust.installDocument();
  return Object.fromEntries(doc.lines.map((l) => [l.id, l]));
}

const caddyfile = readFileSync(join(repoRoot, 'Caddyfile'), 'utf8');

t.test('through the real Caddyfile: TLS 1.2/1.3 only, valid certificate, HSTS two years', async (t) => {
  const edge = await startCaddy(t, caddyfile);
  const l = await lines(edge);
  t.equal(l.tls?.status, 'pass', l.tls?.summary ?? '');
  t.same(l.tls?.evidence.accepted, ['TLS 1.2', 'TLS 1.3']);
  t.equal(l.tls?.evidence.hsts, 'max-age=63072000; includeSubDomains; preload');
  t.equal(l.security_txt?.status, 'pass', 'security.txt through Caddy too');
});

t.test('a test Caddyfile without HSTS flips only the TLS line, and back', async (t) => {
  const noHsts = caddyfile.replace(/^\s*Strict-Transport-Security .*$/m, '');
  t.not(noHsts, caddyfile, 'the HSTS line was removed');
  const broken = await startCaddy(t, noHsts);
  const l = await lines(broken);
  t.equal(l.tls?.status, 'fail');
  t.match(l.tls?.summary, /no Strict-Transport-Security/);
  t.equal(l.security_txt?.status, 'pass', 'the other line is unchanged');
  const fixed = await startCaddy(t, caddyfile);
  t.equal((await lines(fixed)).tls?.status, 'pass');
});

t.test('Caddy 2.6 refuses to allow TLS 1.1, so an edge that does is simulated', async (t) => {
  const dir = await tempDir(t, 'trust-tls11');
  const withOld = caddyfile.replace('protocols tls1.2 tls1.3\n\t}\n}\n\n(tls_off)', 'protocols tls1.1 tls1.3\n\t}\n}\n\n(tls_off)');
  t.not(withOld, caddyfile);
  writeFileSync(join(dir, 'Caddyfile'), withOld);
  const adapt = spawnSync('caddy', ['adapt', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, TLS_MODE: 'internal', DOMAIN } });
  t.not(adapt.status, 0);
  t.match(adapt.stderr, /tls1\.1/);

  // A self-signed certificate for the test domain, and a TLS edge accepting TLS 1.1 in Caddy's place.
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${DOMAIN}`, '-addext', `subjectAltName=DNS:${DOMAIN}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
  t.equal(gen.status, 0, 'openssl made a self-signed certificate');
  const cert = readFileSync(join(dir, 'cert.pem'));
  const serve = (minVersion: 'TLSv1.1' | 'TLSv1.2') =>
    new Promise<Server>((resolve) => {
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert, minVersion, ...(minVersion === 'TLSv1.1' ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}) }, (req, res) => {
        const up = httpRequest({ host: '127.0.0.1', port: appPort, path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, { ...r.headers, 'strict-transport-security': 'max-age=63072000; includeSubDomains; preload' });
          r.pipe(res);
        });
        up.on('error', () => res.writeHead(502).end());
        req.pipe(up);
      });
      server.listen(0, '127.0.0.1', () => resolve(server));
      t.teardown(() => new Promise<void>((done) => server.close(() => done())));
    });
  const old = await serve('TLSv1.1');
  const oldEdge = { port: (old.address() as AddressInfo).port, ca: cert };
  const broken = await lines(oldEdge);
  t.equal(broken.tls?.status, 'fail');
  t.match(broken.tls?.summary, /Outdated protocols are accepted: TLS 1\.1/);
  t.equal(broken.security_txt?.status, 'pass', 'the other line is unchanged');
  const modern = await serve('TLSv1.2');
  const fixed = await lines({ port: (modern.address() as AddressInfo).port, ca: cert });
  t.equal(fixed.tls?.status, 'pass', fixed.tls?.summary ?? '');
});

t.test('a certificate this install does not trust fails the line', async (t) => {
  const edge = await startCaddy(t, caddyfile);
  // Without TRUST_SELF_CA_FILE the system store is used, which does not hold Caddy's internal CA.
  const l = await lines({ port: edge.port, ca: null });
  t.equal(l.tls?.status, 'fail');
  t.match(l.tls?.summary, /certificate .* is not valid/);
});

t.test('TRUST_SELF_CA_FILE that appears after start-up (Caddy internal CA) is read at the next run', async (t) => {
  const edge = await startCaddy(t, caddyfile);
  const caFile = join(await tempDir(t, 'hirebox-trust-ca-'), 'caddy-root.crt');
  const config: Config = { ...ctx.config, publicUrl: new URL(`https://${DOMAIN}:${edge.port}`), trust: { ...ctx.config.trust, selfConnect: { host: '127.0.0.1', port: edge.port }, selfCaFile: caFile } };
  const trust = wireTrust({ db: ctx.db, config, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), clock: () => new Date(), logger: createLogger('silent'), audit: ctx.audit });
  const tlsLine = async () => {
    await trust.run({ force: true });
    return (await trust.installDocument()).lines.find((l) => l.id === 'tls');
  };
  t.equal((await tlsLine())?.status, 'fail', 'no CA file yet: the internal certificate is not trusted');
  writeFileSync(caFile, edge.ca as Buffer);
  t.equal((await tlsLine())?.status, 'pass', 'the same service trusts it once the file exists');
});
