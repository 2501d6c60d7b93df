// Retrying candidate messages through a real SMTP conversation: the (fake) relay first
// refuses, then accepts. A retry mails the same message once, never twice; failed and
// stuck-pending messages are listed for the org without their content.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { startFakeSmtp } from '../fakes/smtp-server.js';

const smtp = await startFakeSmtp();
t.teardown(() => smtp.close());
const ctx = await buildTestApp(t, { smtpUrl: smtp.url });
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const hmA = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiterA, { title: 'Site Reliability Engineer', hiringManagerIds: [hmA.userId] });
const email = `katherine.${Date.now()}@example.test`;
const app = (await uploadCv(ctx, recruiterA, job.id, { name: 'Katherine Johnson', email })).json<{ applicationId: string; candidateId: string }>();
const jobB = await createJob(ctx, adminB, { title: 'B job' });
await uploadCv(ctx, adminB, jobB.id);

type Method = 'GET' | 'POST';
const call = (m: Member | null, method: Method, url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: m ? (method === 'GET' ? { cookie: m.cookie } : m.headers) : {}, ...(payload ? { payload } : {}) });
const mailsTo = (to: string) => smtp.received.filter((r) => r.to.some((x) => x.includes(to)));
interface Msg {
  id: string;
  status: string;
  error: string | null;
  attempts: number;
  retried?: boolean;
  subject: string;
}

smtp.failing = true;
const failedSend = await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { subject: 'Interview times', body: 'Hi {{candidate.firstName}}, are Tuesday mornings good?' });
const failed = failedSend.json<Msg>();

t.test('a send the relay refuses is recorded as failed and listed for the org, without content', async (t) => {
  t.equal(failedSend.statusCode, 201, failedSend.body);
  t.match(failed, { status: 'failed', error: 'mail transport error', attempts: 1 });
  t.equal(mailsTo(email).length, 0);
  const list = await call(recruiterA, 'GET', '/api/v1/messages?status=failed');
  t.equal(list.statusCode, 200, list.body);
  const items = list.json<{ messages: { id: string; applicationId: string; candidateId: string; jobTitle: string; status: string; attempts: number }[]; nextCursor: string | null }>();
  t.match(items.messages, [{ id: failed.id, applicationId: app.applicationId, candidateId: app.candidateId, jobTitle: 'Site Reliability Engineer', status: 'failed', attempts: 1 }]);
  t.notMatch(list.body, /Katherine|Tuesday|Interview times/, 'no name, subject or body in the list');
  t.same((await call(recruiterA, 'GET', '/api/v1/messages')).json<{ messages: { id: string }[] }>().messages.map((m) => m.id), [failed.id], 'status defaults to failed');
  t.same((await call(recruiterA, 'GET', '/api/v1/messages?status=pending')).json<{ messages: unknown[] }>().messages, [], 'nothing stuck');
  t.same((await call(adminB, 'GET', '/api/v1/messages?status=failed')).json<{ messages: unknown[] }>().messages, [], "B does not see A's failures");
});

t.test('listing and retrying: wrong role 403, no session 401, malformed 400, other org 404', async (t) => {
  for (const m of [hmA, auditorA]) {
    t.equal((await call(m, 'GET', '/api/v1/messages?status=failed')).statusCode, 403, `${m.role} cannot list`);
    t.equal((await call(m, 'POST', `/api/v1/messages/${failed.id}/retry`)).statusCode, 403, `${m.role} cannot retry`);
  }
  t.equal((await call(null, 'GET', '/api/v1/messages')).statusCode, 401);
  t.equal((await call(null, 'POST', `/api/v1/messages/${failed.id}/retry`)).statusCode, 401);
  for (const url of ['/api/v1/messages?status=sent', '/api/v1/messages?limit=1000', '/api/v1/messages?cursor=bm9wZQ', `/api/v1/messages?cursor=${'a'.repeat(300)}`, '/api/v1/messages?limit=0']) {
    const res = await call(recruiterA, 'GET', url);
    t.equal(res.statusCode, 400, url.slice(0, 60));
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
  t.equal((await call(recruiterA, 'POST', '/api/v1/messages/not-a-uuid/retry')).statusCode, 400);
  t.equal((await call(recruiterA, 'POST', '/api/v1/messages/00000000-0000-4000-8000-000000000000/retry')).statusCode, 404);
  const big = await ctx.app.inject({ method: 'POST', url: `/api/v1/messages/${failed.id}/retry`, headers: { ...recruiterA.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'y'.repeat(2_000_000) }) });
  t.equal(big.statusCode, 413, 'oversized body');
  const before = smtp.received.length;
  t.equal((await call(adminB, 'POST', `/api/v1/messages/${failed.id}/retry`)).statusCode, 404, "B cannot retry A's message");
  const row = await owner.query<{ attempts: number; status: string }>('SELECT attempts, status FROM messages WHERE id = $1', [failed.id]);
  t.same(row.rows[0], { attempts: 1, status: 'failed' }, 'nothing changed');
  t.equal(smtp.received.length, before, 'nothing mailed');
});

t.test('a retry while the relay still refuses stays failed; once it accepts the mail goes out exactly once', async (t) => {
  const again = await call(recruiterA, 'POST', `/api/v1/messages/${failed.id}/retry`);
  t.equal(again.statusCode, 200, again.body);
  t.match(again.json<Msg>(), { id: failed.id, status: 'failed', attempts: 2, retried: true });
  smtp.failing = false;
  const ok = await call(recruiterA, 'POST', `/api/v1/messages/${failed.id}/retry`);
  t.equal(ok.statusCode, 200, ok.body);
  t.match(ok.json<Msg>(), { id: failed.id, status: 'sent', error: null, attempts: 3, retried: true, subject: 'Interview times' });
  const mails = mailsTo(email);
  t.equal(mails.length, 1, 'one mail accepted by the relay');
  t.match(mails[0]?.data, /Subject: Interview times/);
  t.match(mails[0]?.data, /Hi Katherine, are Tuesday mornings good\?/);

  const idempotent = await call(recruiterA, 'POST', `/api/v1/messages/${failed.id}/retry`);
  t.equal(idempotent.statusCode, 200);
  t.match(idempotent.json<Msg>(), { status: 'sent', attempts: 3, retried: false });
  t.equal(mailsTo(email).length, 1, 'a sent message is never mailed again');
  t.same((await call(recruiterA, 'GET', '/api/v1/messages?status=failed')).json<{ messages: unknown[] }>().messages, [], 'no longer listed as failed');

  const events = await owner.query<{ type: string; data: { attempt?: number; previousStatus?: string } }>(
    "SELECT type, data FROM application_events WHERE application_id = $1 AND data->>'messageId' = $2 ORDER BY created_at, id",
    [app.applicationId, failed.id],
  );
  t.same(
    events.rows.map((e) => e.type),
    ['message.sent', 'message.failed', 'message.retried', 'message.failed', 'message.retried'],
    'timeline: sent, failed, retried, failed, retried (and then delivered)',
  );
  t.match(events.rows[2]?.data, { attempt: 2, previousStatus: 'failed' });
  const audited = await owner.query<{ actor_id: string; metadata: Record<string, unknown> }>(
    "SELECT actor_id, metadata FROM audit_events WHERE org_id = $1 AND action = 'message.retried' ORDER BY seq",
    [adminA.orgId],
  );
  t.match(audited.rows, [
    { actor_id: recruiterA.userId, metadata: { messageId: failed.id, attempt: 2, candidateId: app.candidateId } },
    { actor_id: recruiterA.userId, metadata: { messageId: failed.id, attempt: 3 } },
  ]);
  t.notMatch(JSON.stringify(audited.rows), /Katherine|Tuesday|@example/, 'no PII in the audit metadata');
});

t.test('concurrent retries of one failed message mail it once', async (t) => {
  smtp.failing = true;
  const m = (await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { subject: 'Parking', body: 'Visitor parking is at gate 2.' })).json<Msg>();
  t.equal(m.status, 'failed');
  smtp.failing = false;
  const results = await Promise.all([0, 1, 2].map(() => call(recruiterA, 'POST', `/api/v1/messages/${m.id}/retry`)));
  const sentNow = results.filter((r) => r.statusCode === 200 && r.json<Msg>().retried === true);
  t.equal(sentNow.length, 1, 'one request did the retry');
  for (const r of results.filter((x) => !sentNow.includes(x))) {
    t.ok(r.statusCode === 409 || (r.statusCode === 200 && r.json<Msg>().retried === false), `the others are 409 (in flight) or a no-op: ${r.statusCode}`);
  }
  t.equal(smtp.received.filter((r) => r.data.includes('Subject: Parking')).length, 1, 'mailed once');
});

t.test('a message stuck in pending is listed and retried only once it is stale', async (t) => {
  const m = (await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { subject: 'Badge', body: 'Bring an ID for your badge.' })).json<Msg>();
  // As if the process died between commit and mail: still pending, no outcome recorded.
  await owner.query("UPDATE messages SET status = 'pending', sent_at = NULL, last_attempt_at = now() - interval '1 minute' WHERE id = $1", [m.id]);
  const fresh = await call(recruiterA, 'POST', `/api/v1/messages/${m.id}/retry`);
  t.equal(fresh.statusCode, 409, 'a recent pending message may still be in flight');
  t.same((await call(recruiterA, 'GET', '/api/v1/messages?status=pending')).json<{ messages: unknown[] }>().messages, []);
  await owner.query("UPDATE messages SET last_attempt_at = now() - interval '30 minutes' WHERE id = $1", [m.id]);
  const stuck = (await call(recruiterA, 'GET', '/api/v1/messages?status=pending')).json<{ messages: { id: string; status: string }[] }>().messages;
  t.match(stuck, [{ id: m.id, status: 'pending' }]);
  const before = smtp.received.filter((r) => r.data.includes('Subject: Badge')).length;
  const res = await call(recruiterA, 'POST', `/api/v1/messages/${m.id}/retry`);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json<Msg>(), { status: 'sent', retried: true, attempts: 2 });
  t.equal(smtp.received.filter((r) => r.data.includes('Subject: Badge')).length, before + 1);
});

t.test('pagination of the failed list follows the cursor', async (t) => {
  smtp.failing = true;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { subject: `Note ${i}`, body: 'x' })).json<Msg>().id);
  smtp.failing = false;
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res: { json: <T>() => T } = await call(recruiterA, 'GET', `/api/v1/messages?status=failed&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    const page: { messages: { id: string }[]; nextCursor: string | null } = res.json<{ messages: { id: string }[]; nextCursor: string | null }>();
    seen.push(...page.messages.map((m) => m.id));
    cursor = page.nextCursor;
  } while (cursor);
  t.same(seen, [...ids].reverse(), 'newest first, each once');
});
