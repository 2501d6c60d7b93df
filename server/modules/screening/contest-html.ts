// The candidate's contest page (/contest/:token): server-rendered, no inline script or
// style (the stylesheet is the public pages' /assets/apply.css), so the strict CSP holds.
// Its text comes from the catalogs in the candidate's language (issue 22).
import { escapeHtml } from '../public/html.js';
import { CONTEST_REASON_MAX } from './oversight.js';
import { translator, type Translator } from '../../core/i18n/translator.js';
import { languageSwitcher } from '../../core/i18n/switcher.js';

function page(title: string, body: string, lang: string): string {
  return `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/assets/apply.css"></head><body><main>${body}</main></body></html>`;
}

export function renderContestPage(
  p: { state: 'open' | 'used' | 'expired'; orgName: string; jobTitle: string; token: string },
  tr: Translator = translator('en'),
  requestUrl = `/contest/${encodeURIComponent(p.token)}`,
): string {
  const x = (key: Parameters<Translator['t']>[0], values?: Parameters<Translator['t']>[1]) => escapeHtml(tr.t(key, values));
  const names = { org: p.orgName, job: p.jobTitle };
  const title = tr.t('contest.title');
  const switcher = languageSwitcher(tr, requestUrl);
  if (p.state === 'used') return page(title, `${switcher}<h1>${escapeHtml(title)}</h1><p>${x('contest.used', names)}</p>`, tr.locale);
  if (p.state === 'expired') return page(title, `${switcher}<h1>${escapeHtml(title)}</h1><p>${x('contest.expired', names)}</p>`, tr.locale);
  const action = `/contest/${encodeURIComponent(p.token)}`;
  return page(
    title,
    `${switcher}<h1>${x('contest.heading', names)}</h1>
<p>${x('contest.intro', names)}</p>
<form method="post" action="${action}">
<label for="reason">${x('contest.reasonLabel', { max: CONTEST_REASON_MAX })}</label><br>
<textarea id="reason" name="reason" required minlength="1" maxlength="${CONTEST_REASON_MAX}" rows="10" cols="60"></textarea><br>
<button type="submit">${x('contest.submit')}</button>
</form>
<p>${x('contest.once')}</p>`,
    tr.locale,
  );
}

export function renderContestReceived(orgName: string, tr: Translator = translator('en')): string {
  return page(tr.t('contest.receivedTitle'), `<h1>${escapeHtml(tr.t('contest.receivedTitle'))}</h1><p>${escapeHtml(tr.t('contest.receivedBody', { org: orgName }))}</p>`, tr.locale);
}
