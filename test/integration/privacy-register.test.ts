// The privacy-request register and rectification (issue 18 item 6): GDPR deadlines, the
// identity check, extensions with a reason, refusals with a reason; rectification of the
// candidate's data (re-encrypted, audited by field name only); the export, erasure and
// rectification actions close the request they answer, in the same transaction.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { addMonths } from '../../server/modules/rights/service.js';
import { cliSync } from '../support/cli.js';

const now = new Date('2026-03-10T09:00:00Z');
const clock = (): Date => now;
const ctx = await buildTestApp(t, { clock });
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const recruiterB = await createOrgWithMember(ctx, 'recruiter', adminB.orgId);
const jobA = await createJob(ctx, recruiterA, { title: 'Register job' });
const jobB = await createJob(ctx, recruiterB, { title: 'Other org job' });
const stamp = Date.now();

async function apply(m: Member, jobId: string, name: string, email: string) {
  const res = await uploadCv(ctx, m, jobId, { name, email });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json<{ applicationId: string; candidateId: string }>();
}
const grace = await apply(recruiterA, jobA.id, 'Grace Hoper', `grace.${stamp}@example.test`);
const linus = await apply(recruiterA, jobA.id, 'Linus Export', `linus.${stamp}@example.test`);
const erin = await apply(recruiterA, jobA.id, 'Erin Erase', `erin.${stamp}@example.test`);
const otherOrg = await apply(recruiterB, jobB.id, 'Bea Elsewhere', `bea.${stamp}@example.test`);

const api = (m: Member | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: m ? m.headers : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
const count = async (sql: string, params: unknown[] = []): Promise<number> => (await owner.query<{ n: number }>(sql, params)).rows[0]?.n ?? -1;
const requestsOf = (orgId: string) => count('SELECT count(*)::int AS n FROM privacy_requests WHERE org_id = $1', [orgId]);

t.test('the due date is one calendar month after receipt (end of month clamps)', async (t) => {
  t.equal(addMonths('2026-01-31', 1), '2026-02-28');
  t.equal(addMonths('2028-01-31', 1), '2028-02-29', 'leap year');
  t.equal(addMonths('2026-03-10', 1), '2026-04-10');
  t.equal(addMonths('2026-11-30', 3), '2027-02-28', 'extension across a year end');
});

t.test('create: refused inputs change nothing (400/413/401/403/cross-org)', async (t) => {
  const cases: [Member | null, unknown, number, string][] = [
    [adminA, { reference: 'DSR-1', type: 'deletion' }, 400, 'unknown type'],
    [adminA, { type: 'access' }, 400, 'no reference'],
    [adminA, { reference: 'jane@example.test', type: 'access' }, 400, 'an e-mail address is not a reference'],
    [adminA, { reference: 'DSR-1', type: 'access', receivedOn: '2026-02-30' }, 400, 'not a date'],
    [adminA, { reference: 'DSR-1', type: 'access', receivedOn: '10/03/2026' }, 400, 'not ISO'],
    [adminA, { reference: 'DSR-1', type: 'access', receivedOn: '2026-03-11' }, 400, 'received in the future'],
    [adminA, { reference: 'DSR-1', type: 'access', candidateId: 'nope' }, 400, 'malformed candidate id'],
    [adminA, { reference: 'DSR-1', type: 'access', candidateId: otherOrg.candidateId }, 400, "another org's candidate"],
    [adminA, { reference: 'DSR-1', type: 'access', identityMethod: 'x'.repeat(201) }, 400, 'method too long'],
    [adminA, { reference: 'DSR-1', type: 'access', pad: 'x'.repeat(2_000_000) }, 413, 'oversized'],
    [null, { reference: 'DSR-1', type: 'access' }, 401, 'anonymous'],
    [recruiterA, { reference: 'DSR-1', type: 'access' }, 403, 'recruiter'],
    [auditorA, { reference: 'DSR-1', type: 'access' }, 403, 'auditor cannot write'],
  ];
  for (const [m, body, status, what] of cases) {
    const res = await api(m, 'POST', '/api/v1/privacy-requests', body);
    t.equal(res.statusCode, status, `${what} -> ${status}: ${res.body.slice(0, 200)}`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
  }
  t.equal(await requestsOf(adminA.orgId), 0, 'nothing stored');
});

let accessReq = '';
let rectReq = '';
let erasureReq = '';
t.test('create, list (auditors read), duplicate reference 409; another org sees none of it', async (t) => {
  const a = await api(adminA, 'POST', '/api/v1/privacy-requests', { reference: 'DSR-2026-001', type: 'access', receivedOn: '2026-01-31', candidateId: linus.candidateId });
  t.equal(a.statusCode, 201, a.body);
  t.match(a.json(), { reference: 'DSR-2026-001', type: 'access', receivedOn: '2026-01-31', dueOn: '2026-02-28', status: 'open', identityStatus: 'pending', overdue: true, daysLeft: -10, candidateId: linus.candidateId });
  accessReq = a.json<{ id: string }>().id;
  const r = await api(adminA, 'POST', '/api/v1/privacy-requests', { reference: 'DSR-2026-002', type: 'rectification', identityStatus: 'verified', identityMethod: 'Reply from the address on file' });
  t.equal(r.statusCode, 201, r.body);
  t.match(r.json(), { receivedOn: '2026-03-10', dueOn: '2026-04-10', daysLeft: 31, overdue: false, candidateId: null });
  rectReq = r.json<{ id: string }>().id;
  const e = await api(adminA, 'POST', '/api/v1/privacy-requests', { reference: 'DSR-2026-003', type: 'erasure', receivedOn: '2026-03-01', candidateId: erin.candidateId });
  erasureReq = e.json<{ id: string }>().id;
  t.equal((await api(adminA, 'POST', '/api/v1/privacy-requests', { reference: 'DSR-2026-001', type: 'objection' })).statusCode, 409, 'reference taken');

  const list = await api(auditorA, 'GET', '/api/v1/privacy-requests');
  t.equal(list.statusCode, 200, 'auditors read the register');
  t.same(
    list.json<{ items: { reference: string }[] }>().items.map((i) => i.reference),
    ['DSR-2026-001', 'DSR-2026-003', 'DSR-2026-002'],
    'earliest due first',
  );
  t.equal((await api(auditorA, 'GET', `/api/v1/privacy-requests/${accessReq}`)).statusCode, 200);
  t.equal((await api(recruiterA, 'GET', '/api/v1/privacy-requests')).statusCode, 403, 'recruiters do not see the register');
  t.equal((await api(adminA, 'GET', '/api/v1/privacy-requests?status=bogus')).statusCode, 400);
  t.same((await api(adminB, 'GET', '/api/v1/privacy-requests')).json(), { items: [] }, 'another org: empty register');
  t.equal((await api(adminB, 'GET', `/api/v1/privacy-requests/${accessReq}`)).statusCode, 404, "another org's request: 404");
  t.equal((await api(adminB, 'PATCH', `/api/v1/privacy-requests/${accessReq}`, { status: 'in_progress' })).statusCode, 404, 'cannot update it either');
  const audited = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'privacy_request.created' ORDER BY seq", [adminA.orgId]);
  t.equal(audited.rows.length, 3);
  t.match(audited.rows[0]?.metadata, { type: 'access', reference: 'DSR-2026-001', dueOn: '2026-02-28' });
});

t.test('update: extension needs a reason and moves the due date; refusal needs a reason; closed stays closed', async (t) => {
  const bad: [Member | null, unknown, number, string][] = [
    [adminA, { extensionMonths: 1 }, 400, 'extension without reason'],
    [adminA, { extensionMonths: 3, extensionReason: 'complex' }, 400, 'more than two further months'],
    [adminA, { extensionReason: 'complex' }, 400, 'reason without extension'],
    [adminA, { status: 'refused' }, 400, 'refusal without reason'],
    [adminA, { refusalReason: 'x' }, 400, 'reason without refusal'],
    [adminA, { status: 'done' }, 422, 'done before the identity is verified'],
    [adminA, {}, 400, 'empty body'],
    [adminA, { status: 'closed' }, 400, 'unknown status'],
    [auditorA, { status: 'in_progress' }, 403, 'auditor cannot write'],
    [recruiterA, { status: 'in_progress' }, 403, 'recruiter'],
  ];
  for (const [m, body, status, what] of bad) {
    const res = await api(m, 'PATCH', `/api/v1/privacy-requests/${accessReq}`, body);
    t.equal(res.statusCode, status, `${what} -> ${status}: ${res.body.slice(0, 200)}`);
  }
  t.match((await api(adminA, 'GET', `/api/v1/privacy-requests/${accessReq}`)).json(), { dueOn: '2026-02-28', status: 'open', extensionMonths: 0 }, 'unchanged');
  const ext = await api(adminA, 'PATCH', `/api/v1/privacy-requests/${accessReq}`, { extensionMonths: 2, extensionReason: 'Many applications across several years', status: 'in_progress', identityStatus: 'verified', identityMethod: 'Video call' });
  t.equal(ext.statusCode, 200, ext.body);
  t.match(ext.json(), { dueOn: '2026-04-30', extensionMonths: 2, status: 'in_progress', identityStatus: 'verified', overdue: false });
  t.equal((await api(adminA, 'PATCH', `/api/v1/privacy-requests/${accessReq}`, { extensionMonths: 1, extensionReason: 'less' })).statusCode, 400, 'an extension is not taken back');
  const updated = await owner.query<{ metadata: { changed: string[] } }>("SELECT metadata FROM audit_events WHERE action = 'privacy_request.updated' AND target_id = $1", [accessReq]);
  t.same(updated.rows[0]?.metadata.changed.sort(), ['extension', 'identityMethod', 'identityStatus', 'status']);

  const obj = (await api(adminA, 'POST', '/api/v1/privacy-requests', { reference: 'DSR-2026-004', type: 'objection' })).json<{ id: string }>().id;
  const refused = await api(adminA, 'PATCH', `/api/v1/privacy-requests/${obj}`, { status: 'refused', refusalReason: 'Manifestly unfounded: repeated request' });
  t.equal(refused.statusCode, 200, refused.body);
  t.match(refused.json(), { status: 'refused', refusalReason: 'Manifestly unfounded: repeated request', closedBy: 'manual', daysLeft: null, overdue: false });
  t.equal((await api(adminA, 'PATCH', `/api/v1/privacy-requests/${obj}`, { status: 'open' })).statusCode, 409, 'a closed request does not reopen');
});

t.test('rectification: refused inputs change nothing', async (t) => {
  const before = (await owner.query<{ name_enc: Buffer; email_index: Buffer }>('SELECT name_enc, email_index FROM candidates WHERE id = $1', [grace.candidateId])).rows[0];
  const cases: [Member | null, string, unknown, number, string][] = [
    [adminA, grace.candidateId, {}, 400, 'empty body'],
    [adminA, grace.candidateId, { email: 'not-an-email' }, 400, 'bad email'],
    [adminA, grace.candidateId, { phone: 'call me' }, 400, 'bad phone'],
    [adminA, grace.candidateId, { name: ' ' }, 400, 'blank name'],
    [adminA, grace.candidateId, { name: 'Grace\u202EHopper' }, 400, 'bidi control in the name'],
    [adminA, grace.candidateId, { links: ['javascript:alert(1)'] }, 400, 'bad link'],
    [adminA, 'not-a-uuid', { name: 'Grace Hopper' }, 400, 'malformed id'],
    [adminA, grace.candidateId, { name: 'x'.repeat(2_000_000) }, 413, 'oversized'],
    [null, grace.candidateId, { name: 'Grace Hopper' }, 401, 'anonymous'],
    [recruiterA, grace.candidateId, { name: 'Grace Hopper' }, 403, 'recruiter'],
    [auditorA, grace.candidateId, { name: 'Grace Hopper' }, 403, 'auditor'],
    [adminB, grace.candidateId, { name: 'Grace Hopper' }, 404, 'admin of another org'],
    [adminA, otherOrg.candidateId, { name: 'Grace Hopper' }, 404, "another org's candidate"],
    [adminA, grace.candidateId, { email: `linus.${stamp}@example.test` }, 409, "another candidate's email"],
    [adminA, grace.candidateId, { name: 'Grace Hopper', privacyRequestId: accessReq }, 422, 'an access request is not closed by a rectification'],
  ];
  for (const [m, id, body, status, what] of cases) {
    const res = await api(m, 'PATCH', `/api/v1/candidates/${id}`, body);
    t.equal(res.statusCode, status, `${what} -> ${status}: ${res.body.slice(0, 200)}`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
    t.notMatch(res.body, /Grace/, `${what}: no PII in the error`);
  }
  const after = (await owner.query<{ name_enc: Buffer; email_index: Buffer }>('SELECT name_enc, email_index FROM candidates WHERE id = $1', [grace.candidateId])).rows[0];
  t.same(after, before, 'the row is untouched');
  t.equal(await count("SELECT count(*)::int AS n FROM audit_events WHERE action = 'candidate.rectified'"), 0);
});

t.test('rectification re-encrypts the changed fields, moves email lookup and name search, audits field names only, closes its request', async (t) => {
  const newEmail = `grace.hopper.${stamp}@example.test`;
  const res = await api(adminA, 'PATCH', `/api/v1/candidates/${grace.candidateId}`, { name: 'Grace Hopper', email: newEmail, phone: '+1 555 0100', location: 'Arlington', privacyRequestId: rectReq });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json(), { candidateId: grace.candidateId, changed: ['name', 'email', 'phone', 'location'] });
  t.equal(res.headers['cache-control'], 'no-store');

  const view = (await api(adminA, 'GET', `/api/v1/candidates/${grace.candidateId}`)).json<{ name: string; email: string; phone: string; location: string }>();
  t.match(view, { name: 'Grace Hopper', email: newEmail, phone: '+1 555 0100', location: 'Arlington' });
  const raw = await owner.query<{ row: string }>('SELECT row_to_json(c)::text AS row FROM candidates c WHERE id = $1', [grace.candidateId]);
  t.notMatch(raw.rows[0]?.row ?? '', /Hopper|Arlington|grace\.hopper/, 'stored encrypted');

  const search = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobA.id}/applications?q=${encodeURIComponent('hopper')}`, headers: adminA.headers });
  t.same(search.json<{ applications: { candidateName: string }[] }>().applications.map((i) => i.candidateName), ['Grace Hopper'], 'found by the new name');
  const byOld = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobA.id}/applications?q=${encodeURIComponent('hoper')}`, headers: adminA.headers });
  t.same(byOld.json<{ applications: unknown[] }>().applications, [], 'not by the old one');
  const byEmail = await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobA.id}/applications?q=${encodeURIComponent(newEmail)}`, headers: adminA.headers });
  t.equal(byEmail.json<{ applications: unknown[] }>().applications.length, 1, 'found by the new email');

  const audit = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE action = 'candidate.rectified' AND target_id = $1", [grace.candidateId]);
  t.equal(audit.rows.length, 1);
  t.same(audit.rows[0]?.metadata.fields, ['name', 'email', 'phone', 'location']);
  t.notMatch(JSON.stringify(audit.rows), /Hopper|Arlington|555/, 'no values in the audit log');
  t.match((await api(adminA, 'GET', `/api/v1/privacy-requests/${rectReq}`)).json(), { status: 'done', closedBy: 'rectification', candidateId: grace.candidateId });

  const again = await api(adminA, 'PATCH', `/api/v1/candidates/${grace.candidateId}`, { phone: null, privacyRequestId: rectReq });
  t.equal(again.statusCode, 409, 'its request is closed: the second rectification is rolled back');
  t.equal((await api(adminA, 'GET', `/api/v1/candidates/${grace.candidateId}`)).json<{ phone: string }>().phone, '+1 555 0100');
});

t.test('the export closes its access request; a wrong request stops the export', async (t) => {
  const exportsBefore = await count("SELECT count(*)::int AS n FROM audit_events WHERE action = 'candidate.exported'");
  t.equal((await api(adminA, 'GET', `/api/v1/candidates/${linus.candidateId}/export?privacyRequestId=${erasureReq}`)).statusCode, 422, 'an erasure request is not answered by an export');
  t.equal((await api(adminA, 'GET', `/api/v1/candidates/${grace.candidateId}/export?privacyRequestId=${accessReq}`)).statusCode, 422, 'the request is about another candidate');
  t.equal((await api(adminA, 'GET', `/api/v1/candidates/${linus.candidateId}/export?privacyRequestId=bad`)).statusCode, 400, 'malformed');
  const foreign = (await api(adminB, 'POST', '/api/v1/privacy-requests', { reference: 'B-1', type: 'access', identityStatus: 'verified' })).json<{ id: string }>().id;
  t.equal((await api(adminA, 'GET', `/api/v1/candidates/${linus.candidateId}/export?privacyRequestId=${foreign}`)).statusCode, 422, "another org's request is not in this register");
  t.equal(await count("SELECT count(*)::int AS n FROM audit_events WHERE action = 'candidate.exported'"), exportsBefore, 'no export happened');

  const res = await api(adminA, 'GET', `/api/v1/candidates/${linus.candidateId}/export?privacyRequestId=${accessReq}`);
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  t.match((await api(adminA, 'GET', `/api/v1/privacy-requests/${accessReq}`)).json(), { status: 'done', closedBy: 'export', closedAt: /^\d{4}-/ });
  const closed = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE action = 'privacy_request.closed' AND target_id = $1", [accessReq]);
  t.match(closed.rows[0]?.metadata, { by: 'export', type: 'access', reference: 'DSR-2026-001', dueOn: '2026-04-30', candidateId: linus.candidateId });
  t.equal((await owner.query<{ foreign_status: string }>('SELECT status AS foreign_status FROM privacy_requests WHERE id = $1', [foreign])).rows[0]?.foreign_status, 'open', "the other org's request is untouched");
});

t.test('the erasure closes its erasure request, and waits for the identity check', async (t) => {
  const unverified = await api(adminA, 'POST', `/api/v1/candidates/${erin.candidateId}/erasure`, { reference: 'DSR-2026-003', confirm: true, privacyRequestId: erasureReq });
  t.equal(unverified.statusCode, 422, unverified.body);
  t.equal(await count('SELECT count(*)::int AS n FROM candidates WHERE id = $1 AND erased_at IS NULL', [erin.candidateId]), 1, 'not erased');
  await api(adminA, 'PATCH', `/api/v1/privacy-requests/${erasureReq}`, { identityStatus: 'verified', identityMethod: 'Signed letter' });
  const res = await api(adminA, 'POST', `/api/v1/candidates/${erin.candidateId}/erasure`, { reference: 'DSR-2026-003', confirm: true, privacyRequestId: erasureReq });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { privacyRequestId: erasureReq });
  t.match((await api(adminA, 'GET', `/api/v1/privacy-requests/${erasureReq}`)).json(), { status: 'done', closedBy: 'erasure', candidateId: erin.candidateId });
  t.equal((await api(adminA, 'PATCH', `/api/v1/candidates/${erin.candidateId}`, { name: 'Someone' })).statusCode, 404, 'an erased candidate cannot be rectified');
});

t.test('hirebox erase candidate --request closes the register entry; a malformed id is a usage error', async (t) => {
  const cli = await apply(recruiterA, jobA.id, 'Cleo Cli', `cleo.${stamp}@example.test`);
  const created = await api(adminA, 'POST', '/api/v1/privacy-requests', { reference: 'DSR-CLI-1', type: 'erasure', identityStatus: 'verified', identityMethod: 'Signed letter', candidateId: cli.candidateId });
  const id = created.json<{ id: string }>().id;
  const bad = cliSync(ctx.env, ['erase', 'candidate', '--org', adminA.orgId, '--candidate', cli.candidateId, '--reason', 'DSR-CLI-1', '--request', 'nope']);
  t.equal(bad.status, 2, bad.stderr);
  t.equal(await count('SELECT count(*)::int AS n FROM candidates WHERE id = $1 AND erased_at IS NULL', [cli.candidateId]), 1, 'not erased');
  const r = cliSync(ctx.env, ['erase', 'candidate', '--org', adminA.orgId, '--candidate', cli.candidateId, '--reason', 'DSR-CLI-1', '--request', id, '--json']);
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { ok: true, privacyRequestId: id });
  t.match((await api(adminA, 'GET', `/api/v1/privacy-requests/${id}`)).json(), { status: 'done', closedBy: 'erasure' });
  const closed = await owner.query<{ actor_type: string }>("SELECT actor_type FROM audit_events WHERE action = 'privacy_request.closed' AND target_id = $1", [id]);
  t.same(closed.rows, [{ actor_type: 'system' }], 'closed by the operator');
});
