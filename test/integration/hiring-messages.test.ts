import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { makeDocx, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import type { MailMessage } from '../../server/core/mailer.js';
import { createMessageService } from '../../server/modules/messages/service.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const hmA = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiterA, { title: 'Platform Engineer', hiringManagerIds: [hmA.userId] });
const email = `ada.${Date.now()}@example.test`;
const app = (await uploadCv(ctx, recruiterA, job.id, { name: 'Ada Lovelace', email })).json<{ applicationId: string; candidateId: string }>();
const jobB = await createJob(ctx, adminB, { title: 'B job' });
const appB = (await uploadCv(ctx, adminB, jobB.id)).json<{ applicationId: string }>();
const orgA = (await owner.query<{ slug: string; name: string }>('SELECT slug, name FROM orgs WHERE id = $1', [adminA.orgId])).rows[0] as { slug: string; name: string };
const stages = (await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/pipeline`, headers: { cookie: recruiterA.cookie } })).json<{ stages: { id: string; kind: string }[] }>().stages;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const call = (m: Member, method: Method, url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: method === 'GET' ? { cookie: m.cookie } : m.headers, ...(payload ? { payload } : {}) });
const mailsTo = (to: string) => ctx.mailer.outbox.filter((mm) => mm.to === to);
const isProblem = (res: { headers: Record<string, unknown> }) => /^application\/problem\+json/.test(String(res.headers['content-type']));

const generic = await call(adminA, 'POST', '/api/v1/message-templates', {
  name: 'Follow-up',
  kind: 'generic',
  subject: 'Hello {{candidate.firstName}} from {{ org.name }}',
  body: 'Dear {{candidate.name}},\n\nthanks for applying to {{job.title}} ({{job.location}}).',
});

t.test('admins create, edit and delete templates; everyone working on applications lists them', async (t) => {
  t.equal(generic.statusCode, 201, generic.body);
  const tpl = generic.json<{ id: string; kind: string; sendOn: null }>();
  t.match(tpl, { kind: 'generic', sendOn: null });
  const list = await call(recruiterA, 'GET', '/api/v1/message-templates');
  t.equal(list.statusCode, 200);
  t.ok(list.json<{ templates: { id: string }[] }>().templates.some((x) => x.id === tpl.id));
  t.match(list.json<{ variables: string[] }>().variables, ['candidate.firstName']);
  t.equal((await call(hmA, 'GET', '/api/v1/message-templates')).statusCode, 200, 'hiring managers may read templates');
  const patched = await call(adminA, 'PATCH', `/api/v1/message-templates/${tpl.id}`, { subject: 'Hi {{candidate.firstName}} from {{org.name}}' });
  t.equal(patched.statusCode, 200, patched.body);
  const temp = (await call(adminA, 'POST', '/api/v1/message-templates', { name: 'Temp', kind: 'interview_invite', subject: 'x', body: 'y' })).json<{ id: string }>();
  t.equal((await call(adminA, 'DELETE', `/api/v1/message-templates/${temp.id}`)).statusCode, 204);
  t.equal((await call(adminA, 'DELETE', `/api/v1/message-templates/${temp.id}`)).statusCode, 404);
  const audited = await owner.query<{ action: string; metadata: unknown }>("SELECT action, metadata FROM audit_events WHERE org_id = $1 AND action LIKE 'message_template.%' ORDER BY seq", [adminA.orgId]);
  t.same(
    audited.rows.map((r) => r.action),
    ['message_template.created', 'message_template.updated', 'message_template.created', 'message_template.deleted'],
  );
  t.notMatch(JSON.stringify(audited.rows), /Hi \{\{|thanks for applying/, 'no template text in audit metadata');
});

t.test('malformed, oversized and unknown-variable templates get 4xx problem+json', async (t) => {
  const base = { name: 'Bad', kind: 'generic', subject: 'ok', body: 'ok' };
  const cases: [object, number, string][] = [
    [{ ...base, body: 'Hi {{candidate.email}}' }, 422, 'unknown variable'],
    [{ ...base, subject: '{{ constructor }}' }, 422, 'unknown variable in subject'],
    [{ ...base, body: 'Hi {{candidate.name' }, 422, 'unclosed placeholder'],
    [{ ...base, body: 'Hi {{{candidate.name}}}' }, 422, 'stray braces'],
    [{ ...base, body: 'Hi \u0007 there' }, 422, 'control characters'],
    // NUL is refused for every route before any handler (issue 14 L2).
    [{ ...base, body: 'Hi \u0000 there' }, 400, 'NUL'],
    [{ ...base, body: 'x'.repeat(10001) }, 400, 'body too long'],
    [{ ...base, subject: 'a\r\nBcc: evil@example.test' }, 400, 'header break in subject'],
    [{ ...base, kind: 'spam' }, 400, 'unknown kind'],
    [{ ...base, name: '' }, 400, 'empty name'],
    [{ ...base, kind: 'rejection', sendOn: 'screening' }, 422, 'automatic rejection'],
    [{ ...base, kind: 'generic', sendOn: 'apply' }, 422, 'apply is for application_received'],
    [{ ...base, sendOn: 'rejected' }, 400, 'no trigger on rejected'],
    [{ ...base, name: 'follow-up' }, 409, 'duplicate name'],
  ];
  for (const [payload, status, what] of cases) {
    const res = await call(adminA, 'POST', '/api/v1/message-templates', payload);
    t.equal(res.statusCode, status, what);
    t.ok(isProblem(res), `${what}: problem+json`);
  }
  const unknown = await call(adminA, 'POST', '/api/v1/message-templates', { ...base, body: 'Hi {{candidate.email}}' });
  t.match(unknown.json(), { unknownVariables: ['candidate.email'] });
  const big = await call(adminA, 'POST', '/api/v1/message-templates', { ...base, body: 'x'.repeat(2_000_000) });
  t.equal(big.statusCode, 413);
  const tpl = generic.json<{ id: string }>();
  const badPatch = await call(adminA, 'PATCH', `/api/v1/message-templates/${tpl.id}`, { body: '{{job.salary}}' });
  t.equal(badPatch.statusCode, 422);
  t.equal((await call(adminA, 'PATCH', `/api/v1/message-templates/${tpl.id}`, {})).statusCode, 400);
});

t.test('auditors and hiring managers cannot edit templates or send messages', async (t) => {
  const tpl = generic.json<{ id: string }>();
  for (const m of [hmA, auditorA, recruiterA]) {
    t.equal((await call(m, 'POST', '/api/v1/message-templates', { name: 'N', kind: 'generic', subject: 's', body: 'b' })).statusCode, 403, `${m.role} cannot create`);
    t.equal((await call(m, 'PATCH', `/api/v1/message-templates/${tpl.id}`, { name: 'N2' })).statusCode, 403, `${m.role} cannot edit`);
    t.equal((await call(m, 'DELETE', `/api/v1/message-templates/${tpl.id}`)).statusCode, 403, `${m.role} cannot delete`);
  }
  const before = ctx.mailer.outbox.length;
  for (const m of [hmA, auditorA]) {
    t.equal((await call(m, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { templateId: tpl.id })).statusCode, 403, `${m.role} cannot send`);
  }
  t.equal((await call(auditorA, 'GET', '/api/v1/message-templates')).statusCode, 403, 'auditors do not read templates');
  t.equal(ctx.mailer.outbox.length, before, 'nothing mailed');
});

t.test("another org's templates and applications are 404", async (t) => {
  const tpl = generic.json<{ id: string }>();
  t.equal((await call(adminB, 'PATCH', `/api/v1/message-templates/${tpl.id}`, { name: 'Hijacked' })).statusCode, 404);
  t.equal((await call(adminB, 'DELETE', `/api/v1/message-templates/${tpl.id}`)).statusCode, 404);
  t.equal((await call(adminB, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { subject: 's', body: 'b' })).statusCode, 404);
  t.equal((await call(adminB, 'GET', `/api/v1/applications/${app.applicationId}/messages`)).statusCode, 404);
  t.equal((await call(adminB, 'GET', `/api/v1/candidates/${app.candidateId}/export`)).statusCode, 404);
  const withATemplate = await call(adminB, 'POST', `/api/v1/applications/${appB.applicationId}/messages`, { templateId: tpl.id });
  t.equal(withATemplate.statusCode, 422, "B cannot send with A's template");
  const listB = await call(adminB, 'GET', '/api/v1/message-templates');
  t.same(listB.json<{ templates: unknown[] }>().templates, [], "B lists none of A's templates");
  t.equal((await owner.query('SELECT name FROM message_templates WHERE id = $1', [tpl.id])).rows[0]?.name, 'Follow-up');
});

t.test('a recruiter sends from the record: mailed after commit, on the timeline, encrypted at rest', async (t) => {
  const tpl = generic.json<{ id: string }>();
  const before = mailsTo(email).length;
  const started = Date.now();
  const res = await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { templateId: tpl.id });
  t.equal(res.statusCode, 201, res.body);
  t.comment(`send from record: ${Date.now() - started} ms`);
  const sent = res.json<{ id: string; status: string; subject: string; body: string; kind: string; origin: string }>();
  t.match(sent, { status: 'sent', kind: 'generic', origin: 'manual', subject: `Hi Ada from ${orgA.name}` });
  t.match(sent.body, /Dear Ada Lovelace,\n\nthanks for applying to Platform Engineer \(Berlin\)\./);
  const mails = mailsTo(email);
  t.equal(mails.length, before + 1, 'one mail in the outbox');
  t.match(mails.at(-1), { subject: `Hi Ada from ${orgA.name}`, text: sent.body });

  const free = await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { subject: 'Quick question', body: 'Hi {{candidate.firstName}}, are you free on Monday?' });
  t.equal(free.statusCode, 201, free.body);
  t.match(free.json(), { kind: 'free_text', body: 'Hi Ada, are you free on Monday?' });
  t.equal((await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { subject: 'x', body: '{{candidate.phone}}' })).statusCode, 422);
  t.equal((await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, { templateId: tpl.id, subject: 'x', body: 'y' })).statusCode, 422);
  t.equal((await call(recruiterA, 'POST', `/api/v1/applications/${app.applicationId}/messages`, {})).statusCode, 422);

  const view = (await call(recruiterA, 'GET', `/api/v1/applications/${app.applicationId}`)).json<{ timeline: { type: string; data: { messageId?: string } }[] }>();
  t.ok(view.timeline.some((e) => e.type === 'message.sent' && e.data.messageId === sent.id), 'message on the timeline');
  const list = await call(hmA, 'GET', `/api/v1/applications/${app.applicationId}/messages`);
  t.equal(list.statusCode, 200, 'assigned hiring manager reads the messages');
  t.same(
    list.json<{ messages: { id: string; body: string; status: string }[] }>().messages.map((m) => [m.id, m.status]),
    [
      [sent.id, 'sent'],
      [free.json<{ id: string }>().id, 'sent'],
    ],
  );

  const raw = await owner.query<{ row: string }>('SELECT m::text AS row FROM messages m WHERE application_id = $1', [app.applicationId]);
  t.equal(raw.rows.length, 2);
  for (const r of raw.rows) {
    t.notMatch(r.row, /Ada|Lovelace|Platform Engineer|Monday|Quick question/, 'no plaintext subject or body in the row');
  }
  const rawBytes = await owner.query<{ s: Buffer; b: Buffer }>('SELECT subject_enc AS s, body_enc AS b FROM messages WHERE application_id = $1', [app.applicationId]);
  for (const r of rawBytes.rows) t.notOk(Buffer.concat([r.s, r.b]).includes(Buffer.from('Ada')), 'ciphertext bytes hold no plaintext');
  const events = await owner.query<{ row: string }>("SELECT data::text AS row FROM application_events WHERE application_id = $1 AND type = 'message.sent'", [app.applicationId]);
  t.notMatch(events.rows.map((r) => r.row).join(), /Ada|Monday/);
  const audited = await owner.query<{ metadata: unknown }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'message.sent'", [adminA.orgId]);
  t.equal(audited.rowCount, 2);
  const auditText = JSON.stringify(audited.rows);
  t.notMatch(auditText, /Ada|Monday/, 'no name or text in audit metadata');
  t.notOk(auditText.includes(email), 'no email in audit metadata');
});

t.test('a rejection message needs a human reject decision and an explicit confirm', async (t) => {
  const rejection = await call(adminA, 'POST', '/api/v1/message-templates', { name: 'Rejection', kind: 'rejection', subject: 'Your application to {{job.title}}', body: 'Dear {{candidate.firstName}}, we will not move forward.' });
  t.equal(rejection.statusCode, 201);
  const rid = rejection.json<{ id: string }>().id;
  t.equal((await call(adminA, 'PATCH', `/api/v1/message-templates/${rid}`, { sendOn: 'screening' })).statusCode, 422, 'a rejection can never be automatic');
  const victimEmail = `grace.${Date.now()}@example.test`;
  const victim = (await uploadCv(ctx, recruiterA, job.id, { name: 'Grace Hopper', email: victimEmail })).json<{ applicationId: string }>();
  const url = `/api/v1/applications/${victim.applicationId}/messages`;
  const noDecision = await call(recruiterA, 'POST', url, { templateId: rid, confirm: true });
  t.equal(noDecision.statusCode, 409, 'no rejection mail before a recorded decision');
  const decided = await call(recruiterA, 'POST', `/api/v1/applications/${victim.applicationId}/decision`, { outcome: 'reject', reason: 'Missing must-have' });
  t.equal(decided.statusCode, 201);
  const unconfirmed = await call(recruiterA, 'POST', url, { templateId: rid });
  t.equal(unconfirmed.statusCode, 409);
  t.match(unconfirmed.json(), { requiresConfirmation: true });
  t.equal((await call(recruiterA, 'POST', url, { templateId: rid, confirm: false })).statusCode, 409);
  t.equal(mailsTo(victimEmail).length, 0, 'nothing mailed yet');
  const freeToRejected = await call(recruiterA, 'POST', url, { subject: 'Sorry', body: 'No.' });
  t.equal(freeToRejected.statusCode, 409, 'free text to a rejected candidate needs confirm too');
  const confirmed = await call(recruiterA, 'POST', url, { templateId: rid, confirm: true });
  t.equal(confirmed.statusCode, 201, confirmed.body);
  t.match(mailsTo(victimEmail), [{ subject: 'Your application to Platform Engineer', text: 'Dear Grace, we will not move forward.' }]);
  const rejectedNoMail = (await uploadCv(ctx, recruiterA, job.id)).json<{ applicationId: string }>();
  await call(recruiterA, 'POST', '/api/v1/applications/bulk', { action: 'reject', applicationIds: [rejectedNoMail.applicationId], reason: 'Role filled', confirm: true });
  const count = await owner.query("SELECT count(*)::int AS n FROM messages WHERE application_id = $1", [rejectedNoMail.applicationId]);
  t.equal((count.rows[0] as { n: number }).n, 0, 'a reject decision alone mails nothing');
});

t.test('applying through the public page sends the configured "application received" message', async (t) => {
  const received = await call(adminA, 'POST', '/api/v1/message-templates', {
    name: 'Received',
    kind: 'application_received',
    subject: 'We received your application for {{job.title}}',
    body: 'Hi {{candidate.firstName}}, thanks for applying to {{org.name}}.',
    sendOn: 'apply',
  });
  t.equal(received.statusCode, 201, received.body);
  t.equal((await call(adminA, 'POST', '/api/v1/message-templates', { name: 'Received 2', kind: 'application_received', subject: 's', body: 'b', sendOn: 'apply' })).statusCode, 409, 'one template per trigger');
  const applicant = `lin.${Date.now()}@example.test`;
  const { body, contentType } = multipartBody(
    { name: 'Lin Chen', email: applicant, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION },
    { filename: 'cv.docx', contentType: 'application/octet-stream', data: makeDocx(SAMPLE_CV_LINES) },
  );
  const apply = () => ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgA.slug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: '203.0.113.77' });
  t.equal((await apply()).statusCode, 202);
  t.match(mailsTo(applicant), [{ subject: 'We received your application for Platform Engineer', text: `Hi Lin, thanks for applying to ${orgA.name}.` }]);
  t.equal((await apply()).statusCode, 202);
  t.equal(mailsTo(applicant).filter((m) => m.subject.startsWith('We received')).length, 1, 'a repeat application is not mailed "received" again');
  t.match(mailsTo(applicant).at(-1)?.subject, /^Confirm the new CV/, 'the repeat is held: the address on file gets a confirmation link instead (issue 14)');
  const row = await owner.query<{ origin: string; sent_by: string | null; status: string }>(
    "SELECT m.origin, m.sent_by, m.status FROM messages m JOIN applications a ON a.id = m.application_id WHERE a.job_id = $1 AND m.origin = 'apply'",
    [job.id],
  );
  t.match(row.rows, [{ origin: 'apply', sent_by: null, status: 'sent' }]);
});

t.test('reaching a configured stage sends its template once', async (t) => {
  const screeningTpl = await call(adminA, 'POST', '/api/v1/message-templates', { name: 'Screening', kind: 'generic', subject: 'Next steps', body: 'Hi {{candidate.firstName}}, you are in screening.', sendOn: 'screening' });
  t.equal(screeningTpl.statusCode, 201, screeningTpl.body);
  const who = `stage.${Date.now()}@example.test`;
  const a = (await uploadCv(ctx, recruiterA, job.id, { name: 'Alan Turing', email: who })).json<{ applicationId: string }>();
  const screening = stages.find((s) => s.kind === 'screening')?.id as string;
  t.equal((await call(recruiterA, 'POST', `/api/v1/applications/${a.applicationId}/stage`, { stageId: screening })).statusCode, 200);
  t.equal((await call(recruiterA, 'POST', `/api/v1/applications/${a.applicationId}/stage`, { stageId: screening })).statusCode, 200);
  t.match(mailsTo(who), [{ subject: 'Next steps', text: 'Hi Alan, you are in screening.' }], 'mailed once (a move to the same stage is not a change)');
});

t.test('a privacy admin exports a candidate as JSON, audited; others cannot', async (t) => {
  const res = await call(adminA, 'GET', `/api/v1/candidates/${app.candidateId}/export`);
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.headers['cache-control'], 'no-store');
  const out = res.json<{ candidate: { name: string; email: string }; applications: { id: string; messages: { body: string }[]; timeline: unknown[]; documents: { text: string | null }[] }[] }>();
  t.match(out.candidate, { name: 'Ada Lovelace', email });
  const a = out.applications.find((x) => x.id === app.applicationId);
  t.ok(a, 'the application is in the export');
  t.ok(a && a.messages.length >= 2 && a.timeline.length > 0, 'with messages and timeline');
  for (const m of [recruiterA, hmA, auditorA]) t.equal((await call(m, 'GET', `/api/v1/candidates/${app.candidateId}/export`)).statusCode, 403, `${m.role} cannot export`);
  const audited = await owner.query<{ actor_id: string; target_id: string; metadata: unknown }>("SELECT actor_id, target_id, metadata FROM audit_events WHERE org_id = $1 AND action = 'candidate.exported'", [adminA.orgId]);
  t.match(audited.rows, [{ actor_id: adminA.userId, target_id: app.candidateId }]);
  t.notMatch(JSON.stringify(audited.rows[0]?.metadata), /Ada|@/);
});

t.test('mail goes out only after the commit, and a transport failure is recorded as failed on the timeline', async (t) => {
  const seen: { committed: boolean }[] = [];
  let fail = false;
  const mailer = {
    outbox: [] as MailMessage[],
    async send(message: MailMessage) {
      // Another connection sees the message row already: the transaction has committed.
      const rows = await owner.query("SELECT count(*)::int AS n FROM messages WHERE application_id = $1 AND status = 'pending'", [app.applicationId]);
      seen.push({ committed: (rows.rows[0] as { n: number }).n === 1 });
      if (fail) throw new Error('smtp down');
      mailer.outbox.push(message);
    },
  };
  const messages = createMessageService({ db: ctx.db, audit: ctx.audit, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), mailer, logger: createLogger('silent') });
  const who = { orgId: adminA.orgId, userId: recruiterA.userId, role: 'recruiter' as const, requestId: 'test-request-1' };
  const ok = await messages.send(who, app.applicationId, { subject: 'Ping', body: 'Hello {{candidate.firstName}}' });
  t.equal(ok.status, 'sent');
  fail = true;
  const failed = await messages.send(who, app.applicationId, { subject: 'Ping again', body: 'Hello' });
  t.equal(failed.status, 'failed');
  t.same(seen, [{ committed: true }, { committed: true }], 'the row was committed before the mailer was called');
  const row = await owner.query<{ status: string; error: string }>('SELECT status, error FROM messages WHERE id = $1', [failed.id]);
  t.match(row.rows[0], { status: 'failed', error: 'mail transport error' });
  const events = await owner.query<{ type: string }>("SELECT type FROM application_events WHERE application_id = $1 AND data->>'messageId' = $2 ORDER BY created_at", [app.applicationId, failed.id]);
  t.same(events.rows.map((e) => e.type), ['message.sent', 'message.failed']);
  const audited = await owner.query("SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'message.failed' AND metadata->>'messageId' = $2", [adminA.orgId, failed.id]);
  t.equal(audited.rowCount, 1);
  t.match(failed, { error: 'mail transport error', attempts: 1 }, 'the answer carries the failure reason');

  // Once the transport works again, a retry mails the same message once, and only once.
  fail = false;
  const retried = await messages.retry(who, failed.id);
  t.match(retried, { id: failed.id, status: 'sent', retried: true, attempts: 2, subject: 'Ping again' });
  t.equal(mailer.outbox.filter((mm) => mm.subject === 'Ping again').length, 1);
  t.match(await messages.retry(who, failed.id), { status: 'sent', retried: false, attempts: 2 });
  t.equal(mailer.outbox.filter((mm) => mm.subject === 'Ping again').length, 1, 'no second mail');
  const after = await owner.query<{ type: string }>("SELECT type FROM application_events WHERE application_id = $1 AND data->>'messageId' = $2 ORDER BY created_at", [app.applicationId, failed.id]);
  t.same(after.rows.map((e) => e.type), ['message.sent', 'message.failed', 'message.retried']);
});
