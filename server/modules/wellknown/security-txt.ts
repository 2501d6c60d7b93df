// RFC 9116 security.txt and the vulnerability disclosure policy it links to (DESIGN §9).
// Pure functions: the routes feed them config and the clock. The policy's promises are
// the same as ops/runbooks/disclosure.md; change both together.
import type { SecurityTxtConfig } from '../../core/config.js';

/** Disclosure promises (hours/days), shared by the policy page and its test. */
export const DISCLOSURE = { acknowledgeHours: 48, triageDays: 5, fixCriticalDays: 7, fixHighDays: 30, coordinatedDays: 90 } as const;

const YEAR_MS = 365 * 24 * 3_600_000;

/** RFC 3339 "Z" time without milliseconds, as RFC 9116's examples write it. */
function internetDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Expires: the configured date, else one year less a day after the start of today (UTC), so it stays under a year. */
export function securityTxtExpires(config: SecurityTxtConfig, now: Date): Date {
  if (config.expires) return config.expires;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today + YEAR_MS - 24 * 3_600_000);
}

export function renderSecurityTxt(config: SecurityTxtConfig, publicUrl: URL, now: Date): string {
  const lines = [
    '# Security contact for this hirebox installation (RFC 9116).',
    ...config.contact.map((c) => `Contact: ${c}`),
    `Expires: ${internetDate(securityTxtExpires(config, now))}`,
    `Preferred-Languages: ${config.languages}`,
    `Canonical: ${new URL('/.well-known/security.txt', publicUrl.origin).toString()}`,
    `Policy: ${config.policyUrl}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function renderDisclosurePolicy(config: SecurityTxtConfig, publicUrl: URL): string {
  const d = DISCLOSURE;
  return `Vulnerability disclosure policy — ${publicUrl.host}

Report security problems in this hirebox installation to:
${config.contact.map((c) => `  ${c}`).join('\n')}

Please include what you found, how to reproduce it, and what an attacker could do with it.
Use test accounts you created yourself; do not access, change or keep other people's data,
especially candidate data. Stop and tell us as soon as you reach data that is not yours.

What we promise:
  - we acknowledge your report within ${d.acknowledgeHours} hours and triage it within ${d.triageDays} business days;
  - we fix critical issues within ${d.fixCriticalDays} days and high-severity issues within ${d.fixHighDays} days;
  - we keep you informed, and we agree a disclosure date with you (by default ${d.coordinatedDays} days after the report,
    or earlier once a fix is deployed); we credit you if you wish;
  - we do not pursue legal action against researchers who act in good faith within this policy.

Out of scope: denial-of-service and volume testing, social engineering of staff or candidates,
physical attacks, spam, and findings that need a compromised device or browser.

Machine-readable contact: ${new URL('/.well-known/security.txt', publicUrl.origin).toString()}
`;
}
