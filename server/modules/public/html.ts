// Server-rendered candidate pages. No inline scripts or styles (strict CSP): styling comes
// from /assets/apply.css; structured data is a JSON-LD data block (never executed) with
// "<" escaped so it cannot end the element.
import type { JobRow } from '../jobs/repo.js';
import { DEMOGRAPHIC_CATEGORIES, DEMOGRAPHIC_KEYS } from '../applications/demographics.js';
import type { CurrentNotice } from '../notices/service.js';
import { PRIVACY_NOTICE_VERSION, applyNoticeParagraphs } from './notice.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const EMPLOYMENT: Record<string, string> = { full_time: 'FULL_TIME', part_time: 'PART_TIME', contract: 'CONTRACTOR', temporary: 'TEMPORARY', internship: 'INTERN' };
const EMPLOYMENT_LABEL: Record<string, string> = { full_time: 'Full time', part_time: 'Part time', contract: 'Contract', temporary: 'Temporary', internship: 'Internship' };

export function jobPostingJsonLd(job: JobRow, org: { name: string }, url: string): string {
  const data = {
    '@context': 'https://schema.org/',
    '@type': 'JobPosting',
    title: job.title,
    description: job.description || job.title,
    datePosted: (job.published_at ?? job.created_at).toISOString().slice(0, 10),
    employmentType: EMPLOYMENT[job.employment_type] ?? 'OTHER',
    hiringOrganization: { '@type': 'Organization', name: org.name },
    ...(job.location ? { jobLocation: { '@type': 'Place', address: { '@type': 'PostalAddress', addressLocality: job.location } } } : {}),
    directApply: true,
    url,
  };
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function layout(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/apply.css">
${head}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function renderApplyPage(job: JobRow, org: { name: string; slug: string }, publicUrl: URL, notice: CurrentNotice): string {
  const pageUrl = new URL(`/jobs/${org.slug}/${job.slug}`, publicUrl).toString();
  const action = `/api/v1/public/jobs/${org.slug}/${job.slug}/apply`;
  const paragraphs = job.description
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
    .join('\n');
  const noticeHtml = applyNoticeParagraphs(notice.facts).map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const demo = DEMOGRAPHIC_KEYS.map((k) => {
    const options = Object.entries(DEMOGRAPHIC_CATEGORIES[k].options)
      .map(([value, label]) => `<option value="${value}">${escapeHtml(label)}</option>`)
      .join('');
    return `<label>${escapeHtml(DEMOGRAPHIC_CATEGORIES[k].label)} <select name="demographics.${k}"><option value="">Not answered</option>${options}</select></label>`;
  }).join('\n');
  const head = `<link rel="alternate" type="application/rss+xml" title="${escapeHtml(org.name)} jobs" href="/jobs/${org.slug}/feed.xml">
<script type="application/ld+json">${jobPostingJsonLd(job, org, pageUrl)}</script>`;
  return layout(
    `${job.title} — ${org.name}`,
    `<header><p class="org">${escapeHtml(org.name)}</p><h1>${escapeHtml(job.title)}</h1>
<p class="meta">${escapeHtml(EMPLOYMENT_LABEL[job.employment_type] ?? '')}${job.location ? ` · ${escapeHtml(job.location)}` : ''}</p></header>
<section class="description">${paragraphs}</section>
<section class="notice" id="privacy-notice"><h2>Before you apply: how your data is used</h2>
${noticeHtml}
<p><a href="/privacy/${encodeURIComponent(org.slug)}/ai">How ${escapeHtml(org.name)} uses AI, and who else receives your data</a></p>
<p class="version">Notice version ${PRIVACY_NOTICE_VERSION}, revision ${notice.version}</p></section>
<form method="post" action="${action}" enctype="multipart/form-data">
<h2>Apply</h2>
<label>Full name <input name="name" required maxlength="200" autocomplete="name"></label>
<label>Email <input name="email" type="email" required maxlength="254" autocomplete="email"></label>
<label>Phone (optional) <input name="phone" type="tel" maxlength="40" autocomplete="tel"></label>
<label>Location (optional) <input name="location" maxlength="200"></label>
<label>Link, e.g. LinkedIn or portfolio (optional) <input name="links" type="url" maxlength="500"></label>
<label>CV (PDF, Word .docx or text, up to 10 MB) <input name="cv" type="file" required accept=".pdf,.docx,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"></label>
<input type="hidden" name="noticeVersion" value="${PRIVACY_NOTICE_VERSION}">
<input type="hidden" name="noticeRevision" value="${notice.version}">
<fieldset class="ai-choice"><legend>How should your application be reviewed?</legend>
<label><input type="radio" name="humanReviewOnly" value="false" checked> AI-assisted screening, reviewed by a person</label>
<label><input type="radio" name="humanReviewOnly" value="true"> A person reviews my application without AI screening</label>
</fieldset>
<label class="consent"><input type="checkbox" name="consent" value="true" required> I have read the notice above and agree to my data being processed as described (with AI-assisted screening only if I chose it).</label>
<fieldset class="demographics"><legend>Voluntary demographic questions (optional, stored separately)</legend>
<p>Leave any of these unanswered, or choose &quot;I decline to answer&quot;. Screeners never see your answers.</p>
${demo}
</fieldset>
<button type="submit">Submit application</button>
</form>`,
    head,
  );
}

export function renderThankYou(org: { name: string }, job: { title: string }, humanReviewOnly = false): string {
  const how = humanReviewOnly ? 'A person will review it without AI screening.' : 'A person will review it.';
  return layout('Application received', `<h1>Thank you</h1><p>Your application for ${escapeHtml(job.title)} at ${escapeHtml(org.name)} has been received. ${how}</p>`);
}

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

export const APPLY_CSS = `body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1f}
h1{margin:.2rem 0}.org,.meta,.version{color:#555}.notice{background:#f4f6f8;padding:1rem;border-radius:.5rem}
form label{display:block;margin:.8rem 0}form input:not([type=checkbox]){display:block;width:100%;padding:.4rem}
fieldset{margin-top:1rem}button{margin-top:1rem;padding:.6rem 1.2rem}
`;

/** issue 14 (M2): the page a re-submission's confirmation link opens. Confirming is a POST (a mail scanner following the link changes nothing). */
export function renderResubmissionConfirm(p: { orgName: string; jobTitle: string; token: string; expiresAt: Date }): string {
  const org = escapeHtml(p.orgName);
  const job = escapeHtml(p.jobTitle);
  return layout(
    'Confirm your new CV',
    `<h1>Confirm your new CV</h1>
<p>A new CV was sent for your application for ${job} at ${org}, with your email address. If you sent it, confirm below: it replaces the CV ${org} reviews, and it is assessed again like any new CV.</p>
<p>If you did not send it, close this page: nothing changes on your application, and the file is deleted on ${escapeHtml(p.expiresAt.toUTCString())}.</p>
<form method="post" action="/apply/confirm/${encodeURIComponent(p.token)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit">Yes, I sent this CV: use it for my application</button>
</form>`,
  );
}

export function renderResubmissionConfirmed(p: { orgName: string; jobTitle: string }): string {
  return layout('CV confirmed', `<h1>Thank you</h1><p>Your new CV is now part of your application for ${escapeHtml(p.jobTitle)} at ${escapeHtml(p.orgName)}. A person will review it.</p>`);
}
