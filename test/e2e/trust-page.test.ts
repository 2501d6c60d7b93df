// issue 23: /trust in real Chromium, the way a candidate or a security reviewer sees it: no
// script, no CSP violation, readable on a phone, every line present with its status in words.
// The checks run against this install through a real Caddy (`tls internal`), so the TLS
// line is real. With HIREBOX_UPDATE_SCREENSHOTS=1 the page is saved as the README's
// docs/screenshots/trust.png.
import t from 'tap';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../server/core/config.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { packageRoot } from '../../server/core/paths.js';
import { handshake } from '../../server/modules/trust/probe.js';
import { CHECK_IDS } from '../../server/modules/trust/checks.js';
import { wireTrust } from '../../server/modules/trust/wire.js';
import { background, tempDir, waitFor, freePort as freeTcpPort } from '../deploy/lib.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { CHROMIUM, freePort, launch, layoutProblems, newWatchedPage, screenshot, type Watch } from './browser.js';

if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Debian's Chromium at ${CHROMIUM}; install it with \`bash ops/scripts/ci-browser.sh\``);

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
// The app's configuration is the install's: OpenAI with a pinned model, declared as subprocessor.
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin, AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'gpt-4o-mini-2024-07-18', TRUST_SUBPROCESSORS: 'OpenAI', BACKUPS_EXPECTED: 'true' } });
await ctx.app.listen({ host: '127.0.0.1', port });
const owner = await connectOwner(t, ctx);

// A real Caddy in front of the app, as in production.
const dir = await tempDir(t, 'trust-e2e');
const httpsPort = await freeTcpPort();
const caddy = background(t, 'caddy', ['run', '--config', join(packageRoot(), 'Caddyfile'), '--adapter', 'caddyfile'], {
  cwd: dir,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), DOMAIN: 'hire.example.test', TLS_MODE: 'internal', LISTEN: 'loopback', HTTPS_PORT: String(httpsPort), CADDY_ADMIN: `127.0.0.1:${await freeTcpPort()}`, UPSTREAM: `127.0.0.1:${port}`, HEALTH_INTERVAL: '60s', LB_TRY_DURATION: '0s' },
});
const caPath = join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
const publicUrl = new URL(`https://hire.example.test:${httpsPort}`);
await waitFor('caddy', async () => {
  if (caddy.child.exitCode !== null) throw new Error(caddy.output());
  return existsSync(caPath) && (await handshake({ publicUrl, connect: { host: '127.0.0.1', port: httpsPort }, ca: readFileSync(caPath) }, 'TLSv1.3')).ok;
}, 30_000);
const caFile = join(dir, 'ca.pem');
copyFileSync(caPath, caFile);

// An install in good order: members enrolled, a fresh backup and drill, the playbook's firewall listing, a clean build.
const org = await createOrgWithMember(ctx, 'admin');
await createOrgWithMember(ctx, 'recruiter', org.orgId);
await owner.query('UPDATE users SET totp_enabled_at = now()');
await owner.query("INSERT INTO backup_runs (file_name, size_bytes, sha256, started_at, finished_at) VALUES ('hirebox-20261206T031700Z.dump.age', 48213, repeat('c', 64), now() - interval '3 hours', now() - interval '3 hours')");
await owner.query("INSERT INTO restore_drills (backup_file, ok, restore_seconds, finished_at) VALUES ('hirebox-20261201T031700Z.dump.age', true, 38, now() - interval '5 days')");
await ctx.audit.record(org.orgId, { action: 'retention.swept', actor: { type: 'system' }, metadata: { retentionDays: 180 } });
await ctx.audit.writeCheckpoint(org.orgId);
const buildInfo = join(dir, 'build-info.json');
writeFileSync(buildInfo, JSON.stringify({ version: '0.1.0', commit: 'a4fcb72', builtAt: '2026-12-06T09:12:00Z', dependencyAudit: { status: 'pass', summary: 'npm audit: no high or critical advisories in production dependencies' }, secretScan: { status: 'pass', summary: 'secretlint: no findings' } }));
const listing = join(dir, 'ruleset.nft');
copyFileSync(join(packageRoot(), 'test/fixtures/trust/nft-ruleset.txt'), listing);
const config: Config = {
  ...ctx.config,
  publicUrl,
  trust: { ...ctx.config.trust, selfConnect: { host: '127.0.0.1', port: httpsPort }, selfCaFile: caFile, firewallListingFile: listing, buildInfoFile: buildInfo },
};
const trust = wireTrust({ db: ctx.db, config, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), clock: () => new Date(), logger: createLogger('silent'), audit: ctx.audit });
await trust.run({ force: true });

const browser = await launch();
t.teardown(() => browser.close());

t.test('a reviewer reads /trust: every line passing, no script, no CSP violation', async (t) => {
  const watch: Watch = { csp: [], errors: [] };
  const { page } = await newWatchedPage(browser, watch);
  const res = await page.goto(`${origin}/trust`);
  t.equal(res?.status(), 200);
  const statuses = await page.$$eval('article.check', (els) => els.map((e) => [e.getAttribute('data-check'), e.getAttribute('data-status'), (e.querySelector('.badge')?.textContent ?? '').trim()]));
  t.same(statuses.map((s) => s[0]), [...CHECK_IDS]);
  for (const [id, status, badge] of statuses) {
    t.equal(status, 'pass', `${String(id)} passes`);
    t.equal(badge, 'Passing', 'status in words');
  }
  t.equal(await page.locator('script').count(), 0, 'no script on the page');
  t.match(await page.textContent('#check-tls'), /Only TLS 1\.2 and TLS 1\.3 accepted/);
  t.same(watch.csp, [], 'no CSP violation');
  t.same(watch.errors, []);
  t.same(await layoutProblems(page), []);
  await screenshot(page, 'trust');
  if (process.env.HIREBOX_UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: join(packageRoot(), 'docs', 'screenshots', 'trust.png'), fullPage: true });
});

t.test('on a phone, the org page shows its settings and subprocessors', async (t) => {
  const watch: Watch = { csp: [], errors: [] };
  const { page } = await newWatchedPage(browser, watch, { viewport: { width: 390, height: 844 }, isMobile: true });
  const slug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [org.orgId])).rows[0]?.slug ?? '';
  const res = await page.goto(`${origin}/trust/${slug}`);
  t.equal(res?.status(), 200);
  t.match(await page.textContent('#org-settings'), /erased 180 days after the last decision/);
  t.match(await page.textContent('#org-settings'), /OpenAI/);
  t.same(watch.csp, []);
  t.same(await layoutProblems(page), [], 'nothing wider than the phone');
  await screenshot(page, 'trust-org-phone');
});
