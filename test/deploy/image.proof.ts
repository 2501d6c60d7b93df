// The hirebox image as built by deploy/proof/images.sh, checked file by file (the image's
// filesystem is mounted read-only on the host, nothing in it runs for the listing) and run
// the way compose runs it: no compilers, no package managers, no secrets, non-root,
// read-only root filesystem, HEALTHCHECK kept, native argon2 loads on Node 24.
// Not a *.test.ts file: `npm test` does not run it; `npm run test:deploy` does.
import t from 'tap';
import { readFile, readdir, lstat } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { run } from './lib.js';

const IMAGE = `localhost/hirebox:${process.env.HIREBOX_VERSION ?? 'local'}`;

const mounted = await run('podman', ['image', 'mount', IMAGE]);
if (mounted.code !== 0) throw new Error(`podman image mount ${IMAGE}: ${mounted.stderr}`);
const root = mounted.stdout.trim();
t.teardown(() => run('podman', ['image', 'unmount', IMAGE]));

interface Entry {
  path: string;
  size: number;
  uid: number;
  mode: number;
  file: boolean;
  link: boolean;
}
const entries: Entry[] = [];
async function walk(dir: string): Promise<void> {
  for (const name of await readdir(join(root, dir))) {
    const rel = `${dir}/${name}`;
    const st = await lstat(join(root, rel));
    entries.push({ path: rel, size: st.size, uid: st.uid, mode: st.mode, file: st.isFile(), link: st.isSymbolicLink() });
    if (st.isDirectory()) await walk(rel);
  }
}
await walk('');

t.test('image size', async (tt) => {
  const size = Number((await run('podman', ['image', 'inspect', '--format', '{{.Size}}', IMAGE])).stdout.trim());
  tt.ok(size > 0 && size < 600_000_000, `${IMAGE} is ${(size / 1e6).toFixed(0)} MB (${entries.length} files and directories)`);
});

t.test('no compilers and no package managers', async (tt) => {
  const binDirs = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];
  const forbidden = ['gcc', 'cc', 'c++', 'g++', 'cpp', 'clang', 'make', 'ld', 'as', 'python3', 'npm', 'npx', 'yarn', 'corepack', 'node-gyp', 'apt', 'apt-get', 'apt-cache', 'dpkg', 'dpkg-deb', 'pip', 'pip3'];
  const inBin = (e: Entry): boolean => binDirs.some((d) => e.path.startsWith(`${d}/`));
  // gcc, x86_64-linux-gnu-gcc-12, g++-12, ... all count as the compiler they name.
  const tool = (e: Entry): string => (e.path.split('/').at(-1) ?? '').replace(/^x86_64-linux-gnu-/, '').replace(/-\d+$/, '');
  const present = entries.filter((e) => inBin(e) && forbidden.includes(tool(e))).map((e) => e.path);
  tt.same(present, [], 'no compiler, make, python, npm/npx/yarn/corepack or apt/dpkg binary');
  tt.notOk(entries.some((e) => e.path === '/usr/local/lib/node_modules/npm'), 'npm package removed');
  tt.notOk(entries.some((e) => e.path.startsWith('/usr/lib/gcc')), 'no gcc libraries');
  tt.ok(entries.some((e) => e.path === '/usr/local/bin/node'), 'node is there');
});

t.test('no secrets in any file', async (tt) => {
  const names = entries.filter((e) => e.file && /(^|\/)(\.npmrc|\.env|\.env\..*|id_rsa.*|id_ed25519.*|.*\.pem|.*\.key|master_key|audit_signing_key)$/.test(e.path) && !e.path.includes('/node_modules/'));
  tt.same(names.map((e) => e.path), [], 'no key, .env, .npmrc or secret-named file outside node_modules');
  tt.notOk(entries.some((e) => e.path.startsWith('/run/secrets/') || e.path === '/root/.npm' || e.path.startsWith('/usr/local/bin/with-ca')), 'no build secret mount, npm cache or build helper left');
  // The extra CAs this machine trusts beyond Node's own (the TLS-inspecting proxy's): passed to the build as a secret, so in no file of the image.
  const bundle = await readFile(process.env.HIREBOX_BUILD_CA ?? '/etc/ssl/certs/ca-certificates.crt', 'utf8').catch(() => '');
  const pems = bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const known = new Set(rootCertificates.map((c) => c.replace(/\s+/g, '')));
  const extra = pems.filter((p) => !known.has(p.replace(/\s+/g, ''))).map((p) => p.split('\n')[1] ?? '').filter((l) => l.length > 40);
  tt.ok(extra.length > 0 || pems.length === 0, `extra CAs of this machine to look for: ${extra.length}`);
  const hits: string[] = [];
  for (const e of entries) {
    if (!e.file || e.size > 2_000_000 || e.path.startsWith('/usr/share/') || e.path.startsWith('/proc')) continue;
    const text = await readFile(join(root, e.path), 'latin1').catch(() => '');
    if (/-----BEGIN (RSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/.test(text) && !e.path.includes('/node_modules/')) hits.push(`${e.path}: private key`);
    for (const line of extra) if (text.includes(line)) hits.push(`${e.path}: the build CA`);
  }
  tt.same(hits, [], 'no private key outside node_modules and the build CA nowhere');
});

t.test('code is owned by root and read-only for the app user', async (tt) => {
  const appFiles = entries.filter((e) => e.path.startsWith('/app/'));
  tt.ok(appFiles.length > 100, `${appFiles.length} entries under /app`);
  tt.same(appFiles.filter((e) => e.uid !== 0 || (!e.link && (e.mode & 0o002) !== 0)).map((e) => e.path).slice(0, 5), [], 'root-owned, not world-writable');
});

t.test('runs non-root on a read-only root filesystem, HEALTHCHECK kept, argon2 loads on Node 24', async (tt) => {
  const config = JSON.parse((await run('podman', ['image', 'inspect', '--format', '{{json .Config}}', IMAGE])).stdout) as { User: string };
  const health = JSON.parse((await run('podman', ['image', 'inspect', '--format', '{{json .HealthCheck}}', IMAGE])).stdout) as { Test?: string[] } | null;
  tt.equal(config.User, '10001:10001', 'image user');
  tt.match(health?.Test?.join(' ') ?? '', /healthz/, 'HEALTHCHECK kept (docker format)');
  const script = [
    "const fs = require('node:fs');",
    "let ro = 'writable'; try { fs.writeFileSync('/app/probe', 'x'); } catch (e) { ro = e.code; }",
    "let tmp = 'no'; try { fs.writeFileSync('/tmp/probe', 'x'); tmp = 'yes'; } catch {}",
    "import('argon2').then((a) => a.hash('proof', { type: a.argon2id })).then((h) => console.log(JSON.stringify({ uid: process.getuid(), node: process.version, ro, tmp, argon2: h.startsWith('$argon2id$') })));",
  ].join(' ');
  const r = await run('podman', ['run', '--rm', '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--network', 'none', IMAGE, 'node', '-e', script], { timeoutMs: 60_000 });
  tt.equal(r.code, 0, r.code === 0 ? 'container ran' : r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { uid: number; node: string; ro: string; tmp: string; argon2: boolean };
  tt.equal(out.uid, 10001, 'runs as uid 10001');
  tt.match(out.node, /^v24\./, 'Node 24');
  tt.equal(out.ro, 'EROFS', 'root filesystem is read-only');
  tt.equal(out.tmp, 'yes', '/tmp (tmpfs) is writable');
  tt.equal(out.argon2, true, 'native argon2 loads and hashes');
});
