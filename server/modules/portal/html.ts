// Server-rendered status pages (issue 22 item 2) under the strict CSP: no scripts, no
// inline styles (the public pages' stylesheet), every value escaped. Every string comes
// from the catalogs in the candidate's language (issue 22 item 1); times are shown in the
// candidate's zone. Every form POSTs with the session's CSRF token in a hidden field.
import { escapeHtml as x } from '../../core/html.js';
import { candidatePage } from '../../core/i18n/page.js';
import type { Translator } from '../../core/i18n/translator.js';
import type { StatusApplication } from './service.js';
import { interviewModeLabel, interviewStatusLabel, middayOf, screeningLabel, stageLabel } from './text.js';

export interface PageOrg {
  slug: string;
  name: string;
}

/** The translator and the page's own path (for the language switcher). */
export interface PageContext {
  tr: Translator;
  path: string;
}

const base = (org: PageOrg): string => `/portal/${encodeURIComponent(org.slug)}`;
const csrfInput = (csrf: string): string => `<input type="hidden" name="csrf" value="${x(csrf)}">`;

export function renderStart(c: PageContext, org: PageOrg): string {
  const { tr } = c;
  return candidatePage(
    tr,
    `${tr.t('portal.startTitle')} — ${org.name}`,
    `<h1>${x(tr.t('portal.startTitle'))}</h1>
<p>${x(tr.t('portal.startIntro', { org: org.name }))}</p>
<form method="post" action="/api/v1/public/portal/${encodeURIComponent(org.slug)}/link?lang=${tr.locale}">
<label>${x(tr.t('portal.emailLabel'))} <input name="email" type="email" required maxlength="254" autocomplete="email"></label>
<button type="submit">${x(tr.t('portal.sendLink'))}</button>
</form>`,
    c,
  );
}

export function renderSent(c: PageContext, org: PageOrg): string {
  const { tr } = c;
  return candidatePage(tr, tr.t('portal.sentTitle'), `<h1>${x(tr.t('portal.sentTitle'))}</h1><p>${x(tr.t('portal.sent'))}</p><p><a href="${base(org)}">${x(tr.t('portal.startAgain'))}</a></p>`, { path: base(org) });
}

export function renderEnter(c: PageContext, org: PageOrg, token: string): string {
  const { tr } = c;
  return candidatePage(
    tr,
    tr.t('portal.enterTitle'),
    `<h1>${x(tr.t('portal.enterTitle'))}</h1>
<p>${x(tr.t('portal.enterIntro', { org: org.name }))}</p>
<form method="post" action="${base(org)}/enter/${encodeURIComponent(token)}">
<button type="submit">${x(tr.t('portal.enterButton'))}</button>
</form>`,
    c,
  );
}

export function renderError(c: PageContext, org: PageOrg | null, detail: string): string {
  const { tr } = c;
  const again = org ? `<p><a href="${base(org)}">${x(tr.t('portal.startAgain'))}</a></p>` : '';
  return candidatePage(tr, tr.t('portal.errorTitle'), `<h1>${x(tr.t('portal.errorTitle'))}</h1><p role="alert">${x(detail)}</p>${again}`, c);
}

function applicationSection(tr: Translator, org: PageOrg, a: StatusApplication, csrf: string): string {
  const ai: string[] = [];
  if (a.aiFree) ai.push(tr.t('portal.aiFreeRoute'));
  else if (a.screenings.length === 0) ai.push(tr.t('portal.aiNotScreened'));
  for (const s of a.screenings) ai.push(tr.t('portal.aiScreened', { status: screeningLabel(tr, s.status) }));
  const interviews = a.interviews.length
    ? a.interviews
        .map((i) => {
          const when = i.scheduledFor ? ` — ${x(tr.t('portal.interviewAt', { when: new Date(i.scheduledFor) }))}` : '';
          const book = i.bookable ? `<form method="post" action="${base(org)}/interviews/${i.id}/open">${csrfInput(csrf)}<button type="submit">${x(tr.t('portal.book'))}</button></form>` : '';
          return `<li>${x(tr.t('portal.interview', { mode: interviewModeLabel(tr, i.mode), status: interviewStatusLabel(tr, i.status) }))}${when}${book}</li>`;
        })
        .join('')
    : `<li>${x(tr.t('portal.noInterview'))}</li>`;
  const noticeLine = (n: StatusApplication['notices'][number]): string => {
    const application = n.kind === 'application';
    if (!n.acceptedOn) return tr.t(application ? 'portal.applyNotice' : 'portal.interviewNotice', { version: n.version });
    return tr.t(application ? 'portal.applyNoticeOn' : 'portal.interviewNoticeOn', { version: n.version, day: middayOf(n.acceptedOn) });
  };
  const notices = a.notices.length ? a.notices.map((n) => `<li>${x(noticeLine(n))}</li>`).join('') : `<li>${x(tr.t('portal.noNotices'))}</li>`;
  const withdraw = a.open
    ? `<form method="post" action="${base(org)}/applications/${a.id}/withdraw">${csrfInput(csrf)}<label class="consent"><input type="checkbox" name="confirm" value="yes" required> ${x(tr.t('portal.withdrawConfirm'))}</label><button type="submit">${x(tr.t('portal.withdraw'))}</button></form>`
    : `<p>${x(tr.t('portal.closed'))}</p>`;
  return `<section class="notice application" aria-labelledby="app-${a.id}">
<h2 id="app-${a.id}">${x(a.jobTitle)}</h2>
<p class="meta">${x(tr.t('portal.applied', { day: middayOf(a.appliedOn) }))} · ${x(tr.t('portal.stage'))}: <strong>${x(stageLabel(tr, a.stage.kind))}</strong></p>
<h3>${x(tr.t('portal.aiHeading'))}</h3>
<ul>${ai.map((l) => `<li>${x(l)}</li>`).join('')}${interviews}</ul>
<h3>${x(tr.t('portal.noticesHeading'))}</h3>
<ul>${notices}</ul>
${withdraw}
</section>`;
}

export function renderStatus(c: PageContext, org: PageOrg, apps: StatusApplication[], csrf: string): string {
  const { tr } = c;
  const requestForm = (type: 'human_review' | 'erasure', label: string): string =>
    `<form method="post" action="${base(org)}/requests">${csrfInput(csrf)}<input type="hidden" name="type" value="${type}"><button type="submit">${x(label)}</button></form>`;
  const title = tr.t('portal.statusTitle', { org: org.name });
  return candidatePage(
    tr,
    title,
    `<header><h1>${x(title)}</h1><p class="meta">${x(tr.t('portal.signedInNote'))} ${x(tr.t('common.timeZoneNote', { timeZone: tr.timeZone }))}</p>
<form method="post" action="${base(org)}/sign-out">${csrfInput(csrf)}<button type="submit">${x(tr.t('portal.signOut'))}</button></form></header>
${apps.map((a) => applicationSection(tr, org, a, csrf)).join('\n')}
<section aria-labelledby="your-data"><h2 id="your-data">${x(tr.t('portal.yourDataHeading'))}</h2>
<form method="post" action="${base(org)}/export">${csrfInput(csrf)}<button type="submit">${x(tr.t('portal.download'))}</button></form>
${requestForm('human_review', tr.t('portal.humanReview'))}
${requestForm('erasure', tr.t('portal.erasure'))}
<p>${x(tr.t('portal.requestsNote'))}</p></section>`,
    c,
  );
}

export function renderDone(c: PageContext, org: PageOrg, title: string, text: string): string {
  const { tr } = c;
  return candidatePage(tr, title, `<h1>${x(title)}</h1><p role="status">${x(text)}</p><p><a href="${base(org)}">${x(tr.t('portal.back'))}</a></p>`, { path: base(org) });
}
