// The typed interview and accommodation parts of the invite page: plain forms (no script),
// so the strict CSP holds and the page works without JavaScript.
import { escapeHtml } from '../public/html.js';
import { ACCOMMODATION_NOTE_MAX } from './accommodations.js';
import type { TypedState } from './typed.js';
import { TYPED_ANSWER_MAX } from './typed.js';

export function renderTypedChat(s: TypedState, token: string, jobTitle: string): string {
  const action = `/i/${encodeURIComponent(token)}/typed`;
  const head = `<h1>Typed interview for ${escapeHtml(jobTitle)}</h1>`;
  const finish = `<form method="post" action="${action}/finish"><button type="submit">Finish the interview and send my answers</button></form>`;
  if (!s.question) return `${head}<p>You have answered all ${s.total} questions.</p>${finish}`;
  return `${head}
<p>Question ${s.question.index + 1} of ${s.total}. Take the time you need; answers are assessed on their content only.</p>
<form method="post" action="${action}/answers">
<input type="hidden" name="index" value="${s.question.index}">
<label for="typed-answer">${escapeHtml(s.question.text)}</label>
<textarea id="typed-answer" name="answer" rows="8" maxlength="${TYPED_ANSWER_MAX}" required></textarea>
<button type="submit">Send this answer</button>
</form>
${finish}`;
}

export function accommodationForm(token: string): string {
  return `<section aria-labelledby="accommodations"><h2 id="accommodations">Need an adjustment?</h2>
<form method="post" action="/i/${encodeURIComponent(token)}/accommodations">
<fieldset><legend>What would help you?</legend>
<label><input type="radio" name="type" value="more_time" checked> More time for the interview</label>
<label><input type="radio" name="type" value="typed_mode"> Typing my answers instead of speaking</label>
<label><input type="radio" name="type" value="human_interviewer"> A human interviewer</label>
</fieldset>
<label for="accommodation-note">Anything the hiring team should know (optional; you do not need to give a reason)</label>
<textarea id="accommodation-note" name="note" rows="3" maxlength="${ACCOMMODATION_NOTE_MAX}"></textarea>
<button type="submit">Send my request</button>
</form></section>`;
}

export function renderAccommodationRequested(r: { type: string; status: string; dueAt: string }, token: string): string {
  const text =
    r.status === 'granted'
      ? `Typed mode is available to you: <a href="/i/${encodeURIComponent(token)}">go back to the invitation</a> and choose "Type my answers".`
      : `Thank you. The hiring team will answer by ${escapeHtml(new Date(r.dueAt).toUTCString())}. <a href="/i/${encodeURIComponent(token)}">Back to the invitation</a>.`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>Request received</title><link rel="stylesheet" href="/assets/apply.css"></head><body><main><h1>Request received</h1><p>${text}</p></main></body></html>`;
}
