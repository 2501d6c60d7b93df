// Transcript scoring (issue 7 item 6) against real Postgres and Redis, the fake Vapi
// driver and the fake OpenAI-compatible server spoken to by the real openai SDK:
// the whole lifecycle through the real queues (invite -> consent -> call -> signed
// webhooks -> transcript -> interview-score -> visible beside the transcript), then the
// scorer's rules one by one: insufficient evidence without a model call, quotes grounded
// only in the candidate's turns, a blind prompt, the AI pause, pinned-schema failures.
import t from 'tap';
import { Redis } from 'ioredis';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { updateInterview } from '../../server/modules/interviews/repo.js';
import { createInterviewScorer } from '../../server/modules/interviews/score.js';
import { SCORE_PROMPT_VERSION } from '../../server/modules/interviews/score-prompt.js';
import { simulateInterviewScoring } from '../../server/modules/interviews/score-simulated.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { createOpenAiProvider } from '../../server/modules/model-providers/openai.js';
import { startWorkers } from '../../worker/worker.js';
import { startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { startFakeVapi, type Turn } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { until } from '../support/until.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const vapi = await startFakeVapi();
t.teardown(() => vapi.close());
const openaiFake = await startFakeOpenAI();
t.teardown(() => openaiFake.close());
// The fake model answers like the simulated one: verbatim sentences of the candidate's turns.
const simulated = (body: ChatRequestBody): string => JSON.stringify(simulateInterviewScoring(body.messages[1]?.content ?? ''));
openaiFake.setFallback({ kind: 'valid', content: simulated });
const provider = createOpenAiProvider({ apiKey: 'sk-test-fake', baseUrl: openaiFake.baseUrl, timeoutMs: 2_000, maxRetries: 0 });
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
  screening: { provider, defaultModel: 'gpt-test', redis },
  interviews: { vapi: createVapiApi({ apiKey: vapi.apiKey, baseUrl: vapi.url, maxRetries: 0 }) },
});
t.teardown(async () => {
  await running.close();
  redis.disconnect();
});
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const scorer = createInterviewScorer({ db: ctx.db, audit: ctx.audit, keyring, provider, defaultModel: 'gpt-test', logger: createLogger('silent') });

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const outsider = await createOrgWithMember(ctx, 'admin');
const QUESTIONS = ['Tell me about a system you designed.', 'How do you handle an incident?'];
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', interviewQuestions: QUESTIONS });
await approvePlan(ctx, recruiter, job.id, QUESTIONS);
const hook = (await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks/vapi', headers: admin.headers, payload: {} })).json<{ id: string; secret: string }>();
vapi.setWebhook({ url: `${address}/webhooks/vapi/${hook.id}`, secret: hook.secret });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: admin.headers, payload: { assistantId: 'asst_1', phoneNumberId: 'pn_1' } });

interface QuestionView {
  key: string;
  status: string;
  score: number | null;
  verdict: string;
  insufficientReason: string | null;
  evidence: { quote: string; grounded: boolean }[];
  confidence: string | null;
}
interface ScoringView {
  status: string;
  reason: string | null;
  basis: string;
  advisory: boolean;
  promptVersion: string | null;
  model: string | null;
  overallScore: number | null;
  flags: string[];
  questions: QuestionView[];
}
interface View {
  status: string;
  transcript: string | null;
  scoring: ScoringView | null;
  call: { id: string | null };
}

async function view(id: string, m = recruiter): Promise<View> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: m.cookie } });
  if (res.statusCode !== 200) throw new Error(`view: ${res.statusCode} ${res.body}`);
  return res.json<View>();
}
// The fake model also answers CV screenings: count only the scorer's requests.
const scoringRequests = (): ChatRequestBody[] =>
  openaiFake.requests.map((r) => r.body as ChatRequestBody).filter((b) => b.response_format?.json_schema?.name === 'interview_scoring');
let seq = 0;
async function invite(): Promise<{ id: string; token: string; email: string }> {
  const email = `ada.score${(seq += 1)}@example.test`;
  const applicationId = (await uploadCv(ctx, recruiter, job.id, { email })).json<{ applicationId: string }>().applicationId;
  // The upload queues the CV's screening, which talks to the same fake model: let it finish so it
  // cannot take a response scripted for the scorer.
  await until('CV screened', async () => {
    const { rows } = await owner.query<{ status: string }>('SELECT status FROM screenings WHERE application_id = $1', [applicationId]);
    return rows.some((r) => r.status === 'completed' || r.status === 'failed');
  });
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(`invite: ${res.statusCode} ${res.body}`);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  return { id: res.json<{ id: string }>().id, token, email };
}
/** An ended interview with the given transcript stored as the worker stores it (sealed with the candidate key). */
async function endedWith(transcript: string): Promise<string> {
  const { id } = await invite();
  await ctx.db.withTenantTx(admin.orgId, async (tx) => {
    const { rows } = await tx.query<{ candidate_id: string }>('SELECT candidate_id FROM interviews WHERE id = $1', [id]);
    const cipher = await keyring.candidateCipher(tx, admin.orgId, (rows[0] as { candidate_id: string }).candidate_id);
    await updateInterview(tx, id, { status: 'ended', transcript_enc: cipher.seal('interviews', 'transcript_enc', id, transcript) });
  });
  return id;
}
const LONG_1 = 'I designed the billing ledger at my last company, with idempotent writes and nightly reconciliation against the bank files.';
const LONG_2 = 'I page the on-call, write a timeline while we mitigate, and run a blameless review within a week with action items.';

t.test('lifecycle through the queues: invite -> consent -> call -> signed webhooks -> transcript -> scored -> visible beside the transcript, blind to identity', async (t) => {
  const { id, token, email } = await invite();
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, phone: '+44 20 7946 0958', phoneConfirmed: true, recordingConsent: true },
  });
  t.equal(consent.statusCode, 200, consent.body);
  const call = await until('POST /call', async () => [...vapi.calls.values()].find((c) => c.assistantOverrides?.metadata?.interviewId === id));
  await until('call id stored', async () => (await view(id)).call.id);
  const turns: Turn[] = [
    { role: 'assistant', text: 'Hello, I am an AI interviewer, not a person.' },
    { role: 'user', text: `Hi, this is Ada Lovelace, my email is ${email} and my number is +44 20 7946 0958.` },
    { role: 'assistant', text: QUESTIONS[0] as string },
    { role: 'user', text: LONG_1 },
    { role: 'assistant', text: QUESTIONS[1] as string },
    { role: 'user', text: LONG_2 },
  ];
  const requestsBefore = scoringRequests().length;
  const started = Date.now();
  const deliveries = await vapi.play(call.id, { turns, duplicate: true });
  t.ok(deliveries.every((d) => d.status === 200));
  const v = await until('scored', async () => {
    const x = await view(id);
    return x.scoring?.status === 'completed' ? x : null;
  });
  t.comment(`webhooks -> transcript -> scored through the queues: ${Date.now() - started} ms`);
  t.match(v.transcript, /billing ledger/, 'the transcript is shown');
  const s = v.scoring as ScoringView;
  t.equal(s.basis, 'transcript_text_only');
  t.equal(s.advisory, true);
  t.equal(s.promptVersion, SCORE_PROMPT_VERSION);
  t.same(s.questions.map((q) => [q.key, q.status]), [['q1', 'scored'], ['q2', 'scored']]);
  for (const q of s.questions) {
    t.ok(q.evidence.length >= 1 && q.evidence.every((e) => e.grounded), `${q.key}: evidence quoted from the candidate's words`);
    t.equal(q.confidence, 'high');
    t.type(q.score, 'number');
  }
  t.same(s.flags, []);
  t.type(s.overallScore, 'number');

  const sent = scoringRequests().slice(requestsBefore);
  t.equal(sent.length, 1, 'one model call, scored once although every webhook was delivered twice');
  const body = sent[0] as ChatRequestBody;
  t.equal(body.response_format?.json_schema?.name, 'interview_scoring');
  t.equal(body.response_format?.json_schema?.strict, true, 'pinned strict schema');
  t.equal(body.store, false);
  const system = body.messages[0]?.content ?? '';
  const user = body.messages[1]?.content ?? '';
  t.match(system, /Do not infer or mention emotion, sentiment/, 'no emotion or voice-trait inference');
  t.match(system, /Only CANDIDATE turns are evidence/);
  t.match(user, /CANDIDATE: I designed the billing ledger/, 'speaker-attributed turns');
  for (const secret of ['Lovelace', 'Ada', email, '7946', '0958']) t.notOk(user.includes(secret) || system.includes(secret), `the prompt does not contain ${secret}`);

  const { rows: runs } = await owner.query<{ purpose: string; model: string; prompt_version: string; input_hash: string; latency_ms: number; input_tokens: number; output_tokens: number; request_id: string | null; screening_id: string | null }>(
    "SELECT r.purpose, r.model, r.prompt_version, r.input_hash, r.latency_ms, r.input_tokens, r.output_tokens, r.request_id, r.screening_id FROM ai_runs r JOIN interview_scores s ON s.id = r.interview_score_id WHERE s.interview_id = $1",
    [id],
  );
  t.equal(runs.length, 1);
  t.match(runs[0], { purpose: 'interview_scoring', model: 'gpt-test', prompt_version: SCORE_PROMPT_VERSION, input_hash: /^[0-9a-f]{64}$/, request_id: String, screening_id: null });
  t.ok((runs[0]?.input_tokens ?? 0) > 0 && (runs[0]?.output_tokens ?? 0) > 0, 'tokens recorded');
  const usage = await owner.query<{ n: number }>('SELECT (input_tokens + output_tokens)::int AS n FROM ai_usage WHERE org_id = $1', [admin.orgId]);
  t.ok((usage.rows[0]?.n ?? 0) > 0, 'tokens count against the org budget');
  const audit = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'ai.interview_scored' AND target_id = $2", [admin.orgId, id]);
  t.equal(audit.rowCount, 1);
  t.match(audit.rows[0]?.metadata, { outcome: 'completed', promptVersion: SCORE_PROMPT_VERSION, model: 'gpt-test', runs: 1 });
  const sealed = await owner.query<{ result_enc: Buffer }>('SELECT result_enc FROM interview_scores WHERE interview_id = $1', [id]);
  t.notOk(sealed.rows[0]?.result_enc.includes(Buffer.from('billing ledger')), 'evidence encrypted at rest');
  const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: outsider.cookie } });
  t.equal(other.statusCode, 404, 'another org gets 404');
  t.notOk(ctx.logs.some((l) => l.includes('billing ledger')), 'no transcript in logs');
});

t.test('a too-short or garbled transcript gives insufficient_evidence, without any model call', async (t) => {
  const before = scoringRequests().length;
  const id = await endedWith(`AI: ${QUESTIONS[0]}\nUser: Yes, I did.\nAI: ${QUESTIONS[1]}\nUser: [inaudible] ... 3 4 -- ## ## ... uh`);
  const outcome = await scorer.score(admin.orgId, id);
  t.equal(outcome.status, 'completed');
  t.equal(scoringRequests().length, before, 'nothing to score: no tokens spent');
  const s = (await view(id)).scoring as ScoringView;
  t.same(s.questions.map((q) => [q.status, q.score, q.insufficientReason]), [['insufficient_evidence', null, 'too_short'], ['insufficient_evidence', null, 'garbled']]);
  t.equal(s.overallScore, null);
  t.same(s.flags, ['insufficient_evidence']);
  t.equal((await scorer.score(admin.orgId, id)).status, 'skipped', 'idempotent');
});

t.test('a missing answer stays insufficient even when the model scores it', async (t) => {
  const id = await endedWith(`AI: ${QUESTIONS[0]}\nUser: ${LONG_1}\nAI: ${QUESTIONS[1]}\nUser: Sure.`);
  openaiFake.script({
    kind: 'valid',
    content: JSON.stringify({
      questions: {
        q1: { score: 3, verdict: 'met', reasoning: 'A concrete design.', evidence: ['I designed the billing ledger at my last company'] },
        q2: { score: 4, verdict: 'met', reasoning: 'Claims incident skills.', evidence: ['Sure.'] },
      },
      summary: 'One answer.',
    }),
  });
  t.equal((await scorer.score(admin.orgId, id)).status, 'completed');
  const s = (await view(id)).scoring as ScoringView;
  t.match(s.questions[0], { status: 'scored', score: 3, confidence: 'high' });
  t.match(s.questions[1], { status: 'insufficient_evidence', score: null, insufficientReason: 'too_short' });
  t.equal(s.overallScore, 75, 'the overall score counts only scored questions');
});

t.test("ungrounded quotes (invented, or the interviewer's words) are flagged and lower confidence", async (t) => {
  const id = await endedWith(`AI: ${QUESTIONS[0]}\nUser: ${LONG_1}\nAI: ${QUESTIONS[1]}\nUser: ${LONG_2}`);
  openaiFake.script({
    kind: 'valid',
    content: JSON.stringify({
      questions: {
        q1: { score: 3, verdict: 'met', reasoning: 'Ledger design.', evidence: ['I  designed the billing\nledger', 'I ran Kubernetes clusters for ten years', QUESTIONS[0]] },
        q2: { score: 4, verdict: 'met', reasoning: 'Strong incident handling.', evidence: ['I am the best incident commander in Europe'] },
      },
      summary: 'Two answers.',
    }),
  });
  await scorer.score(admin.orgId, id);
  const s = (await view(id)).scoring as ScoringView;
  t.same(s.questions[0]?.evidence.map((e) => e.grounded), [true, false, false], 'whitespace-normalised match; invented and interviewer quotes are not grounded');
  t.equal(s.questions[0]?.confidence, 'medium');
  t.equal(s.questions[1]?.confidence, 'low');
  t.equal(s.questions[1]?.score, 4, 'the score is kept but marked');
  t.ok(s.flags.includes('ungrounded_evidence'));
  t.ok(s.flags.includes('high_score_without_evidence'));
});

t.test('AI paused: the score waits (visible) and no model is called; the pinned schema fails after one retry', async (t) => {
  const id = await endedWith(`AI: ${QUESTIONS[0]}\nUser: ${LONG_1}\nAI: ${QUESTIONS[1]}\nUser: ${LONG_2}`);
  await owner.query("INSERT INTO ai_settings (org_id, paused, paused_reason) VALUES ($1, true, 'maintenance') ON CONFLICT (org_id) DO UPDATE SET paused = true, paused_reason = 'maintenance'", [admin.orgId]);
  const before = scoringRequests().length;
  const waiting = await scorer.score(admin.orgId, id);
  t.match(waiting, { status: 'waiting', reason: 'ai_paused: maintenance' });
  t.equal(scoringRequests().length, before);
  t.match((await view(id)).scoring, { status: 'waiting', reason: 'ai_paused: maintenance' });
  await owner.query('UPDATE ai_settings SET paused = false, paused_reason = NULL WHERE org_id = $1', [admin.orgId]);
  openaiFake.script({ kind: 'schema_violation' }, { kind: 'invalid_json' });
  t.match(await scorer.score(admin.orgId, id), { status: 'failed', reason: 'model_output_invalid_json' });
  const runs = await owner.query<{ outcome: string }>('SELECT r.outcome FROM ai_runs r JOIN interview_scores s ON s.id = r.interview_score_id WHERE s.interview_id = $1 ORDER BY r.created_at', [id]);
  t.same(runs.rows.map((r) => r.outcome), ['schema_violation', 'invalid_json'], 'both runs recorded');
  t.match((await view(id)).scoring, { status: 'failed', reason: 'model_output_invalid_json', questions: [] });
});
