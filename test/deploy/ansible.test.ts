// The Ansible side of the deployment: syntax, lint, and the rendered host configuration
// checked with the real tools. The firewall ruleset is loaded into network namespaces
// made here and probed over IPv4 and IPv6, including a simulated Docker port publish.
import t from 'tap';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { background, deployDir, run, tempDir, waitFor } from './lib.js';

type TT = Parameters<Parameters<typeof t.test>[0]>[0];

const isRoot = process.getuid?.() === 0;

t.test('playbook syntax and ansible-lint', async (tt) => {
  const syntax = await run('ansible-playbook', ['-i', 'inventory.example.ini', '--syntax-check', 'site.yml'], { cwd: deployDir });
  tt.equal(syntax.code, 0, `ansible-playbook --syntax-check\n${syntax.stdout}${syntax.stderr}`);
  const lint = await run('ansible-lint', ['--offline', '--nocolor', '-q', 'site.yml', 'roles', 'tests'], { cwd: deployDir, timeoutMs: 110_000 });
  tt.equal(lint.code, 0, `ansible-lint is clean\n${lint.stdout}${lint.stderr}`);
});

// An age public key (the format only: nothing is encrypted to it here).
const BACKUP_RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

async function render(tt: TT): Promise<string> {
  // Removed when the file ends: the subtests after the render read it.
  const dir = await tempDir(t, 'render');
  const keyDir = join(dir, 'keys');
  await mkdir(keyDir);
  const keys = [];
  for (const type of ['ed25519', 'rsa']) {
    const path = join(keyDir, `ssh_host_${type}_key`);
    const k = await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
    tt.equal(k.code, 0, `host key ${type} generated`);
    keys.push(path);
  }
  const vars = JSON.stringify({
    render_dir: dir,
    hirebox_domain: 'hire.example.com',
    hirebox_acme_email: 'ops@example.com',
    hirebox_mail_from: 'hirebox@example.com',
    hirebox_ssh_host_keys: keys,
    hirebox_backup_age_recipients: [BACKUP_RECIPIENT],
  });
  const r = await run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', 'tests/render.yml', '-e', vars], {
    cwd: deployDir,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
  });
  tt.equal(r.code, 0, `templates rendered\n${r.stdout}${r.stderr}`);
  return dir;
}

// One render serves the subtests below: they only read what it wrote, and each render is a
// full ansible-playbook run (~25 s of a loaded 2-core machine; three of them made this file
// one of the suite's slowest). Subtests run in order, so it is there before they start.
let rendered = '';
t.test('the host templates render (once, for the subtests below)', async (tt) => {
  rendered = await render(tt);
});
/** The render's directory; a subtest after a failed render fails saying so, not on a missing file. */
function renderedDir(): string {
  if (!rendered) throw new Error('the host templates did not render (see the render subtest above)');
  return rendered;
}

t.test('rendered sshd_config passes sshd -t and says what we mean', async (tt) => {
  const dir = renderedDir();
  const conf = join(dir, 'sshd_config');
  // sshd insists on its privilege separation directory even for a config test.
  if (!existsSync('/run/sshd') && isRoot) {
    await mkdir('/run/sshd', { mode: 0o755 });
    tt.teardown(() => rm('/run/sshd', { recursive: true, force: true }));
  }
  const check = await run('/usr/sbin/sshd', ['-t', '-f', conf]);
  tt.equal(check.code, 0, `sshd -t accepts the config\n${check.stderr}`);
  const dump = await run('/usr/sbin/sshd', ['-T', '-f', conf, '-C', 'user=deploy,host=client.example,addr=198.51.100.7']);
  tt.equal(dump.code, 0, `sshd -T\n${dump.stderr}`);
  const eff = new Map<string, string>();
  for (const line of dump.stdout.split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0) eff.set(line.slice(0, i), line.slice(i + 1));
  }
  const expect: Record<string, string> = {
    permitrootlogin: 'no',
    passwordauthentication: 'no',
    kbdinteractiveauthentication: 'no',
    permitemptypasswords: 'no',
    pubkeyauthentication: 'yes',
    authenticationmethods: 'publickey',
    maxauthtries: '3',
    allowtcpforwarding: 'no',
    allowagentforwarding: 'no',
    allowstreamlocalforwarding: 'no',
    x11forwarding: 'no',
    permittunnel: 'no',
    allowusers: 'deploy',
    hostbasedauthentication: 'no',
  };
  for (const [k, v] of Object.entries(expect)) tt.equal(eff.get(k), v, `effective ${k} is ${v}`);
  const ciphers = (eff.get('ciphers') ?? '').split(',');
  tt.ok(ciphers.length > 0 && ciphers.every((c) => /chacha20-poly1305|gcm/.test(c)), `only AEAD ciphers (${ciphers.join(',')})`);
  tt.ok((eff.get('macs') ?? '').split(',').every((m) => m.includes('-etm@')), 'only encrypt-then-MAC MACs');
  tt.notMatch(eff.get('kexalgorithms') ?? '', /sha1|group14|ecdh-sha2-nistp/, 'no legacy key exchange');
});

t.test('rendered host files: nft -c, sysctl, unattended upgrades, units', async (tt) => {
  const dir = renderedDir();
  const nft = await run('nft', ['-c', '-f', join(dir, 'nftables.conf')]);
  tt.equal(nft.code, 0, `nft -c accepts the ruleset\n${nft.stderr}`);
  const rules = await readFile(join(dir, 'nftables.conf'), 'utf8');
  tt.notMatch(rules, /^\s*flush ruleset/m, 'the ruleset never flushes Docker or fail2ban tables');
  tt.match(rules, /table inet hirebox_filter/, 'one inet table: IPv4 and IPv6');

  const sysctl = await readFile(join(dir, 'sysctl-hirebox.conf'), 'utf8');
  tt.match(sysctl, /^net\.ipv4\.ip_forward = 1$/m, 'forwarding stays on for Docker');
  tt.match(sysctl, /^net\.ipv4\.conf\.all\.accept_redirects = 0$/m, 'no ICMP redirects');
  tt.match(sysctl, /^net\.ipv4\.tcp_syncookies = 1$/m, 'SYN cookies');
  tt.match(sysctl, /^kernel\.kptr_restrict = 2$/m, 'kernel pointers hidden');

  const uu = await readFile(join(dir, '50unattended-upgrades'), 'utf8');
  tt.match(uu, /label=Debian-Security|archive=\$\{distro_codename\}-security/, 'security origins only');
  tt.notMatch(uu, /codename=\$\{distro_codename\},label=Debian";/, 'not the whole distribution');
  tt.match(uu, /Automatic-Reboot "true"/, 'reboots when an update needs it');
  tt.match(uu, /Automatic-Reboot-Time "04:30"/, 'inside the reboot window');
  tt.match(await readFile(join(dir, '20auto-upgrades'), 'utf8'), /Unattended-Upgrade "1"/, 'runs daily');

  const jail = await readFile(join(dir, 'fail2ban-sshd.local'), 'utf8');
  tt.match(jail, /\[sshd\]\s+enabled = true/, 'fail2ban guards sshd');

  const daemon = JSON.parse(await readFile(join(dir, 'daemon.json'), 'utf8')) as Record<string, unknown>;
  tt.equal(daemon['no-new-privileges'], true, 'docker daemon defaults to no-new-privileges');
  tt.equal(daemon.iptables, undefined, 'docker keeps its NAT; the forward chain limits what it publishes');

  const env = await readFile(join(dir, 'env'), 'utf8');
  tt.match(env, /^COMPOSE_FILE=docker-compose\.yml$/m, 'server never loads the dev override');
  tt.notMatch(env, /PASSWORD|API_KEY=|DATABASE_URL|REDIS_URL|SMTP_URL/, '.env holds no secret');

  const analyze = await run('systemd-analyze', ['--version']);
  if (analyze.code === 0) {
    for (const unit of ['hirebox.service', 'hirebox-backup.service', 'hirebox-backup.timer']) {
      const v = await run('systemd-analyze', ['verify', '--man=no', join(dir, unit)]);
      tt.notMatch(v.stderr, /Unknown (key|section)|Failed to parse|bad-setting/i, `${unit} parses (systemd-analyze verify)`);
    }
  }
  const sh = await run('bash', ['-n', join(dir, 'hirebox-backup.sh')]);
  tt.equal(sh.code, 0, 'backup script is valid bash');
  const recipients = (await readFile(join(dir, 'backup-recipients.txt'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
  tt.same(recipients, [BACKUP_RECIPIENT], 'backups are encrypted to the configured age public key only');

  // Point-in-time recovery (issue 18): WAL archiving and the encrypted repository are in
  // docker-compose.yml (test/deploy/compose.test.ts); the host runs the base backups in the container.
  const fullUnit = await readFile(join(dir, 'hirebox-pgbackrest-full.service'), 'utf8');
  tt.match(fullUnit, /^ExecStart=\/usr\/bin\/docker compose exec -T postgres hirebox-pgbackrest --type=full backup$/m, 'weekly full backup, inside the postgres container');
  tt.match(fullUnit, /^ExecStartPre=\/usr\/bin\/docker compose exec -T postgres hirebox-pgbackrest stanza-create$/m, 'the stanza exists before the first backup');
  tt.notMatch(fullUnit, /cipher|--config=/, 'no passphrase or host configuration on the command line');
  tt.match(await readFile(join(dir, 'hirebox-pgbackrest-diff.service'), 'utf8'), /--type=diff backup/, 'daily differential backup');
  tt.match(await readFile(join(dir, 'hirebox-pgbackrest-full.timer'), 'utf8'), /^OnCalendar=Sun \*-\*-\* 01:30:00$/m, 'full backups on Sundays');
  tt.match(await readFile(join(dir, 'hirebox-pgbackrest-diff.timer'), 'utf8'), /^OnCalendar=Mon\.\.Sat \*-\*-\* 01:30:00$/m, 'differential backups the other days');
  if (analyze.code === 0) {
    for (const unit of ['hirebox-pgbackrest-full.service', 'hirebox-pgbackrest-full.timer', 'hirebox-pgbackrest-diff.service', 'hirebox-pgbackrest-diff.timer']) {
      const v = await run('systemd-analyze', ['verify', '--man=no', join(dir, unit)]);
      tt.notMatch(v.stderr, /Unknown (key|section)|Failed to parse|bad-setting/i, `${unit} parses (systemd-analyze verify)`);
    }
  }
});

// ---- firewall in network namespaces -------------------------------------------------

const LISTENER = `
const net = require('node:net'), dgram = require('node:dgram');
const [tag, tcp, udp] = process.argv.slice(1);
for (const p of tcp.split(',').filter(Boolean)) {
  net.createServer((s) => s.end(tag + ':' + p)).listen({ port: Number(p), host: '::', ipv6Only: false });
}
for (const p of udp.split(',').filter(Boolean)) {
  const u = dgram.createSocket({ type: 'udp6', ipv6Only: false });
  u.on('message', (m, r) => u.send(tag + ':' + p, r.port, r.address));
  u.bind(Number(p), '::');
}
setTimeout(() => console.log('ready'), 200);
`;

const PROBE = `
const net = require('node:net'), dgram = require('node:dgram');
const probes = JSON.parse(process.argv[1]);
const one = ({ proto, host, port }) => new Promise((done) => {
  const finish = (r) => { clearTimeout(timer); done({ proto, host, port, ...r }); };
  const timer = setTimeout(() => { sock.destroy?.(); sock.close?.(); done({ proto, host, port, ok: false, why: 'timeout' }); }, 1500);
  let sock;
  if (proto === 'tcp') {
    sock = net.connect({ host, port });
    let data = '';
    sock.on('data', (d) => (data += d));
    sock.on('end', () => finish({ ok: true, reply: data }));
    sock.on('error', (e) => { clearTimeout(timer); done({ proto, host, port, ok: false, why: e.code }); });
  } else {
    sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    sock.on('message', (m) => { sock.close(); finish({ ok: true, reply: String(m) }); });
    sock.on('error', (e) => { clearTimeout(timer); done({ proto, host, port, ok: false, why: e.code }); });
    sock.send('probe', port, host);
  }
});
Promise.all(probes.map(one)).then((r) => console.log(JSON.stringify(r)));
`;

async function ip(tt: TT, ...args: string[]): Promise<void> {
  const r = await run('ip', args);
  tt.equal(r.code, 0, `ip ${args.join(' ')}${r.code ? `\n${r.stderr}` : ''}`, { diagnostic: r.code !== 0 });
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
}

t.test('nftables ruleset in a network namespace: only 22 and 443 get through, v4 and v6', async (tt) => {
  if (!isRoot) {
    tt.pass('namespace probes', { skip: 'needs root for ip netns' });
    return;
  }
  const dir = renderedDir();
  const id = `${process.pid % 100000}`;
  const srv = `hbx-srv-${id}`;
  const cli = `hbx-cli-${id}`;
  const ctr = `hbx-ctr-${id}`;
  for (const ns of [srv, cli, ctr]) {
    await ip(tt, 'netns', 'add', ns);
    tt.teardown(() => run('ip', ['netns', 'del', ns]));
  }
  const inNs = (ns: string, ...cmd: string[]): string[] => ['netns', 'exec', ns, ...cmd];
  // server <-> client: the "internet"; server <-> ctr: a Docker bridge (br-*) with a container.
  await ip(tt, 'link', 'add', `hbxw${id}`, 'netns', srv, 'type', 'veth', 'peer', 'name', 'wan0', 'netns', cli);
  await ip(tt, '-n', srv, 'link', 'set', `hbxw${id}`, 'name', 'wan0');
  await ip(tt, 'link', 'add', `hbxb${id}`, 'netns', srv, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ctr);
  await ip(tt, '-n', srv, 'link', 'set', `hbxb${id}`, 'name', 'br-test');
  const addrs: Array<[string, string, string]> = [
    [srv, 'wan0', '10.211.0.1/24'], [srv, 'wan0', 'fd11::1/64'],
    [cli, 'wan0', '10.211.0.2/24'], [cli, 'wan0', 'fd11::2/64'],
    [srv, 'br-test', '10.212.0.1/24'], [ctr, 'eth0', '10.212.0.2/24'],
  ];
  for (const [ns, dev, addr] of addrs) {
    await ip(tt, '-n', ns, 'addr', 'add', addr, 'dev', dev, ...(addr.includes(':') ? ['nodad'] : []));
  }
  for (const [ns, dev] of [[srv, 'wan0'], [srv, 'br-test'], [cli, 'wan0'], [ctr, 'eth0'], [srv, 'lo'], [cli, 'lo'], [ctr, 'lo']] as const) {
    await ip(tt, '-n', ns, 'link', 'set', dev, 'up');
  }
  await ip(tt, '-n', ctr, 'route', 'add', 'default', 'via', '10.212.0.1');
  await ip(tt, '-n', cli, 'route', 'add', '10.212.0.0/24', 'via', '10.211.0.1');
  const fwd = await run('ip', inNs(srv, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'));
  tt.equal(fwd.code, 0, 'forwarding on in the server namespace, as Docker needs');

  // The real ruleset, then what Docker would add: DNAT for a published 443 and for a
  // port that someone published by mistake (3000).
  const load = await run('ip', inNs(srv, 'nft', '-f', join(dir, 'nftables.conf')));
  tt.equal(load.code, 0, `ruleset loads\n${load.stderr}`);
  const reload = await run('ip', inNs(srv, 'nft', '-f', join(dir, 'nftables.conf')));
  tt.equal(reload.code, 0, 'ruleset reloads over itself');
  const dockerSim = `table ip dockersim {
    chain prerouting { type nat hook prerouting priority dstnat; policy accept;
      iifname "wan0" tcp dport 443 dnat to 10.212.0.2:443
      iifname "wan0" udp dport 443 dnat to 10.212.0.2:443
      iifname "wan0" tcp dport 3000 dnat to 10.212.0.2:3000
    }
    chain postrouting { type nat hook postrouting priority srcnat; policy accept;
      oifname "wan0" ip saddr 10.212.0.0/24 masquerade
    }
  }`;
  const simFile = join(dir, 'dockersim.nft');
  await import('node:fs/promises').then((fs) => fs.writeFile(simFile, dockerSim));
  const sim = await run('ip', inNs(srv, 'nft', '-f', simFile));
  tt.equal(sim.code, 0, `docker-like DNAT loaded\n${sim.stderr}`);
  const reload2 = await run('ip', inNs(srv, 'nft', '-f', join(dir, 'nftables.conf')));
  tt.equal(reload2.code, 0, 'reloading the firewall ...');
  const tables = await run('ip', inNs(srv, 'nft', 'list', 'tables'));
  tt.match(tables.stdout, /table ip dockersim/, '... leaves the Docker-managed table in place');

  const host = background(tt, 'ip', inNs(srv, process.execPath, '-e', LISTENER, 'host', '22,80,443,3000,5432,6379', '443,53'));
  const box = background(tt, 'ip', inNs(ctr, process.execPath, '-e', LISTENER, 'ctr', '443,3000', '443'));
  const outside = background(tt, 'ip', inNs(cli, process.execPath, '-e', LISTENER, 'outside', '9000', ''));
  await waitFor('listeners', async () => [host, box, outside].every((p) => p.output().includes('ready')), 10_000);

  const probes = [];
  for (const h of ['10.211.0.1', 'fd11::1']) {
    for (const port of [22, 443, 80, 3000, 5432, 6379]) probes.push({ proto: 'tcp', host: h, port });
    for (const port of [443, 53]) probes.push({ proto: 'udp', host: h, port });
  }
  const res = await run('ip', inNs(cli, process.execPath, '-e', PROBE, JSON.stringify(probes)));
  tt.equal(res.code, 0, `probes ran\n${res.stderr}`);
  const results = JSON.parse(res.stdout) as Array<{ proto: string; host: string; port: number; ok: boolean; reply?: string }>;
  const get = (proto: string, h: string, port: number): { ok: boolean; reply?: string } | undefined =>
    results.find((r) => r.proto === proto && r.host === h && r.port === port);
  for (const h of ['10.211.0.1', 'fd11::1']) {
    const v = h.includes(':') ? 'IPv6' : 'IPv4';
    tt.equal(get('tcp', h, 22)?.ok, true, `${v} 22/tcp reachable`);
    tt.equal(get('tcp', h, 443)?.ok, true, `${v} 443/tcp reachable`);
    tt.equal(get('udp', h, 443)?.ok, true, `${v} 443/udp reachable (HTTP/3)`);
    for (const port of [80, 3000, 5432, 6379]) tt.equal(get('tcp', h, port)?.ok, false, `${v} ${port}/tcp blocked`);
    tt.equal(get('udp', h, 53)?.ok, false, `${v} 53/udp blocked`);
  }
  tt.equal(get('tcp', '10.211.0.1', 443)?.reply, 'ctr:443', 'IPv4 443 reaches the container through the published DNAT');
  tt.equal(get('udp', '10.211.0.1', 443)?.reply, 'ctr:443', 'IPv4 443/udp reaches the container');

  // Containers keep their way out (egress through the bridge), which Docker needs.
  const egress = await run('ip', inNs(ctr, process.execPath, '-e', PROBE, JSON.stringify([{ proto: 'tcp', host: '10.211.0.2', port: 9000 }])));
  const out = JSON.parse(egress.stdout || '[]') as Array<{ ok: boolean }>;
  tt.equal(out[0]?.ok, true, 'a container can open connections to the outside');
});
