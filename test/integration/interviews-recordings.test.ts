// issue 18, item 2: with recording consent the worker brings the recording onto the box
// (sealed under the candidate key) and then deletes the call at Vapi; without consent
// nothing is fetched and the call is deleted at Vapi once the transcript is taken. The
// console plays it through an authenticated endpoint with byte ranges, each play audited;
// erasure leaves no recording.
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { checkRecordingUrl } from '../../server/modules/interviews/recordings.js';
import { startWorkers } from '../../worker/worker.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { until } from '../support/until.js';

const ctx = await buildTestApp(t, { appDeps: { vapiDeleteJob: { backoffMs: 150, attempts: 4 } } });
const owner = await connectOwner(t, ctx);
const fake = await startFakeVapi();
t.teardown(() => fake.close());
const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const running = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: redis,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  interviews: { vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }), mailer: ctx.mailer, allowLoopbackRecordings: true },
  vapiDeletion: { backoffMs: 150, attempts: 4, sweepEveryMs: 3_600_000 },
});
t.teardown(async () => {
  await running.close();
  redis.disconnect();
});
const admin = await createOrgWithMember(ctx, 'admin');
const auditor = await createOrgWithMember(ctx, 'auditor', admin.orgId);
const hmOther = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, admin, { title: 'SRE', interviewQuestions: ['How do you handle an incident?'] });
await approvePlan(ctx, admin, job.id, ['How do you handle an incident?']);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
fake.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } });

/** A small but real WAV file: 44-byte RIFF header and 8-bit mono samples. */
function wav(samples: number): Buffer {
  const data = Buffer.alloc(samples, 0);
  for (let i = 0; i < samples; i += 1) data[i] = 128 + Math.round(100 * Math.sin(i / 5));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + samples, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.write('data', 36);
  h.writeUInt32LE(samples, 40);
  return Buffer.concat([h, data]);
}

async function endedInterview(recordingConsent: boolean, audio: Buffer | null): Promise<{ interviewId: string; callId: string; candidateId: string }> {
  const up = (await uploadCv(ctx, admin, job.id)).json<{ applicationId: string; candidateId: string }>();
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${up.applicationId}/interviews`, headers: admin.headers, payload: {} });
  const interviewId = created.json<{ id: string }>().id;
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+14155550123', phoneConfirmed: true, recordingConsent },
  });
  if (consent.statusCode !== 200) throw new Error(consent.body);
  const call = await until('POST /call', async () => [...fake.calls.values()].find((c) => c.assistantOverrides?.metadata?.interviewId === interviewId));
  await until('call id stored', async () => (await owner.query('SELECT 1 FROM interviews WHERE id = $1 AND vapi_call_id = $2', [interviewId, call.id])).rowCount);
  if (audio) fake.setRecording(call.id, audio);
  await fake.play(call.id);
  return { interviewId, callId: call.id, candidateId: up.candidateId };
}

const audio = wav(4000);
const play = (m: { headers: Record<string, string> } | null, id: string, range?: string) =>
  ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}/recording`, headers: { ...(m ? m.headers : {}), ...(range === undefined ? {} : { range }) } });

let consented: { interviewId: string; callId: string; candidateId: string };

t.test('with consent: the recording is fetched, sealed on the box, and then the call is deleted at Vapi', async (t) => {
  consented = await endedInterview(true, audio);
  await until('call deleted at Vapi', async () => fake.deletes.includes(consented.callId), 30_000);
  t.equal(fake.recordingFetches.get(consented.callId), 1, 'fetched once, before the deletion');
  const stored = await owner.query<{ size_bytes: number; content_type: string; bytes_enc: Buffer }>('SELECT size_bytes, content_type, bytes_enc FROM interview_recordings WHERE interview_id = $1', [consented.interviewId]);
  t.match(stored.rows[0], { size_bytes: audio.length, content_type: 'audio/wav' });
  t.notOk(stored.rows[0]?.bytes_enc.includes(audio.subarray(44, 200)), 'sealed, not plaintext');
  const view = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${consented.interviewId}`, headers: admin.headers })).json<{ recording: unknown }>();
  t.same(view.recording, { contentType: 'audio/wav', size: audio.length });
  const d = await until('deletion confirmed', async () => (await owner.query<{ reason: string }>('SELECT reason FROM vapi_call_deletions WHERE call_id = $1 AND confirmed_at IS NOT NULL', [consented.callId])).rows[0]);
  t.equal(d.reason, 'recording_stored');
});

t.test('playback: whole file, byte ranges (206), bad ranges (416), each play audited', async (t) => {
  const full = await play(admin, consented.interviewId);
  t.equal(full.statusCode, 200);
  t.equal(full.headers['content-type'], 'audio/wav');
  t.equal(full.headers['accept-ranges'], 'bytes');
  t.ok(full.rawPayload.equals(audio), 'the same bytes');
  const first = await play(admin, consented.interviewId, 'bytes=0-99');
  t.equal(first.statusCode, 206);
  t.equal(first.headers['content-range'], `bytes 0-99/${audio.length}`);
  t.ok(first.rawPayload.equals(audio.subarray(0, 100)));
  const open = await play(admin, consented.interviewId, 'bytes=4000-');
  t.equal(open.statusCode, 206);
  t.equal(open.headers['content-range'], `bytes 4000-${audio.length - 1}/${audio.length}`);
  t.ok(open.rawPayload.equals(audio.subarray(4000)));
  const suffix = await play(admin, consented.interviewId, 'bytes=-10');
  t.equal(suffix.statusCode, 206);
  t.ok(suffix.rawPayload.equals(audio.subarray(audio.length - 10)));
  for (const bad of [`bytes=${audio.length}-`, 'bytes=50-10', 'bytes=abc', 'bytes=0-1,5-9', 'items=0-1', 'bytes=-']) {
    const res = await play(admin, consented.interviewId, bad);
    t.equal(res.statusCode, 416, bad);
    t.equal(res.headers['content-range'], `bytes */${audio.length}`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
  const played = await owner.query<{ actor_id: string; metadata: Record<string, unknown> }>("SELECT actor_id, metadata FROM audit_events WHERE org_id = $1 AND action = 'recording.played' AND target_id = $2", [admin.orgId, consented.interviewId]);
  t.equal(played.rows.length, 2, 'the whole-file play and the play from byte 0; later ranges of the same play are not');
  t.equal(played.rows[0]?.actor_id, admin.userId);
});

t.test('refused: anonymous 401, auditor 403, unassigned hiring manager and other org 404, no recording 404', async (t) => {
  t.equal((await play(null, consented.interviewId)).statusCode, 401);
  const a = await play(auditor, consented.interviewId);
  t.equal(a.statusCode, 403);
  t.match(String(a.headers['content-type']), /^application\/problem\+json/);
  t.equal((await play(hmOther, consented.interviewId)).statusCode, 404, 'a hiring manager not on the job');
  const b = await play(adminB, consented.interviewId);
  t.equal(b.statusCode, 404, 'another org');
  t.notOk(b.rawPayload.includes(audio.subarray(44, 100)));
  t.equal((await play(admin, 'not-a-uuid')).statusCode, 400);
});

t.test('without consent: nothing is fetched, the call is deleted at Vapi after the transcript is taken', async (t) => {
  const plain = await endedInterview(false, audio);
  await until('call deleted at Vapi', async () => fake.deletes.includes(plain.callId), 30_000);
  t.equal(fake.recordingFetches.get(plain.callId) ?? 0, 0, 'never fetched');
  const transcript = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${plain.interviewId}`, headers: admin.headers })).json<{ transcript: string | null; recording: unknown; recordingRef: unknown }>();
  t.match(transcript.transcript, /blameless review/, 'the transcript was taken first');
  t.equal(transcript.recording, null);
  t.equal(transcript.recordingRef, null);
  t.equal((await play(admin, plain.interviewId)).statusCode, 404);
  const d = await until('deletion confirmed', async () => (await owner.query<{ reason: string }>('SELECT reason FROM vapi_call_deletions WHERE call_id = $1 AND confirmed_at IS NOT NULL', [plain.callId])).rows[0]);
  t.equal(d.reason, 'no_recording');
});

t.test('erasure leaves no recording (row gone, key destroyed)', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${consented.candidateId}/erasure`, headers: admin.headers, payload: { reference: 'DSR-REC', confirm: true } });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { recordings: 1 });
  t.equal((await owner.query('SELECT 1 FROM interview_recordings WHERE interview_id = $1', [consented.interviewId])).rowCount, 0);
  t.equal((await play(admin, consented.interviewId)).statusCode, 404);
});

t.test('the recording URL check refuses private addresses and plain http unless loopback is allowed', async (t) => {
  await t.rejects(checkRecordingUrl('http://127.0.0.1:9/a.wav', false), /not https|private/);
  await t.rejects(checkRecordingUrl('https://127.0.0.1/a.wav', false), /private/);
  await t.rejects(checkRecordingUrl('https://10.1.2.3/a.wav', false), /private/);
  await t.rejects(checkRecordingUrl('https://[::1]/a.wav', false), /private/);
  await t.rejects(checkRecordingUrl('https://169.254.169.254/latest', false), /private/);
  await t.rejects(checkRecordingUrl('https://user:pw@example.com/a.wav', false), /credentials/);
  await t.rejects(checkRecordingUrl('http://10.1.2.3/a.wav', true), /not https|private/, 'loopback allowance is loopback only');
  t.ok(await checkRecordingUrl('http://127.0.0.1:9/a.wav', true));
});
