// Scheduling rules for interviews, kept pure so they are tested without a database:
// recruiter availability windows (UTC instants), the slots a candidate may pick inside
// them, the candidate's IANA timezone (only for display: everything is stored in UTC),
// retry classification of Vapi's endedReason values and the retry delay per attempt.
import type { AvailabilityWindow } from './repo.js';

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
