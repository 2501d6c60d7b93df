// Scheduling: the recruiter's availability windows (per job plan or per invite), the
// candidate's slot and timezone on /i/:token, the delayed interview-start job per schedule
// version (a reschedule moves it: no double call), reminders 24 h and 1 h before that an
// old version or a cancellation silences, and the candidate's cancel.
import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { createCallService } from '../../server/modules/interviews/calls.js';
import { createReminderService } from '../../server/modules/interviews/reminders.js';
import { fitsWindows, formatBoth, MIN_LEAD_MS, normaliseWindows, ScheduleError, slotsIn } from '../../server/modules/interviews/schedule.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const startQueue = createQueue(QUEUES.interviewStart, ctx.redis, ctx.config.redisPrefix);
const reminderQueue = createQueue(QUEUES.interviewReminder, ctx.redis, ctx.config.redisPrefix);
t.teardown(() => Promise.all([startQueue.close(), reminderQueue.close()]));

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const hm = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const outsider = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Data Engineer', interviewQuestions: ['Describe a pipeline you built.'] });
await approvePlan(ctx, recruiter, job.id, ['Describe a pipeline you built.']);
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } });

const HOUR = 3600_000;
const hourAlign = (ms: number): number => Math.ceil(ms / HOUR) * HOUR;
// Window A opens in ~30 h (inside a 48 h cutoff), window B in ~4 days.
const A = { start: new Date(hourAlign(Date.now() + 30 * HOUR)).toISOString(), end: new Date(hourAlign(Date.now() + 30 * HOUR) + 4 * HOUR).toISOString() };
const B = { start: new Date(hourAlign(Date.now() + 96 * HOUR)).toISOString(), end: new Date(hourAlign(Date.now() + 96 * HOUR) + 3 * HOUR).toISOString() };

const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
let nowMs = Date.now();
const clock = (): Date => new Date(nowMs);
const reminders = createReminderService({ db: ctx.db, keyring, mailer: ctx.mailer, clock, log: createLogger('silent') });
const calls = createCallService({
  db: ctx.db,
  audit: ctx.audit,
  keyring,
  vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }),
  reconcile: { enqueue: async () => undefined },
  clock,
  log: createLogger('silent'),
});

async function invite(payload: Record<string, unknown> = {}): Promise<{ id: string; token: string; applicationId: string }> {
  const applicationId = (await uploadCv(ctx, recruiter, job.id)).json<{ applicationId: string }>().applicationId;
  const before = ctx.mailer.outbox.length;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[before]?.text ?? '')?.[1] as string;
  return { id: res.json<{ id: string }>().id, token, applicationId };
}
const json = { 'content-type': 'application/json', accept: 'application/json' };
const consent = { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+4930901820', phoneConfirmed: true, recordingConsent: true };
const post = (url: string, payload: Record<string, unknown> = {}) => ctx.app.inject({ method: 'POST', url, headers: json, payload });
async function view(id: string) {
  return (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: recruiter.cookie } })).json<{
    status: string;
    schedule: { scheduledFor: string | null; timezone: string | null; display: string | null; nextAttemptAt: string | null; availability: { start: string; end: string }[] };
    cancelled: { by: string } | null;
  }>();
}

t.test('slots and windows in isolation', async (t) => {
  const now = new Date('2026-11-23T10:10:00Z');
  const w = [{ start: '2026-11-23T10:00:00Z', end: '2026-11-23T12:00:00Z' }];
  const slots = slotsIn(w, now, 1800).map((d) => d.toISOString());
  t.same(slots, ['2026-11-23T10:30:00.000Z', '2026-11-23T11:00:00.000Z', '2026-11-23T11:30:00.000Z'], 'on the 30-minute grid, after the lead time, ending inside the window');
  t.ok(fitsWindows(new Date('2026-11-23T11:00:00Z'), w, now, 1800));
  t.notOk(fitsWindows(new Date('2026-11-23T11:45:00Z'), w, now, 1800), 'would run past the window');
  t.notOk(fitsWindows(new Date(now.getTime() + MIN_LEAD_MS - 1), w, now, 60), 'too soon');
  t.throws(() => normaliseWindows([{ start: w[0]!.end, end: w[0]!.start }], now), { message: /end must be after the start/ }, 'end before start');
  t.ok(new ScheduleError('x') instanceof ScheduleError);
  t.throws(() => normaliseWindows([{ start: '2026-11-23T10:00:00Z', end: '2026-12-23T10:00:00Z' }], now), { message: /at most 14 days/ }, 'longer than 14 days');
  t.equal(formatBoth(new Date('2026-11-24T13:00:00Z'), 'Europe/Berlin'), 'Tuesday, 24 November 2026 at 14:00 (Europe/Berlin) = Tuesday, 24 November 2026 at 13:00 (UTC)');
});

t.test('the recruiter sets availability windows on the job plan: validated, role-checked, per org', async (t) => {
  const url = `/api/v1/interview-plans/${job.id}`;
  const anchor = 'A concrete pipeline, own role, and a measured result.';
  const plan = { questions: ['Describe a pipeline you built.', 'How do you test data quality?'].map((text) => ({ text, criterion: 'c1', anchor })), maxDurationSeconds: 1200, language: 'en', availability: [B, A], voice: null };
  const res = await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: plan });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json<{ availability: unknown }>().availability, [
    { start: new Date(A.start).toISOString(), end: new Date(A.end).toISOString() },
    { start: new Date(B.start).toISOString(), end: new Date(B.end).toISOString() },
  ], 'stored sorted, normalised to UTC');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: { ...plan, availability: [{ start: A.end, end: A.start }] } })).statusCode, 422, 'end before start');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: { ...plan, availability: [{ start: 'tomorrow', end: A.end }] } })).statusCode, 400, 'not an instant');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: { ...plan, availability: Array(21).fill(A) } })).statusCode, 400, 'too many windows');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: { ...plan, language: 'english' } })).statusCode, 400, 'malformed language');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: { ...recruiter.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ ...plan, pad: 'x'.repeat(2_000_000) }) })).statusCode, 413, 'oversized');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: hm.headers, payload: plan })).statusCode, 403, 'a hiring manager may not');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: outsider.headers, payload: plan })).statusCode, 404, 'another org: 404');
  t.equal((await ctx.app.inject({ method: 'GET', url, headers: { cookie: outsider.cookie } })).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'GET', url })).statusCode, 401, 'no session');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/interview-plans/nope', headers: { cookie: recruiter.cookie } })).statusCode, 400);
  const got = (await ctx.app.inject({ method: 'GET', url, headers: { cookie: recruiter.cookie } })).json<{ maxDurationSeconds: number; questions: unknown[]; status: string }>();
  t.equal(got.maxDurationSeconds, 1200);
  t.equal(got.questions.length, 2);
  t.equal(got.status, 'draft', 'new questions need a new approval');
  t.equal((await ctx.app.inject({ method: 'POST', url: `${url}/approve`, headers: recruiter.headers })).statusCode, 200);
});

t.test('the candidate books a slot in the windows with their timezone; the call job waits for it and reminders are queued', async (t) => {
  const { id, token } = await invite();
  t.same((await view(id)).schedule.availability.length, 2, "the invite carries the plan's windows");
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.equal(page.statusCode, 200);
  const slot = new Date(new Date(A.start).getTime() + HOUR).toISOString();
  t.ok(page.body.includes(`<option value="${slot}">`), 'the slot is offered');
  t.ok(page.body.includes('<option value="now">'), 'so is starting at once');
  t.match(page.body, /<option value="Europe\/Berlin">/);
  t.notMatch(page.body, /<script|<style|style="/, 'no inline script or style');

  t.equal((await post(`/i/${token}`, { ...consent, startAt: new Date(new Date(B.end).getTime() - 600_000).toISOString() })).statusCode, 422, 'a call that would run past the window');
  t.equal((await post(`/i/${token}`, { ...consent, startAt: 'next tuesday' })).statusCode, 422, 'not a time');
  t.equal((await post(`/i/${token}`, { ...consent, startAt: slot, timezone: 'Mars/Olympus' })).statusCode, 422, 'unknown timezone');
  const html = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams({ action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, mode: 'phone', phone: '+49 30 901820', phoneConfirmed: 'true', startAt: slot, timezone: 'Europe/Berlin' }).toString(),
  });
  t.equal(html.statusCode, 200, html.body);
  t.match(html.body, /\(Europe\/Berlin\) = .*\(UTC\)/, 'confirmation in local time and UTC');
  const v = await view(id);
  t.equal(v.status, 'scheduled');
  t.equal(v.schedule.scheduledFor, slot);
  t.equal(v.schedule.timezone, 'Europe/Berlin');
  t.equal(v.schedule.nextAttemptAt, slot);

  t.equal(await startQueue.getJob(`interview-start-${id}`), undefined, 'no call at once');
  const startJob = await startQueue.getJob(`interview-start-${id}-v1`);
  t.same(startJob?.data, { orgId: admin.orgId, interviewId: id });
  t.ok(Math.abs((startJob?.opts.delay ?? 0) - (Date.parse(slot) - Date.now())) < 60_000, 'delayed until the slot');
  const r24 = await reminderQueue.getJob(`interview-reminder-${id}-v1-24h`);
  const r1 = await reminderQueue.getJob(`interview-reminder-${id}-v1-1h`);
  t.ok(r24 && r1, 'reminders 24 h and 1 h before');
  t.ok(Math.abs((r1?.opts.delay ?? 0) - (Date.parse(slot) - HOUR - Date.now())) < 60_000);

  nowMs = Date.now();
  t.equal(await calls.startCall(admin.orgId, id), 'not_due', 'a job running early places no call');
  const page2 = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.match(page2.body, /Booked for/);
  t.match(page2.body, /Move the interview/, 'reschedule offered while before the cutoff');
  t.ok(ctx.logs.every((l) => !l.includes('901820')), 'no phone number in logs');
});

t.test('rescheduling moves the call job and the reminders; the old ones do nothing; the reminder mail shows both times', async (t) => {
  const { id, token, applicationId } = await invite();
  const first = new Date(new Date(B.start).getTime()).toISOString();
  t.equal((await post(`/i/${token}`, { ...consent, startAt: first, timezone: 'America/New_York' })).statusCode, 200);
  const second = new Date(new Date(B.start).getTime() + HOUR).toISOString();
  t.equal((await post(`/i/${token}/reschedule`, { startAt: new Date(new Date(B.end).getTime() + HOUR).toISOString() })).statusCode, 422, 'outside the windows');
  t.equal((await post(`/i/${token}/reschedule`, { startAt: second, timezone: 'Nowhere/Land' })).statusCode, 422, 'bad timezone');
  t.equal((await post(`/i/${token}/reschedule`, {})).statusCode, 400, 'malformed');
  const res = await post(`/i/${token}/reschedule`, { startAt: second });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json(), { status: 'scheduled', scheduledFor: second });
  t.equal(await startQueue.getJob(`interview-start-${id}-v1`), undefined, 'the old call job is gone');
  t.ok(await startQueue.getJob(`interview-start-${id}-v2`), 'the new one exists');
  t.equal(await reminderQueue.getJob(`interview-reminder-${id}-v1-24h`), undefined);
  t.ok(await reminderQueue.getJob(`interview-reminder-${id}-v2-24h`));

  nowMs = Date.parse(first);
  t.equal(await calls.startCall(admin.orgId, id), 'not_due', 'had the old job fired at the old time, no call');
  nowMs = Date.now();
  const mails = ctx.mailer.outbox.length;
  t.equal(await reminders.send(admin.orgId, id, '24h', 1), 'stale', 'a reminder of the old time is not sent');
  t.equal(await reminders.send(admin.orgId, id, '24h', 2), 'sent');
  const mail = ctx.mailer.outbox[mails];
  t.equal(ctx.mailer.outbox.length, mails + 1);
  t.match(mail?.subject ?? '', /Reminder/);
  t.match(mail?.text ?? '', /\(America\/New_York\) = .*\(UTC\)/, 'local time and UTC');
  const timeline = (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}`, headers: { cookie: recruiter.cookie } })).json<{ timeline: { type: string }[] }>().timeline;
  t.ok(timeline.some((e) => e.type === 'interview.rescheduled'));
  t.ok(timeline.some((e) => e.type === 'interview.reminder_sent'));

  const before = fake.requests.filter((r) => r.path === '/call').length;
  nowMs = Date.parse(second);
  t.equal(await calls.startCall(admin.orgId, id), 'placed', 'the call goes out at the new time');
  t.equal(await calls.startCall(admin.orgId, id), 'skipped', 'once');
  t.equal(fake.requests.filter((r) => r.path === '/call').length, before + 1);
  nowMs = Date.now();
  t.equal((await post(`/i/${token}/reschedule`, { startAt: second })).statusCode, 409, 'no moving after the call');
});

t.test('the candidate cancels: jobs dropped, reminders silent, no call', async (t) => {
  const { id, token } = await invite();
  const slot = new Date(new Date(B.start).getTime() + 30 * 60_000).toISOString();
  t.equal((await post(`/i/${token}`, { ...consent, startAt: slot })).statusCode, 200);
  const html = await ctx.app.inject({ method: 'POST', url: `/i/${token}/cancel`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: '' });
  t.equal(html.statusCode, 200, html.body);
  t.match(html.body, /cancelled/);
  const v = await view(id);
  t.equal(v.status, 'cancelled');
  t.same(v.cancelled && v.cancelled.by, 'candidate');
  t.equal(await startQueue.getJob(`interview-start-${id}-v1`), undefined);
  t.equal(await reminderQueue.getJob(`interview-reminder-${id}-v1-1h`), undefined);
  t.equal(await reminders.send(admin.orgId, id, '1h', 1), 'stale');
  nowMs = Date.parse(slot);
  t.equal(await calls.startCall(admin.orgId, id), 'skipped');
  nowMs = Date.now();
  t.equal((await post(`/i/${token}/cancel`)).statusCode, 409, 'nothing left to cancel');
  t.equal((await post(`/i/${token}/reschedule`, { startAt: slot })).statusCode, 409);
});

t.test('moving is refused within the cutoff before the slot; cancelling still works', async (t) => {
  t.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1', rescheduleCutoffMinutes: 48 * 60 } })).statusCode, 204);
  const { token } = await invite();
  const slot = new Date(new Date(A.start).getTime()).toISOString();
  t.equal((await post(`/i/${token}`, { ...consent, startAt: slot })).statusCode, 200);
  const res = await post(`/i/${token}/reschedule`, { startAt: B.start });
  t.equal(res.statusCode, 409);
  t.match(res.json<{ detail: string }>().detail, /2,880 minutes before/);
  t.notMatch((await ctx.app.inject({ method: 'GET', url: `/i/${token}` })).body, /Move the interview/, 'not offered on the page either');
  t.equal((await post(`/i/${token}/cancel`)).statusCode, 200);
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1', rescheduleCutoffMinutes: 60 } });
});

t.test('per-invite windows override the plan; expired, revoked and unknown links manage nothing', async (t) => {
  const own = [{ start: B.start, end: new Date(Date.parse(B.start) + HOUR).toISOString() }];
  const { id, token, applicationId } = await invite({ availability: own });
  t.same((await view(id)).schedule.availability, [{ start: new Date(own[0]!.start).toISOString(), end: new Date(own[0]!.end).toISOString() }]);
  const bad = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: { availability: [{ start: A.end, end: A.start }] } });
  t.equal(bad.statusCode, 422, 'bad per-invite window');
  t.equal((await post(`/i/${token}`, { ...consent, startAt: A.start })).statusCode, 422, "the plan's window is not offered on this invite");
  t.equal((await post(`/i/${token}`, { ...consent, startAt: own[0]!.start })).statusCode, 200);

  await owner.query("UPDATE interviews SET invite_expires_at = now() - interval '1 minute' WHERE id = $1", [id]);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/i/${token}` })).statusCode, 404, 'expired link');
  t.equal((await post(`/i/${token}/reschedule`, { startAt: own[0]!.start })).statusCode, 404);
  t.equal((await post(`/i/${token}/cancel`)).statusCode, 404);

  const revoked = await invite();
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/interviews/${revoked.id}/revoke`, headers: recruiter.headers })).statusCode, 204);
  t.equal((await post(`/i/${revoked.token}/cancel`)).statusCode, 404, 'revoked link');
  t.equal((await post(`/i/${'x'.repeat(43)}/reschedule`, { startAt: B.start })).statusCode, 404, 'unknown token');
  t.equal((await post('/i/short/cancel')).statusCode, 400, 'malformed token');
  const big = await ctx.app.inject({ method: 'POST', url: `/i/${token}/reschedule`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `startAt=${'x'.repeat(20_000)}` });
  t.equal(big.statusCode, 413, 'oversized form');
});

t.test('weekly hours on the plan: validated, stored, and every invite gets them as windows for the next 14 days (Berlin local time)', async (t) => {
  nowMs = Date.now();
  const url = `/api/v1/interview-plans/${job.id}`;
  const current = (await ctx.app.inject({ method: 'GET', url, headers: { cookie: recruiter.cookie } })).json<Record<string, unknown>>();
  // The approved questions unchanged: new hours keep the approval.
  const questions = (current.questions as { text: string; criterion: string; anchor: string }[]).map(({ text, criterion, anchor }) => ({ text, criterion, anchor }));
  const base = { questions, maxDurationSeconds: 1200, language: 'en', availability: [], voice: null };
  const everyDay = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '10:00', end: '12:00' }));
  const put = (weeklyHours: unknown) => ctx.app.inject({ method: 'PUT', url, headers: recruiter.headers, payload: { ...base, weeklyHours } });
  const overlap = await put({ timezone: 'Europe/Berlin', days: [...everyDay, { weekday: 3, start: '11:00', end: '13:00' }] });
  t.equal(overlap.statusCode, 422);
  t.match(overlap.json(), { detail: /on Wednesday overlap/ }, 'a readable reason');
  t.equal((await put({ timezone: 'Mars/Olympus', days: everyDay })).statusCode, 422, 'unknown timezone');
  t.equal((await put({ timezone: 'Europe/Berlin', days: [{ weekday: 1, start: '9am', end: '12:00' }] })).statusCode, 400, 'malformed time');
  t.equal((await put({ timezone: 'Europe/Berlin', days: Array(15).fill(everyDay[0]) })).statusCode, 400, 'too many entries');
  t.equal((await ctx.app.inject({ method: 'PUT', url, headers: hm.headers, payload: { ...base, weeklyHours: { timezone: 'UTC', days: everyDay } } })).statusCode, 403);
  const saved = await put({ timezone: 'Europe/Berlin', days: [...everyDay].reverse() });
  t.equal(saved.statusCode, 200, saved.body);
  t.same(saved.json<{ weeklyHours: unknown }>().weeklyHours, { timezone: 'Europe/Berlin', days: everyDay }, 'stored sorted');

  const { id, token } = await invite();
  const windows = (await view(id)).schedule.availability;
  t.ok(windows.length >= 13 && windows.length <= 15, `two weeks of daily windows (${windows.length})`);
  const berlin = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  t.ok(windows.slice(1).every((w) => berlin(w.start) === '10:00' && berlin(w.end) === '12:00'), 'each from 10:00 to 12:00 Berlin time, whatever the UTC offset');
  const slot = windows.at(-1)?.start as string;
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.ok(page.body.includes(`<option value="${slot}">`), 'the slot is offered to the candidate');
  const outside = new Date(Date.parse(slot) - 3 * HOUR).toISOString();
  t.equal((await post(`/i/${token}`, { ...consent, startAt: outside })).statusCode, 422, 'outside the hours');
  t.equal((await post(`/i/${token}`, { ...consent, startAt: slot })).statusCode, 200);
  t.equal((await view(id)).schedule.scheduledFor, slot);
  t.equal((await put(null)).statusCode, 200, 'cleared again');
});
