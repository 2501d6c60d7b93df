// Erasure on request (DESIGN section 9): POST /api/v1/candidates/:id/erasure and `hirebox
// erase candidate` erase at once through the retention sweep's eraser, whatever the state
// of the applications (open ones are withdrawn), audited with reason 'request'.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { cli as runCli, cliSync } from '../support/cli.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { createKeyring, KeyDestroyedError } from '../../server/core/crypto.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const hmA = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiterA, { title: 'Erasure job', hiringManagerIds: [hmA.userId] });
await approvePlan(ctx, recruiterA, job.id);
const job2 = await createJob(ctx, recruiterA, { title: 'Second erasure job' });
await approvePlan(ctx, recruiterA, job2.id);
const stamp = Date.now();
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const cli = (args: string[]) => cliSync(ctx.env, args);
const cliAsync = (args: string[]) => runCli(ctx.env, args);
const cliExit = async (args: string[]) => (await cliAsync(args)).status;

async function apply(m: Member, jobId: string, name: string) {
  const res = await uploadCv(ctx, m, jobId, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${stamp}@example.test` });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json<{ applicationId: string; candidateId: string; documentId: string }>();
}
const erase = (m: Member | null, id: string, payload: unknown = { reference: 'DSR-2026-0042', confirm: true }) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${id}/erasure`, headers: m ? m.headers : {}, payload: payload as object });

const ada = await apply(recruiterA, job.id, 'Ada Erasable');
const adaSecond = (await uploadCv(ctx, recruiterA, job2.id, { name: 'Ada Erasable', email: `ada.erasable.${stamp}@example.test` })).json<{ applicationId: string; candidateId: string }>();
await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${ada.applicationId}/notes`, headers: recruiterA.headers, payload: { kind: 'note', body: 'Private note about Ada' } });
await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${ada.applicationId}/messages`, headers: recruiterA.headers, payload: { subject: 'Hello', body: 'Hi Ada', confirm: true } });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: adminA.headers, payload: { assistantId: 'asst_interviewer', phoneNumberId: 'pn_outbound' } });
const mailsBefore = ctx.mailer.outbox.length;
const invited = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${ada.applicationId}/interviews`, headers: recruiterA.headers, payload: {} });
const inviteToken = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[mailsBefore]?.text ?? '')?.[1] ?? '';
const decided = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${adaSecond.applicationId}/decision`, headers: recruiterA.headers, payload: { outcome: 'reject', reason: 'Ada lacks Postgres' } });

t.test('refused requests: 400 malformed, 413 oversized, 401 anonymous, 403 other roles, 404 other org; nothing erased', async (t) => {
  t.equal(decided.statusCode, 201, decided.body);
  t.equal(adaSecond.candidateId, ada.candidateId, 'one candidate, two applications');
  t.equal(invited.statusCode, 201, invited.body);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/i/${inviteToken}` })).statusCode, 200, 'the interview link works before');
  const cases: [Member | null, string, unknown, number, string][] = [
    [adminA, 'not-a-uuid', undefined, 400, 'malformed id'],
    [adminA, ada.candidateId, { reference: 'DSR-1' }, 400, 'no confirmation'],
    [adminA, ada.candidateId, { reference: 'DSR-1', confirm: false }, 400, 'confirmation false'],
    [adminA, ada.candidateId, { confirm: true }, 400, 'no reference'],
    [adminA, ada.candidateId, { reference: 'ada@example.test', confirm: true }, 400, 'an e-mail address is not a reference'],
    [adminA, ada.candidateId, { reference: 'x'.repeat(121), confirm: true }, 400, 'reference too long'],
    [adminA, ada.candidateId, { reference: 'DSR-1', confirm: true, pad: 'x'.repeat(2_000_000) }, 413, 'oversized body'],
    [null, ada.candidateId, undefined, 401, 'no session'],
    [recruiterA, ada.candidateId, undefined, 403, 'recruiter'],
    [hmA, ada.candidateId, undefined, 403, 'hiring manager'],
    [auditorA, ada.candidateId, undefined, 403, 'auditor'],
    [adminB, ada.candidateId, undefined, 404, 'admin of another org'],
  ];
  for (const [m, id, payload, status, what] of cases) {
    const res = payload === undefined ? await erase(m, id) : await erase(m, id, payload);
    t.equal(res.statusCode, status, `${what} -> ${status}`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
    t.notMatch(res.body, /Ada Erasable/);
  }
  const key = await owner.query<{ destroyed: boolean }>('SELECT wrapped_key IS NULL AS destroyed FROM candidate_keys WHERE candidate_id = $1', [ada.candidateId]);
  t.same(key.rows, [{ destroyed: false }], 'still there');
});

t.test('an admin erases a candidate with an open application: key destroyed, files gone, application withdrawn, audited', async (t) => {
  const docs = (await owner.query<{ id: string }>('SELECT id FROM documents WHERE candidate_id = $1', [ada.candidateId])).rows.map((r) => r.id);
  t.equal(docs.length, 1, 'the same CV twice is one document (duplicate)');
  const res = await erase(adminA, ada.candidateId);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { candidateId: ada.candidateId, reason: 'request', reference: 'DSR-2026-0042', applicationsWithdrawn: 1, files: 1, notes: 1, messages: 1 });
  t.equal(res.headers['cache-control'], 'no-store');

  await t.rejects(ctx.db.withTenant(adminA.orgId, (q) => keyring.candidateCipher(q, adminA.orgId, ada.candidateId)), KeyDestroyedError, 'the candidate key is gone: every ciphertext is unreadable');
  t.equal((await owner.query('SELECT 1 FROM document_blobs WHERE document_id = ANY($1::uuid[])', [docs])).rowCount, 0, 'CV files deleted');
  t.same((await owner.query('SELECT text_enc, filename_enc FROM documents WHERE id = ANY($1::uuid[])', [docs])).rows, docs.map(() => ({ text_enc: null, filename_enc: null })));
  for (const table of ['application_notes', 'messages']) {
    t.equal((await owner.query(`SELECT 1 FROM ${table} WHERE application_id = $1`, [ada.applicationId])).rowCount, 0, `${table} deleted`);
  }
  t.match(res.json(), { interviewsCancelled: 1 });
  const iv = await owner.query<{ status: string; revoked: boolean; transcript_enc: Buffer | null; phone_enc: Buffer | null }>(
    'SELECT status, invite_revoked_at IS NOT NULL AS revoked, transcript_enc, phone_enc FROM interviews WHERE application_id = $1',
    [ada.applicationId],
  );
  t.same(iv.rows, [{ status: 'cancelled', revoked: true, transcript_enc: null, phone_enc: null }], 'the interview is cancelled and its invite revoked');
  t.equal((await ctx.app.inject({ method: 'GET', url: `/i/${inviteToken}` })).statusCode, 404, 'the interview link no longer works');
  const cand = (await owner.query<{ name_enc: Buffer; erased: boolean }>('SELECT name_enc, erased_at IS NOT NULL AS erased FROM candidates WHERE id = $1', [ada.candidateId])).rows[0];
  t.equal(cand?.erased, true);
  t.equal(cand?.name_enc.length, 0);

  const apps = await owner.query<{ id: string; stage_kind: string; closed: boolean }>('SELECT id, stage_kind, closed_at IS NOT NULL AS closed FROM applications WHERE candidate_id = $1 ORDER BY stage_kind', [ada.candidateId]);
  t.same(
    apps.rows.map((r) => [r.id, r.stage_kind, r.closed]),
    [
      [adaSecond.applicationId, 'rejected', true],
      [ada.applicationId, 'withdrawn', true],
    ],
    'the open application is withdrawn (closed), the decided one keeps its outcome',
  );
  const stage = await owner.query<{ kind: string }>('SELECT s.kind FROM applications a JOIN pipeline_stages s ON s.id = a.stage_id WHERE a.id = $1', [ada.applicationId]);
  t.equal(stage.rows[0]?.kind, 'withdrawn', "moved to the pipeline's withdrawn stage");
  const ev = await owner.query<{ actor_type: string; data: Record<string, unknown> }>("SELECT actor_type, data FROM application_events WHERE application_id = $1 AND type = 'stage.changed'", [ada.applicationId]);
  t.match(ev.rows, [{ actor_type: 'system', data: { kind: 'withdrawn', via: 'erasure' } }], 'timeline says why');
  t.same((await owner.query<{ reason: string; outcome: string }>('SELECT outcome, reason FROM decisions WHERE application_id = $1', [adaSecond.applicationId])).rows, [{ outcome: 'reject', reason: '[erased]' }]);

  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${ada.candidateId}`, headers: { cookie: adminA.cookie } })).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${ada.candidateId}/export`, headers: { cookie: adminA.cookie } })).statusCode, 404);

  const events = await owner.query<{ actor_type: string; actor_id: string; metadata: Record<string, unknown> }>(
    "SELECT actor_type, actor_id, metadata FROM audit_events WHERE org_id = $1 AND action = 'candidate.erased' AND target_id = $2",
    [adminA.orgId, ada.candidateId],
  );
  t.match(events.rows, [{ actor_type: 'user', actor_id: adminA.userId, metadata: { reason: 'request', reference: 'DSR-2026-0042', via: 'api', role: 'admin', files: 1, applicationsWithdrawn: 1 } }]);
  t.notMatch(JSON.stringify(events.rows), /Ada|Private|@example/, 'no PII in the audit event');
  const verify = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { cookie: auditorA.cookie } });
  t.equal(verify.statusCode, 200, verify.body);
  t.match(verify.json(), { ok: true });
  t.ok((await ctx.audit.verify(adminA.orgId)).ok, 'the chain verifies');
});

t.test('erasing again is a 409 conflict (problem+json) and writes nothing', async (t) => {
  const before = (await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'candidate.erased'")).rows[0]?.n;
  const res = await erase(adminA, ada.candidateId);
  t.equal(res.statusCode, 409);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  t.match(res.json(), { detail: /already been erased/, erasedAt: String });
  t.equal((await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'candidate.erased'")).rows[0]?.n, before);
});

t.test('hirebox erase candidate: same path, audited as the operator; usage errors exit 2; another org is refused', async (t) => {
  const bea = await apply(recruiterA, job.id, 'Bea Cli');
  const r = cli(['erase', 'candidate', '--org', adminA.orgId, '--candidate', bea.candidateId, '--reason', 'TICKET-77', '--json']);
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  t.match(out, { ok: true, candidateId: bea.candidateId, reference: 'TICKET-77', applicationsWithdrawn: 1, files: 1 });
  t.notMatch(r.stdout + r.stderr, /Bea Cli|@example/, 'no PII printed');
  const ev = await owner.query<{ actor_type: string; metadata: Record<string, unknown> }>("SELECT actor_type, metadata FROM audit_events WHERE action = 'candidate.erased' AND target_id = $1", [bea.candidateId]);
  t.match(ev.rows, [{ actor_type: 'system', metadata: { reason: 'request', reference: 'TICKET-77', via: 'cli' } }]);
  const again = cli(['erase', 'candidate', '--org', adminA.orgId, '--candidate', bea.candidateId, '--reason', 'TICKET-77']);
  t.equal(again.status, 1);
  t.match(again.stderr, /already been erased/);

  const cara = await apply(recruiterA, job.id, 'Cara Cross');
  const cross = cli(['erase', 'candidate', '--org', adminB.orgId, '--candidate', cara.candidateId, '--reason', 'TICKET-78']);
  t.equal(cross.status, 1, 'the candidate is not in org B');
  t.match(cross.stderr, /Candidate not found/);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${cara.candidateId}`, headers: { cookie: adminA.cookie } })).statusCode, 200, 'untouched');
  const usage: Promise<unknown>[] = [];
  for (const args of [
    ['erase', 'candidate', '--org', adminA.orgId, '--candidate', cara.candidateId],
    ['erase', 'candidate', '--org', 'nope', '--candidate', cara.candidateId, '--reason', 'T-1'],
    ['erase', 'candidate', '--org', adminA.orgId, '--candidate', cara.candidateId, '--reason', 'someone@example.test'],
    ['erase', 'candidate', '--org', adminA.orgId, '--candidate', cara.candidateId, '--reason', 'T-1', '--bogus'],
  ]) {
    usage.push(cliExit(args).then((code) => t.equal(code, 2, `usage error: ${args.slice(2).join(' ')}`)));
  }
  await Promise.all(usage);
});
