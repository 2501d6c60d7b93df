// issue 20 item 4: the pure pieces of the careers site: WCAG contrast of the accent colour,
// embed-origin parsing (it ends up in a CSP header), logo sniffing, the embed CSP and the
// JobPosting of a hybrid job and of a job with a single salary figure.
import t from 'tap';
import { contrastWithWhite, parseEmbedOrigin, sniffLogo } from '../../server/modules/branding/service.js';
import { embedCsp } from '../../server/modules/public/careers.js';
import { jobPostingData, salaryText } from '../../server/modules/public/html.js';
import type { JobRow } from '../../server/modules/jobs/repo.js';

t.test('contrast with white follows WCAG 2', async (t) => {
  t.equal(contrastWithWhite('#000000').toFixed(1), '21.0');
  t.equal(contrastWithWhite('#ffffff').toFixed(1), '1.0');
  // The classic threshold grey: #767676 on white is 4.54:1, #777777 is 4.48:1.
  t.ok(contrastWithWhite('#767676') >= 4.5);
  t.ok(contrastWithWhite('#777777') < 4.5);
  t.ok(contrastWithWhite('#0f766e') >= 4.5, 'the demo accent passes');
});

t.test('embed origins are bare https origins (http only for localhost)', async (t) => {
  t.equal(parseEmbedOrigin('https://www.example.com'), 'https://www.example.com');
  t.equal(parseEmbedOrigin('https://www.example.com/'), 'https://www.example.com');
  t.equal(parseEmbedOrigin('https://EXAMPLE.com'), null, 'not in canonical form');
  t.equal(parseEmbedOrigin('http://localhost:5173'), 'http://localhost:5173');
  for (const bad of ['http://example.com', 'https://example.com/jobs', 'https://u:p@example.com', "https://a.example; script-src 'unsafe-inline'", '*', 'https://*.example.com', 'javascript:alert(1)', '', 'https://example.com?x=1']) {
    t.equal(parseEmbedOrigin(bad), null, JSON.stringify(bad));
  }
});

t.test('logos are sniffed by their bytes', async (t) => {
  t.equal(sniffLogo(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'image/png');
  t.equal(sniffLogo(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
  t.equal(sniffLogo(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1')), 'image/webp');
  t.equal(sniffLogo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null);
  t.equal(sniffLogo(Buffer.from('GIF89a')), null);
  t.equal(sniffLogo(Buffer.alloc(0)), null);
});

t.test('the embed CSP changes only frame-ancestors', async (t) => {
  const base = "default-src 'self';script-src 'self';frame-ancestors 'none';object-src 'none'";
  t.equal(embedCsp(base, ['https://a.example', 'https://b.example']), "default-src 'self';script-src 'self';frame-ancestors https://a.example https://b.example;object-src 'none'");
  t.equal(embedCsp(base, []), base);
});

const job = (over: Partial<JobRow>): JobRow => ({
  id: '00000000-0000-4000-8000-000000000001',
  org_id: '00000000-0000-4000-8000-000000000002',
  slug: 'analyst',
  title: 'Analyst',
  description: 'Numbers.',
  location: 'Lisbon',
  employment_type: 'contract',
  status: 'open',
  criteria: [],
  criteria_version: 1,
  interview_questions: [],
  created_by: null,
  created_at: new Date('2026-01-01T00:00:00Z'),
  created_at_text: '',
  updated_at: new Date('2026-01-02T00:00:00Z'),
  published_at: new Date('2026-01-03T00:00:00Z'),
  hiring_manager_ids: [],
  workplace: 'hybrid',
  street_address: '',
  postal_code: '',
  address_region: '',
  address_country: 'PT',
  remote_countries: [],
  salary_min: '25.50',
  salary_max: '25.50',
  salary_currency: 'EUR',
  salary_unit: 'HOUR',
  valid_through: null,
  language: 'en',
  ...over,
});

t.test('JobPosting of a hybrid job with one salary figure', async (t) => {
  const data = jobPostingData(job({}), { name: 'Acme', slug: 'acme' }, 'https://hire.example/jobs/acme/analyst', new URL('https://hire.example'));
  t.match(data, {
    employmentType: 'CONTRACTOR',
    datePosted: '2026-01-03T00:00:00.000Z',
    jobLocation: { '@type': 'Place', address: { addressLocality: 'Lisbon', addressCountry: 'PT' } },
    baseSalary: { '@type': 'MonetaryAmount', currency: 'EUR', value: { '@type': 'QuantitativeValue', value: 25.5, unitText: 'HOUR' } },
    hiringOrganization: { name: 'Acme', sameAs: 'https://hire.example/jobs/acme' },
  });
  t.notOk('validThrough' in data, 'no validThrough when the job states none');
  t.equal(jobPostingData(job({ description: 'One <b>\nline\n\nTwo & more' }), { name: 'Acme', slug: 'acme' }, 'u', new URL('https://hire.example')).description, '<p>One &lt;b&gt;<br>line</p><p>Two &amp; more</p>', 'description as escaped HTML paragraphs');
  t.notOk('jobLocationType' in data, 'hybrid is not TELECOMMUTE');
  t.equal(salaryText(job({})), 'EUR 25.5 per hour');
  t.notOk('baseSalary' in jobPostingData(job({ salary_min: null, salary_max: null, salary_currency: null, salary_unit: null }), { name: 'Acme', slug: 'acme' }, 'u', new URL('https://hire.example')), 'no salary stated, none invented');
});
