// Calendar invites for booked interviews (RFC 5545 / iTIP RFC 5546), built with
// ical-generator: one stable UID per interview, a SEQUENCE that grows with every change,
// METHOD:REQUEST for a booking or a move and METHOD:CANCEL (STATUS:CANCELLED) for a
// cancellation. Times are written in the job's time zone (TZID + VTIMEZONE) so the event
// stays right across DST changes. The invite carries no CV, phone number or other PII
// beyond the attendee address it is sent to.
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { MailMessage } from '../../core/mailer.js';
import { formatIn, isTimezone } from './schedule.js';

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

export function buildInvite(i: InviteInput): string {
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
    summary: `${cancel ? 'Cancelled: ' : ''}AI interview for ${i.jobTitle} (${i.orgName})`,
    description: cancel
      ? `The interview for ${i.jobTitle} at ${i.orgName} has been cancelled.`
      : `Interview for ${i.jobTitle} at ${i.orgName}, ${formatIn(i.start, tz)}. The AI voice agent calls the number you confirmed. To move or cancel, use the link from your invitation email.`,
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: i.orgName, email: mailAddress(i.organizer) },
    attendees: [{ email: i.attendeeEmail, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION, rsvp: !cancel }],
  });
  return cal.toString();
}

/** The candidate's mail: a short text plus the invite as a text/calendar; method=... part. */
export function inviteMail(i: InviteInput): MailMessage {
  const tz = i.timezone && isTimezone(i.timezone) ? i.timezone : 'UTC';
  const cancel = i.method === 'CANCEL';
  return {
    to: i.attendeeEmail,
    subject: cancel ? `Cancelled: interview for ${i.jobTitle} at ${i.orgName}` : `Calendar invite: interview for ${i.jobTitle} at ${i.orgName}`,
    text: cancel
      ? `Your interview for ${i.jobTitle} at ${i.orgName} (${formatIn(i.start, tz)}) has been cancelled. The attached calendar update removes it from your calendar.`
      : `Your interview for ${i.jobTitle} at ${i.orgName} is booked for ${formatIn(i.start, tz)}. The attached invite adds it to your calendar; it is updated if the time changes.`,
    icalEvent: { method: i.method, filename: cancel ? 'cancel.ics' : 'invite.ics', content: buildInvite(i) },
  };
}
