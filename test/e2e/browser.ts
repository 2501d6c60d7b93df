// Browser-test support: Debian's Chromium driven by playwright-core, a watcher that
// collects CSP violations (and page errors) from every page, and screenshots under
// test-artifacts/e2e/. A missing browser is a failure with instructions, never a skip.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { packageRoot } from '../../server/core/paths.js';
import { freePort } from '../support/free-port.js';
import { buildTestApp, type Member, type TestContext } from '../helper.js';

export const CHROMIUM = process.env.HIREBOX_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(packageRoot(), 'test-artifacts', 'e2e');

/** Throws (failing the test file) when the browser or the console build is missing. */
export function requireBrowserAndBuild(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`browser tests need Debian's Chromium at ${CHROMIUM}; install it with \`bash ops/scripts/ci-browser.sh\` (as root), which .ci/run does`);
  }
  if (!existsSync(path.join(packageRoot(), 'server', 'web', 'dist', 'index.html'))) {
    throw new Error('the console is not built (server/web/dist/index.html missing); run `npm run build` first (npm test does)');
  }
}

export { freePort };

export async function launch(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The profile lives in a fresh temporary directory playwright creates per launch.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface Watch {
  /** CSP violations reported by the browser, from any watched page. */
  csp: string[];
  /** Uncaught page errors and console errors that are not network 4xx noise. */
  errors: string[];
}

/** Collects CSP violations via the console, the DevTools Log domain and Audits issues. */
export async function watchPage(context: BrowserContext, page: Page, watch: Watch): Promise<void> {
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy/i.test(text)) watch.csp.push(`console: ${text}`);
    else if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404|409|422)/.test(text)) watch.errors.push(`console: ${text}`);
  });
  page.on('pageerror', (err) => watch.errors.push(`pageerror: ${err.message}`));
  const cdp = await context.newCDPSession(page);
  cdp.on('Log.entryAdded', (e: { entry: { source: string; level: string; text: string } }) => {
    if (/Content Security Policy/i.test(e.entry.text)) watch.csp.push(`log(${e.entry.source}): ${e.entry.text}`);
  });
  cdp.on('Audits.issueAdded', (e: { issue: { code: string; details: unknown } }) => {
    if (e.issue.code === 'ContentSecurityPolicyIssue') watch.csp.push(`audit: ${JSON.stringify(e.issue.details)}`);
  });
  await cdp.send('Log.enable');
  await cdp.send('Audits.enable');
}

export async function newWatchedPage(browser: Browser, watch: Watch, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  await watchPage(context, page, watch);
  return { context, page };
}

/** A watched page whose context carries a member's session cookie (`name=value`) for `origin`. */
export async function signedInPage(browser: Browser, watch: Watch, origin: string, cookie: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await newWatchedPage(browser, watch, options);
  const [name, value] = cookie.split('=') as [string, string];
  await opened.context.addCookies([{ name, value, url: origin, httpOnly: true, sameSite: 'Lax' }]);
  return opened;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Cheap accessibility and phone checks on the current page: form controls without a label,
 * buttons and links without a name, duplicate ids, and content wider than the viewport.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  // The emulated screen width: on a mobile viewport window.innerWidth grows with the content.
  const screenWidth = page.viewportSize()?.width ?? 1280;
  return page.evaluate((screenWidth) => {
    interface El {
      tagName: string;
      id: string;
      type?: string;
      name?: string;
      labels?: ArrayLike<unknown> | null;
      textContent: string | null;
      getAttribute(n: string): string | null;
      closest(s: string): unknown;
    }
    const g = globalThis as unknown as {
      document: { querySelectorAll(s: string): ArrayLike<El>; documentElement: { scrollWidth: number } };
    };
    const problems: string[] = [];
    // No named helper functions in here: the test runner's transpiler (esbuild, keepNames)
    // wraps them in a `__name` call that does not exist in the page.
    for (const el of Array.from(g.document.querySelectorAll('input, select, textarea, button, a[href]'))) {
      const tag = el.tagName.toLowerCase();
      const hasAriaName = ['aria-label', 'aria-labelledby', 'title'].some((a) => Boolean(el.getAttribute(a)));
      if (tag === 'button' || tag === 'a') {
        if (!(el.textContent ?? '').trim() && !hasAriaName) problems.push(`unnamed ${tag}`);
      } else if (el.type !== 'hidden' && !(el.labels && el.labels.length > 0) && !hasAriaName) problems.push(`unlabelled ${tag} ${el.name ?? ''}`);
    }
    const ids = new Map<string, number>();
    for (const el of Array.from(g.document.querySelectorAll('[id]'))) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
    for (const [id, n] of ids) if (n > 1) problems.push(`duplicate id ${id}`);
    if (g.document.documentElement.scrollWidth > screenWidth + 1) problems.push(`content ${g.document.documentElement.scrollWidth}px wide in a ${screenWidth}px viewport`);
    return problems;
  }, screenWidth);
}

/**
 * The real app listening on a free loopback port, with PUBLIC_URL set to that origin (the
 * console's CSRF origin check and every link it mails point there). `sameOrigin` gives a
 * member's API headers the Origin a browser on that page would send.
 */
export async function listeningTestApp(t: Parameters<typeof buildTestApp>[0]): Promise<{ ctx: TestContext; origin: string; sameOrigin: (m: Member) => Member }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin } });
  await ctx.app.listen({ host: '127.0.0.1', port });
  return { ctx, origin, sameOrigin: (m) => ({ ...m, headers: { ...m.headers, origin } }) };
}
