// GET /.well-known/security.txt (RFC 9116) and the disclosure policy it links to.
import t from 'tap';
import { ConfigError, loadConfig } from '../../server/core/config.js';
import { buildTestApp } from '../helper.js';
import { DISCLOSURE } from '../../server/modules/wellknown/security-txt.js';

const NOW = new Date('2026-12-01T14:00:00Z');
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: 'https://hire.example.com' }, clock: () => NOW });
const configured = await buildTestApp(t, {
  env: {
    PUBLIC_URL: 'https://jobs.acme.test',
    SECURITY_CONTACT: 'mailto:psirt@acme.test, https://acme.test/report',
    SECURITY_TXT_EXPIRES: '2027-06-30T00:00:00Z',
    SECURITY_TXT_LANGUAGES: 'en, de',
    SECURITY_POLICY_URL: 'https://acme.test/disclosure',
  },
});

function fields(body: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of body.split('\n')) {
    const m = /^([A-Za-z-]+): (.+)$/.exec(line);
    if (m) out.set(m[1] as string, [...(out.get(m[1] as string) ?? []), m[2] as string]);
  }
  return out;
}

t.test('security.txt is public plain text with every RFC 9116 field, derived from PUBLIC_URL', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/.well-known/security.txt' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; charset=utf-8$/);
  t.notMatch(res.body, /^"/, 'raw text, not a JSON string');
  t.match(res.body, /\n$/, 'ends with a newline');
  const f = fields(res.body);
  t.same(f.get('Contact'), ['mailto:security@hire.example.com']);
  t.same(f.get('Canonical'), ['https://hire.example.com/.well-known/security.txt'], 'Canonical matches PUBLIC_URL');
  t.same(f.get('Policy'), ['https://hire.example.com/security/disclosure']);
  t.same(f.get('Preferred-Languages'), ['en']);
  const expires = new Date(f.get('Expires')?.[0] ?? '');
  t.match(f.get('Expires')?.[0], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'Expires is an RFC 3339 UTC time');
  t.ok(expires.getTime() > NOW.getTime(), 'Expires is in the future');
  t.ok(expires.getTime() - NOW.getTime() < 365 * 24 * 3_600_000, 'and less than a year ahead (RFC 9116 §2.5.5)');
  for (const [name, values] of f) if (name !== 'Contact') t.equal(values.length, 1, `${name} appears once`);
  const legacy = await ctx.app.inject({ method: 'GET', url: '/security.txt' });
  t.equal(legacy.statusCode, 301);
  t.equal(legacy.headers.location, '/.well-known/security.txt');
});

t.test('the Policy page states the disclosure promises and the contact', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/security/disclosure' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  t.match(res.body, /mailto:security@hire\.example\.com/);
  t.match(res.body, `acknowledge your report within ${DISCLOSURE.acknowledgeHours} hours`);
  t.match(res.body, /do not pursue legal action against researchers who act in good faith/);
});

t.test('configured contacts, expiry, languages and policy are served as given', async (t) => {
  const res = await configured.app.inject({ method: 'GET', url: '/.well-known/security.txt' });
  t.equal(res.statusCode, 200);
  const f = fields(res.body);
  t.same(f.get('Contact'), ['mailto:psirt@acme.test', 'https://acme.test/report'], 'contacts in order');
  t.same(f.get('Expires'), ['2027-06-30T00:00:00Z']);
  t.same(f.get('Preferred-Languages'), ['en, de']);
  t.same(f.get('Canonical'), ['https://jobs.acme.test/.well-known/security.txt']);
  t.same(f.get('Policy'), ['https://acme.test/disclosure']);
});

t.test('bad security.txt settings stop the start with a clear line', async (t) => {
  const env = { ...ctx.env, SECURITY_CONTACT: 'security at example dot com', SECURITY_TXT_EXPIRES: 'soon', SECURITY_TXT_LANGUAGES: 'english!' };
  t.same(configProblems(() => loadConfig(env)), [
    'SECURITY_CONTACT entry "security at example dot com" must be a mailto:, https:// or tel: URI',
    'SECURITY_TXT_EXPIRES must be an ISO 8601 date-time, e.g. 2027-06-30T00:00:00Z',
    'SECURITY_TXT_LANGUAGES must be a comma-separated list of language tags, e.g. "en, de"',
  ]);
});

function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
