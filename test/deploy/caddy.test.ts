// Runs the real Caddyfile with Caddy on loopback high ports (`tls internal`) in front of
// (a) a header-echo upstream, to see exactly what Caddy forwards and logs, and
// (b) the real app (dist/server/main.js), for HSTS on 200/404/502 and the TLS versions.
import t from 'tap';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { background, freePort, repoRoot, tempDir, waitFor, type Background, testCaddyEnv } from './lib.js';
import { provisionTestServices } from '../support/services.js';

/** A subtest, as tap hands it to the callback. */
type TT = Parameters<Parameters<typeof t.test>[0]>[0];

const HSTS = 'max-age=63072000; includeSubDomains; preload';
const DOMAIN = 'hirebox.test';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: string[];
  body: string;
}

interface Edge {
  port: number;
  ca: Buffer;
  proc: Background;
  get(path: string, opts?: { method?: string; headers?: Record<string, string>; body?: Buffer }): Promise<Reply>;
}

function headerCount(raw: string[], name: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === name) n++;
  return n;
}

async function startCaddy(
  tt: TT,
  upstream: string,
  extraEnv: Record<string, string> = {},
): Promise<Edge> {
  const dir = await tempDir(tt, 'caddy');
  const port = await freePort();
  const admin = await freePort();
  const env = { ...testCaddyEnv({ dir, domain: DOMAIN, httpsPort: port, adminPort: admin, upstream }), ...extraEnv };
  const proc = background(
    tt,
    'caddy',
    ['run', '--config', join(repoRoot, 'Caddyfile'), '--adapter', 'caddyfile'],
    { env, cwd: dir },
  );
  const caPath = join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  let ca = Buffer.alloc(0);
  const edge: Edge = {
    port,
    get ca() {
      return ca;
    },
    proc,
    get(path, opts = {}) {
      return new Promise<Reply>((resolveReply, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port,
            servername: DOMAIN,
            ca,
            path,
            method: opts.method ?? 'GET',
            headers: { host: DOMAIN, ...(opts.headers ?? {}) },
            agent: false,
          },
          (res: IncomingMessage) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolveReply({
                status: res.statusCode ?? 0,
                headers: res.headers,
                raw: res.rawHeaders,
                body: Buffer.concat(chunks).toString('latin1'),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.setTimeout(15_000, () => req.destroy(new Error('request timed out')));
        req.end(opts.body);
      });
    },
  };
  await waitFor(
    'caddy to serve https',
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`caddy exited:\n${proc.output()}`);
      if (!existsSync(caPath)) return false;
      ca = await readFile(caPath);
      await edge.get('/healthz');
      return true;
    },
    30_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${proc.output()}`);
  });
  return edge;
}

function tlsHandshake(
  port: number,
  version: SecureVersion,
  servername?: string,
): Promise<{ ok: true; protocol: string | null } | { ok: false; error: string }> {
  return new Promise((done) => {
    const sock = tlsConnect({
      host: '127.0.0.1',
      port,
      ...(servername ? { servername } : {}),
      minVersion: version,
      maxVersion: version,
      // Let the client offer old protocols at all, so that a refusal is the server's.
      ciphers: 'DEFAULT@SECLEVEL=0',
      rejectUnauthorized: false,
    });
    sock.setTimeout(5000, () => sock.destroy(new Error('handshake timed out')));
    sock.once('secureConnect', () => {
      const protocol = sock.getProtocol();
      sock.end();
      done({ ok: true, protocol });
    });
    sock.once('error', (err: Error & { code?: string }) => done({ ok: false, error: `${err.code ?? ''} ${err.message}` }));
  });
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bytes: number;
}

async function echoUpstream(tt: TT): Promise<{ port: number; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes });
      // An upstream that misbehaves: its own Server and HSTS headers must not get through.
      res.setHeader('Server', 'upstream/1.0');
      res.setHeader('Strict-Transport-Security', 'max-age=1');
      res.setHeader('Set-Cookie', 'sid=upstream-session-secret; HttpOnly');
      if (req.url === '/big') {
        res.setHeader('Content-Type', 'text/plain');
        res.end('hirebox '.repeat(4096));
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ bytes }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  tt.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('no address');
  return { port: addr.port, seen, server };
}

function assertEdgeHeaders(tt: TT, r: Reply, what: string): void {
  tt.equal(headerCount(r.raw, 'strict-transport-security'), 1, `${what}: exactly one HSTS header`);
  tt.equal(r.headers['strict-transport-security'], HSTS, `${what}: HSTS value is exact`);
  tt.equal(r.headers.server, undefined, `${what}: no Server header`);
}

t.test('Caddy in front of an echo upstream: forwarding, limits, compression and logs', async (tt) => {
  const up = await echoUpstream(tt);
  const edge = await startCaddy(tt, `127.0.0.1:${up.port}`, { MAX_BODY_SIZE: '1MB' });

  const r = await edge.get('/hello', {
    headers: {
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'evil.example',
    },
  });
  tt.equal(r.status, 200);
  assertEdgeHeaders(tt, r, '200 from upstream');
  const last = up.seen.at(-1);
  tt.equal(last?.headers['x-forwarded-for'], '127.0.0.1', 'a client-supplied X-Forwarded-For is replaced');
  tt.equal(last?.headers['x-forwarded-proto'], 'https', 'X-Forwarded-Proto is what Caddy saw');
  tt.equal(last?.headers['x-forwarded-host'], DOMAIN, 'X-Forwarded-Host is what Caddy saw');

  const wellKnown = await edge.get('/.well-known/security.txt');
  tt.equal(wellKnown.status, 200, '/.well-known/security.txt is forwarded');
  tt.equal(up.seen.at(-1)?.url, '/.well-known/security.txt', 'to the app, path unchanged');

  const big = await edge.get('/big', { headers: { 'accept-encoding': 'gzip' } });
  tt.equal(big.headers['content-encoding'], 'gzip', 'responses are compressed');

  const small = await edge.get('/upload', { method: 'POST', body: Buffer.alloc(200_000, 97) });
  tt.equal(small.status, 200, 'a body under the limit passes');
  const before = up.seen.length;
  const tooBig = await edge.get('/upload', { method: 'POST', body: Buffer.alloc(2_000_000, 97) });
  tt.equal(tooBig.status, 413, 'a body over the limit is refused with 413');
  assertEdgeHeaders(tt, tooBig, '413');
  tt.ok(
    up.seen.length === before || (up.seen.at(-1)?.bytes ?? 0) <= 1_000_000,
    'the upstream never receives more than the limit',
  );

  await edge.get('/i/inv_SECRETPATHTOKEN123?lang=en');
  await edge.get('/api/v1/x?token=SECRETQUERYTOKEN456&page=2', {
    headers: { cookie: 'sid=SECRETCOOKIE789', authorization: 'Bearer SECRETBEARER000', referer: `https://${DOMAIN}/i/inv_SECRETREFERER111` },
  });
  await waitFor('access log lines', async () => edge.proc.output().includes('page=2'), 5000);
  const lines = edge.proc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"http.log.access'));
  tt.ok(lines.length >= 4, 'access log lines are JSON on stdout');
  for (const l of lines) JSON.parse(l);
  const log = lines.join('\n');
  for (const secret of ['SECRETPATHTOKEN123', 'SECRETQUERYTOKEN456', 'SECRETCOOKIE789', 'SECRETBEARER000', 'SECRETREFERER111', 'upstream-session-secret']) {
    tt.notOk(log.includes(secret), `access log does not contain ${secret}`);
  }
  tt.ok(log.includes('/i/REDACTED?lang=en'), 'invite path is logged with the token redacted');
  tt.ok(log.includes('token=REDACTED&page=2'), 'token query parameter is redacted, others kept');
});

async function startApp(tt: TT): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  // The suite runs from the build (npm test compiles it first), so the built app is there.
  const main = join(repoRoot, 'dist', 'server', 'main.js');
  const dir = await tempDir(tt, 'app');
  const { writeFile } = await import('node:fs/promises');
  const { randomBytes, generateKeyPairSync } = await import('node:crypto');
  await writeFile(join(dir, 'master.key'), randomBytes(32), { mode: 0o400 });
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'audit.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o400 });
  const services = await provisionTestServices(tt);
  const proc = background(tt, process.execPath, [main], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `https://${DOMAIN}`,
      TRUST_PROXY: '127.0.0.1',
      DATABASE_URL: services.databaseUrl,
      MIGRATION_DATABASE_URL: services.migrationDatabaseUrl,
      REDIS_URL: services.redisUrl,
      REDIS_PREFIX: services.redisPrefix,
      AI_PROVIDER: 'simulated',
      MASTER_KEY_FILE: join(dir, 'master.key'),
      AUDIT_SIGNING_KEY_FILE: join(dir, 'audit.pem'),
    },
  });
  await waitFor(
    'the app to answer /healthz',
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`app exited:\n${proc.output()}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status === 200;
    },
    30_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${proc.output()}`);
  });
  return { port, stop: proc.stop };
}

t.test('Caddy in front of the app: TLS versions, HSTS on 200/404/502, no Server', async (tt) => {
  const app = await startApp(tt);
  const edge = await startCaddy(tt, `127.0.0.1:${app.port}`);

  for (const sni of [DOMAIN, undefined]) {
    const label = sni ? 'with SNI' : 'without SNI';
    for (const v of ['TLSv1', 'TLSv1.1'] as const) {
      const h = await tlsHandshake(edge.port, v, sni);
      tt.notOk(h.ok, `${v} is refused (${label})`);
      if (!h.ok) tt.match(h.error, /protocol version|unsupported protocol|handshake failure/i, `${v} refused by the server (${label})`);
    }
  }
  // Without SNI there is no certificate to offer (no site for a bare IP), so the
  // accepted versions are checked with the site's name.
  for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
    const h = await tlsHandshake(edge.port, v, DOMAIN);
    tt.same(h, { ok: true, protocol: v }, `${v} is accepted`);
  }

  const ok = await edge.get('/healthz');
  tt.equal(ok.status, 200, '/healthz through Caddy is 200');
  assertEdgeHeaders(tt, ok, '200');

  // The app's security.txt through Caddy.
  const sec = await edge.get('/.well-known/security.txt');
  tt.equal(sec.status, 200, 'security.txt through Caddy is 200');
  tt.match(String(sec.headers['content-type']), /^text\/plain/, 'as text/plain');
  tt.match(sec.body, /^Contact: mailto:/m, 'with a Contact field');
  assertEdgeHeaders(tt, sec, 'security.txt');

  const missing = await edge.get('/no/such/route');
  tt.equal(missing.status, 404, 'unknown route is 404');
  tt.match(String(missing.headers['content-type']), /application\/problem\+json/, '404 is the app problem+json');
  assertEdgeHeaders(tt, missing, '404');

  await app.stop();
  const down = await edge.get('/healthz');
  tt.equal(down.status, 502, 'with the app stopped Caddy answers 502');
  tt.match(String(down.headers['content-type']), /application\/problem\+json/, '502 is problem+json');
  tt.same(JSON.parse(down.body), { type: 'about:blank', title: 'Bad Gateway', status: 502 });
  assertEdgeHeaders(tt, down, '502');
});
