// The whole playbook in --check --diff mode against this machine over a local
// connection. Check mode changes nothing (verified below on the files the roles would
// write); tasks that would fetch from Docker's repository are skipped (tag "network"),
// and service tasks only run under systemd, which CI machines do not boot with.
import t from 'tap';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployDir, repoRoot, run, tempDir } from './lib.js';

t.test('site.yml --check --diff runs cleanly against localhost and changes nothing', async (tt) => {
  if (process.getuid?.() !== 0) {
    tt.pass('check run', { skip: 'needs root (become on a local connection)' });
    return;
  }
  const dir = await tempDir(tt, 'check');
  const inventory = join(dir, 'inventory.ini');
  await writeFile(inventory, `[hirebox]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`);
  const watched = ['/etc/ssh/sshd_config', '/etc/nftables.conf', '/etc/sysctl.d/60-hirebox.conf', '/etc/sudoers.d/90-hirebox-deploy', '/opt/hirebox', '/etc/systemd/system/hirebox.service'];
  const before = await Promise.all(watched.map(async (p) => (existsSync(p) ? readFile(p).catch(() => 'dir') : null)));
  const vars = JSON.stringify({
    hirebox_domain: 'hire.example.com',
    hirebox_acme_email: 'ops@example.com',
    hirebox_mail_from: 'hirebox@example.com',
    hirebox_repo_url: repoRoot,
    hirebox_deploy_ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake check@example'],
  });
  const r = await run(
    'ansible-playbook',
    ['-i', inventory, '--check', '--diff', '--skip-tags', 'network', 'site.yml', '-e', vars],
    { cwd: deployDir, env: { ...process.env, ANSIBLE_NOCOLOR: '1' }, timeoutMs: 110_000 },
  );
  const recap = /localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(r.stdout);
  tt.equal(r.code, 0, `check run succeeds\n${r.stdout.slice(-4000)}${r.stderr}`);
  tt.ok(recap, 'play recap printed');
  tt.equal(recap?.[3], '0', 'no host unreachable');
  tt.equal(recap?.[4], '0', 'no task failed');
  tt.match(r.stdout, /TASK \[ssh : Configure sshd/, 'ssh role ran');
  tt.match(r.stdout, /TASK \[firewall : Write the host firewall\]/, 'firewall role ran');
  tt.match(r.stdout, /TASK \[backups : Install the backup service and timer\]/, 'backups role ran');
  const after = await Promise.all(watched.map(async (p) => (existsSync(p) ? readFile(p).catch(() => 'dir') : null)));
  watched.forEach((p, i) => tt.same(after[i], before[i], `${p} untouched by the check run`));
});
