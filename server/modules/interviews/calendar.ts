// Calendar invites for booked interviews (RFC 5545 / iTIP RFC 5546), built with
// ical-generator: one stable UID per interview, a SEQUENCE that grows with every change,
// METHOD:REQUEST for a booking or a move and METHOD:CANCEL (STATUS:CANCELLED) for a
// cancellation. Times are written in the job's time zone (TZID + VTIMEZONE) so the event
// stays right across DST changes. The invite carries no CV, phone number or other PII
// beyond the attendee address it is sent to. Its words (mail, SUMMARY, DESCRIPTION) are in
// the candidate's language, the time in the text in the candidate's zone (issue 22 item 1).
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { MailMessage } from '../../core/mailer.js';
import type { Translator } from '../../core/i18n/translator.js';
import { zonedWhen } from './candidate-locale.js';
import { isTimezone } from './schedule.js';

export type InviteMethod = 'REQUEST' | 'CANCEL';

export interface InviteInput {
  interviewId: string;
  sequence: number;
  method: InviteMethod;
  start: Date;
  durationSeconds: number;
  /** The job's zone (interview plan weekly hours); falls back to UTC. */
  timezone: string | null;
  jobTitle: string;
  orgName: string;
  /** The org's mail identity, e.g. `hirebox <no-reply@example.com>`. */
  organizer: string;
  attendeeEmail: string;
  publicUrl: URL;
  now: Date;
}

/** `interview-<id>@<PUBLIC_URL host>`: the same for every version of the invite. */
export const inviteUid = (interviewId: string, publicUrl: URL): string => `interview-${interviewId}@${publicUrl.hostname}`;

/** The address inside `Name <addr>` (or the bare address). */
export function mailAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return (m ? m[1] : from.trim()) as string;
}

export function buildInvite(tr: Translator, i: InviteInput): string {
  const tz = i.timezone && isTimezone(i.timezone) && getVtimezoneComponent(i.timezone) ? i.timezone : 'UTC';
  const cancel = i.method === 'CANCEL';
  const cal = ical({ prodId: { company: 'hirebox', product: 'interviews' }, method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST });
  // No calendar-wide zone (that would write DTSTAMP as local time); the generator adds a
  // VTIMEZONE for each event's zone.
  cal.timezone({ name: null, generator: getVtimezoneComponent });
  const start = DateTime.fromJSDate(i.start);
  cal.createEvent({
    id: inviteUid(i.interviewId, i.publicUrl),
    sequence: i.sequence,
    stamp: DateTime.fromJSDate(i.now),
    start,
    end: start.plus({ seconds: i.durationSeconds }),
    timezone: tz,
    summary: tr.t(cancel ? 'mail.icsCancelSummary' : 'mail.icsSummary', { job: i.jobTitle, org: i.orgName }),
    description: cancel ? tr.t('mail.icsCancelDescription', { job: i.jobTitle, org: i.orgName }) : tr.t('mail.icsDescription', { job: i.jobTitle, org: i.orgName, when: zonedWhen(tr, i.start) }),
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: i.orgName, email: mailAddress(i.organizer) },
    attendees: [{ email: i.attendeeEmail, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION, rsvp: !cancel }],
  });
  return cal.toString();
}

/**
 * The candidate's mail: a short text plus the invite as a text/calendar; method=... part.
 * `tr` is in the candidate's language and zone; the event itself keeps the job's zone.
 * `footer` is the org's privacy footer in the same language.
 */
export function inviteMail(tr: Translator, i: InviteInput, footer?: string): MailMessage {
  const cancel = i.method === 'CANCEL';
  const values = { job: i.jobTitle, org: i.orgName, when: zonedWhen(tr, i.start) };
  return {
    to: i.attendeeEmail,
    subject: tr.t(cancel ? 'mail.calendarCancelSubject' : 'mail.calendarSubject', values),
    text: `${tr.t(cancel ? 'mail.calendarCancelText' : 'mail.calendarText', values)}${footer ? `\n\n${footer}` : ''}`,
    icalEvent: { method: i.method, filename: cancel ? 'cancel.ics' : 'invite.ics', content: buildInvite(tr, i) },
  };
}
