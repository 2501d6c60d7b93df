// The org default pipeline (GET/PUT /api/v1/pipeline): admins rename, add, reorder and
// remove stages under the same rules as a job's own pipeline; jobs without their own
// pipeline follow it; removing a stage that holds applications needs a remap.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const hmA = await createOrgWithMember(ctx, 'hiring_manager', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const jobA = await createJob(ctx, recruiterA, { title: 'Uses the default' });
const appA = (await uploadCv(ctx, recruiterA, jobA.id)).json<{ applicationId: string }>();

interface Stage {
  id: string;
  name: string;
  kind: string;
  position: number;
}
type Method = 'GET' | 'PUT';
const call = (m: Member | null, method: Method, url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: m ? (method === 'GET' ? { cookie: m.cookie } : m.headers) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
const getDefault = async (m: Member) => (await call(m, 'GET', '/api/v1/pipeline')).json<{ stages: Stage[] }>().stages;
const isProblem = (res: { headers: Record<string, unknown> }) => /^application\/problem\+json/.test(String(res.headers['content-type']));
const initialB = await getDefault(adminB);

t.test('every member who reads jobs sees the default pipeline; only admins change it', async (t) => {
  const stages = await getDefault(recruiterA);
  t.same(stages.map((s) => s.kind), ['new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn']);
  t.equal((await call(hmA, 'GET', '/api/v1/pipeline')).statusCode, 200);
  t.equal((await call(auditorA, 'GET', '/api/v1/pipeline')).statusCode, 403, 'auditors do not read jobs');
  t.equal((await call(null, 'GET', '/api/v1/pipeline')).statusCode, 401);
  const body = { stages: stages.map((s) => ({ id: s.id, name: s.name, kind: s.kind })) };
  for (const m of [recruiterA, hmA, auditorA]) {
    const res = await call(m, 'PUT', '/api/v1/pipeline', body);
    t.equal(res.statusCode, 403, `${m.role} cannot change the default pipeline`);
    t.ok(isProblem(res));
  }
  t.equal((await call(null, 'PUT', '/api/v1/pipeline', body)).statusCode, 401);
});

t.test('an admin renames, adds and reorders stages; jobs on the default follow, new jobs start from it', async (t) => {
  const stages = await getDefault(adminA);
  const byKind = (k: string) => stages.find((s) => s.kind === k) as Stage;
  const next = [
    { id: byKind('new').id, name: 'Applied', kind: 'new' },
    { name: 'Phone screen', kind: 'screening' },
    { id: byKind('screening').id, name: 'Take-home task', kind: 'screening' },
    { id: byKind('interview').id, name: 'Onsite', kind: 'interview' },
    { id: byKind('offer').id, name: 'Offer', kind: 'offer' },
    { id: byKind('hired').id, name: 'Hired', kind: 'hired' },
    { id: byKind('rejected').id, name: 'Not this time', kind: 'rejected' },
    { id: byKind('withdrawn').id, name: 'Withdrawn', kind: 'withdrawn' },
  ];
  const res = await call(adminA, 'PUT', '/api/v1/pipeline', { stages: next });
  t.equal(res.statusCode, 200, res.body);
  const saved = res.json<{ stages: Stage[] }>().stages;
  t.same(saved.map((s) => [s.name, s.kind, s.position]), next.map((s, i) => [s.name, s.kind, i]));
  t.equal(saved[0]?.id, byKind('new').id, 'kept stages keep their ids');
  t.same(await getDefault(recruiterA), saved, 'GET returns what was saved');

  const jobPipeline = (await call(recruiterA, 'GET', `/api/v1/jobs/${jobA.id}/pipeline`)).json<{ stages: Stage[] }>().stages;
  t.same(jobPipeline.map((s) => s.name), next.map((s) => s.name), 'a job without its own pipeline follows the default');
  const app = (await call(recruiterA, 'GET', `/api/v1/applications/${appA.applicationId}`)).json<{ stage: { name: string } }>();
  t.equal(app.stage.name, 'Applied', 'its applications show the renamed stage');
  const fresh = await createJob(ctx, recruiterA, { title: 'Brand new job' });
  const freshPipeline = (await call(recruiterA, 'GET', `/api/v1/jobs/${fresh.id}/pipeline`)).json<{ stages: Stage[] }>().stages;
  t.same(freshPipeline.map((s) => s.name), next.map((s) => s.name), 'a new job starts from the org default');

  const audited = await owner.query<{ actor_id: string; metadata: { stages: string[]; before: string[] } }>(
    "SELECT actor_id, metadata FROM audit_events WHERE org_id = $1 AND action = 'pipeline.default_changed'",
    [adminA.orgId],
  );
  t.equal(audited.rowCount, 1);
  t.match(audited.rows[0], { actor_id: adminA.userId, metadata: { stages: next.map((s) => s.kind), before: ['new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn'] } });
  t.same((await getDefault(adminB)).map((s) => s.name), initialB.map((s) => s.name), "org B's default is untouched");
});

t.test('the same validation rules as a job pipeline: 422 for bad shapes, 400 for malformed, 413 for oversized', async (t) => {
  const stages = await getDefault(adminA);
  const keep = stages.map((s) => ({ id: s.id, name: s.name, kind: s.kind }));
  const cases: [unknown, number, string][] = [
    [{ stages: keep.filter((s) => s.kind !== 'hired') }, 422, 'no hired stage'],
    [{ stages: keep.filter((s) => s.kind !== 'rejected') }, 422, 'no rejected stage'],
    [{ stages: [...keep.slice(1), keep[0]] }, 422, 'first stage is not new'],
    [{ stages: [...keep, { name: 'Applied', kind: 'screening' }] }, 422, 'duplicate name'],
    [{ stages: [...keep, { ...keep[1], name: 'Other' }] }, 422, 'duplicate id'],
    [{ stages: [...keep, { id: '00000000-0000-4000-8000-000000000000', name: 'Ghost', kind: 'offer' }] }, 422, 'unknown id'],
    [{ stages: keep, remap: [{ from: keep[1]?.id, toIndex: 0 }] }, 422, 'remapping a kept stage'],
    [{ stages: keep.slice(0, 3) }, 422, 'too few kinds'],
    [{ stages: [{ name: 'A', kind: 'new' }, { name: 'B', kind: 'hired' }] }, 400, 'fewer than 3 stages'],
    [{ stages: [...keep, { name: 'X', kind: 'fired' }] }, 400, 'unknown kind'],
    [{ stages: [...keep, { name: '   ', kind: 'offer' }] }, 400, 'blank name'],
    [{ stages: Array.from({ length: 21 }, (_, i) => ({ name: `S${i}`, kind: i === 0 ? 'new' : 'offer' })) }, 400, 'more than 20 stages'],
    [{ stages: keep, orgId: adminB.orgId, extra: true }, 200, 'unknown properties are dropped, never trusted'],
    [{ stages: 'new,hired' }, 400, 'not an array'],
    [{ stages: keep, remap: [{ from: 'nope', toIndex: 0 }] }, 400, 'malformed remap'],
  ];
  for (const [payload, status, what] of cases) {
    const res = await call(adminA, 'PUT', '/api/v1/pipeline', payload);
    t.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
    if (status >= 400) t.ok(isProblem(res), `${what}: problem+json`);
  }
  const big = await call(adminA, 'PUT', '/api/v1/pipeline', { stages: keep.map((s) => ({ ...s, name: 'x'.repeat(2_000_000) })) });
  t.equal(big.statusCode, 413);
  t.same((await getDefault(adminA)).map((s) => s.name), stages.map((s) => s.name), 'nothing changed by the rejected requests');
  t.same((await getDefault(adminB)).map((s) => s.id), initialB.map((s) => s.id), 'B unchanged');
});

t.test('a stage holding applications is removed only when remapped, and cannot turn final', async (t) => {
  const stages = await getDefault(adminA);
  const first = stages[0] as Stage;
  const phone = stages.find((s) => s.name === 'Phone screen') as Stage;
  // Move the application into "Phone screen", then try to drop that stage.
  t.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${appA.applicationId}/stage`, headers: recruiterA.headers, payload: { stageId: phone.id } })).statusCode, 200);
  const without = stages.filter((s) => s.id !== phone.id).map((s) => ({ id: s.id, name: s.name, kind: s.kind }));
  const blocked = await call(adminA, 'PUT', '/api/v1/pipeline', { stages: without });
  t.equal(blocked.statusCode, 409, blocked.body);
  t.match(blocked.json(), { stageIds: [phone.id] });
  t.ok((await getDefault(adminA)).some((s) => s.id === phone.id), 'nothing removed');

  const toFinal = stages.map((s) => ({ id: s.id, name: s.name, kind: s.id === phone.id ? 'rejected' : s.kind }));
  t.equal((await call(adminA, 'PUT', '/api/v1/pipeline', { stages: toFinal })).statusCode, 409, 'a stage with applications cannot become "rejected" (that needs a decision)');
  const rejectedIndex = without.findIndex((s) => s.kind === 'rejected');
  t.equal((await call(adminA, 'PUT', '/api/v1/pipeline', { stages: without, remap: [{ from: phone.id, toIndex: rejectedIndex }] })).statusCode, 422, 'nor be remapped into a final stage');

  const screenIndex = without.findIndex((s) => s.name === 'Take-home task');
  const ok = await call(adminA, 'PUT', '/api/v1/pipeline', { stages: without, remap: [{ from: phone.id, toIndex: screenIndex }] });
  t.equal(ok.statusCode, 200, ok.body);
  const app = (await call(recruiterA, 'GET', `/api/v1/applications/${appA.applicationId}`)).json<{ stage: { id: string; name: string; kind: string } }>();
  t.match(app.stage, { id: without[screenIndex]?.id, name: 'Take-home task', kind: 'screening' });
  const audited = await owner.query<{ metadata: { remapped: number } }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'pipeline.default_changed' ORDER BY seq DESC LIMIT 1", [adminA.orgId]);
  t.equal(audited.rows[0]?.metadata.remapped, 1);

  // A non-final kind change on a stage with applications carries them along.
  const renamed = without.map((s) => (s.name === 'Take-home task' ? { ...s, kind: 'interview' } : s));
  t.equal((await call(adminA, 'PUT', '/api/v1/pipeline', { stages: renamed })).statusCode, 200);
  const row = await owner.query<{ stage_kind: string }>('SELECT stage_kind FROM applications WHERE id = $1', [appA.applicationId]);
  t.equal(row.rows[0]?.stage_kind, 'interview', "the application's stage kind follows its stage");
  t.equal(first.kind, 'new');
});

t.test("a job's own pipeline uses the same rules (remap included)", async (t) => {
  const job = await createJob(ctx, recruiterA, { title: 'Own pipeline' });
  const app = (await uploadCv(ctx, recruiterA, job.id)).json<{ applicationId: string }>();
  const own = await call(recruiterA, 'PUT', `/api/v1/jobs/${job.id}/pipeline`, { stages: [{ name: 'In', kind: 'new' }, { name: 'Talk', kind: 'interview' }, { name: 'Yes', kind: 'hired' }, { name: 'No', kind: 'rejected' }] });
  t.equal(own.statusCode, 200, own.body);
  const stages = own.json<{ stages: Stage[] }>().stages;
  const view = (await call(recruiterA, 'GET', `/api/v1/applications/${app.applicationId}`)).json<{ stage: { id: string } }>();
  t.equal(view.stage.id, stages[0]?.id, 'the application moved from the default to the job pipeline');
  const dropNew = [{ name: 'Start', kind: 'new' }, ...stages.slice(1).map((s) => ({ id: s.id, name: s.name, kind: s.kind }))];
  t.equal((await call(recruiterA, 'PUT', `/api/v1/jobs/${job.id}/pipeline`, { stages: dropNew })).statusCode, 409);
  t.equal((await call(recruiterA, 'PUT', `/api/v1/jobs/${job.id}/pipeline`, { stages: [...dropNew, { name: 'Yes', kind: 'offer' }] })).statusCode, 422, 'duplicate names');
  const remapped = await call(recruiterA, 'PUT', `/api/v1/jobs/${job.id}/pipeline`, { stages: dropNew, remap: [{ from: stages[0]?.id, toIndex: 0 }] });
  t.equal(remapped.statusCode, 200, remapped.body);
  const after = (await call(recruiterA, 'GET', `/api/v1/applications/${app.applicationId}`)).json<{ stage: { name: string } }>();
  t.equal(after.stage.name, 'Start');
  t.equal((await call(adminB, 'PUT', `/api/v1/jobs/${job.id}/pipeline`, { stages: dropNew })).statusCode, 404, 'another org: 404');
});
