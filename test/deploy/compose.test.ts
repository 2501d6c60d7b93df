// Invariants of the container deployment. Each assertion names the rule it guards, so an
// edit to docker-compose.yml, the override, the Dockerfiles or deploy/secrets.sh that
// weakens one fails CI. No Docker engine is needed: the files are parsed, the compose
// client validates them when present, and the secrets script runs for real.
import t from 'tap';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { imageMemoryEnv } from '../bench/processes.js';
import { background, deployDir, freePort, haveCommand, repoRoot, run, tempDir, waitFor } from './lib.js';

type Dict = Record<string, unknown>;
type TT = Parameters<Parameters<typeof t.test>[0]>[0];

async function loadYaml(file: string): Promise<Dict> {
  return parse(await readFile(join(repoRoot, file), 'utf8'), { merge: true }) as Dict;
}

function asDict(v: unknown): Dict {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : {};
}

function names(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : String(asDict(x).source ?? '')));
  return Object.keys(asDict(v));
}

function envOf(svc: Dict): Dict {
  const env = svc.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.split('=').slice(1).join('=')]));
  }
  return asDict(env);
}

/** *_FILE settings that name a plain, non-secret file (the trust page's evidence), not a credential. */
const NOT_SECRET_FILES = new Set(['TRUST_FIREWALL_LISTING_FILE', 'TRUST_SELF_CA_FILE']);

/** Environment names whose value is a credential and must therefore come from a file. */
const SECRET_ENV = /^(DATABASE_URL|MIGRATION_DATABASE_URL|REDIS_URL|SMTP_URL|OPENAI_API_KEY|VAPI_API_KEY|POSTGRES_PASSWORD|REDIS_PASSWORD|MASTER_KEY|AUDIT_SIGNING_KEY)$|PASSWORD|SECRET|TOKEN|PRIVATE|API_KEY/;

const EXPECTED_SERVICES = ['app', 'caddy', 'migrate', 'postgres', 'redis', 'worker'];

function checkHardening(tt: TT, services: Dict, label: string): void {
  for (const [name, raw] of Object.entries(services)) {
    const svc = asDict(raw);
    const user = String(svc.user ?? '');
    tt.ok(user !== '' && !/^(0|root)(:|$)/.test(user), `${label}: ${name} runs as a non-root user (${user || 'unset'})`);
    tt.equal(svc.read_only, true, `${label}: ${name} has a read-only root filesystem`);
    tt.ok(names(svc.cap_drop).includes('ALL'), `${label}: ${name} drops all capabilities`);
    tt.same(names(svc.cap_add), [], `${label}: ${name} adds no capabilities back`);
    tt.ok(
      (svc.security_opt as string[] | undefined)?.some((o) => /^no-new-privileges(:true)?$/.test(o)),
      `${label}: ${name} sets no-new-privileges`,
    );
    tt.notOk(svc.privileged, `${label}: ${name} is not privileged`);
    tt.notOk(svc.network_mode, `${label}: ${name} uses its compose networks, not another mode`);
    tt.notOk(svc.pid ?? svc.ipc, `${label}: ${name} shares no host namespace`);
    tt.ok(svc.mem_limit, `${label}: ${name} has a memory limit`);
    const hc = asDict(svc.healthcheck);
    if (name === 'migrate' || name === 'demo-seed') {
      tt.equal(svc.restart, 'no', `${label}: ${name} is one-shot`);
    } else {
      tt.ok(Array.isArray(hc.test) && hc.test.length > 1 && !hc.disable, `${label}: ${name} has a healthcheck`);
      tt.match(String(svc.restart), /^(unless-stopped|always)$/, `${label}: ${name} restarts`);
    }
    for (const v of (svc.volumes as unknown[] | undefined) ?? []) {
      const spec = String(v);
      const source = spec.split(':')[0] ?? '';
      if (source.startsWith('.') || source.startsWith('/')) {
        tt.ok(spec.endsWith(':ro'), `${label}: ${name} bind mount ${source} is read-only`);
        tt.notOk(/docker\.sock/.test(spec), `${label}: ${name} does not mount the Docker socket`);
      }
    }
    const env = envOf(svc);
    const mounted = names(svc.secrets);
    for (const [key, value] of Object.entries(env)) {
      if (NOT_SECRET_FILES.has(key)) {
        tt.notMatch(String(value), /^\/run\/secrets\//, `${label}: ${name} ${key} names a plain file, not a secret`);
      } else if (key.endsWith('_FILE')) {
        const m = /^\/run\/secrets\/([a-z_]+)$/.exec(String(value));
        tt.ok(m, `${label}: ${name} ${key} points into /run/secrets`);
        if (m?.[1]) tt.ok(mounted.includes(m[1]), `${label}: ${name} mounts the secret ${m[1]} it reads`);
      } else {
        tt.notOk(SECRET_ENV.test(key), `${label}: ${name} ${key} is not given inline (use ${key}_FILE)`);
      }
    }
  }
}

t.test('docker-compose.yml keeps its security invariants', async (tt) => {
  const doc = await loadYaml('docker-compose.yml');
  const services = asDict(doc.services);
  tt.same(Object.keys(services).sort(), EXPECTED_SERVICES, 'the six services');

  checkHardening(tt, services, 'production');

  for (const [name, raw] of Object.entries(services)) {
    const svc = asDict(raw);
    if (name === 'caddy') {
      tt.same(svc.ports, ['443:443/tcp', '443:443/udp'], 'caddy publishes exactly 443/tcp and 443/udp');
    } else {
      tt.notOk(svc.ports, `${name} publishes no port`);
    }
  }

  const networks = asDict(doc.networks);
  tt.equal(asDict(networks.backend).internal, true, 'backend network is internal');
  tt.equal(asDict(networks.edge).internal, true, 'edge network is internal (caddy <-> app only)');
  const on = (svc: string): string[] => names(asDict(services[svc]).networks).sort();
  tt.same(on('postgres'), ['backend'], 'postgres is only on the internal backend network');
  tt.same(on('redis'), ['backend'], 'redis is only on the internal backend network');
  tt.same(on('app'), ['backend', 'edge'], 'app is on edge and backend, with no route out');
  tt.same(on('worker'), ['backend', 'egress'], 'worker is on backend and egress');
  tt.same(on('migrate'), ['backend'], 'migrate is only on backend');
  tt.same(on('caddy'), ['edge', 'ingress'], 'caddy is on ingress and edge');
  const users = (net: string): string[] =>
    Object.keys(services).filter((s) => names(asDict(services[s]).networks).includes(net));
  tt.same(users('egress'), ['worker'], 'only the worker reaches the internet for APIs');
  tt.same(users('ingress'), ['caddy'], 'only caddy is on the published network');

  const caddyIp = String(asDict(asDict(asDict(services.caddy).networks).edge).ipv4_address);
  const subnet = String(asDict((asDict(asDict(networks.edge).ipam).config as unknown[])[0]).subnet);
  tt.equal(caddyIp.split('.').slice(0, 3).join('.'), subnet.split('.').slice(0, 3).join('.'), 'caddy address is in the edge subnet');
  for (const s of ['app', 'worker', 'migrate']) {
    tt.equal(envOf(asDict(services[s])).TRUST_PROXY, caddyIp, `${s} trusts X-Forwarded-* from caddy only`);
    tt.equal(envOf(asDict(services[s])).NODE_ENV, 'production', `${s} runs in production mode`);
    tt.equal(envOf(asDict(services[s])).AI_PROVIDER, 'openai', `${s} uses the real AI provider in production`);
  }

  const secrets = asDict(doc.secrets);
  tt.ok(Object.keys(secrets).length >= 8, 'secrets are declared');
  for (const [name, def] of Object.entries(secrets)) {
    tt.same(Object.keys(asDict(def)), ['file'], `secret ${name} comes from a file`);
    tt.ok(String(asDict(def).file).endsWith(`/${name}`), `secret ${name} file is named after it`);
  }
  for (const [name, raw] of Object.entries(services)) {
    for (const s of names(asDict(raw).secrets)) tt.ok(s in secrets, `${name}: secret ${s} is declared`);
  }

  const dependsOn = (svc: string): Dict => asDict(asDict(services[svc]).depends_on);
  for (const s of ['app', 'worker']) {
    tt.equal(asDict(dependsOn(s).migrate).condition, 'service_completed_successfully', `${s} waits for migrations`);
    tt.equal(asDict(dependsOn(s).postgres).condition, 'service_healthy', `${s} waits for a healthy postgres`);
    tt.equal(asDict(dependsOn(s).redis).condition, 'service_healthy', `${s} waits for a healthy redis`);
  }
  tt.equal(asDict(dependsOn('migrate').postgres).condition, 'service_healthy', 'migrate waits for postgres');

  // Image names are overridable (${VAR:-default}); the defaults are what production pulls.
  const image = (s: string): string => String(asDict(services[s]).image).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
  tt.equal(image('app'), image('worker'), 'app and worker run the same image');
  tt.equal(image('app'), image('migrate'), 'migrations run from the same image');
  const cmd = (s: string): string => (asDict(services[s]).command as string[]).join(' ');
  tt.equal(cmd('app'), 'node dist/server/main.js');
  tt.equal(cmd('worker'), 'node dist/worker/main.js');
  tt.equal(cmd('migrate'), 'node dist/server/cli.js migrate');

  const pgMajor = Number(/^(?:hirebox-)?postgres:(\d+)/.exec(image('postgres'))?.[1]);
  tt.ok(pgMajor >= 15, `postgres is 15 or newer (${pgMajor})`);
  // Point-in-time recovery (issue 18): WAL archived through pgBackRest into an encrypted
  // repository on its own volume, the passphrase from a secret file.
  const pg = asDict(services.postgres);
  tt.equal(asDict(pg.build).context, 'deploy/postgres', 'postgres is built with pgBackRest (deploy/postgres/Dockerfile)');
  const pgCmd = (pg.command as string[]).join(' ');
  tt.match(pgCmd, /-c archive_mode=on\b/, 'WAL archiving is on');
  tt.match(pgCmd, /-c archive_command=hirebox-pgbackrest archive-push %p\b/, 'WAL goes to pgBackRest');
  const archiveTimeout = Number(/-c archive_timeout=(\d+)/.exec(pgCmd)?.[1]);
  tt.ok(archiveTimeout > 0 && archiveTimeout <= 300, `archive_timeout ${archiveTimeout} s bounds the RPO at 5 minutes or less`);
  const pgEnv = envOf(pg);
  tt.equal(pgEnv.PGBACKREST_REPO1_CIPHER_TYPE, 'aes-256-cbc', 'the pgBackRest repository is encrypted');
  tt.notOk(Object.keys(pgEnv).some((k) => /CIPHER_PASS/.test(k)), 'the repository passphrase is not in the compose file');
  tt.ok(names(pg.secrets).includes('pgbackrest_cipher_pass'), 'the passphrase comes from a secret file');
  tt.ok((pg.volumes as string[]).includes('pgbackrest:/var/lib/pgbackrest'), 'the repository is on its own named volume');
  const pgDockerfile = await readFile(join(repoRoot, 'deploy', 'postgres', 'Dockerfile'), 'utf8');
  tt.match(pgDockerfile, /^ARG POSTGRES_IMAGE=postgres:16-bookworm/m, 'production postgres is the official Debian image');
  tt.match(pgDockerfile, /apt-get install -y --no-install-recommends pgbackrest/, "pgBackRest from Debian's packages");
  tt.match(pgDockerfile, /usermod -u 70 /, 'the postgres user keeps uid 70 (volumes and secret files of earlier releases)');
  tt.match(pgDockerfile, /^USER 70:70$/m, 'postgres runs as uid 70');
  tt.match(image('redis'), /^redis:7\b/, 'redis 7');
  const redisCmd = cmd('redis');
  tt.match(redisCmd, /--maxmemory-policy noeviction/, 'redis never evicts queue data');
  tt.match(redisCmd, /--appendonly yes/, 'redis keeps an append-only file');
  tt.match(redisCmd, /--aclfile \/run\/secrets\/redis_acl/, 'redis requires a password from its ACL secret');
  tt.notMatch(redisCmd, /requirepass/, 'no password on the redis command line');

  const volumes = asDict(doc.volumes);
  for (const [svc, mount] of [['postgres', '/var/lib/postgresql/data'], ['redis', '/data'], ['caddy', '/data']] as const) {
    const vols = (asDict(services[svc]).volumes as string[]).map(String);
    const named = vols.find((v) => v.endsWith(`:${mount}`))?.split(':')[0];
    tt.ok(named && named in volumes, `${svc} keeps ${mount} on a named volume`);
  }
});

t.test('Prometheus metrics stay on the backend network: bound to a backend alias, not published, not proxied', async (tt) => {
  const doc = await loadYaml('docker-compose.yml');
  const services = asDict(doc.services);
  for (const [svc, portKey] of [
    ['app', 'METRICS_PORT'],
    ['worker', 'WORKER_METRICS_PORT'],
  ] as const) {
    const s = asDict(services[svc]);
    const env = envOf(s);
    const host = String(env.METRICS_HOST ?? '');
    tt.ok(/^\d+$/.test(String(env[portKey] ?? '')), `${svc} serves metrics on ${portKey}`);
    tt.notSame(String(env[portKey]), String(env.PORT), `${svc}: the metrics port is not the public port`);
    tt.same(asDict(asDict(s.networks).backend).aliases, [host], `${svc}: METRICS_HOST (${host}) is its alias on backend only`);
    for (const [net, def] of Object.entries(asDict(s.networks))) if (net !== 'backend') tt.notOk(asDict(def).aliases, `${svc}: no alias on ${net}`);
    tt.notOk(s.ports ?? s.expose, `${svc}: the metrics port is neither published nor exposed`);
  }
  const caddyfile = await readFile(join(repoRoot, 'Caddyfile'), 'utf8');
  tt.notMatch(caddyfile, /metrics|9464/, 'Caddy proxies nothing to a metrics listener');
  tt.equal(envOf(asDict(services.caddy)).UPSTREAM, 'app:3000', 'Caddy proxies the public port only');
});

t.test("the trust page's ports line reads the playbook's firewall listing, mounted read-only; a laptop gets none", async (tt) => {
  const doc = await loadYaml('docker-compose.yml');
  const dev = await loadYaml('docker-compose.override.yml');
  const role = await readFile(join(repoRoot, 'deploy', 'roles', 'firewall', 'defaults', 'main.yml'), 'utf8');
  const roleDir = /^hirebox_firewall_listing_dir: (\S+)$/m.exec(role)?.[1];
  tt.equal(roleDir, '/var/lib/hirebox/firewall', "the firewall role writes its listing where compose's default mount looks");
  for (const name of ['app', 'worker']) {
    const svc = asDict(asDict(doc.services)[name]);
    const mount = ((svc.volumes as unknown[] | undefined) ?? []).map(String).find((v) => v.includes(':/run/hirebox/firewall'));
    tt.equal(mount, '${HIREBOX_FIREWALL_LISTING_DIR:-/var/lib/hirebox/firewall}:/run/hirebox/firewall:ro', `${name} mounts the host's firewall listing directory read-only`);
    tt.equal(envOf(svc).TRUST_FIREWALL_LISTING_FILE, '/run/hirebox/firewall/ruleset.nft', `${name} reads ruleset.nft from it`);
    const devSvc = asDict(asDict(dev.services)[name]);
    tt.same((devSvc.volumes as unknown[]).map(String), ['no_firewall_listing:/run/hirebox/firewall:ro'], `the override replaces ${name}'s host mount (the laptop has no such directory)`);
  }
  tt.ok('no_firewall_listing' in asDict(dev.volumes), 'the override declares its empty stand-in volume');
});

t.test('the development override stays local and keeps the hardening', async (tt) => {
  const base = await loadYaml('docker-compose.yml');
  const dev = await loadYaml('docker-compose.override.yml');
  const devServices = asDict(dev.services);
  const baseServices = asDict(base.services);
  tt.same(Object.keys(devServices).filter((n) => !(n in baseServices)), ['demo-seed'], 'the only service of its own is the one-shot demo-seed');
  for (const [name, raw] of Object.entries(devServices)) {
    const svc = asDict(raw);
    // Services of docker-compose.yml keep their hardening; demo-seed, which exists only here,
    // brings its own and is checked with every other service in the merged file below.
    if (name in baseServices) {
      for (const key of ['privileged', 'cap_add', 'network_mode', 'read_only', 'user', 'security_opt', 'cap_drop', 'networks', 'secrets']) {
        tt.notOk(key in svc, `override does not change ${name}.${key}`);
      }
    }
    if (name !== 'caddy') tt.notOk(svc.ports, `override publishes no port for ${name}`);
    for (const key of Object.keys(envOf(svc))) tt.notOk(SECRET_ENV.test(key), `override sets no secret inline (${name}.${key})`);
  }
  tt.same(asDict(devServices.caddy).ports, ['127.0.0.1:8080:80/tcp'], 'dev http port is bound to localhost only');
  tt.equal(envOf(asDict(devServices.caddy)).TLS_MODE, 'off', 'dev serves plain http');
  tt.notOk(dev.secrets ?? dev.networks, 'override defines no secrets or networks of its own');
  const seed = asDict(devServices['demo-seed']);
  tt.same(seed.command, ['node', 'dist/ops/scripts/demo.js', '--seed-only'], "demo-seed runs the image's built demo seed");
  tt.same(names(seed.networks), ['backend'], 'demo-seed is only on the internal backend network');
  tt.equal(asDict(asDict(seed.depends_on).migrate).condition, 'service_completed_successfully', 'demo-seed runs after migrate');
  tt.equal(envOf(seed).NODE_ENV, 'development', 'demo-seed runs in development mode (the seed refuses production)');
  tt.ok(asDict(base.services).caddy, 'base file still parses');
});

t.test('docker compose validates both files', async (tt) => {
  const secretsDir = await tempDir(tt, 'compose-secrets');
  const gen = await run('bash', [join(deployDir, 'secrets.sh'), '--dev', secretsDir]);
  tt.equal(gen.code, 0, 'dev secrets generated');
  const env = { ...process.env, HIREBOX_SECRETS_DIR: secretsDir, DOMAIN: 'hire.example.com', ACME_EMAIL: 'ops@example.com' };
  const clients: Array<[string, string[]]> = [];
  if ((await run('docker', ['compose', 'version'])).code === 0) clients.push(['docker', ['compose']]);
  if (await haveCommand('docker-compose')) clients.push(['docker-compose', []]);
  if (clients.length === 0) {
    tt.pass('compose validation', { skip: 'no compose client (docker compose plugin or docker-compose) installed' });
    return;
  }
  for (const [cmd, pre] of clients) {
    const prod = await run(cmd, [...pre, '-f', 'docker-compose.yml', 'config', '-q'], { env });
    tt.equal(prod.code, 0, `${cmd} ${pre.join(' ')} config accepts docker-compose.yml\n${prod.stderr}`);
    const merged = await run(cmd, [...pre, 'config'], { env });
    tt.equal(merged.code, 0, `${cmd} ${pre.join(' ')} config accepts the file with the dev override\n${merged.stderr}`);
    const mergedDoc = parse(merged.stdout) as Dict;
    const services = asDict(mergedDoc.services);
    // The merged development stack still satisfies every hardening rule.
    checkHardening(tt, services, `merged dev (${cmd})`);
    tt.equal(envOf(asDict(services.app)).NODE_ENV, 'development', 'dev override applies');
  }
});

t.test('Dockerfiles: multi-stage, non-root, no toolchain or secrets in the runtime', async (tt) => {
  const text = await readFile(join(repoRoot, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);
  tt.ok(stages.length >= 3, 'multi-stage build');
  const runtime = stages.at(-1) ?? '';
  tt.match(runtime, /^\S+ AS runtime/, 'last stage is the runtime');
  tt.notMatch(runtime, /^FROM .* AS toolchain|python3|g\+\+|build-essential|apt-get install/m, 'runtime installs no compilers');
  tt.match(runtime, /^USER 10001:10001$/m, 'runtime runs as uid 10001');
  tt.match(runtime, /^HEALTHCHECK .*\n?.*\/healthz/m, 'runtime has a HEALTHCHECK on /healthz');
  tt.match(runtime, /rm -rf [^\n]*\/usr\/local\/lib\/node_modules\/npm/, 'npm is removed from the runtime');
  tt.notMatch(runtime, /^COPY (?!--from=)/m, 'runtime copies only from earlier stages');
  tt.match(runtime, /COPY --from=deps \/src\/node_modules/, 'runtime node_modules come from the production-only stage');
  const deps = stages.find((st) => st.startsWith('toolchain AS deps')) ?? '';
  tt.match(deps, /^COPY package\.json package-lock\.json \.\/$/m, 'deps stage sees only the manifests');
  tt.match(deps, /with-ca npm ci --omit=dev$/m, 'deps stage installs production dependencies only');
  tt.match(runtime, /rm -rf [^\n]*\/usr\/bin\/apt [^\n]*\/usr\/bin\/dpkg /, 'apt and dpkg are removed from the runtime');
  tt.match(text, /^ARG NODE_IMAGE=node:24-bookworm-slim@sha256:[0-9a-f]{64}$/m, 'production base is Node 24 pinned by digest');
  // The proxy CA reaches npm only as a build secret mounted for one RUN, never COPY/ARG/ENV.
  for (const line of text.split('\n').filter((l) => /\bnpm (ci|install)\b/.test(l) && !l.startsWith('#'))) tt.match(line, /with-ca npm/, `npm reaches the registry through with-ca: ${line.trim()}`);
  tt.equal((text.match(/--mount=type=secret,id=ca,required=false/g) ?? []).length, 3, 'each npm/apt RUN of the toolchain mounts the CA secret');
  tt.notMatch(text, /^(ARG|ENV)\s+\S*(CA_CERT|CAFILE|EXTRA_CA)/im, 'no CA passed as build arg or env');
  tt.notMatch(text, /^(ARG|ENV)\s+\S*(SECRET|PASSWORD|TOKEN|API_KEY|DATABASE_URL)/im, 'no secrets passed as build args or env');

  const ignore = (await readFile(join(repoRoot, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim());
  for (const p of ['.git', '.secrets', '.env', '.env.*', 'node_modules', 'dist', '.data', '*.pem', '*.key']) {
    tt.ok(ignore.includes(p), `.dockerignore keeps ${p} out of the build context`);
  }

  const caddyfile = await readFile(join(deployDir, 'caddy', 'Dockerfile'), 'utf8');
  tt.match(caddyfile, /setcap -r \/usr\/bin\/caddy/, 'caddy binary loses its file capability (cap_drop ALL + no-new-privileges)');
  tt.match(caddyfile, /^USER 10002:10002$/m, 'caddy runs as uid 10002');
  tt.match(caddyfile, /^HEALTHCHECK /m, 'caddy image has a HEALTHCHECK');
});

t.test('app and worker run with two glibc malloc arenas and a bounded young generation, in the image, in compose and in the soak', async (tt) => {
  // Without them each libuv thread that ever ran an argon2 hash kept 19 MiB resident, and
  // V8's young generation swung RSS by up to 128 MiB: the app's RSS grew 13.8% after warm-up
  // in npm run soak (issue 19).
  const text = await readFile(join(repoRoot, 'Dockerfile'), 'utf8');
  const runtime = text.split(/^FROM /m).at(-1) ?? '';
  const envInstructions = runtime.replaceAll('\\\n', ' ').split('\n').filter((l) => l.startsWith('ENV ')).join('\n');
  tt.match(envInstructions, /\sMALLOC_ARENA_MAX=2(\s|$)/, 'the runtime image sets MALLOC_ARENA_MAX=2 in its ENV');
  tt.match(envInstructions, /\sNODE_OPTIONS=--max-semi-space-size=16(\s|$)/, 'the runtime image bounds the young generation in its ENV');
  const services = asDict((await loadYaml('docker-compose.yml')).services);
  for (const name of ['app', 'worker', 'migrate']) {
    const env = envOf(asDict(services[name]));
    tt.equal(env.MALLOC_ARENA_MAX, '2', `${name} sets MALLOC_ARENA_MAX=2 in docker-compose.yml`);
    tt.equal(env.NODE_OPTIONS, '--max-semi-space-size=16', `${name} bounds the young generation in docker-compose.yml`);
  }
  tt.same(
    imageMemoryEnv(),
    { MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--max-semi-space-size=16' },
    'the soak and floods benches start app and worker with the image memory settings',
  );
});

t.test('deploy/secrets.sh creates each secret once, root-only or for its one reader', async (tt) => {
  const dir = join(await tempDir(tt, 'secrets'), 's');
  const first = await run('bash', [join(deployDir, 'secrets.sh'), dir], {
    env: { ...process.env, HIREBOX_OPENAI_API_KEY: 'sk-test-not-a-key' },
  });
  tt.equal(first.code, 0, `first run succeeds ${first.stderr}`);
  const compose = await loadYaml('docker-compose.yml');
  const expectedOwner: Record<string, number> = { postgres_password: 70, pgbackrest_cipher_pass: 70, redis_acl: 999 };
  const before = new Map<string, number>();
  for (const name of Object.keys(asDict(compose.secrets))) {
    const st = await stat(join(dir, name));
    before.set(name, st.mtimeMs);
    tt.equal(st.mode & 0o777, 0o400, `${name} is mode 0400`);
    if (process.getuid?.() === 0) tt.equal(st.uid, expectedOwner[name] ?? 10001, `${name} is owned by its reader`);
  }
  tt.equal((await stat(dir)).mode & 0o777, 0o700, 'secrets directory is root-only');
  const second = await run('bash', [join(deployDir, 'secrets.sh'), dir]);
  tt.equal(second.code, 0);
  tt.equal(second.stdout, '', 'second run creates nothing');
  for (const [name, mtime] of before) tt.equal((await stat(join(dir, name))).mtimeMs, mtime, `${name} untouched on the second run`);

  const read = (n: string): Promise<string> => readFile(join(dir, n), 'utf8');
  tt.equal(await read('openai_api_key'), 'sk-test-not-a-key', 'operator-provided value is written');
  tt.equal(Buffer.from(await read('master_key'), 'base64').length, 32, 'master key is 32 random bytes, base64');
  tt.equal(Buffer.from(await read('pgbackrest_cipher_pass'), 'base64').length, 32, 'pgBackRest passphrase is 32 random bytes, base64');
  tt.match(await read('audit_signing_key'), /^-----BEGIN PRIVATE KEY-----/, 'audit signing key is a PEM private key');
  const ossl = await run('openssl', ['pkey', '-in', join(dir, 'audit_signing_key'), '-noout', '-text']);
  tt.match(ossl.stdout, /ED25519 Private-Key/, 'audit signing key is Ed25519');
  const pgPw = await read('postgres_password');
  tt.equal(await read('migration_database_url'), `postgres://hirebox:${pgPw}@postgres:5432/hirebox`, 'owner URL uses the postgres password');
  tt.match(await read('database_url'), /^postgres:\/\/hirebox_app:[0-9a-f]{64}@postgres:5432\/hirebox$/, 'app URL uses the hirebox_app role');
  tt.notOk((await read('database_url')).includes(pgPw), 'app role has its own password');

  // The ACL file is loaded by a real redis-server: the URL's password works, nothing else does.
  if (!(await haveCommand('redis-server'))) {
    tt.pass('redis ACL check', { skip: 'redis-server not installed' });
    return;
  }
  const redisDir = await tempDir(tt, 'redis');
  const port = await freePort();
  const redis = background(tt, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir,
    '--aclfile', join(dir, 'redis_acl'),
  ]);
  const cli = (...args: string[]): Promise<string> =>
    run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...args]).then((r) => (r.stdout + r.stderr).trim());
  await waitFor('redis', async () => /NOAUTH|PONG/.test(await cli('ping')), 10_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${redis.output()}`);
  });
  const url = await read('redis_url');
  tt.match(await cli('ping'), /NOAUTH/, 'redis refuses unauthenticated clients');
  tt.equal(await cli('-u', url.replace('@redis:6379', `@127.0.0.1:${port}`), 'set', 'k', 'v'), 'OK', 'the redis_url password works');
  tt.equal(await cli('--user', 'healthcheck', '--pass', 'ping', 'ping'), 'PONG', 'healthcheck user can PING');
  tt.match(await cli('--user', 'healthcheck', '--pass', 'ping', 'get', 'k'), /NOPERM/, 'healthcheck user can do nothing else');
});
