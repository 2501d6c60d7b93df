// `hirebox screening stability` spawned from dist/ (run `npm run build` first) against real
// Postgres and Redis: with the simulated provider (deterministic: zero spread) and with
// the real openai SDK talking to the fake OpenAI server scripted to vary its scores (a
// non-zero spread is measured and checked). Stored screenings and the screening view stay
// unchanged; the runs are recorded as 'stability' AI runs, audited and charged to the
// budget; the AI pause switch and the budget refuse the check; bad arguments exit 2.
import t from 'tap';
import { execFile } from 'node:child_process';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createScreeningRunner, SEED } from '../../server/modules/screening/service.js';
import { createSimulatedProvider, simulateScreening } from '../../server/modules/model-providers/simulated.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const fake = await startFakeOpenAI();
t.teardown(() => fake.close());
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const job = await createJob(ctx, recruiter);
const emptyJob = await createJob(ctx, recruiter, { title: 'Nobody screened yet' });
const parse = parser(ctx);
const runner = createScreeningRunner({
  db: ctx.db,
  audit: ctx.audit,
  keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }),
  provider: createSimulatedProvider(),
  defaultModel: 'gpt-test',
  logger: createLogger('silent'),
});

const people = [
  { name: 'Amara Okafor', email: 'amara.stab@okafor.example' },
  { name: 'Lars Nilsson', email: 'lars.stab@nilsson.example' },
  { name: 'Priya Raman', email: 'priya.stab@raman.example' },
];
const apps: string[] = [];
for (const p of people) {
  const text = `${p.name}\n${p.email}\n\n6 years of TypeScript services at Northwind\nTypeScript compiler plugins\nDesigned Postgres schemas for billing`;
  const res = await uploadCv(ctx, recruiter, job.id, p, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(text, 'utf8') });
  const { applicationId, documentId } = res.json<{ applicationId: string; documentId: string }>();
  await parse(admin.orgId, documentId);
  const out = await runner.screen(admin.orgId, applicationId);
  if (out.status !== 'completed') throw new Error(`screen ${JSON.stringify(out)}`);
  apps.push(applicationId);
}

/** Async spawn: the fake OpenAI server answers from this process, so the event loop must run. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/server/cli.js', ...args], { env: { ...process.env, ...ctx.env, ...env }, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : err ? null : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

interface Report {
  ok: boolean;
  orgId: string;
  provider: string;
  model: string;
  temperature: number;
  seed: number;
  sampled: number;
  runsPerApplication: number;
  runs: { ok: number; failed: number };
  tokens: { input: number; output: number };
  stable: boolean;
  criteria: { key: string; name: string; maxSpread: number; meanStdev: number; meanVerdictAgreement: number; applications: { applicationId: string; scores: number[]; min: number; max: number; stdev: number; verdictAgreement: number }[] }[];
}

const snapshot = async () =>
  (await owner.query('SELECT id, status, generation, scores, recommendation, overall_score, updated_at, md5(result_enc) AS r FROM screenings WHERE job_id = $1 ORDER BY id', [job.id])).rows;
const stabilityRuns = async () => (await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM ai_runs WHERE purpose = 'stability' AND org_id = $1", [admin.orgId])).rows[0]?.n ?? 0;
const usage = async () => (await owner.query<{ n: number }>('SELECT coalesce(sum(input_tokens + output_tokens), 0)::int8 AS n FROM ai_usage WHERE org_id = $1', [admin.orgId])).rows[0]?.n ?? 0;
const viewRuns = async (applicationId: string) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/screening`, headers: { cookie: recruiter.cookie } });
  return res.json<{ latest: { runs: unknown[] } }>().latest.runs.length;
};

t.test('the simulated provider is deterministic: zero spread, full agreement, nothing visible changes, runs recorded and charged', async (t) => {
  const before = await snapshot();
  const usageBefore = Number(await usage());
  const viewBefore = await viewRuns(apps[0] as string);
  const r = await cli(['screening', 'stability', '--job', job.id, '--runs', '3', '--json']);
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  t.match(report, { ok: true, orgId: admin.orgId, provider: 'simulated', temperature: 0, seed: SEED, sampled: 3, runsPerApplication: 3, runs: { ok: 9, failed: 0 }, stable: true });
  t.same(report.criteria.map((c) => c.name), ['TypeScript', 'Postgres']);
  for (const c of report.criteria) {
    t.equal(c.maxSpread, 0, `${c.name}: no spread`);
    t.equal(c.meanVerdictAgreement, 1, `${c.name}: verdicts agree`);
    t.equal(c.applications.length, 3);
    for (const a of c.applications) t.equal(a.scores.length, 3);
  }
  t.same(await snapshot(), before, 'stored screenings unchanged');
  t.equal(await viewRuns(apps[0] as string), viewBefore, 'the screening view lists no stability runs');
  t.equal(await stabilityRuns(), 9, 'every run recorded as a stability AI run');
  t.ok(Number(await usage()) - usageBefore === report.tokens.input + report.tokens.output && report.tokens.input > 0, 'tokens charged to the budget');
  const audit = await owner.query("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'ai.stability_checked'", [admin.orgId]);
  t.equal(audit.rowCount, 3, 'one audit event per sampled application');
  t.match(audit.rows[0].metadata, { jobId: job.id, runs: 3, provider: 'simulated', promptVersion: /^[0-9a-f]{16}$/ });

  const human = await cli(['screening', 'stability', '--job', job.id, '--runs', '1', '--sample', '2']);
  t.equal(human.status, 0, human.stderr);
  t.comment(`stability report (simulated):\n${human.stdout}`);
  t.match(human.stdout, /2 application\(s\) x 1 run\(s\), simulated/);
  t.match(human.stdout, /c1 TypeScript \(must\)\s+\d+\s+\d+\s+0\s+0\.000\s+100%/);
  t.match(human.stdout, /STABLE/);
});

t.test('with the OpenAI SDK against a fake that varies its scores, the spread is measured per criterion', async (t) => {
  let n = 0;
  // c1 (TypeScript) cycles 1, 3, 4 with changing verdicts; c2 stays put.
  fake.setFallback((body: ChatRequestBody) => {
    const answer = simulateScreening(body.messages[1]?.content ?? '') as { criteria: Record<string, { score: number; verdict: string }> };
    const c1 = answer.criteria.c1 as { score: number; verdict: string };
    const c2 = answer.criteria.c2 as { score: number; verdict: string };
    c1.score = [1, 3, 4][n % 3] as number;
    c1.verdict = ['partly', 'met', 'met'][n % 3] as string;
    c2.score = 3;
    c2.verdict = 'met';
    n += 1;
    return { kind: 'valid', content: JSON.stringify(answer) };
  });
  const before = await snapshot();
  const runsBefore = await stabilityRuns();
  const r = await cli(['screening', 'stability', '--job', job.id, '--runs', '3', '--sample', '2', '--json'], { AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-fake', OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODEL: 'gpt-fake-pinned' });
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  t.match(report, { provider: 'openai', model: 'gpt-fake-pinned', sampled: 2, runs: { ok: 6, failed: 0 }, stable: false });
  const [c1, c2] = report.criteria;
  t.equal(c1?.maxSpread, 3, 'TypeScript: scores 1..4');
  for (const a of c1?.applications ?? []) {
    t.same([...a.scores].sort(), [1, 3, 4]);
    t.equal(a.min, 1);
    t.equal(a.max, 4);
    t.equal(a.stdev, 1.247, 'population stdev of 1, 3, 4');
    t.equal(a.verdictAgreement, 0.667);
  }
  t.equal(c2?.maxSpread, 0, 'Postgres: stable');
  t.equal(c2?.meanVerdictAgreement, 1);
  t.equal(await stabilityRuns(), runsBefore + 6);
  t.same(await snapshot(), before, 'stored screenings unchanged');
  const sent = fake.requests.slice(-6);
  t.equal(sent.length, 6);
  for (const req of sent) {
    t.match(req.body, { model: 'gpt-fake-pinned', temperature: 0, seed: SEED, store: false });
    for (const p of people) {
      t.notOk(req.rawBody.includes(p.email), 'no email reaches the provider');
      t.notOk(req.rawBody.includes(p.name.split(' ')[1] as string), 'no surname reaches the provider');
    }
  }

  const human = await cli(['screening', 'stability', '--job', job.id, '--runs', '3', '--sample', '1'], { AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-fake', OPENAI_BASE_URL: fake.baseUrl });
  t.equal(human.status, 0, human.stderr);
  t.comment(`stability report (openai SDK, fake server varying c1):\n${human.stdout}`);
  t.match(human.stdout, /c1 TypeScript \(must\)\s+1\s+4\s+3\s+1\.247\s+67%/);
  t.match(human.stdout, /UNSTABLE/);
  fake.setFallback({ kind: 'valid' });
});

t.test('a provider that keeps failing: runs recorded as failed, exit 1, nothing visible changes', async (t) => {
  fake.setFallback({ kind: 'status', status: 400 });
  const before = await snapshot();
  const r = await cli(['screening', 'stability', '--job', job.id, '--runs', '2', '--sample', '1', '--json'], { AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-fake', OPENAI_BASE_URL: fake.baseUrl });
  t.equal(r.status, 1, r.stdout + r.stderr);
  t.match(JSON.parse(r.stdout), { runs: { ok: 0, failed: 2 } });
  t.same(await snapshot(), before);
  const failed = await owner.query("SELECT count(*)::int AS n FROM ai_runs WHERE purpose = 'stability' AND outcome = 'provider_error'");
  t.equal(failed.rows[0].n, 2);
  fake.setFallback({ kind: 'valid' });
});

t.test('AI paused or budget used up: exit 3 and no model call; nothing to sample: exit 4; unknown job: exit 1', async (t) => {
  const calls = fake.requests.length;
  const runs = await stabilityRuns();
  await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { paused: true, pausedReason: 'audit' } });
  const paused = await cli(['screening', 'stability', '--job', job.id, '--runs', '2', '--json']);
  t.equal(paused.status, 3);
  t.match(JSON.parse(paused.stdout), { ok: false, error: 'ai_paused' });
  await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { paused: false, monthlyTokenBudget: 1 } });
  const budget = await cli(['screening', 'stability', '--job', job.id, '--runs', '2']);
  t.equal(budget.status, 3);
  t.match(budget.stdout, /token_budget_exceeded/);
  await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: admin.headers, payload: { monthlyTokenBudget: null } });
  t.equal(await stabilityRuns(), runs, 'no runs while refused');
  t.equal(fake.requests.length, calls);
  const empty = await cli(['screening', 'stability', '--job', emptyJob.id, '--runs', '2', '--json']);
  t.equal(empty.status, 4);
  t.match(JSON.parse(empty.stdout), { error: 'no_sample' });
  const unknown = await cli(['screening', 'stability', '--job', '00000000-0000-4000-8000-000000000000', '--runs', '2']);
  t.equal(unknown.status, 1);
  t.match(unknown.stdout, /not found/);
});

t.test('bad arguments exit 2 with a clear message', async (t) => {
  const cases: [string[], RegExp][] = [
    [['screening', 'stability', '--runs', '2'], /needs --job/],
    [['screening', 'stability', '--job', 'nope', '--runs', '2'], /--job must be a job id/],
    [['screening', 'stability', '--job', job.id], /needs --runs/],
    [['screening', 'stability', '--job', job.id, '--runs', '0'], /--runs must be a whole number from 1 to 20/],
    [['screening', 'stability', '--job', job.id, '--runs', '2.5'], /--runs must be/],
    [['screening', 'stability', '--job', job.id, '--runs', '21'], /--runs must be/],
    [['screening', 'stability', '--job', job.id, '--runs', '2', '--sample', '999'], /--sample must be a whole number from 1 to 50/],
    [['screening', 'stability', '--job', job.id, '--runs', '2', '--bogus'], /Unknown option/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr, message);
  }
  const help = await cli(['--help']);
  t.match(help.stdout, /screening stability --job ID --runs N/);
});
