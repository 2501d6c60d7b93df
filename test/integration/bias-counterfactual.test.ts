// `hirebox bias counterfactual` run as a real process from the sources against real Postgres
// (simulated provider): names and pronouns swapped in screened CVs; what blinding removes
// never reaches the model (no call, shift 0), what it does not ("Chairman" -> "Chairwoman")
// moves the score and is reported per criterion. Stored screenings stay unchanged; runs are
// 'counterfactual' AI runs, charged and audited; bad arguments exit 2, unknown job 1,
// paused AI 3, nothing screened 4.
import t from 'tap';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createScreeningRunner } from '../../server/modules/screening/service.js';
import { createSimulatedProvider } from '../../server/modules/model-providers/simulated.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { cli as runCli } from '../support/cli.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const job = await createJob(ctx, recruiter, {
  criteria: [
    { name: 'TypeScript', description: 'Production TypeScript', weight: 2, mustHave: true },
    { name: 'Chairman', description: 'Has chaired a society or board', weight: 1, mustHave: false },
  ],
});
const emptyJob = await createJob(ctx, recruiter, { title: 'Nobody screened yet' });
const parse = parser(ctx);
const runner = createScreeningRunner({ db: ctx.db, audit: ctx.audit, keyring: createKeyring({ masterKey: ctx.config.masterKey.reveal() }), provider: createSimulatedProvider(), defaultModel: 'gpt-test', logger: createLogger('silent') });

const people = [
  { name: 'Amara Okafor', email: 'amara.cf@okafor.example', extra: 'She was Chairman of the student union\nChairman of the robotics society' },
  { name: 'Lars Nilsson', email: 'lars.cf@nilsson.example', extra: 'He mentored two juniors' },
];
for (const p of people) {
  const text = `${p.name}\n${p.email}\n\n6 years of TypeScript services at Northwind\nTypeScript compiler plugins\n${p.extra}`;
  const res = await uploadCv(ctx, recruiter, job.id, { name: p.name, email: p.email }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(text, 'utf8') });
  const { applicationId, documentId } = res.json<{ applicationId: string; documentId: string }>();
  await parse(admin.orgId, documentId);
  const out = await runner.screen(admin.orgId, applicationId);
  if (out.status !== 'completed') throw new Error(`screen ${JSON.stringify(out)}`);
}

const cli = (args: string[]) => runCli(ctx.env, args);

interface Shift {
  variant: string;
  identicalInput: number;
  compared: number;
  meanShift: number;
  maxAbsShift: number;
  changed: number;
}
interface Report {
  ok: boolean;
  sampled: number;
  runs: { made: number; skippedIdentical: number; failed: number };
  tokens: { input: number; output: number };
  criteria: { key: string; name: string; maxAbsShift: number; variants: Shift[] }[];
  overall: Shift[];
  invariant: boolean;
}

const snapshot = async () => (await owner.query('SELECT id, status, generation, scores, overall_score, updated_at FROM screenings WHERE job_id = $1 ORDER BY id', [job.id])).rows;

t.test('swapped names and pronouns: blinded-away swaps are not sent, a leaking word moves the score', async (t) => {
  const before = await snapshot();
  const r = await cli(['bias', 'counterfactual', '--job', job.id, '--json']);
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  t.equal(report.sampled, 2);
  // Per CV: the original is called; male variants blind to the same input (skipped); the female
  // variants of the "Chairman" CV differ ("Chairwoman") and are called; Lars's female variants
  // only swap "He" (redacted): skipped.
  t.same(report.runs, { made: 4, skippedIdentical: 6, failed: 0 });
  const ts = report.criteria.find((c) => c.name === 'TypeScript');
  t.equal(ts?.maxAbsShift, 0, 'TypeScript scores do not move');
  const chair = report.criteria.find((c) => c.name === 'Chairman');
  t.same(
    chair?.variants.map((v) => [v.variant, v.meanShift, v.maxAbsShift, v.changed, v.identicalInput]),
    [
      ['emily_walsh', -1.5, 3, 1, 1],
      ['greg_baker', 0, 0, 0, 2],
      ['lakisha_washington', -1.5, 3, 1, 1],
      ['jamal_jones', 0, 0, 0, 2],
    ],
    '"Chairman" -> "Chairwoman" loses the criterion for the female variants (3 -> 0 for one of two CVs)',
  );
  t.equal(report.invariant, false);
  t.same(await snapshot(), before, 'stored screenings unchanged');
  const runs = await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM ai_runs WHERE purpose = 'counterfactual' AND org_id = $1", [admin.orgId]);
  t.equal(runs.rows[0]?.n, 4, 'the calls are stored as counterfactual AI runs');
  const audited = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ metadata: { inputHashes: string[]; runs: number } }>("SELECT metadata FROM audit_events WHERE action = 'bias.counterfactual_checked'"));
  t.equal(audited.rowCount, 2, 'one audit event per CV');
  t.equal(audited.rows[0]?.metadata.inputHashes.length, 5, 'original + 4 variants, by input hash');
  t.notMatch(JSON.stringify(audited.rows) + r.stdout, /Amara|Okafor|Nilsson|okafor\.example/, 'no candidate name or e-mail in the report or the audit');

  const human = await cli(['bias', 'counterfactual', '--job', job.id, '--sample', '2']);
  t.equal(human.status, 0, human.stderr);
  t.match(human.stdout, /c2 Chairman\s+-1\.50 \/ 3\s+\+0\.00 \/ 0/);
  t.match(human.stdout, /SHIFTED/);
});

t.test('exit codes: usage 2, unknown job 1, nothing screened 4, AI paused 3', async (t) => {
  // Independent processes: run side by side.
  const [none, bad, zero, unknown, empty] = await Promise.all([
    cli(['bias', 'counterfactual']),
    cli(['bias', 'counterfactual', '--job', 'x']),
    cli(['bias', 'counterfactual', '--job', job.id, '--sample', '0']),
    cli(['bias', 'counterfactual', '--job', '00000000-0000-4000-8000-000000000000']),
    cli(['bias', 'counterfactual', '--job', emptyJob.id]),
  ]);
  t.same([none.status, bad.status, zero.status, unknown.status, empty.status], [2, 2, 2, 1, 4]);
  await owner.query("INSERT INTO ai_settings (org_id, paused, paused_reason) VALUES ($1, true, 'review') ON CONFLICT (org_id) DO UPDATE SET paused = true, paused_reason = 'review'", [admin.orgId]);
  const paused = await cli(['bias', 'counterfactual', '--job', job.id, '--json']);
  t.equal(paused.status, 3, paused.stdout);
  t.match(JSON.parse(paused.stdout), { ok: false, error: 'ai_paused' });
});
