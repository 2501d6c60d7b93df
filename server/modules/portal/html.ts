// Server-rendered status pages (issue 22 item 2) under the strict CSP: no scripts, no
// inline styles (the public pages' stylesheet), every value escaped. Strings come from
// text.ts. Every form POSTs with the session's CSRF token in a hidden field.
import { escapeHtml as x, layout } from '../public/html.js';
import type { StatusApplication } from './service.js';
import { T } from './text.js';

export interface PageOrg {
  slug: string;
  name: string;
}

const base = (org: PageOrg): string => `/portal/${encodeURIComponent(org.slug)}`;
const csrfInput = (csrf: string): string => `<input type="hidden" name="csrf" value="${x(csrf)}">`;

export function renderStart(org: PageOrg): string {
  return layout(
    `${T.startTitle} — ${org.name}`,
    `<h1>${x(T.startTitle)}</h1>
<p>${x(T.startIntro(org.name))}</p>
<form method="post" action="/api/v1/public/portal/${encodeURIComponent(org.slug)}/link">
<label>${x(T.emailLabel)} <input name="email" type="email" required maxlength="254" autocomplete="email"></label>
<button type="submit">${x(T.sendLink)}</button>
</form>`,
  );
}

export function renderSent(org: PageOrg): string {
  return layout(T.sentTitle, `<h1>${x(T.sentTitle)}</h1><p>${x(T.sent)}</p><p><a href="${base(org)}">${x(T.startAgain)}</a></p>`);
}

export function renderEnter(org: PageOrg, token: string): string {
  return layout(
    T.enterTitle,
    `<h1>${x(T.enterTitle)}</h1>
<p>${x(T.enterIntro(org.name))}</p>
<form method="post" action="${base(org)}/enter/${encodeURIComponent(token)}">
<button type="submit">${x(T.enterButton)}</button>
</form>`,
  );
}

export function renderError(org: PageOrg | null, detail: string): string {
  const again = org ? `<p><a href="${base(org)}">${x(T.startAgain)}</a></p>` : '';
  return layout(T.errorTitle, `<h1>${x(T.errorTitle)}</h1><p role="alert">${x(detail)}</p>${again}`);
}

function statusOf(map: Record<string, string>, key: string): string {
  return map[key] ?? key.replace(/_/g, ' ');
}

function applicationSection(org: PageOrg, a: StatusApplication, csrf: string): string {
  const ai: string[] = [];
  if (a.aiFree) ai.push(T.aiFreeRoute);
  else if (a.screenings.length === 0) ai.push(T.aiNotScreened);
  for (const s of a.screenings) ai.push(T.aiScreened(statusOf(T.screeningStatus, s.status)));
  const interviews = a.interviews.length
    ? a.interviews
        .map((i) => {
          const when = i.scheduledFor ? ` — ${x(T.interviewAt(i.scheduledFor.slice(0, 16).replace('T', ' ')))}` : '';
          const book = i.bookable ? `<form method="post" action="${base(org)}/interviews/${i.id}/open">${csrfInput(csrf)}<button type="submit">${x(T.book)}</button></form>` : '';
          return `<li>${x(T.interview(statusOf(T.interviewModes, i.mode), statusOf(T.interviewStatus, i.status)))}${when}${book}</li>`;
        })
        .join('')
    : `<li>${x(T.noInterview)}</li>`;
  const notices = a.notices.length
    ? a.notices.map((n) => `<li>${x(n.kind === 'application' ? T.applyNotice(n.version, n.acceptedOn) : T.interviewNotice(n.version, n.acceptedOn))}</li>`).join('')
    : `<li>${x(T.noNotices)}</li>`;
  const withdraw = a.open
    ? `<form method="post" action="${base(org)}/applications/${a.id}/withdraw">${csrfInput(csrf)}<label class="consent"><input type="checkbox" name="confirm" value="yes" required> ${x(T.withdrawConfirm)}</label><button type="submit">${x(T.withdraw)}</button></form>`
    : `<p>${x(T.closed)}</p>`;
  return `<section class="notice application" aria-labelledby="app-${a.id}">
<h2 id="app-${a.id}">${x(a.jobTitle)}</h2>
<p class="meta">${x(T.applied(a.appliedOn))} · ${x(T.stage)}: <strong>${x(statusOf(T.stageKinds, a.stage.kind))}</strong></p>
<h3>${x(T.aiHeading)}</h3>
<ul>${ai.map((l) => `<li>${x(l)}</li>`).join('')}${interviews}</ul>
<h3>${x(T.noticesHeading)}</h3>
<ul>${notices}</ul>
${withdraw}
</section>`;
}

export function renderStatus(org: PageOrg, apps: StatusApplication[], csrf: string): string {
  const requestForm = (type: 'human_review' | 'erasure', label: string): string =>
    `<form method="post" action="${base(org)}/requests">${csrfInput(csrf)}<input type="hidden" name="type" value="${type}"><button type="submit">${x(label)}</button></form>`;
  return layout(
    T.statusTitle(org.name),
    `<header><h1>${x(T.statusTitle(org.name))}</h1><p class="meta">${x(T.signedInNote)}</p>
<form method="post" action="${base(org)}/sign-out">${csrfInput(csrf)}<button type="submit">${x(T.signOut)}</button></form></header>
${apps.map((a) => applicationSection(org, a, csrf)).join('\n')}
<section aria-labelledby="your-data"><h2 id="your-data">${x(T.yourDataHeading)}</h2>
<form method="post" action="${base(org)}/export">${csrfInput(csrf)}<button type="submit">${x(T.download)}</button></form>
${requestForm('human_review', T.humanReview)}
${requestForm('erasure', T.erasure)}
<p>${x(T.requestsNote)}</p></section>`,
  );
}

export function renderDone(org: PageOrg, title: string, text: string): string {
  return layout(title, `<h1>${x(title)}</h1><p role="status">${x(text)}</p><p><a href="${base(org)}">${x(T.back)}</a></p>`);
}
