// Weekly interview hours (schedule.ts): validation with readable messages, and expansion
// into UTC windows with each day's own offset, across daylight-saving changes.
import t from 'tap';
import fc from 'fast-check';
import { expandWeeklyHours, normaliseWeeklyHours, ScheduleError, zonedInstant } from '../../server/modules/interviews/schedule.js';

const officeHours = { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })) };

t.test('Mon-Fri 09:00-17:00 Berlin: two weeks of windows, weekends skipped, CET and CEST offsets', async (t) => {
  // Monday 23 March 2026, 08:00 UTC; Berlin moves to summer time on Sunday 29 March.
  const windows = expandWeeklyHours(officeHours, new Date('2026-03-23T08:00:00Z'));
  t.equal(windows.length, 10, 'ten weekdays in 14 days');
  t.same(windows[0], { start: '2026-03-23T08:00:00.000Z', end: '2026-03-23T16:00:00.000Z' }, 'winter: UTC+1');
  t.same(windows[4], { start: '2026-03-27T08:00:00.000Z', end: '2026-03-27T16:00:00.000Z' }, 'Friday');
  t.same(windows[5], { start: '2026-03-30T07:00:00.000Z', end: '2026-03-30T15:00:00.000Z' }, 'after the change: UTC+2');
  t.ok(windows.every((w) => ![0, 6].includes(new Date(w.start).getUTCDay())), 'no Saturday or Sunday');
});

t.test("today's window is kept only while it has not ended; other timezones and split days", async (t) => {
  const late = expandWeeklyHours(officeHours, new Date('2026-03-23T16:30:00Z'));
  t.equal(late[0]?.start, '2026-03-24T08:00:00.000Z', "Monday's hours are over at 17:30 Berlin");
  const split = expandWeeklyHours(
    {
      timezone: 'America/New_York',
      days: [
        { weekday: 2, start: '13:00', end: '17:00' },
        { weekday: 2, start: '09:00', end: '12:00' },
      ],
    },
    new Date('2026-11-01T12:00:00Z'),
    7,
  );
  t.same(split, [
    { start: '2026-11-03T14:00:00.000Z', end: '2026-11-03T17:00:00.000Z' },
    { start: '2026-11-03T18:00:00.000Z', end: '2026-11-03T22:00:00.000Z' },
  ], 'New York after the November change is UTC-5; both parts of Tuesday');
  const tokyo = expandWeeklyHours({ timezone: 'Asia/Tokyo', days: [{ weekday: 1, start: '10:00', end: '11:30' }] }, new Date('2026-11-22T20:00:00Z'), 7);
  t.same(tokyo, [{ start: '2026-11-23T01:00:00.000Z', end: '2026-11-23T02:30:00.000Z' }], 'the local day decides the weekday (already Monday in Tokyo)');
});

t.test('a time skipped by the spring-forward jump moves forward by the jump', async (t) => {
  t.equal(new Date(zonedInstant('Europe/Berlin', 2026, 3, 29, 2 * 60 + 30)).toISOString(), '2026-03-29T01:30:00.000Z');
  t.equal(new Date(zonedInstant('UTC', 2026, 3, 29, 150)).toISOString(), '2026-03-29T02:30:00.000Z');
});

t.test('invalid weekly hours are refused with a message a recruiter can act on', async (t) => {
  const bad: [unknown, RegExp][] = [
    [{ timezone: 'Mars/Olympus', days: officeHours.days }, /not a known timezone/],
    [{ timezone: 'UTC', days: [] }, /between 1 and 14/],
    [{ timezone: 'UTC', days: [{ weekday: 8, start: '09:00', end: '10:00' }] }, /weekday must be 1 \(Monday\) to 7/],
    [{ timezone: 'UTC', days: [{ weekday: 1, start: '9:00', end: '10:00' }] }, /HH:MM/],
    [{ timezone: 'UTC', days: [{ weekday: 1, start: '24:00', end: '10:00' }] }, /HH:MM/],
    [{ timezone: 'UTC', days: [{ weekday: 3, start: '10:00', end: '10:00' }] }, /Wednesday\): the end must be after the start/],
    [{ timezone: 'UTC', days: [{ weekday: 2, start: '09:00', end: '12:00' }, { weekday: 2, start: '11:00', end: '13:00' }] }, /on Tuesday overlap/],
  ];
  for (const [input, message] of bad) t.throws(() => normaliseWeeklyHours(input as Parameters<typeof normaliseWeeklyHours>[0]), { constructor: ScheduleError, message });
  t.same(normaliseWeeklyHours({ timezone: 'UTC', days: [{ weekday: 5, start: '09:00', end: '10:00' }, { weekday: 1, start: '09:00', end: '10:00' }] }).days.map((d) => d.weekday), [1, 5], 'sorted');
});

t.test('property: every window is on a chosen local weekday, lasts the chosen local span (DST days excepted), and none overlap', async () => {
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];
  fc.assert(
    fc.property(fc.constantFrom(...zones), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 22 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 730 }), (timezone, weekday, startHour, hours, dayOffset) => {
      const endHour = Math.min(24, startHour + hours);
      const end = endHour === 24 ? '23:59' : `${String(endHour).padStart(2, '0')}:00`;
      const hoursSpec = normaliseWeeklyHours({ timezone, days: [{ weekday, start: `${String(startHour).padStart(2, '0')}:00`, end }] });
      const from = new Date(Date.UTC(2026, 0, 1) + dayOffset * 86_400_000);
      const windows = expandWeeklyHours(hoursSpec, from);
      if (windows.length < 1 || windows.length > 3) return false;
      const localWeekday = (iso: string): string => new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'long' }).format(new Date(iso));
      const want = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][weekday - 1];
      for (const [i, w] of windows.entries()) {
        if (localWeekday(w.start) !== want) return false;
        const span = Date.parse(w.end) - Date.parse(w.start);
        const local = (endHour === 24 ? 23 * 60 + 59 - startHour * 60 : (endHour - startHour) * 60) * 60_000;
        if (Math.abs(span - local) > 3_600_000) return false;
        if (i > 0 && Date.parse(w.start) < Date.parse((windows[i - 1] as { end: string }).end)) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
});
