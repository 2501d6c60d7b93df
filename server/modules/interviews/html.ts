// The candidate's interview invitation page: server-rendered, no inline script or style
// (the stylesheet is the public pages' /assets/apply.css), so the strict CSP holds. Every
// string comes from the catalogs in the candidate's language and every time is shown in
// the candidate's zone (issue 22 item 1); job title and org name stay as written.
import { escapeHtml } from '../../core/html.js';
import { candidatePage } from '../../core/i18n/page.js';
import type { Translator } from '../../core/i18n/translator.js';
import { interviewNoticeLines } from '../notices/index.js';
import { interviewStatusLabel, zonedWhen } from './candidate-locale.js';
import { INTERVIEW_NOTICE_VERSION, type InvitePage } from './service.js';
import { accommodationForm, renderTypedChat } from './typed-html.js';
import type { TypedState } from './typed.js';

type PageInput = InvitePage & { token: string; browserScript: string | null; typed?: TypedState | null };

/** The translator (locale and zone) and the page's own path for the language switcher. */
export interface PageContext {
  tr: Translator;
  path: string;
}

let zones: string[] | null = null;
/** Every IANA zone the runtime knows, UTC first (computed once). */
function timezones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  return zones;
}

function timezoneSelect(tr: Translator, selected: string): string {
  const options = timezones()
    .map((z) => `<option value="${escapeHtml(z)}"${z === selected ? ' selected' : ''}>${escapeHtml(z)}</option>`)
    .join('');
  return `<label>${escapeHtml(tr.t('interview.timeZoneLabel'))}<br><select name="timezone">${options}</select></label>`;
}

function slotSelect(tr: Translator, slots: Date[], withNow: boolean): string {
  const now = withNow ? `<option value="now">${escapeHtml(tr.t('interview.slotNow'))}</option>` : '';
  const options = slots.map((d) => `<option value="${d.toISOString()}">${escapeHtml(tr.dateTime(d))}</option>`).join('');
  return `<label>${escapeHtml(tr.t('interview.slotLabel'))}<br><select name="startAt">${now}${options}</select></label>
<p class="meta">${escapeHtml(tr.t('interview.timesShownIn', { zone: tr.timeZone }))}</p>`;
}

/** What the browser-call script says, in the candidate's language (it has no catalog of its own). */
const BROWSER_CALL_TEXTS = {
  ready: 'interview.browserReady',
  connecting: 'interview.browserConnecting',
  running: 'interview.browserRunning',
  ended: 'interview.browserEnded',
  connectionFailed: 'interview.browserConnectionFailed',
  cannotStart: 'interview.browserCannotStart',
  couldNotStart: 'interview.browserCouldNotStart',
} as const;

function browserCallTexts(tr: Translator): string {
  return Object.entries(BROWSER_CALL_TEXTS)
    .map(([name, key]) => ` data-say-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeHtml(tr.t(key))}"`)
    .join('');
}

/** The page after consent: the booking, and while allowed, moving or cancelling it. */
function renderBooked(tr: Translator, p: PageInput): string {
  const action = `/i/${encodeURIComponent(p.token)}`;
  const heading = `<h1>${escapeHtml(tr.t('interview.title', { job: p.jobTitle }))}</h1>`;
  const cancel = `<form method="post" action="${action}/cancel"><button type="submit">${escapeHtml(tr.t('interview.cancelButton'))}</button></form>`;
  if (p.mode === 'typed' && p.typed && (p.status === 'scheduled' || p.status === 'in_progress')) return renderTypedChat(tr, p.typed, p.token, p.jobTitle);
  if (p.mode === 'typed' && p.status === 'ended') return `${heading}<p>${escapeHtml(tr.t('interview.typedDone', { org: p.orgName }))}</p>`;
  if (p.status === 'scheduled' && p.mode === 'browser') {
    const call = p.browserScript
      ? `<div id="browser-call" data-token="${escapeHtml(p.token)}"${browserCallTexts(tr)}><button type="button" id="browser-call-start" disabled>${escapeHtml(tr.t('interview.browserStart'))}</button> <button type="button" id="browser-call-stop" hidden>${escapeHtml(tr.t('interview.browserStop'))}</button><p id="browser-call-status" role="status">${escapeHtml(tr.t('interview.browserLoading'))}</p></div>
<script type="module" src="${escapeHtml(p.browserScript)}"></script>`
      : `<p>${escapeHtml(tr.t('interview.browserUnavailable'))}</p>`;
    return `${heading}
<p>${escapeHtml(tr.t('interview.browserIntro'))}</p>
${call}
${cancel}`;
  }
  if (p.status !== 'scheduled') {
    return `${heading}<p>${escapeHtml(tr.t('interview.alreadyAnswered', { status: interviewStatusLabel(tr, p.status), org: p.orgName }))}</p>`;
  }
  const when = p.scheduledFor ? `<p><strong>${escapeHtml(tr.t('interview.bookedFor', { when: zonedWhen(tr, p.scheduledFor) }))}</strong></p>` : `<p>${escapeHtml(tr.t('interview.callsShortly'))}</p>`;
  const move = p.canChange
    ? `<form method="post" action="${action}/reschedule"><h2>${escapeHtml(tr.t('interview.moveHeading'))}</h2>${slotSelect(tr, p.slots, false)}${timezoneSelect(tr, tr.timeZone)}<button type="submit">${escapeHtml(tr.t('interview.moveButton'))}</button></form>`
    : '';
  return `${heading}${when}${move}${cancel}`;
}

export function renderInvitePage(c: PageContext, p: PageInput): string {
  const { tr } = c;
  const t = (key: Parameters<Translator['t']>[0], values?: Parameters<Translator['t']>[1]): string => escapeHtml(tr.t(key, values));
  const title = tr.t('interview.title', { job: p.jobTitle });
  if (p.answered) return candidatePage(tr, title, renderBooked(tr, p), c);
  const browser = p.browserCalls ? `<label><input type="radio" name="mode" value="browser"> ${t('interview.modeBrowserOption')}</label>` : '';
  const typedOption = p.typedAvailable ? `<label><input type="radio" name="mode" value="typed"> ${t('interview.modeTypedOption')}</label>` : '';
  const how =
    browser || typedOption
      ? `<fieldset><legend>${t('interview.howLegend')}</legend><label><input type="radio" name="mode" value="phone" checked> ${t('interview.modePhoneOption')}</label>${browser}${typedOption}</fieldset>`
      : '<input type="hidden" name="mode" value="phone">';
  const action = `/i/${encodeURIComponent(p.token)}`;
  const lines = interviewNoticeLines(p.notice.facts, tr);
  return candidatePage(
    tr,
    title,
    `<h1>${t('interview.heading', { job: p.jobTitle, org: p.orgName })}</h1>
<section aria-labelledby="notice"><h2 id="notice">${t('interview.noticeHeading')}</h2>
<ul>
<li><strong>${t('interview.noticeAgent')}</strong> ${t('interview.noticeAgentDetail', { minutes: p.maxMinutes })}</li>
<li><strong>${t('interview.noticeRecordedLabel')}</strong> ${t('interview.noticeRecorded', { org: p.orgName })}</li>
<li><strong>${t('interview.noticeAssessedLabel')}</strong> ${t('interview.noticeAssessed', { org: p.orgName })}</li>
<li><strong>${t('interview.noticeRetentionLabel')}</strong> ${escapeHtml(lines.retention)}</li>
<li><strong>${t('interview.noticeContactLabel')}</strong> ${escapeHtml(lines.contact)}</li>
<li><strong>${t('interview.noticeHuman')}</strong>${t('interview.noticeHumanDetail')}</li>
</ul></section>
<form method="post" action="${action}">
<input type="hidden" name="noticeVersion" value="${INTERVIEW_NOTICE_VERSION}">
<input type="hidden" name="noticeRevision" value="${p.notice.version}">
<input type="hidden" name="action" value="consent">
${how}
<label>${t('interview.phoneLabel')}<br><input type="tel" name="phone" autocomplete="tel" maxlength="32"></label>
<label><input type="checkbox" name="phoneConfirmed" value="true"> ${t('interview.phoneConfirm')}</label>
${slotSelect(tr, p.slots, true)}
${timezoneSelect(tr, tr.timeZone)}
<label><input type="checkbox" name="recordingConsent" value="true"> ${t('interview.recordingConsent')}</label>
<button type="submit">${t('interview.consentButton')}</button>
</form>
<form method="post" action="${action}"><input type="hidden" name="action" value="human"><button type="submit">${t('interview.humanButton')}</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="decline"><button type="submit">${t('interview.declineButton')}</button></form>
${accommodationForm(tr, p.token)}
${p.orgSlug ? `<p><a href="/privacy/${encodeURIComponent(p.orgSlug)}/ai">${t('interview.aiLink', { org: p.orgName })}</a></p>\n` : ''}<p>${t('interview.noticeVersion', { version: INTERVIEW_NOTICE_VERSION, revision: String(p.notice.version) })}</p>`,
    c,
  );
}

export function renderAnswered(c: PageContext, status: string, orgName: string, o: { scheduledFor: string | null; mode: string; token: string }): string {
  const { tr } = c;
  const t = (key: Parameters<Translator['t']>[0], values?: Parameters<Translator['t']>[1]): string => escapeHtml(tr.t(key, values));
  const page = `/i/${encodeURIComponent(o.token)}`;
  const manage = `<p><a href="${page}">${t('interview.manage')}</a> ${t('interview.manageNote')}</p>`;
  const text =
    status === 'scheduled' && (o.mode === 'browser' || o.mode === 'typed')
      ? `${t('interview.thanks')} <a href="${page}">${t('interview.openPage')}</a> ${t('interview.openPageNote')}`
      : status === 'scheduled' || status === 'rescheduled'
        ? o.scheduledFor
          ? `${t('interview.booked', { when: zonedWhen(tr, new Date(o.scheduledFor)) })}</p>${manage}<p>`
          : t('interview.callNow')
        : status === 'cancelled'
          ? t('interview.cancelled', { org: orgName })
          : status === 'human_requested'
            ? t('interview.humanRequested', { org: orgName })
            : t('interview.declined');
  return candidatePage(tr, tr.t('interview.pageTitle'), `<h1>${t('interview.pageTitle')}</h1><p>${text}</p>`, { path: page });
}
