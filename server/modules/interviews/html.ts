// The candidate's interview invitation page: server-rendered, no inline script or style
// (the stylesheet is the public pages' /assets/apply.css), so the strict CSP holds.
import { escapeHtml } from '../public/html.js';
import { INTERVIEW_NOTICE_VERSION, TRANSCRIPT_RETENTION_DAYS } from './service.js';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/assets/apply.css"></head><body><main>${body}</main></body></html>`;
}

export function renderInvitePage(p: { orgName: string; jobTitle: string; answered: boolean; maxMinutes: number; token: string }): string {
  const org = escapeHtml(p.orgName);
  const job = escapeHtml(p.jobTitle);
  if (p.answered) return page(`Interview for ${p.jobTitle}`, `<h1>Interview for ${job}</h1><p>You have already answered this invitation. ${org} will be in touch.</p>`);
  const action = `/i/${encodeURIComponent(p.token)}`;
  return page(
    `Interview for ${p.jobTitle}`,
    `<h1>Interview for ${job} at ${org}</h1>
<section aria-labelledby="notice"><h2 id="notice">Before you start</h2>
<ul>
<li><strong>You will talk to an AI voice agent, not a person.</strong> The agent says so when the call starts. It asks about ${p.maxMinutes} minutes of questions about your experience for this role.</li>
<li><strong>What is recorded and why:</strong> the conversation is transcribed so that ${org}'s recruiters can review your answers. With your permission below, the audio is recorded too; without it, no recording is kept.</li>
<li><strong>How answers are assessed:</strong> only on what you say. No emotion, tone or voice traits are analysed. An AI suggests a score per question with quotes from the transcript; a person at ${org} makes every decision.</li>
<li><strong>Retention:</strong> the transcript and recording are kept for up to ${TRANSCRIPT_RETENTION_DAYS} days after the final decision, then deleted. You can ask ${org} for a copy or for deletion at any time.</li>
<li><strong>You can choose a human interviewer instead</strong>, with no effect on how your application is assessed.</li>
</ul></section>
<form method="post" action="${action}">
<input type="hidden" name="noticeVersion" value="${INTERVIEW_NOTICE_VERSION}">
<input type="hidden" name="action" value="consent">
<label>Phone number to call (international format, e.g. +44 20 7946 0958)<br><input type="tel" name="phone" required autocomplete="tel" maxlength="32"></label>
<label><input type="checkbox" name="phoneConfirmed" value="true" required> This is my number and I agree to be called on it now.</label>
<label><input type="checkbox" name="recordingConsent" value="true"> You may record the audio of the call (optional).</label>
<button type="submit">I have read this and agree: start the AI interview</button>
</form>
<form method="post" action="${action}"><input type="hidden" name="action" value="human"><button type="submit">I would like a human interviewer instead</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="decline"><button type="submit">I do not want to be interviewed</button></form>
<p>Notice version ${INTERVIEW_NOTICE_VERSION}.</p>`,
  );
}

export function renderAnswered(status: string, orgName: string): string {
  const org = escapeHtml(orgName);
  const text =
    status === 'scheduled'
      ? 'Thank you. The AI interviewer will call you in a moment.'
      : status === 'human_requested'
        ? `Thank you. ${org} will arrange an interview with a person.`
        : `Thank you for letting us know. No call will be made.`;
  return page('Interview', `<h1>Interview</h1><p>${text}</p>`);
}
