// The typed interview and accommodation parts of the invite page: plain forms (no script),
// so the strict CSP holds and the page works without JavaScript. Strings come from the
// catalogs in the candidate's language; the questions stay as the recruiter wrote them.
import { escapeHtml } from '../../core/html.js';
import { candidatePage } from '../../core/i18n/page.js';
import type { Translator } from '../../core/i18n/translator.js';
import { ACCOMMODATION_NOTE_MAX } from './accommodations.js';
import type { TypedState } from './typed.js';
import { TYPED_ANSWER_MAX } from './typed.js';

export function renderTypedChat(tr: Translator, s: TypedState, token: string, jobTitle: string): string {
  const action = `/i/${encodeURIComponent(token)}/typed`;
  const head = `<h1>${escapeHtml(tr.t('typed.heading', { job: jobTitle }))}</h1>`;
  const finish = `<form method="post" action="${action}/finish"><button type="submit">${escapeHtml(tr.t('typed.finish'))}</button></form>`;
  if (!s.question) return `${head}<p>${escapeHtml(tr.t('typed.allAnswered', { total: s.total }))}</p>${finish}`;
  return `${head}
<p>${escapeHtml(tr.t('typed.progress', { number: s.question.index + 1, total: s.total }))}</p>
<form method="post" action="${action}/answers">
<input type="hidden" name="index" value="${s.question.index}">
<label for="typed-answer">${escapeHtml(s.question.text)}</label>
<textarea id="typed-answer" name="answer" rows="8" maxlength="${TYPED_ANSWER_MAX}" required></textarea>
<button type="submit">${escapeHtml(tr.t('typed.send'))}</button>
</form>
${finish}`;
}

export function accommodationForm(tr: Translator, token: string): string {
  const t = (key: Parameters<Translator['t']>[0]): string => escapeHtml(tr.t(key));
  return `<section aria-labelledby="accommodations"><h2 id="accommodations">${t('accommodation.heading')}</h2>
<form method="post" action="/i/${encodeURIComponent(token)}/accommodations">
<fieldset><legend>${t('accommodation.legend')}</legend>
<label><input type="radio" name="type" value="more_time" checked> ${t('accommodation.moreTime')}</label>
<label><input type="radio" name="type" value="typed_mode"> ${t('accommodation.typedMode')}</label>
<label><input type="radio" name="type" value="human_interviewer"> ${t('accommodation.humanInterviewer')}</label>
</fieldset>
<label for="accommodation-note">${t('accommodation.noteLabel')}</label>
<textarea id="accommodation-note" name="note" rows="3" maxlength="${ACCOMMODATION_NOTE_MAX}"></textarea>
<button type="submit">${t('accommodation.send')}</button>
</form></section>`;
}

export function renderAccommodationRequested(tr: Translator, r: { type: string; status: string; dueAt: string }, token: string): string {
  const page = `/i/${encodeURIComponent(token)}`;
  const text = r.status === 'granted' ? escapeHtml(tr.t('accommodation.granted')) : escapeHtml(tr.t('accommodation.due', { due: new Date(r.dueAt) }));
  const title = tr.t('accommodation.receivedTitle');
  return candidatePage(tr, title, `<h1>${escapeHtml(title)}</h1><p>${text} <a href="${page}">${escapeHtml(tr.t('accommodation.back'))}</a></p>`, { path: page });
}
