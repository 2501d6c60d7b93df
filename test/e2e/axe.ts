// axe-core inside the browser tests (issue 21 item 6): the library's own source is evaluated
// in the page through the DevTools protocol (page.evaluate is not subject to the page's CSP,
// so the strict script-src 'self' stays on), then axe.run checks the rendered DOM against
// the WCAG 2.0/2.1/2.2 A and AA rules. Serious and critical violations fail the test.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Serious and critical WCAG A/AA violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'unknown', help: v.help, targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  }, WCAG_TAGS);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeFindings(found: AxeFinding[]): string {
  return found.map((f) => `${f.impact} ${f.id}: ${f.help} at ${f.targets.join(', ')}`).join('\n');
}
