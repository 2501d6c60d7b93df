// Scheduling rules for interviews, kept pure so they are tested without a database:
// recruiter availability windows (UTC instants), the slots a candidate may pick inside
// them, the candidate's IANA timezone (only for display: everything is stored in UTC),
// retry classification of Vapi's endedReason values and the retry delay per attempt.
// Weekly hours (e.g. Mon-Fri 09:00-17:00 Europe/Berlin) are turned into UTC windows for
// the days ahead when an invite is made, with each day's own UTC offset (DST-correct).
import type { AvailabilityWindow, WeeklyHours } from './repo.js';

export const SLOT_STEP_MS = 30 * 60 * 1000;
/** A slot must leave time for the reminder and the worker: at least this far ahead. */
export const MIN_LEAD_MS = 10 * 60 * 1000;
export const MAX_WINDOWS = 20;
export const MAX_WINDOW_MS = 14 * 24 * 3600 * 1000;
/** Windows may be defined up to this far ahead. */
export const MAX_HORIZON_MS = 90 * 24 * 3600 * 1000;
export const MAX_SLOTS_SHOWN = 200;

export const REMINDERS = [
  { kind: '24h', beforeMs: 24 * 3600 * 1000 },
  { kind: '1h', beforeMs: 3600 * 1000 },
] as const;
export type ReminderKind = (typeof REMINDERS)[number]['kind'];

export class ScheduleError extends Error {}

/** How far ahead an invite's windows are expanded from the plan's weekly hours. */
export const WEEKLY_HORIZON_DAYS = 14;
export const MAX_WEEKLY_ENTRIES = 14;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const minutesOf = (hhmm: string): number => {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/** Validated, sorted weekly hours; throws ScheduleError with a message a recruiter can act on. */
export function normaliseWeeklyHours(w: WeeklyHours): WeeklyHours {
  if (!isTimezone(w.timezone)) throw new ScheduleError(`Weekly hours: "${w.timezone}" is not a known timezone (use an IANA name such as Europe/Berlin).`);
  if (w.days.length === 0 || w.days.length > MAX_WEEKLY_ENTRIES) throw new ScheduleError(`Weekly hours: between 1 and ${MAX_WEEKLY_ENTRIES} entries.`);
  const days = w.days.map((d, i) => {
    if (!Number.isInteger(d.weekday) || d.weekday < 1 || d.weekday > 7) throw new ScheduleError(`Weekly hours, entry ${i + 1}: the weekday must be 1 (Monday) to 7 (Sunday).`);
    const start = minutesOf(d.start);
    const end = minutesOf(d.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new ScheduleError(`Weekly hours, entry ${i + 1}: times are HH:MM (24-hour clock).`);
    if (end <= start) throw new ScheduleError(`Weekly hours, entry ${i + 1} (${WEEKDAYS[d.weekday - 1]}): the end must be after the start.`);
    return { weekday: d.weekday, start: d.start, end: d.end };
  });
  days.sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  for (let i = 1; i < days.length; i++) {
    const prev = days[i - 1] as (typeof days)[number];
    const cur = days[i] as (typeof days)[number];
    if (prev.weekday === cur.weekday && minutesOf(cur.start) < minutesOf(prev.end)) throw new ScheduleError(`Weekly hours: two entries on ${WEEKDAYS[cur.weekday - 1]} overlap.`);
  }
  return { timezone: w.timezone, days };
}

/** The UTC offset (ms, local minus UTC) of a timezone at an instant. */
function offsetMs(timezone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** The instant of a local wall-clock time in a timezone (a time skipped by a DST jump moves forward by the jump). */
export function zonedInstant(timezone: string, y: number, month: number, d: number, minutes: number): number {
  const wall = Date.UTC(y, month - 1, d, 0, minutes);
  const first = wall - offsetMs(timezone, wall);
  return wall - offsetMs(timezone, first);
}

/** UTC windows for the weekly hours on each day from `from` for `days` days (in the hours' timezone), oldest first. */
export function expandWeeklyHours(w: WeeklyHours, from: Date, days = WEEKLY_HORIZON_DAYS): AvailabilityWindow[] {
  const out: AvailabilityWindow[] = [];
  const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: w.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(from).split('-').map(Number) as [number, number, number];
  for (let i = 0; i < days; i++) {
    const day = new Date(Date.UTC(localToday[0], localToday[1] - 1, localToday[2] + i));
    const weekday = ((day.getUTCDay() + 6) % 7) + 1;
    for (const h of w.days) {
      if (h.weekday !== weekday) continue;
      const start = zonedInstant(w.timezone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), minutesOf(h.start));
      const end = zonedInstant(w.timezone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), minutesOf(h.end));
      if (end > from.getTime() && end > start) out.push({ start: new Date(start).toISOString(), end: new Date(end).toISOString() });
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

/** Sorted, validated copies of the windows (ISO strings normalised); throws ScheduleError with a message a recruiter can act on. */
export function normaliseWindows(windows: AvailabilityWindow[], now: Date): AvailabilityWindow[] {
  if (windows.length > MAX_WINDOWS) throw new ScheduleError(`At most ${MAX_WINDOWS} availability windows.`);
  const out = windows.map((w, i) => {
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new ScheduleError(`Window ${i + 1}: start and end must be ISO 8601 date-times.`);
    if (end <= start) throw new ScheduleError(`Window ${i + 1}: the end must be after the start.`);
    if (end - start > MAX_WINDOW_MS) throw new ScheduleError(`Window ${i + 1}: a window may span at most 14 days.`);
    if (end > now.getTime() + MAX_HORIZON_MS) throw new ScheduleError(`Window ${i + 1}: windows may end at most 90 days ahead.`);
    return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  });
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

/** Windows sorted by start with overlapping or touching ones joined (fixed windows and weekly hours may overlap). */
export function mergeWindows(windows: AvailabilityWindow[]): AvailabilityWindow[] {
  const sorted = [...windows].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const out: AvailabilityWindow[] = [];
  for (const w of sorted) {
    const last = out.at(-1);
    if (last && Date.parse(w.start) <= Date.parse(last.end)) {
      if (Date.parse(w.end) > Date.parse(last.end)) last.end = w.end;
    } else out.push({ ...w });
  }
  return out;
}

/** Windows that still have room for a call starting after now + MIN_LEAD_MS. */
export function liveWindows(windows: AvailabilityWindow[], now: Date, maxDurationSeconds: number): AvailabilityWindow[] {
  return windows.filter((w) => Date.parse(w.end) - maxDurationSeconds * 1000 >= now.getTime() + MIN_LEAD_MS);
}

/** True when a call starting at `at` fits entirely inside one window and is far enough ahead. */
export function fitsWindows(at: Date, windows: AvailabilityWindow[], now: Date, maxDurationSeconds: number): boolean {
  const t = at.getTime();
  if (t < now.getTime() + MIN_LEAD_MS) return false;
  return windows.some((w) => t >= Date.parse(w.start) && t + maxDurationSeconds * 1000 <= Date.parse(w.end));
}

/** Slot start times on a 30-minute grid (UTC) inside the windows, earliest first, capped. */
export function slotsIn(windows: AvailabilityWindow[], now: Date, maxDurationSeconds: number): Date[] {
  const out: Date[] = [];
  for (const w of windows) {
    const start = Math.ceil(Math.max(Date.parse(w.start), now.getTime() + MIN_LEAD_MS) / SLOT_STEP_MS) * SLOT_STEP_MS;
    for (let t = start; t + maxDurationSeconds * 1000 <= Date.parse(w.end); t += SLOT_STEP_MS) {
      if (out.length >= MAX_SLOTS_SHOWN) return out;
      out.push(new Date(t));
    }
  }
  return out;
}

export function isTimezone(tz: string): boolean {
  if (!/^[A-Za-z0-9_+/-]{1,64}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** "Tuesday 24 November 2026, 14:00 (Europe/Berlin)"; UTC when no timezone is known. */
export function formatIn(at: Date, timezone: string | null): string {
  const tz = timezone && isTimezone(timezone) ? timezone : 'UTC';
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${text} (${tz})`;
}

/** UTC always, plus the candidate's local time when it differs. */
export function formatBoth(at: Date, timezone: string | null): string {
  const utc = formatIn(at, 'UTC');
  return timezone && timezone !== 'UTC' && isTimezone(timezone) ? `${formatIn(at, timezone)} = ${utc}` : utc;
}

/**
 * Vapi endedReason values after which hirebox dials again: nobody answered, the line was
 * busy, a voicemail picked up, or the carrier could not connect the call. Anything else
 * (the candidate or the assistant ended it, a configuration error) is final.
 */
const RETRYABLE = new Set([
  'customer-did-not-answer',
  'customer-busy',
  'voicemail',
  'twilio-failed-to-connect-call',
  'vonage-failed-to-connect-call',
  'vonage-rejected',
  'call.in-progress.error-sip-outbound-call-failed-to-connect',
]);

export function isRetryableEndedReason(reason: string | null | undefined): boolean {
  if (!reason) return false;
  return RETRYABLE.has(reason) || /failed-to-connect/.test(reason);
}

/** The delay before retry number `retry` (1-based): the configured list, its last entry repeated. */
export function retryDelayMs(delaysSeconds: number[], retry: number): number {
  const list = delaysSeconds.length > 0 ? delaysSeconds : [900];
  return (list[Math.min(retry - 1, list.length - 1)] as number) * 1000;
}
