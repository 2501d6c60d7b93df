// The candidate's contest page (/contest/:token): server-rendered, no inline script or
// style (the stylesheet is the public pages' /assets/apply.css), so the strict CSP holds.
// Its text comes from the catalogs in the candidate's language (issue 22).
import { escapeHtml } from '../../core/html.js';
import { CONTEST_REASON_MAX } from './oversight.js';
import { translator, type Translator } from '../../core/i18n/translator.js';
import { candidatePage } from '../../core/i18n/page.js';

export function renderContestPage(
  p: { state: 'open' | 'used' | 'expired'; orgName: string; jobTitle: string; token: string },
  tr: Translator = translator('en'),
  requestUrl = `/contest/${encodeURIComponent(p.token)}`,
): string {
  const x = (key: Parameters<Translator['t']>[0], values?: Parameters<Translator['t']>[1]) => escapeHtml(tr.t(key, values));
  const names = { org: p.orgName, job: p.jobTitle };
  const title = tr.t('contest.title');
  const page = (body: string) => candidatePage(tr, title, body, { path: requestUrl, noindex: true });
  if (p.state === 'used') return page(`<h1>${escapeHtml(title)}</h1><p>${x('contest.used', names)}</p>`);
  if (p.state === 'expired') return page(`<h1>${escapeHtml(title)}</h1><p>${x('contest.expired', names)}</p>`);
  const action = `/contest/${encodeURIComponent(p.token)}`;
  return page(
    `<h1>${x('contest.heading', names)}</h1>
<p>${x('contest.intro', names)}</p>
<form method="post" action="${action}">
<label for="reason">${x('contest.reasonLabel', { max: CONTEST_REASON_MAX })}</label><br>
<textarea id="reason" name="reason" required minlength="1" maxlength="${CONTEST_REASON_MAX}" rows="10" cols="60"></textarea><br>
<button type="submit">${x('contest.submit')}</button>
</form>
<p>${x('contest.once')}</p>`,
  );
}

export function renderContestReceived(orgName: string, tr: Translator = translator('en')): string {
  return candidatePage(tr, tr.t('contest.receivedTitle'), `<h1>${escapeHtml(tr.t('contest.receivedTitle'))}</h1><p>${escapeHtml(tr.t('contest.receivedBody', { org: orgName }))}</p>`, { noindex: true });
}
