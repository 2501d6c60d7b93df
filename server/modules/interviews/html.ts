// The candidate's interview invitation page: server-rendered, no inline script or style
// (the stylesheet is the public pages' /assets/apply.css), so the strict CSP holds.
import { escapeHtml } from '../public/html.js';
import { formatBoth, formatIn } from './schedule.js';
import { interviewNoticeLines } from '../notices/text.js';
import { INTERVIEW_NOTICE_VERSION, type InvitePage } from './service.js';
import { accommodationForm, renderTypedChat } from './typed-html.js';
import type { TypedState } from './typed.js';

type PageInput = InvitePage & { token: string; browserScript: string | null; typed?: TypedState | null };

let zones: string[] | null = null;
/** Every IANA zone the runtime knows, UTC first (computed once). */
function timezones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  return zones;
}

function timezoneSelect(selected: string | null): string {
  const options = timezones()
    .map((z) => `<option value="${escapeHtml(z)}"${z === (selected ?? 'UTC') ? ' selected' : ''}>${escapeHtml(z)}</option>`)
    .join('');
  return `<label>Your time zone (times below are shown in UTC; confirmations and reminders also show your local time)<br><select name="timezone">${options}</select></label>`;
}

function slotSelect(slots: Date[], withNow: boolean): string {
  const now = withNow ? '<option value="now">As soon as possible (the agent calls in a moment)</option>' : '';
  const options = slots.map((d) => `<option value="${d.toISOString()}">${escapeHtml(formatIn(d, 'UTC'))}</option>`).join('');
  return `<label>When should the AI interviewer call?<br><select name="startAt">${now}${options}</select></label>`;
}

/** The page after consent: the booking, and while allowed, moving or cancelling it. */
function renderBooked(p: PageInput): string {
  const action = `/i/${encodeURIComponent(p.token)}`;
  const job = escapeHtml(p.jobTitle);
  if (p.mode === 'typed' && p.typed && (p.status === 'scheduled' || p.status === 'in_progress')) return renderTypedChat(p.typed, p.token, p.jobTitle);
  if (p.mode === 'typed' && p.status === 'ended') return `<h1>Interview for ${job}</h1><p>Thank you: your typed answers were sent. ${escapeHtml(p.orgName)} will be in touch.</p>`;
  if (p.status === 'scheduled' && p.mode === 'browser') {
    const call = p.browserScript
      ? `<div id="browser-call" data-token="${escapeHtml(p.token)}"><button type="button" id="browser-call-start" disabled>Start the interview</button> <button type="button" id="browser-call-stop" hidden>End the interview</button><p id="browser-call-status" role="status">Loading…</p></div>
<script type="module" src="${escapeHtml(p.browserScript)}"></script>`
      : '<p>Browser interviews are unavailable right now; please try again later.</p>';
    return `<h1>Interview for ${job}</h1>
<p>Your interview takes place here in your browser. When you are ready, press the button and allow microphone access. The AI interviewer introduces itself as an AI first.</p>
${call}
<form method="post" action="${action}/cancel"><button type="submit">Cancel the interview</button></form>`;
  }
  if (p.status !== 'scheduled') {
    return `<h1>Interview for ${job}</h1><p>You have already answered this invitation (status: ${escapeHtml(p.status.replace('_', ' '))}). ${escapeHtml(p.orgName)} will be in touch.</p>`;
  }
  const when = p.scheduledFor ? `<p>Booked for <strong>${escapeHtml(formatBoth(p.scheduledFor, p.timezone))}</strong>.</p>` : '<p>The AI interviewer will call you shortly.</p>';
  const move = p.canChange
    ? `<form method="post" action="${action}/reschedule"><h2>Move the interview</h2>${slotSelect(p.slots, false)}${timezoneSelect(p.timezone)}<button type="submit">Move to this time</button></form>`
    : '';
  return `<h1>Interview for ${job}</h1>${when}${move}<form method="post" action="${action}/cancel"><button type="submit">Cancel the interview</button></form>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/assets/apply.css"></head><body><main>${body}</main></body></html>`;
}

export function renderInvitePage(p: PageInput): string {
  const org = escapeHtml(p.orgName);
  const job = escapeHtml(p.jobTitle);
  if (p.answered) return page(`Interview for ${p.jobTitle}`, renderBooked(p));
  const browser = p.browserCalls ? `<label><input type="radio" name="mode" value="browser"> In this browser, with my microphone, when I am ready (no phone number needed)</label>` : '';
  const typedOption = p.typedAvailable ? `<label><input type="radio" name="mode" value="typed"> Type my answers in this browser, one question at a time (no call, no phone number needed)</label>` : '';
  const how =
    browser || typedOption
      ? `<fieldset><legend>How would you like to be interviewed?</legend><label><input type="radio" name="mode" value="phone" checked> The AI interviewer calls my phone</label>${browser}${typedOption}</fieldset>`
      : '<input type="hidden" name="mode" value="phone">';
  const action = `/i/${encodeURIComponent(p.token)}`;
  const lines = interviewNoticeLines(p.notice.facts);
  return page(
    `Interview for ${p.jobTitle}`,
    `<h1>Interview for ${job} at ${org}</h1>
<section aria-labelledby="notice"><h2 id="notice">Before you start</h2>
<ul>
<li><strong>You will talk to an AI voice agent, not a person.</strong> The agent says so when the call starts. It asks about ${p.maxMinutes} minutes of questions about your experience for this role.</li>
<li><strong>What is recorded and why:</strong> the conversation is transcribed so that ${org}'s recruiters can review your answers. With your permission below, the audio is recorded too; without it, no recording is kept.</li>
<li><strong>How answers are assessed:</strong> only on what you say. No emotion, tone or voice traits are analysed. An AI suggests a score per question with quotes from the transcript; a person at ${org} makes every decision.</li>
<li><strong>Retention:</strong> ${escapeHtml(lines.retention)}</li>
<li><strong>Contact:</strong> ${escapeHtml(lines.contact)}</li>
<li><strong>You can choose a human interviewer instead</strong>, with no effect on how your application is assessed.</li>
</ul></section>
<form method="post" action="${action}">
<input type="hidden" name="noticeVersion" value="${INTERVIEW_NOTICE_VERSION}">
<input type="hidden" name="noticeRevision" value="${p.notice.version}">
<input type="hidden" name="action" value="consent">
${how}
<label>Phone number to call (international format, e.g. +44 20 7946 0958)<br><input type="tel" name="phone" autocomplete="tel" maxlength="32"></label>
<label><input type="checkbox" name="phoneConfirmed" value="true"> This is my number and I agree to be called on it at the time I choose.</label>
${slotSelect(p.slots, true)}
${timezoneSelect(null)}
<label><input type="checkbox" name="recordingConsent" value="true"> You may record the audio of the call (optional).</label>
<button type="submit">I have read this and agree: start the AI interview</button>
</form>
<form method="post" action="${action}"><input type="hidden" name="action" value="human"><button type="submit">I would like a human interviewer instead</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="decline"><button type="submit">I do not want to be interviewed</button></form>
${accommodationForm(p.token)}
${p.orgSlug ? `<p><a href="/privacy/${encodeURIComponent(p.orgSlug)}/ai">How ${org} uses AI, and who else receives your data</a></p>\n` : ''}<p>Notice version ${INTERVIEW_NOTICE_VERSION}, revision ${p.notice.version}.</p>`,
  );
}

export function renderAnswered(status: string, orgName: string, o: { scheduledFor: string | null; timezone: string | null; mode: string; token: string }): string {
  const org = escapeHtml(orgName);
  const manage = `<p><a href="/i/${encodeURIComponent(o.token)}">Move or cancel the interview</a> (this link works until the interview).</p>`;
  const booked = o.scheduledFor ? `Your interview is booked for ${escapeHtml(formatBoth(new Date(o.scheduledFor), o.timezone))}. You will get reminders by email a day and an hour before.` : null;
  const text =
    status === 'scheduled' && (o.mode === 'browser' || o.mode === 'typed')
      ? `Thank you. <a href="/i/${encodeURIComponent(o.token)}">Open the interview page</a> and start the interview when you are ready.`
      : status === 'scheduled' || status === 'rescheduled'
        ? `${booked ? `Thank you. ${booked}` : 'Thank you. The AI interviewer will call you in a moment.'}${booked ? manage : ''}`
        : status === 'cancelled'
          ? `Your interview is cancelled. No call will be made. ${org} will be in touch.`
          : status === 'human_requested'
            ? `Thank you. ${org} will arrange an interview with a person.`
            : `Thank you for letting us know. No call will be made.`;
  return page('Interview', `<h1>Interview</h1><p>${text}</p>`);
}
