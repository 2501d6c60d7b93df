// The candidate's contest page (/contest/:token): server-rendered, no inline script or
// style (the stylesheet is the public pages' /assets/apply.css), so the strict CSP holds.
import { escapeHtml } from '../public/html.js';
import { CONTEST_REASON_MAX } from './oversight.js';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/assets/apply.css"></head><body><main>${body}</main></body></html>`;
}

export function renderContestPage(p: { state: 'open' | 'used' | 'expired'; orgName: string; jobTitle: string; token: string }): string {
  const org = escapeHtml(p.orgName);
  const job = escapeHtml(p.jobTitle);
  const title = 'Ask for a human review';
  if (p.state === 'used') return page(title, `<h1>${title}</h1><p>We have already received your request for a review of your application for ${job}. ${org} will reply to you.</p>`);
  if (p.state === 'expired') return page(title, `<h1>${title}</h1><p>This link has expired. Please contact ${org} directly to ask for a review of your application for ${job}.</p>`);
  const action = `/contest/${encodeURIComponent(p.token)}`;
  return page(
    title,
    `<h1>Ask for a human review of your application for ${job} at ${org}</h1>
<p>An AI system helped assess your application: it suggested scores against the job's criteria, with quotes from your CV. A person at ${org} made the decision. If you think the outcome is wrong, tell us why below. A person will review the outcome and reply to you.</p>
<form method="post" action="${action}">
<label for="reason">What do you think is wrong, and why? (at most ${CONTEST_REASON_MAX} characters)</label><br>
<textarea id="reason" name="reason" required minlength="1" maxlength="${CONTEST_REASON_MAX}" rows="10" cols="60"></textarea><br>
<button type="submit">Send my request for a human review</button>
</form>
<p>You can use this link once. What you write is stored encrypted and only used for this review.</p>`,
  );
}

export function renderContestReceived(orgName: string): string {
  return page('Request received', `<h1>Request received</h1><p>Thank you. A person at ${escapeHtml(orgName)} will review the outcome of your application and reply to you.</p>`);
}
