// Server-rendered candidate pages. No inline scripts or styles (strict CSP): styling comes
// from /assets/apply.css; structured data is a JSON-LD data block (never executed) with
// "<" escaped so it cannot end the element.
import { escapeHtml } from '../../core/html.js';
import { candidateDocument } from '../../core/i18n/page.js';
import type { JobRow } from '../jobs/index.js';
import { DEMOGRAPHIC_CATEGORIES, DEMOGRAPHIC_KEYS } from '../applications/index.js';
import type { CurrentNotice } from '../notices/index.js';
import { PRIVACY_NOTICE_VERSION, applyNoticeParagraphs } from './notice.js';
import type { CurrentQuestionSet } from '../jobs/index.js';
import { questionsHtml } from './questions-html.js';
import { translator, type Translator } from '../../core/i18n/translator.js';
import type { MessageKey } from '../../core/i18n/catalog-shape.js';
import { languageSwitcher } from '../../core/i18n/switcher.js';

/** English, for callers that render without a candidate's language (machine formats, tests). */
const EN = translator('en');

// Re-exported for the pages that import it from here; it lives in core (shared by every page).
export { escapeHtml };

const EMPLOYMENT: Record<string, string> = { full_time: 'FULL_TIME', part_time: 'PART_TIME', contract: 'CONTRACTOR', temporary: 'TEMPORARY', internship: 'INTERN' };
const EMPLOYMENT_LABEL: Record<string, MessageKey> = { full_time: 'apply.fullTime', part_time: 'apply.partTime', contract: 'apply.contract', temporary: 'apply.temporary', internship: 'apply.internship' };

/** What the public pages show of an org: its name (or branding display name), slug and branding. */
export interface PublicOrg {
  name: string;
  slug: string;
  /** Set when the org uploaded a logo: its sha256 (cache key of the logo URL). */
  logoSha?: string | null;
  websiteUrl?: string | null;
  /** The org's accent colour (#rrggbb), served as /jobs/<slug>/brand/accent.css. */
  accent?: string | null;
}

export function logoUrl(org: PublicOrg, publicUrl: URL): string | null {
  return org.logoSha ? new URL(`/jobs/${org.slug}/brand/logo?v=${org.logoSha.slice(0, 16)}`, publicUrl).toString() : null;
}

/**
 * schema.org JobPosting with every field Google requires (title, description, datePosted,
 * hiringOrganization, jobLocation, or jobLocationType TELECOMMUTE with
 * applicantLocationRequirements) and recommends (validThrough, employmentType, baseSalary,
 * directApply, identifier). Fields the job does not state are left out, never invented.
 */
export function jobPostingData(job: JobRow, org: PublicOrg, url: string, publicUrl: URL): Record<string, unknown> {
  const careersUrl = new URL(`/jobs/${org.slug}`, publicUrl).toString();
  const logo = logoUrl(org, publicUrl);
  const hiringOrganization = {
    '@type': 'Organization',
    name: org.name,
    url: org.websiteUrl ?? careersUrl,
    sameAs: org.websiteUrl ?? careersUrl,
    ...(logo ? { logo } : {}),
  };
  const address = {
    '@type': 'PostalAddress',
    ...(job.street_address ? { streetAddress: job.street_address } : {}),
    ...(job.location ? { addressLocality: job.location } : {}),
    ...(job.address_region ? { addressRegion: job.address_region } : {}),
    ...(job.postal_code ? { postalCode: job.postal_code } : {}),
    ...(job.address_country ? { addressCountry: job.address_country } : {}),
  };
  const hasAddress = Object.keys(address).length > 1;
  const remote = job.workplace === 'remote';
  const salary =
    job.salary_min !== null && job.salary_currency && job.salary_unit
      ? {
          '@type': 'MonetaryAmount',
          currency: job.salary_currency,
          value:
            job.salary_max !== null && Number(job.salary_max) !== Number(job.salary_min)
              ? { '@type': 'QuantitativeValue', minValue: Number(job.salary_min), maxValue: Number(job.salary_max), unitText: job.salary_unit }
              : { '@type': 'QuantitativeValue', value: Number(job.salary_min), unitText: job.salary_unit },
        }
      : null;
  return {
    '@context': 'https://schema.org/',
    '@type': 'JobPosting',
    title: job.title,
    // Google asks for the full description in HTML: the paragraphs, escaped.
    description: descriptionHtml(job.description) || `<p>${escapeHtml(job.title)}</p>`,
    datePosted: (job.published_at ?? job.created_at).toISOString(),
    ...(job.valid_through ? { validThrough: job.valid_through.toISOString() } : {}),
    employmentType: EMPLOYMENT[job.employment_type] ?? 'OTHER',
    hiringOrganization,
    ...(!remote && hasAddress ? { jobLocation: { '@type': 'Place', address } } : {}),
    ...(remote
      ? {
          jobLocationType: 'TELECOMMUTE',
          applicantLocationRequirements: job.remote_countries.map((c) => ({ '@type': 'Country', name: c })),
        }
      : {}),
    ...(salary ? { baseSalary: salary } : {}),
    directApply: true,
    identifier: { '@type': 'PropertyValue', name: org.name, value: job.id },
    url,
  };
}

/** A plain-text description as HTML paragraphs (blank lines separate them), every character escaped. */
export function descriptionHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** JSON for a <script type="application/ld+json"> data block: "<", ">" and "&" escaped so it cannot end the element. */
export function jsonLdText(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function jobPostingJsonLd(job: JobRow, org: PublicOrg, url: string, publicUrl: URL): string {
  return jsonLdText(jobPostingData(job, org, url, publicUrl));
}

const WORKPLACE_LABEL: Record<string, MessageKey> = { onsite: 'apply.onsite', hybrid: 'apply.hybrid', remote: 'apply.remote' };

/** "EUR 60,000–75,000 per year" (numbers in the locale's format), or '' when the job states no salary. */
export function salaryText(job: JobRow, tr: Translator = EN): string {
  if (job.salary_min === null || !job.salary_currency || !job.salary_unit) return '';
  const fmt = (n: string) => tr.number(Number(n), { maximumFractionDigits: 2 });
  const range = job.salary_max !== null && Number(job.salary_max) !== Number(job.salary_min) ? `${fmt(job.salary_min)}–${fmt(job.salary_max)}` : fmt(job.salary_min);
  return tr.t('apply.salary', { amount: `${job.salary_currency} ${range}`, unit: job.salary_unit });
}

/** The facts line of a job: employment type, place, workplace, salary. */
export function jobMeta(job: JobRow, tr: Translator = EN): string {
  const place = [job.location, job.address_region, job.address_country].filter(Boolean).join(', ');
  const workplaceKey = WORKPLACE_LABEL[job.workplace];
  const remote = job.workplace === 'remote' && job.remote_countries.length > 0 ? tr.t('apply.remoteIn', { countries: job.remote_countries.join(', ') }) : workplaceKey ? tr.t(workplaceKey) : '';
  const employmentKey = EMPLOYMENT_LABEL[job.employment_type];
  return [employmentKey ? tr.t(employmentKey) : '', job.workplace === 'remote' ? '' : place, remote, salaryText(job, tr)].filter(Boolean).join(' · ');
}

/** The branded header of the public pages: logo, name; links to the careers page. */
export function brandHeader(org: PublicOrg, publicUrl: URL, tr: Translator = EN): string {
  const logo = logoUrl(org, publicUrl);
  return `<p class="org"><a class="brand" href="/jobs/${org.slug}">${logo ? `<img class="logo" src="${escapeHtml(new URL(logo).pathname + new URL(logo).search)}" alt="${escapeHtml(tr.t('apply.logoAlt', { org: org.name }))}" height="40">` : ''}<span>${escapeHtml(org.name)}</span></a></p>`;
}

export function brandHead(org: PublicOrg): string {
  // The colour in the URL: a changed colour is a new stylesheet, never a stale cached one.
  return org.accent && /^#[0-9a-f]{6}$/.test(org.accent) ? `<link rel="stylesheet" href="/jobs/${org.slug}/brand/accent.css?v=${org.accent.slice(1)}">` : '';
}

/** A candidate page; `lang` is the page's locale (the <html lang> screen readers and translators read). */
export function layout(title: string, body: string, head = '', lang = 'en'): string {
  return candidateDocument(lang, title, body, { head });
}

/** Campaign source carried from the page URL into the form (issue 21 item 3); values were validated. */
function utmInputs(utm: Partial<Record<string, string | null>> | null): string {
  if (!utm) return '';
  return Object.entries(utm)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">\n`)
    .join('');
}

export function renderApplyPage(
  job: JobRow,
  org: PublicOrg,
  publicUrl: URL,
  notice: CurrentNotice,
  utm: Partial<Record<string, string | null>> | null = null,
  questions: CurrentQuestionSet | null = null,
  tr: Translator = EN,
  requestUrl = `/jobs/${org.slug}/${job.slug}`,
): string {
  const pageUrl = new URL(`/jobs/${org.slug}/${job.slug}`, publicUrl).toString();
  const action = `/api/v1/public/jobs/${org.slug}/${job.slug}/apply`;
  const paragraphs = job.description
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
    .join('\n');
  const x = (key: MessageKey, values?: Parameters<Translator['t']>[1]) => escapeHtml(tr.t(key, values));
  const noticeHtml = applyNoticeParagraphs(notice.facts, tr).map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const demo = DEMOGRAPHIC_KEYS.map((k) => {
    // The stored values stay the fixed keys; only what the candidate reads is translated.
    const options = Object.keys(DEMOGRAPHIC_CATEGORIES[k].options)
      .map((value) => `<option value="${value}">${x(demographicOptionKey(k, value))}</option>`)
      .join('');
    return `<label>${x(`demographics.${k}`)} <select name="demographics.${k}"><option value="">${x('demographics.notAnswered')}</option>${options}</select></label>`;
  }).join('\n');
  const head = `<link rel="alternate" type="application/rss+xml" title="${x('apply.feedTitle', { org: org.name })}" href="/jobs/${org.slug}/feed.xml">
<link rel="canonical" href="${escapeHtml(pageUrl)}">
${brandHead(org)}
<script type="application/ld+json">${jobPostingJsonLd(job, org, pageUrl, publicUrl)}</script>
<script src="/assets/tz.js" defer></script>`;
  return layout(
    tr.t('apply.pageTitle', { job: job.title, org: org.name }),
    `${languageSwitcher(tr, requestUrl)}
<header>${brandHeader(org, publicUrl, tr)}<h1>${escapeHtml(job.title)}</h1>
<p class="meta">${escapeHtml(jobMeta(job, tr))}</p>${job.valid_through ? `<p class="meta">${x('apply.applyBy', { date: job.valid_through })}</p>` : ''}
<p><a href="/jobs/${org.slug}">${x('apply.allJobs', { org: org.name })}</a></p></header>
<section class="description">${paragraphs}</section>
<section class="notice" id="privacy-notice"><h2>${x('apply.noticeHeading')}</h2>
${noticeHtml}
<p><a href="/privacy/${encodeURIComponent(org.slug)}/ai?lang=${tr.locale}">${x('apply.aiPageLink', { org: org.name })}</a></p>
<p class="version">${x('apply.noticeVersion', { version: PRIVACY_NOTICE_VERSION, revision: String(notice.version) })}</p></section>
<form method="post" action="${action}" enctype="multipart/form-data">
<h2>${x('apply.formHeading')}</h2>
<label>${x('apply.name')} <input name="name" required maxlength="200" autocomplete="name"></label>
<label>${x('apply.email')} <input name="email" type="email" required maxlength="254" autocomplete="email"></label>
<label>${x('apply.phone')} <input name="phone" type="tel" maxlength="40" autocomplete="tel"></label>
<label>${x('apply.location')} <input name="location" maxlength="200"></label>
<label>${x('apply.links')} <input name="links" type="url" maxlength="500"></label>
<label>${x('apply.cv')} <input name="cv" type="file" required accept=".pdf,.docx,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"></label>
<input type="hidden" name="noticeVersion" value="${PRIVACY_NOTICE_VERSION}">
<input type="hidden" name="noticeRevision" value="${notice.version}">
<input type="hidden" name="locale" value="${tr.locale}">
<input type="hidden" name="timeZone" value="" id="candidate-time-zone">
${questionsHtml(questions, tr)}${utmInputs(utm)}<fieldset class="ai-choice"><legend>${x('apply.reviewLegend')}</legend>
<label><input type="radio" name="humanReviewOnly" value="false" checked> ${x('apply.reviewAi')}</label>
<label><input type="radio" name="humanReviewOnly" value="true"> ${x('apply.reviewHuman')}</label>
</fieldset>
<label class="consent"><input type="checkbox" name="consent" value="true" required> ${x('apply.consent')}</label>
<fieldset class="demographics"><legend>${x('demographics.legend')}</legend>
<p>${x('demographics.intro')}</p>
${demo}
</fieldset>
<button type="submit">${x('apply.submit')}</button>
</form>`,
    head,
    tr.locale,
  );
}

/** The message key of a demographic option's label ('decline' is shared by every question). */
function demographicOptionKey(k: string, value: string): MessageKey {
  return (value === 'decline' ? 'demographics.decline' : `demographics.${k}_${value}`) as MessageKey;
}

export function renderThankYou(org: { name: string }, job: { title: string }, humanReviewOnly = false, tr: Translator = EN): string {
  const how = tr.t(humanReviewOnly ? 'apply.thanksReviewHuman' : 'apply.thanksReview');
  return layout(
    tr.t('apply.thanksTitle'),
    `<h1>${escapeHtml(tr.t('apply.thanksHeading'))}</h1><p>${escapeHtml(tr.t('apply.thanksBody', { job: job.title, org: org.name }))} ${escapeHtml(how)}</p>`,
    '',
    tr.locale,
  );
}

/**
 * Fills the apply form's hidden time-zone field with the browser's IANA zone (issue 22).
 * Served as a file (the CSP allows no inline script); without it the field stays empty
 * and the org's default applies.
 */
export const TZ_JS = `(function(){try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;var f=document.getElementById('candidate-time-zone');if(f&&z)f.value=z;}catch(e){}})();
`;

export function renderRss(org: { name: string; slug: string }, jobs: JobRow[], publicUrl: URL): string {
  const x = escapeHtml;
  const items = jobs
    .map((j) => {
      const link = new URL(`/jobs/${org.slug}/${j.slug}`, publicUrl).toString();
      return `<item><title>${x(j.title)}</title><link>${x(link)}</link><guid isPermaLink="false">${x(j.id)}</guid><pubDate>${(j.published_at ?? j.created_at).toUTCString()}</pubDate><description>${x(
        [j.location, j.description.slice(0, 1000)].filter(Boolean).join(' — '),
      )}</description></item>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${x(org.name)} — open jobs</title><link>${x(new URL(`/jobs/${org.slug}/feed.xml`, publicUrl).toString())}</link><description>Open positions at ${x(org.name)}</description>
${items}
</channel></rss>
`;
}

export const APPLY_CSS = `:root{--accent:#1d4ed8}
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1f}
h1{margin:.2rem 0}.org,.meta,.version{color:#555}.notice{background:#f4f6f8;padding:1rem;border-radius:.5rem}
form label{display:block;margin:.8rem 0}.question-row{margin:.8rem 0}.question-row>label{margin-bottom:.2rem}.question-row textarea{display:block;width:100%;padding:.4rem}.help{display:block;font-size:.9em}form input:not([type=checkbox]):not([type=radio]){display:block;width:100%;padding:.4rem}
fieldset{margin-top:1rem}button{margin-top:1rem;padding:.6rem 1.2rem;background:var(--accent);color:#fff;border:0;border-radius:.3rem}
a{color:var(--accent)}.brand{display:inline-flex;align-items:center;gap:.6rem;text-decoration:none;font-weight:600}.logo{max-height:40px;width:auto}
.careers-hero{border-top:.4rem solid var(--accent);padding-top:.8rem}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin:1rem 0}.filters label{margin:0}.filters input,.filters select{display:block;padding:.4rem}
.filters button{margin:0}.jobs{list-style:none;padding:0}.jobs li{border-bottom:1px solid #e3e3e8;padding:.8rem 0}.jobs h2{font-size:1.1rem;margin:0}
.pager{display:flex;gap:1rem;align-items:center;margin:1rem 0}.empty{background:#f4f6f8;padding:1rem;border-radius:.5rem}
.embed body,body.embed{margin:.5rem;max-width:none}
section.application{margin:1rem 0}
textarea{display:block;width:100%;box-sizing:border-box;padding:.4rem;min-height:6rem}
.languages ul{display:flex;flex-wrap:wrap;gap:.8rem;list-style:none;padding:0;margin:0 0 .6rem;font-size:.9em}
`;

/** issue 14 (M2): the page a re-submission's confirmation link opens. Confirming is a POST (a mail scanner following the link changes nothing). */
export function renderResubmissionConfirm(p: { orgName: string; jobTitle: string; token: string; expiresAt: Date }, tr: Translator = EN, requestUrl = `/apply/confirm/${encodeURIComponent(p.token)}`): string {
  const x = (key: MessageKey, values?: Parameters<Translator['t']>[1]) => escapeHtml(tr.t(key, values));
  const names = { org: p.orgName, job: p.jobTitle };
  return layout(
    tr.t('resubmission.confirmTitle'),
    `${languageSwitcher(tr, requestUrl)}
<h1>${x('resubmission.confirmTitle')}</h1>
<p>${x('resubmission.confirmIntro', names)}</p>
<p>${x('resubmission.confirmIgnore', { date: tr.locale === 'en' ? p.expiresAt.toUTCString() : tr.dateTime(p.expiresAt) })}</p>
<form method="post" action="/apply/confirm/${encodeURIComponent(p.token)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit">${x('resubmission.confirmButton')}</button>
</form>`,
    '',
    tr.locale,
  );
}

export function renderResubmissionConfirmed(p: { orgName: string; jobTitle: string }, tr: Translator = EN): string {
  return layout(
    tr.t('resubmission.confirmedTitle'),
    `<h1>${escapeHtml(tr.t('resubmission.confirmedHeading'))}</h1><p>${escapeHtml(tr.t('resubmission.confirmedBody', { job: p.jobTitle, org: p.orgName }))}</p>`,
    '',
    tr.locale,
  );
}
