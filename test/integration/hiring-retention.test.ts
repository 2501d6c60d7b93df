// Retention (DESIGN section 9): per-org setting (GET/PATCH /api/v1/org/retention), the
// sweep that erases candidates whose every application was decided longer ago than the
// retention period (crypto-shredding + file deletion, aggregates kept, audited), with an
// injected clock and backdated decisions; the daily worker schedule and the CLI.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { erasureLedgerOf } from '../../server/cli-support.js';
import { cliSync } from '../support/cli.js';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { createKeyring, KeyDestroyedError } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES, type JobPayloads } from '../../server/core/queues.js';
import { createPostgresBlobStore } from '../../server/core/storage.js';
import { createRetentionService } from '../../server/modules/retention/service.js';
import { createRetentionSweepProcessor } from '../../worker/processors/retention-sweep.js';
import { startWorkers } from '../../worker/worker.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const hmA = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job1 = await createJob(ctx, recruiterA, { title: 'Retention job one' });
const job2 = await createJob(ctx, recruiterA, { title: 'Retention job two' });
const jobB = await createJob(ctx, adminB, { title: 'B job' });
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const DAY = 24 * 3600 * 1000;
let now = new Date();
const retention = createRetentionService({ db: ctx.db, audit: ctx.audit, keyring, blobs: createPostgresBlobStore(), ledger: erasureLedgerOf(ctx.config), clock: () => now, logger: createLogger('silent') });

type Method = 'GET' | 'POST' | 'PATCH';
const call = (m: Member | null, method: Method, url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: m ? (method === 'GET' ? { cookie: m.cookie } : m.headers) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
const stamp = Date.now();
async function apply(m: Member, jobId: string, name: string) {
  const res = await uploadCv(ctx, m, jobId, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${stamp}@example.test` });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json<{ applicationId: string; candidateId: string; documentId: string }>();
}
async function decide(m: Member, applicationId: string, outcome: 'reject' | 'hire', daysAgo: number) {
  const res = await call(m, 'POST', `/api/v1/applications/${applicationId}/decision`, { outcome, reason: `Decided about Ms Private ${stamp}` });
  if (res.statusCode !== 201) throw new Error(res.body);
  await owner.query(`UPDATE applications SET closed_at = now() - make_interval(days => $2) WHERE id = $1`, [applicationId, daysAgo]);
}

// Org A: who is due under the default 180 days.
const oldRejected = await apply(recruiterA, job1.id, 'Olga Rejected');
await decide(recruiterA, oldRejected.applicationId, 'reject', 200);
await call(recruiterA, 'POST', `/api/v1/applications/${oldRejected.applicationId}/notes`, { kind: 'note', body: 'Private note about Olga' });
await call(recruiterA, 'POST', `/api/v1/applications/${oldRejected.applicationId}/messages`, { subject: 'Hello', body: 'Hi Olga', confirm: true });
const oldHired = await apply(recruiterA, job1.id, 'Hector Hired');
await decide(recruiterA, oldHired.applicationId, 'hire', 400);
const mixedClosed = await apply(recruiterA, job1.id, 'Mira Mixed');
await decide(recruiterA, mixedClosed.applicationId, 'reject', 300);
const mixedOpenRes = await uploadCv(ctx, recruiterA, job2.id, { name: 'Mira Mixed', email: `mira.mixed.${stamp}@example.test` });
const mixedOpen = mixedOpenRes.json<{ applicationId: string; candidateId: string }>();
const recent = await apply(recruiterA, job1.id, 'Rita Recent');
await decide(recruiterA, recent.applicationId, 'reject', 10);
const undecided = await apply(recruiterA, job1.id, 'Uma Undecided');
await owner.query("UPDATE applications SET created_at = now() - interval '400 days' WHERE id = $1", [undecided.applicationId]);
// Org B: an old decision too, but B is swept separately and keeps data for a year.
const oldB = await apply(adminB, jobB.id, 'Bea Other');
await decide(adminB, oldB.applicationId, 'reject', 200);

const candidateOf = (id: string) => call(recruiterA, 'GET', `/api/v1/candidates/${id}`);

t.test('closed_at follows the stage: set by a final decision, unset while in progress', async (t) => {
  t.equal(mixedOpenRes.statusCode, 201);
  t.equal(mixedOpen.candidateId, mixedClosed.candidateId, 'the second application is the same candidate');
  const rows = await owner.query<{ id: string; stage_kind: string; closed: boolean }>('SELECT id, stage_kind, closed_at IS NOT NULL AS closed FROM applications WHERE id = ANY($1::uuid[]) ORDER BY id', [
    [oldRejected.applicationId, mixedOpen.applicationId, undecided.applicationId],
  ]);
  for (const r of rows.rows) t.equal(r.closed, ['rejected', 'hired', 'withdrawn'].includes(r.stage_kind), `${r.stage_kind}: closed_at ${r.closed ? 'set' : 'unset'}`);
  const withdrawn = await apply(recruiterA, job2.id, 'Walter Withdrawn');
  const stages = (await call(recruiterA, 'GET', `/api/v1/jobs/${job2.id}/pipeline`)).json<{ stages: { id: string; kind: string }[] }>().stages;
  await call(recruiterA, 'POST', `/api/v1/applications/${withdrawn.applicationId}/stage`, { stageId: stages.find((s) => s.kind === 'withdrawn')?.id });
  const w = await owner.query<{ closed: boolean }>('SELECT closed_at IS NOT NULL AS closed FROM applications WHERE id = $1', [withdrawn.applicationId]);
  t.equal(w.rows[0]?.closed, true, 'withdrawn counts as final');
  await call(recruiterA, 'POST', `/api/v1/applications/${withdrawn.applicationId}/stage`, { stageId: stages.find((s) => s.kind === 'screening')?.id });
  const back = await owner.query<{ closed: boolean }>('SELECT closed_at IS NOT NULL AS closed FROM applications WHERE id = $1', [withdrawn.applicationId]);
  t.equal(back.rows[0]?.closed, false, 'moved back into the pipeline: open again');
});

t.test('retention settings: admins read and change them (audited); others cannot', async (t) => {
  const got = await call(adminA, 'GET', '/api/v1/org/retention');
  t.equal(got.statusCode, 200, got.body);
  t.match(got.json(), { days: 180, defaultDays: 180, updatedAt: null, updatedBy: null, dueNow: 2 });
  for (const m of [recruiterA, hmA, auditorA]) {
    t.equal((await call(m, 'GET', '/api/v1/org/retention')).statusCode, 403, `${m.role} cannot read`);
    t.equal((await call(m, 'PATCH', '/api/v1/org/retention', { days: 1 })).statusCode, 403, `${m.role} cannot change`);
  }
  t.equal((await call(null, 'GET', '/api/v1/org/retention')).statusCode, 401);
  t.equal((await call(null, 'PATCH', '/api/v1/org/retention', { days: 1 })).statusCode, 401);
  for (const [payload, what] of [
    [{ days: 0 }, 'zero'],
    [{ days: 3651 }, 'over ten years'],
    [{ days: 1.5 }, 'fraction'],
    [{ days: 'soon' }, 'not a number'],
    [{}, 'missing'],
  ] as const) {
    const res = await call(adminA, 'PATCH', '/api/v1/org/retention', payload);
    t.equal(res.statusCode, 400, what);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
  t.equal((await call(adminA, 'PATCH', '/api/v1/org/retention', { days: 30, pad: 'x'.repeat(2_000_000) })).statusCode, 413, 'oversized');
  const b = await call(adminB, 'PATCH', '/api/v1/org/retention', { days: 365, orgId: adminA.orgId });
  t.equal(b.statusCode, 200, 'an orgId in the body is ignored: B changes only B');
  t.match(b.json(), { days: 365, updatedBy: adminB.userId });
  t.match((await call(adminA, 'GET', '/api/v1/org/retention')).json(), { days: 180 }, 'A unchanged');
  const audited = await owner.query<{ org_id: string; actor_id: string; metadata: unknown }>("SELECT org_id, actor_id, metadata FROM audit_events WHERE action = 'retention.settings_changed'");
  t.match(audited.rows, [{ org_id: adminB.orgId, actor_id: adminB.userId, metadata: { days: 365, previousDays: 180 } }]);
});

t.test('a dry run lists who is due and changes nothing', async (t) => {
  const [a] = await retention.sweep({ orgId: adminA.orgId, dryRun: true });
  t.same(a?.candidates.map((c) => c.candidateId).sort(), [oldRejected.candidateId, oldHired.candidateId].sort(), 'old rejected + old hired; not the mixed, recent or undecided');
  t.match(a, { days: 180, dryRun: true, erased: 0 });
  t.equal((await candidateOf(oldRejected.candidateId)).statusCode, 200, 'still readable');
  const later = new Date(now.getTime() + 175 * DAY);
  const future = createRetentionService({ db: ctx.db, audit: ctx.audit, keyring, blobs: createPostgresBlobStore(), ledger: erasureLedgerOf(ctx.config), clock: () => later, logger: createLogger('silent') });
  const [f] = await future.sweep({ orgId: adminA.orgId, dryRun: true });
  t.ok(f?.candidates.some((c) => c.candidateId === recent.candidateId), 'with the clock 175 days on, the recent rejection is due too');
  t.notOk(f?.candidates.some((c) => c.candidateId === mixedClosed.candidateId), 'an application in progress keeps the candidate, whatever the date');
  t.notOk(f?.candidates.some((c) => c.candidateId === undecided.candidateId), 'an old application without a decision keeps the candidate');
  const swept = await owner.query("SELECT 1 FROM audit_events WHERE action IN ('retention.swept', 'candidate.erased')");
  t.equal(swept.rowCount, 0, 'a dry run records nothing');
});

t.test('the sweep crypto-shreds due candidates, deletes their files, keeps aggregates and audits each erasure', async (t) => {
  const docs = (await owner.query<{ id: string }>('SELECT id FROM documents WHERE candidate_id = $1', [oldRejected.candidateId])).rows.map((r) => r.id);
  t.ok(docs.length > 0);
  const emailIndexBefore = (await owner.query<{ email_index: Buffer }>('SELECT email_index FROM candidates WHERE id = $1', [oldRejected.candidateId])).rows[0]?.email_index;
  const [a] = await retention.sweep({ orgId: adminA.orgId });
  t.equal(a?.erased, 2);
  t.same(a?.candidates.map((c) => c.candidateId).sort(), [oldRejected.candidateId, oldHired.candidateId].sort());

  await t.rejects(ctx.db.withTenant(adminA.orgId, (q) => createKeyring({ masterKey: ctx.config.masterKey.reveal() }).candidateCipher(q, adminA.orgId, oldRejected.candidateId)), KeyDestroyedError);
  t.same((await owner.query('SELECT wrapped_key, destroyed_at IS NOT NULL AS destroyed FROM candidate_keys WHERE candidate_id = $1', [oldRejected.candidateId])).rows[0], { wrapped_key: null, destroyed: true });
  t.equal((await owner.query('SELECT 1 FROM document_blobs WHERE document_id = ANY($1::uuid[])', [docs])).rowCount, 0, 'CV files deleted');
  t.same((await owner.query('SELECT text_enc, filename_enc FROM documents WHERE id = ANY($1::uuid[])', [docs])).rows, docs.map(() => ({ text_enc: null, filename_enc: null })));
  for (const table of ['application_notes', 'messages', 'demographics']) {
    t.equal((await owner.query(`SELECT 1 FROM ${table} WHERE application_id = $1`, [oldRejected.applicationId])).rowCount, 0, `${table} rows deleted`);
  }
  t.equal((await owner.query('SELECT 1 FROM candidate_search_tokens WHERE candidate_id = $1', [oldRejected.candidateId])).rowCount, 0, 'search tokens deleted');
  const cand = (await owner.query<{ email_index: Buffer; name_enc: Buffer; phone_enc: Buffer | null; erased: boolean }>('SELECT email_index, name_enc, phone_enc, erased_at IS NOT NULL AS erased FROM candidates WHERE id = $1', [oldRejected.candidateId])).rows[0];
  t.match(cand, { erased: true, phone_enc: null });
  t.equal(cand?.name_enc.length, 0);
  t.not(cand?.email_index.toString('hex'), emailIndexBefore?.toString('hex'), 'the email blind index no longer links');

  const apps = await owner.query<{ stage_kind: string; job_id: string }>('SELECT stage_kind, job_id FROM applications WHERE candidate_id = ANY($1::uuid[]) ORDER BY stage_kind', [[oldRejected.candidateId, oldHired.candidateId]]);
  t.same(apps.rows, [{ stage_kind: 'hired', job_id: job1.id }, { stage_kind: 'rejected', job_id: job1.id }], 'applications stay for reports');
  const decisions = await owner.query<{ outcome: string; reason: string }>('SELECT outcome, reason FROM decisions WHERE application_id = $1', [oldRejected.applicationId]);
  t.same(decisions.rows, [{ outcome: 'reject', reason: '[erased]' }], 'the outcome stays, the free-text reason goes');

  t.equal((await candidateOf(oldRejected.candidateId)).statusCode, 404);
  t.equal((await call(recruiterA, 'GET', `/api/v1/applications/${oldRejected.applicationId}`)).statusCode, 404);
  const listed = (await call(recruiterA, 'GET', `/api/v1/jobs/${job1.id}/applications?limit=100`)).json<{ applications: { candidateId: string; candidateName: string | null }[] }>();
  t.equal(listed.applications.find((x) => x.candidateId === oldRejected.candidateId)?.candidateName, null, 'the pipeline shows an erased candidate without a name');
  for (const kept of [mixedClosed, recent, undecided]) t.equal((await candidateOf(kept.candidateId)).statusCode, 200, 'others are kept');
  t.equal((await call(adminB, 'GET', `/api/v1/candidates/${oldB.candidateId}`)).statusCode, 200, 'org B untouched by A’s sweep');

  const erasedEvents = await owner.query<{ target_id: string; actor_type: string; metadata: Record<string, unknown> }>("SELECT target_id, actor_type, metadata FROM audit_events WHERE org_id = $1 AND action = 'candidate.erased' ORDER BY seq", [adminA.orgId]);
  t.same(erasedEvents.rows.map((r) => r.target_id).sort(), [oldRejected.candidateId, oldHired.candidateId].sort());
  t.match(erasedEvents.rows.find((r) => r.target_id === oldRejected.candidateId), { actor_type: 'system', metadata: { reason: 'retention', retentionDays: 180, applications: 1, files: 1, notes: 1, messages: 1 } });
  t.notMatch(JSON.stringify(erasedEvents.rows), /Olga|Hector|Private|@example/, 'no PII in the audit trail');
  const summary = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'retention.swept'", [adminA.orgId]);
  t.match(summary.rows, [{ metadata: { retentionDays: 180, erased: 2 } }]);
  // issue 18: each erasure is in the ledger outside the database (ids and a key receipt, no PII).
  const ledger = await erasureLedgerOf(ctx.config).read();
  t.same(ledger.filter((e) => e.orgId === adminA.orgId).map((e) => e.candidateId).sort(), [oldRejected.candidateId, oldHired.candidateId].sort(), 'both erasures are in the ledger');
  t.match(ledger[0], { kind: 'candidate', reason: 'retention', keyReceipt: /^sha256:[0-9a-f]{64}$/ });
  t.notMatch(readFileSync(ctx.config.erasureLedgerFile, 'utf8'), /Olga|Hector|Private|@example/, 'no PII in the ledger');

  const again = await retention.sweep({ orgId: adminA.orgId });
  t.equal(again[0]?.erased, 0, 'idempotent: nothing more to erase');
  const reapply = await uploadCv(ctx, recruiterA, job2.id, { name: 'Olga Rejected', email: `olga.rejected.${stamp}@example.test` });
  t.equal(reapply.statusCode, 201);
  t.not(reapply.json<{ candidateId: string }>().candidateId, oldRejected.candidateId, 'applying again starts a new candidate, nothing is linked to the erased one');
});

t.test('a shorter retention makes recent decisions due; the per-org setting is what counts', async (t) => {
  t.equal((await call(adminA, 'PATCH', '/api/v1/org/retention', { days: 5 })).statusCode, 200);
  t.match((await call(adminA, 'GET', '/api/v1/org/retention')).json(), { days: 5, dueNow: 1 });
  const [a] = await retention.sweep({ orgId: adminA.orgId });
  t.same(a?.candidates.map((c) => c.candidateId), [recent.candidateId]);
  const [b] = await retention.sweep({ orgId: adminB.orgId });
  t.match(b, { days: 365, erased: 0 }, "B's 200-day-old decision is within its 365 days");
  t.equal((await candidateOf(mixedClosed.candidateId)).statusCode, 200, 'the candidate with an open application is still kept');
});

t.test('the worker processor sweeps the org named in the job', async (t) => {
  now = new Date(Date.now() + 400 * DAY);
  const processor = createRetentionSweepProcessor({ retention, logger: createLogger('silent') });
  const res = await processor({ id: 'test-sweep', data: { orgId: adminB.orgId } } as unknown as Job<JobPayloads['retention-sweep']>);
  t.same(res, { orgs: 1, erased: 1 }, 'with the clock past B’s year, B’s candidate goes');
  t.equal((await call(adminB, 'GET', `/api/v1/candidates/${oldB.candidateId}`)).statusCode, 404);
  now = new Date();
});

t.test('the worker registers a daily retention-sweep schedule and runs queued sweeps', async (t) => {
  const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
  t.teardown(() => redis.disconnect());
  const running = await startWorkers({
    db: ctx.db,
    audit: ctx.audit,
    logger: createLogger('silent'),
    connection: redis,
    redisPrefix: ctx.services.redisPrefix,
    auditCheckpointEveryMs: 3_600_000,
    masterKey: ctx.config.masterKey.reveal(),
  });
  t.teardown(() => running.close());
  t.ok(running.workers.some((w) => w.name === QUEUES.retentionSweep), 'a retention-sweep worker runs');
  const queue = createQueue(QUEUES.retentionSweep, redis, ctx.services.redisPrefix);
  t.teardown(() => queue.close());
  const schedulers = await queue.getJobSchedulers();
  t.match(schedulers, [{ key: 'retention-sweep-daily', pattern: '17 3 * * *' }], 'one daily schedule');
  const orgC = await createOrgWithMember(ctx, 'admin');
  const jobC = await createJob(ctx, orgC);
  const old = await apply(orgC, jobC.id, 'Carla Queued');
  await decide(orgC, old.applicationId, 'reject', 181);
  await queue.add('sweep', { orgId: orgC.orgId }, { jobId: `retention-test-${orgC.orgId}` });
  let erased = false;
  for (let i = 0; i < 100 && !erased; i++) {
    await new Promise((r) => setTimeout(r, 100));
    erased = Boolean((await owner.query('SELECT 1 FROM candidates WHERE id = $1 AND erased_at IS NOT NULL', [old.candidateId])).rowCount);
  }
  t.ok(erased, 'the queued sweep erased the due candidate');
});

t.test('CLI: hirebox retention sweep [--org ID] [--dry-run] [--json]', async (t) => {
  const orgD = await createOrgWithMember(ctx, 'admin');
  const jobD = await createJob(ctx, orgD);
  const old = await apply(orgD, jobD.id, 'Dora Cli');
  await decide(orgD, old.applicationId, 'reject', 190);
  const cli = (args: string[]) => cliSync(ctx.env, args);
  const dry = cli(['retention', 'sweep', '--org', orgD.orgId, '--dry-run', '--json']);
  t.equal(dry.status, 0, dry.stderr);
  t.match(JSON.parse(dry.stdout), { ok: true, dryRun: true, candidates: 1, orgs: [{ orgId: orgD.orgId, days: 180, candidates: [{ candidateId: old.candidateId }] }] });
  t.equal((await call(orgD, 'GET', `/api/v1/candidates/${old.candidateId}`)).statusCode, 200, 'dry run: kept');
  const real = cli(['retention', 'sweep', '--org', orgD.orgId]);
  t.equal(real.status, 0, real.stderr);
  t.match(real.stdout, /1 candidate\(s\) erased in 1 org\(s\)/);
  t.notMatch(real.stdout, /Dora/);
  t.equal((await call(orgD, 'GET', `/api/v1/candidates/${old.candidateId}`)).statusCode, 404, 'erased');
  const bad = cli(['retention', 'sweep', '--org', 'nope']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--org must be an org id/);
});
