// Calendar invites (issue 20): a booked, moved or cancelled interview mails the candidate an
// RFC 5545 invite. What is sent is parsed with ical.js, a parser independent of the
// generator (ical-generator): UID stable, SEQUENCE increasing, METHOD REQUEST then CANCEL,
// TZID = the job's zone (the plan's weekly hours) with a VTIMEZONE, the local time right
// across a DST change, and the wire format nodemailer gives it (text/calendar; method=...).
import ICAL from 'ical.js';
import t from 'tap';
import { createMailer, type MailMessage } from '../../server/core/mailer.js';
import { buildInvite, inviteMail, inviteUid, mailAddress, type InviteInput } from '../../server/modules/interviews/calendar.js';
import { translator } from '../../server/core/i18n/translator.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { startFakeSmtp } from '../fakes/smtp-server.js';
import { approvePlan, planQuestion, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, createOrgWithMember } from '../helper.js';

const en = translator('en');

interface Parsed {
  method: string;
  uid: string;
  sequence: number;
  status: string;
  tzid: string | null;
  local: { year: number; month: number; day: number; hour: number; minute: number };
  instant: string;
  end: string;
  organizer: string;
  attendee: string;
  timezones: string[];
}

/** Parses with ical.js, registering the invite's own VTIMEZONEs so instants come from them, not from the host's tz data. */
function parse(text: string): Parsed {
  const cal = new ICAL.Component(ICAL.parse(text));
  const timezones = cal.getAllSubcomponents('vtimezone');
  for (const vtz of timezones) ICAL.TimezoneService.register(vtz);
  const vevent = cal.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT');
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  const tzid = vevent.getFirstProperty('dtstart')?.getParameter('tzid');
  const result: Parsed = {
    method: String(cal.getFirstPropertyValue('method')),
    uid: event.uid,
    sequence: event.sequence,
    status: String(vevent.getFirstPropertyValue('status')),
    tzid: typeof tzid === 'string' ? tzid : null,
    local: { year: start.year, month: start.month, day: start.day, hour: start.hour, minute: start.minute },
    instant: start.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    organizer: String(vevent.getFirstPropertyValue('organizer')),
    attendee: String(vevent.getFirstPropertyValue('attendee')),
    timezones: timezones.map((z) => String(z.getFirstPropertyValue('tzid'))),
  };
  for (const vtz of timezones) ICAL.TimezoneService.remove(String(vtz.getFirstPropertyValue('tzid')));
  return result;
}

/** Wall-clock parts of an instant in a zone, from the platform's tz data (the expectation). */
function wall(at: string, timeZone: string) {
  const p = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(at));
  const get = (type: string): number => Number(p.find((x) => x.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

t.test('the invite in isolation: local time in the zone across a DST change, CANCEL, UTC fallback', async (t) => {
  const base: InviteInput = {
    interviewId: '00000000-0000-4000-8000-000000000001',
    sequence: 0,
    method: 'REQUEST',
    start: new Date('2027-03-26T09:00:00Z'),
    durationSeconds: 1800,
    timezone: 'Europe/Berlin',
    jobTitle: 'Data Engineer',
    orgName: 'Acme',
    organizer: 'Acme Hiring <jobs@acme.example>',
    attendeeEmail: 'cand@example.test',
    publicUrl: new URL('https://hire.acme.example'),
    now: new Date('2026-12-06T12:00:00Z'),
  };
  // Friday before the EU change (CET, +01:00) and Tuesday after it (CEST, +02:00): 10:00 local both times.
  const before = parse(buildInvite(en, base));
  const after = parse(buildInvite(en, { ...base, sequence: 1, start: new Date('2027-03-30T08:00:00Z') }));
  t.equal(before.tzid, 'Europe/Berlin');
  t.same(before.timezones, ['Europe/Berlin'], 'the zone travels as a VTIMEZONE');
  t.same(before.local, { year: 2027, month: 3, day: 26, hour: 10, minute: 0 }, 'CET: 09:00Z is 10:00 local');
  t.same(after.local, { year: 2027, month: 3, day: 30, hour: 10, minute: 0 }, 'CEST: 08:00Z is 10:00 local');
  t.equal(before.instant, '2027-03-26T09:00:00.000Z', 'the VTIMEZONE maps it back to the booked instant');
  t.equal(after.instant, '2027-03-30T08:00:00.000Z');
  t.equal(after.end, '2027-03-30T08:30:00.000Z', 'DTEND = start + the call length');
  t.equal(before.uid, 'interview-00000000-0000-4000-8000-000000000001@hire.acme.example');
  t.equal(after.uid, before.uid, 'same UID across versions');
  t.equal(after.sequence, 1);
  t.equal(before.organizer.toLowerCase(), 'mailto:jobs@acme.example');
  t.equal(before.attendee.toLowerCase(), 'mailto:cand@example.test');
  const cancelled = parse(buildInvite(en, { ...base, method: 'CANCEL', sequence: 2 }));
  t.equal(cancelled.method, 'CANCEL');
  t.equal(cancelled.status, 'CANCELLED');
  t.equal(cancelled.sequence, 2);
  // A day inside the US/EU DST gap: New York has moved (EDT) while Berlin has not.
  const ny = parse(buildInvite(en, { ...base, timezone: 'America/New_York', start: new Date('2027-03-16T14:00:00Z') }));
  t.same(ny.local, { year: 2027, month: 3, day: 16, hour: 10, minute: 0 }, 'EDT: 14:00Z is 10:00 local');
  t.equal(ny.instant, '2027-03-16T14:00:00.000Z');
  const utc = parse(buildInvite(en, { ...base, timezone: null }));
  t.equal(utc.instant, '2027-03-26T09:00:00.000Z', 'no zone on the job: UTC');
  t.same(utc.local, { year: 2027, month: 3, day: 26, hour: 9, minute: 0 });
  t.equal(parse(buildInvite(en, { ...base, timezone: 'Not/AZone' })).instant, '2027-03-26T09:00:00.000Z', 'an unknown zone falls back to UTC');
  t.equal(mailAddress('jobs@acme.example'), 'jobs@acme.example');
  t.equal(inviteUid('x', new URL('http://localhost:3000')), 'interview-x@localhost');
});

t.test('nodemailer sends the invite as a text/calendar; method=REQUEST part over SMTP', async (t) => {
  const smtp = await startFakeSmtp();
  t.teardown(() => smtp.close());
  const mailer = createMailer({ smtpUrl: smtp.url, from: 'Acme <jobs@acme.example>', outboxDir: '/nonexistent' });
  const message = inviteMail(en, {
    interviewId: '00000000-0000-4000-8000-000000000002',
    sequence: 3,
    method: 'REQUEST',
    start: new Date('2027-01-12T15:30:00Z'),
    durationSeconds: 900,
    timezone: 'America/New_York',
    jobTitle: 'Welder',
    orgName: 'Acme',
    organizer: 'Acme <jobs@acme.example>',
    attendeeEmail: 'cand@example.test',
    publicUrl: new URL('https://hire.acme.example'),
    now: new Date(),
  });
  await mailer.send(message);
  t.equal(smtp.received.length, 1);
  const raw = smtp.received[0]?.data ?? '';
  t.match(raw, /Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i, 'the invite part clients recognise');
  // Pull the calendar part out of the MIME body and decode it as the receiving client would.
  const at = raw.search(/Content-Type: text\/calendar/i);
  t.ok(at >= 0, 'a text/calendar MIME part');
  const headersEnd = raw.indexOf('\r\n\r\n', at);
  const headers = raw.slice(at, headersEnd);
  const body = raw.slice(headersEnd + 4, raw.indexOf('\r\n--', headersEnd));
  const text = /base64/i.test(headers)
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : /quoted-printable/i.test(headers)
      ? body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
      : body;
  const parsed = parse(text);
  t.equal(parsed.method, 'REQUEST');
  t.equal(parsed.sequence, 3);
  t.equal(parsed.tzid, 'America/New_York');
  t.same(parsed.local, { year: 2027, month: 1, day: 12, hour: 10, minute: 30 }, 'EST: 15:30Z is 10:30 local');
  t.equal(parsed.instant, '2027-01-12T15:30:00.000Z');
});

t.test('book, move, cancel through HTTP: REQUEST seq 0, REQUEST seq 1, CANCEL seq 2, one UID, in the job zone', async (t) => {
  const ctx = await buildTestApp(t);
  const admin = await createOrgWithMember(ctx, 'admin');
  const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
  const job = await createJob(ctx, recruiter, { title: 'Data Engineer', interviewQuestions: ['Describe a pipeline you built.'] });
  await approvePlan(ctx, recruiter, job.id, ['Describe a pipeline you built.']);
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } })).statusCode, 204);
  const HOUR = 3600_000;
  const align = (ms: number): number => Math.ceil(ms / HOUR) * HOUR;
  const A = { start: new Date(align(Date.now() + 30 * HOUR)).toISOString(), end: new Date(align(Date.now() + 30 * HOUR) + 4 * HOUR).toISOString() };
  const B = { start: new Date(align(Date.now() + 96 * HOUR)).toISOString(), end: new Date(align(Date.now() + 96 * HOUR) + 3 * HOUR).toISOString() };
  const zone = 'America/New_York';
  const plan = {
    questions: ['Describe a pipeline you built.'].map(planQuestion),
    maxDurationSeconds: 1200,
    language: 'en',
    availability: [A, B],
    weeklyHours: { timezone: zone, days: [{ weekday: 1, start: '09:00', end: '10:00' }] },
    voice: null,
  };
  const saved = await ctx.app.inject({ method: 'PUT', url: `/api/v1/interview-plans/${job.id}`, headers: recruiter.headers, payload: plan });
  t.equal(saved.statusCode, 200, saved.body);

  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const consent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+4930901820', phoneConfirmed: true, recordingConsent: true, timezone: 'Europe/Berlin' };
  async function invite(): Promise<{ id: string; token: string; email: string }> {
    const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
    const before = ctx.mailer.outbox.length;
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
    if (res.statusCode !== 201) throw new Error(res.body);
    const mail = ctx.mailer.outbox[before] as MailMessage;
    t.notOk(mail.icalEvent, 'the consent invitation itself has no calendar event (no time yet)');
    return { id: res.json<{ id: string }>().id, token: /\/i\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] as string, email: mail.to };
  }
  const lastMail = (): MailMessage => ctx.mailer.outbox.at(-1) as MailMessage;

  const { id, token, email } = await invite();
  const slot = new Date(new Date(A.start).getTime() + HOUR).toISOString();
  let count = ctx.mailer.outbox.length;
  const booked = await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: json, payload: { ...consent, startAt: slot } });
  t.equal(booked.statusCode, 200, booked.body);
  t.equal(ctx.mailer.outbox.length, count + 1, 'one mail for the booking');
  const m1 = lastMail();
  t.equal(m1.to, email, 'to the candidate');
  t.equal(m1.icalEvent?.method, 'REQUEST');
  const i1 = parse(m1.icalEvent?.content ?? '');
  const uid = `interview-${id}@${ctx.config.publicUrl.hostname}`;
  t.equal(i1.method, 'REQUEST');
  t.equal(i1.uid, uid, 'UID interview-<id>@<PUBLIC_URL host>');
  t.equal(i1.sequence, 0);
  t.equal(i1.status, 'CONFIRMED');
  t.equal(i1.tzid, zone, "TZID is the job's zone, not the candidate's");
  t.same(i1.timezones, [zone]);
  t.same(i1.local, wall(slot, zone), 'the wall-clock time in the job zone');
  t.equal(i1.instant, slot, 'which is the booked instant');
  t.equal(i1.end, new Date(Date.parse(slot) + 1200_000).toISOString());
  t.equal(i1.attendee.toLowerCase(), `mailto:${email.toLowerCase()}`);
  t.match(i1.organizer.toLowerCase(), /^mailto:[^@\s]+@[^@\s]+$/);
  t.notMatch(m1.icalEvent?.content ?? '', /4930901820|901820/, 'no phone number in the invite');

  const moved = new Date(new Date(B.start).getTime() + HOUR).toISOString();
  count = ctx.mailer.outbox.length;
  const res2 = await ctx.app.inject({ method: 'POST', url: `/i/${token}/reschedule`, headers: json, payload: { startAt: moved } });
  t.equal(res2.statusCode, 200, res2.body);
  t.equal(ctx.mailer.outbox.length, count + 1);
  const i2 = parse(lastMail().icalEvent?.content ?? '');
  t.equal(i2.method, 'REQUEST');
  t.equal(i2.uid, uid, 'same UID: the client moves the event');
  t.equal(i2.sequence, 1, 'SEQUENCE increased');
  t.same(i2.local, wall(moved, zone));
  t.equal(i2.instant, moved);

  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${token}/reschedule`, headers: json, payload: { startAt: 'next week' } })).statusCode, 422, 'a bad move');
  const stored = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ ical_sequence: number }>('SELECT ical_sequence FROM interviews WHERE id = $1', [id]));
  t.equal(stored.rows[0]?.ical_sequence, 1, 'a rejected move changes no SEQUENCE');

  count = ctx.mailer.outbox.length;
  const res3 = await ctx.app.inject({ method: 'POST', url: `/i/${token}/cancel`, headers: json, payload: {} });
  t.equal(res3.statusCode, 200, res3.body);
  t.equal(ctx.mailer.outbox.length, count + 1);
  const m3 = lastMail();
  t.equal(m3.icalEvent?.method, 'CANCEL');
  const i3 = parse(m3.icalEvent?.content ?? '');
  t.equal(i3.method, 'CANCEL');
  t.equal(i3.status, 'CANCELLED');
  t.equal(i3.uid, uid);
  t.equal(i3.sequence, 2);
  t.equal(i3.instant, moved, 'the cancelled slot');
  t.equal(i3.tzid, zone);

  // The recruiter cancels a booked interview: the candidate gets the CANCEL too.
  const second = await invite();
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${second.token}`, headers: json, payload: { ...consent, startAt: slot } })).statusCode, 200);
  const b = parse(lastMail().icalEvent?.content ?? '');
  t.equal(b.sequence, 0);
  t.not(b.uid, uid, 'a different interview, a different UID');
  count = ctx.mailer.outbox.length;
  const rc = await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${second.id}/cancel`, headers: recruiter.headers, payload: {} });
  t.equal(rc.statusCode, 200, rc.body);
  t.equal(ctx.mailer.outbox.length, count + 1);
  const c = parse(lastMail().icalEvent?.content ?? '');
  t.equal(c.method, 'CANCEL');
  t.equal(c.uid, b.uid);
  t.equal(c.sequence, 1);

  // An invitation cancelled before any booking sends no calendar mail.
  const third = await invite();
  count = ctx.mailer.outbox.length;
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${third.id}/cancel`, headers: recruiter.headers, payload: {} })).statusCode, 200);
  t.equal(ctx.mailer.outbox.length, count, 'nothing to withdraw from a calendar');

  // "Start now" books no slot: no invite.
  const fourth = await invite();
  count = ctx.mailer.outbox.length;
  t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${fourth.token}`, headers: json, payload: { ...consent, startAt: 'now' } })).statusCode, 200);
  t.equal(ctx.mailer.outbox.filter((m, i) => i >= count && m.icalEvent).length, 0, 'no calendar event without a slot');
});

t.test('private iCal feed per member: role-scoped, no contact details, revocable, per org', async (t) => {
  const ctx = await buildTestApp(t);
  const admin = await createOrgWithMember(ctx, 'admin');
  const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
  const hm = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
  const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
  const other = await createOrgWithMember(ctx, 'admin');
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } })).statusCode, 204);
  const assigned = await createJob(ctx, recruiter, { title: 'Assigned Role', interviewQuestions: ['Tell us about a project.'], hiringManagerIds: [hm.userId] });
  await approvePlan(ctx, recruiter, assigned.id, ['Tell us about a project.']);
  const unassigned = await createJob(ctx, recruiter, { title: 'Other Role', interviewQuestions: ['Tell us about a project.'] });
  await approvePlan(ctx, recruiter, unassigned.id, ['Tell us about a project.']);
  const HOUR = 3600_000;
  const start = Math.ceil((Date.now() + 30 * HOUR) / HOUR) * HOUR;
  const window = { start: new Date(start).toISOString(), end: new Date(start + 4 * HOUR).toISOString() };
  const zone = 'Asia/Tokyo';
  for (const job of [assigned, unassigned]) {
    const plan = { questions: ['Tell us about a project.'].map(planQuestion), maxDurationSeconds: 900, language: 'en', availability: [window], weeklyHours: { timezone: zone, days: [{ weekday: 2, start: '09:00', end: '10:00' }] }, voice: null };
    const saved = await ctx.app.inject({ method: 'PUT', url: `/api/v1/interview-plans/${job.id}`, headers: recruiter.headers, payload: plan });
    t.equal(saved.statusCode, 200, saved.body);
  }
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const consent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+4930901820', phoneConfirmed: true };
  const book = async (jobId: string): Promise<{ id: string; applicationId: string; email: string }> => {
    const applicationId = (await uploadCv(ctx, recruiter, jobId)).json<{ applicationId: string }>().applicationId;
    const before = ctx.mailer.outbox.length;
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
    const mail = ctx.mailer.outbox[before] as MailMessage;
    const token = /\/i\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] as string;
    t.equal((await ctx.app.inject({ method: 'POST', url: `/i/${token}`, headers: json, payload: { ...consent, startAt: new Date(start + HOUR).toISOString() } })).statusCode, 200);
    return { id: res.json<{ id: string }>().id, applicationId, email: mail.to };
  };
  const a = await book(assigned.id);
  const b = await book(unassigned.id);

  const createFeed = async (m: { headers: Record<string, string> }) => ctx.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: m.headers });
  const pathOf = (url: string): string => new URL(url).pathname;
  const read = (path: string) => ctx.app.inject({ method: 'GET', url: path });
  function events(text: string): { uid: string; summary: string; tzid: string | null; instant: string; status: string }[] {
    const cal = new ICAL.Component(ICAL.parse(text));
    const zones = cal.getAllSubcomponents('vtimezone');
    for (const z of zones) ICAL.TimezoneService.register(z);
    const out = cal.getAllSubcomponents('vevent').map((v) => {
      const e = new ICAL.Event(v);
      const tzid = v.getFirstProperty('dtstart')?.getParameter('tzid');
      return { uid: e.uid, summary: e.summary, tzid: typeof tzid === 'string' ? tzid : null, instant: e.startDate.toJSDate().toISOString(), status: String(v.getFirstPropertyValue('status')) };
    });
    for (const z of zones) ICAL.TimezoneService.remove(String(z.getFirstPropertyValue('tzid')));
    return out;
  }
  const uidOf = (id: string): string => `interview-${id}@${ctx.config.publicUrl.hostname}`;

  t.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed' })).statusCode, 401, 'unauthenticated API: 401');
  t.equal((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/me/calendar-feed' })).statusCode, 401);
  t.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: { cookie: recruiter.cookie } })).statusCode, 403, 'no CSRF token: refused');
  t.equal((await createFeed(auditor)).statusCode, 403, 'auditors do not see interviews');

  const rRes = await createFeed(recruiter);
  t.equal(rRes.statusCode, 201, rRes.body);
  t.equal(rRes.headers['cache-control'], 'no-store', 'the URL is shown once and not cached');
  const rUrl = rRes.json<{ url: string }>().url;
  t.ok(rUrl.startsWith(`${ctx.config.publicUrl.origin}/ical/`), 'an absolute PUBLIC_URL address');
  t.match(pathOf(rUrl), /^\/ical\/[A-Za-z0-9_-]{43}\.ics$/, '32 random bytes, base64url');
  const stored = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ token_hash: Buffer }>('SELECT token_hash FROM calendar_feeds'));
  t.notOk(stored.rows.some((r) => rUrl.includes(r.token_hash.toString('base64url'))), 'only a hash is stored');
  const feed = await read(pathOf(rUrl));
  t.equal(feed.statusCode, 200, feed.body);
  t.match(String(feed.headers['content-type']), /^text\/calendar/);
  t.match(String(feed.headers['cache-control']), /^private/);
  const rEvents = events(feed.body);
  t.same(rEvents.map((e) => e.uid).sort(), [uidOf(a.id), uidOf(b.id)].sort(), 'a recruiter sees every interview, with the invite UIDs');
  const ea = rEvents.find((e) => e.uid === uidOf(a.id));
  t.equal(ea?.tzid, zone, "in the job's zone");
  t.equal(ea?.instant, new Date(start + HOUR).toISOString());
  t.equal(ea?.summary, `Interview: Assigned Role (application ${a.applicationId.slice(0, 8)})`, 'job title + application id, no name');
  for (const secret of [a.email, b.email, '4930901820']) t.notOk(feed.body.includes(secret), 'no candidate contact details');

  const hRes = await createFeed(hm);
  t.equal(hRes.statusCode, 201);
  const hEvents = events((await read(pathOf(hRes.json<{ url: string }>().url))).body);
  t.same(hEvents.map((e) => e.uid), [uidOf(a.id)], 'a hiring manager sees only interviews of assigned jobs');

  const oRes = await createFeed(other);
  t.equal(oRes.statusCode, 201);
  const oFeed = await read(pathOf(oRes.json<{ url: string }>().url));
  t.equal(oFeed.statusCode, 200);
  t.same(events(oFeed.body), [], "another org's member sees none of this org's interviews");

  // Cancelled interviews stay in the feed as STATUS:CANCELLED so subscribed clients drop them.
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${b.id}/cancel`, headers: recruiter.headers, payload: {} })).statusCode, 200);
  t.equal(events((await read(pathOf(rUrl))).body).find((e) => e.uid === uidOf(b.id))?.status, 'CANCELLED');

  // Rotate: the old URL is dead, the new one works.
  const rotated = (await createFeed(recruiter)).json<{ url: string }>().url;
  t.not(rotated, rUrl);
  t.equal((await read(pathOf(rUrl))).statusCode, 404, 'rotated-away token: 404');
  t.equal((await read(pathOf(rotated))).statusCode, 200);
  // Revoke.
  t.equal((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/me/calendar-feed', headers: recruiter.headers })).statusCode, 204);
  const gone = await read(pathOf(rotated));
  t.equal(gone.statusCode, 404, 'revoked token: 404');
  t.match(String(gone.headers['content-type']), /application\/problem\+json/);
  t.equal((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/me/calendar-feed', headers: recruiter.headers })).statusCode, 404, 'nothing left to revoke');
  t.equal((await read('/ical/not-a-token.ics')).statusCode, 404, 'malformed token: 404');
  t.equal((await read(`/ical/${'A'.repeat(43)}.ics`)).statusCode, 404, 'unknown token: 404');
  t.equal((await read(`${pathOf(hRes.json<{ url: string }>().url).slice(0, -4)}`)).statusCode, 404, 'without .ics: 404');
  t.equal((await read(`/ical/${'A'.repeat(70)}.ics`)).statusCode, 400, 'oversized: 400 (schema)');

  // A member whose role no longer allows seeing interviews: the feed goes dark.
  t.equal((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/members/${hm.userId}`, headers: admin.headers, payload: { role: 'auditor' } })).statusCode, 204);
  t.equal((await read(pathOf(hRes.json<{ url: string }>().url))).statusCode, 404, 'role changed to auditor: 404');
});
