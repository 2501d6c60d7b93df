// Typed interviews and accommodations (issue 22 item 3) against real Postgres and Redis and
// the fake OpenAI-compatible server (a deterministic model: verbatim sentences of the
// candidate's turns, a score from the answer's length). A typed interview runs through its
// real endpoints (/i/:token consent with mode typed, one answer at a time, finish) and is
// scored by the same scorer as a voice transcript of the same answers: identical
// per-question scores and evidence, the same insufficient-evidence gate.
import t from 'tap';
import { Redis } from 'ioredis';
import { createKeyring } from '../../server/core/crypto.js';
import { createLogger } from '../../server/core/logger.js';
import { createQueue, QUEUES } from '../../server/core/queues.js';
import { interviewScoreJobId } from '../../server/core/queue-jobs.js';
import { updateInterview } from '../../server/modules/interviews/repo.js';
import { createInterviewScorer } from '../../server/modules/interviews/score.js';
import { simulateInterviewScoring } from '../../server/modules/interviews/score-simulated.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { addWorkingDays } from '../../server/modules/interviews/accommodations.js';
import { createOpenAiProvider } from '../../server/modules/model-providers/openai.js';
import { startFakeOpenAI, type ChatRequestBody } from '../fakes/openai-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const openaiFake = await startFakeOpenAI();
t.teardown(() => openaiFake.close());
openaiFake.setFallback({ kind: 'valid', content: (body: ChatRequestBody) => JSON.stringify(simulateInterviewScoring(body.messages[1]?.content ?? '')) });
const provider = createOpenAiProvider({ apiKey: 'sk-test-fake', baseUrl: openaiFake.baseUrl, timeoutMs: 2_000, maxRetries: 0 });
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const scorer = createInterviewScorer({ db: ctx.db, audit: ctx.audit, keyring, provider, defaultModel: 'gpt-test', logger: createLogger('silent') });
const redis = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const scoreQueue = createQueue(QUEUES.interviewScore, redis, ctx.services.redisPrefix);
t.teardown(async () => {
  await scoreQueue.close();
  redis.disconnect();
});

const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const manager = await createOrgWithMember(ctx, 'hiring_manager', admin.orgId);
const outsider = await createOrgWithMember(ctx, 'admin');
const QUESTIONS = ['Tell me about a system you designed.', 'How do you handle an incident?', 'Which database would you choose for a ledger?'];
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer', interviewQuestions: QUESTIONS });
await approvePlan(ctx, recruiter, job.id, QUESTIONS);

const A1 = 'I designed the billing ledger at my last company, with idempotent writes and nightly reconciliation against the bank files. It has run for three years without a lost payment.';
const A2 = 'I page the on-call, write a timeline while we mitigate, and run a blameless review within a week with action items.';
const A3 = 'Postgres, probably.'; // too short: the insufficient-evidence gate

let seq = 0;
async function invite(): Promise<{ id: string; token: string; applicationId: string }> {
  const email = `ada.typed${(seq += 1)}@example.test`;
  const applicationId = (await uploadCv(ctx, recruiter, job.id, { email })).json<{ applicationId: string }>().applicationId;
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${applicationId}/interviews`, headers: recruiter.headers, payload: {} });
  if (res.statusCode !== 201) throw new Error(`invite: ${res.statusCode} ${res.body}`);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox.at(-1)?.text ?? '')?.[1] as string;
  return { id: res.json<{ id: string }>().id, token, applicationId };
}
const json = { 'content-type': 'application/json', accept: 'application/json' };
const post = (url: string, payload?: unknown) =>
  ctx.app.inject({ method: 'POST', url, ...(payload === undefined ? { headers: { accept: 'application/json' } } : { headers: json, payload: payload as object }) });
const consentTyped = (token: string) => post(`/i/${token}`, { action: 'consent', noticeVersion: INTERVIEW_NOTICE_VERSION, mode: 'typed' });
async function count(table: string): Promise<number> {
  const { rows } = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return (rows[0] as { n: number }).n;
}
interface ScoreQ {
  key: string;
  status: string;
  score: number | null;
  verdict: string;
  evidence: { quote: string; grounded: boolean }[];
}
async function scoring(id: string, m: Member = recruiter): Promise<{ status: string; questions: ScoreQ[]; transcript: string | null; mode: string }> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: m.cookie } });
  const v = res.json<{ scoring: { status: string; questions: ScoreQ[] }; transcript: string | null; mode: string }>();
  return { status: v.scoring?.status, questions: v.scoring?.questions ?? [], transcript: v.transcript, mode: v.mode };
}

t.test('typed and voice-transcribed answers get identical per-question scores from the same scorer', async (t) => {
  // Typed, through the candidate's endpoints.
  const typed = await invite();
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${typed.token}` });
  t.match(page.body, /name="mode" value="typed"/, 'the invite page offers typed mode');
  t.match(page.body, /action="\/i\/[^"]+\/accommodations"/, 'and the accommodation form');
  const consent = await consentTyped(typed.token);
  t.equal(consent.statusCode, 200, consent.body);
  t.equal(consent.json<{ status: string }>().status, 'scheduled');
  const first = await ctx.app.inject({ method: 'GET', url: `/i/${typed.token}/typed` });
  t.same(first.json(), { status: 'scheduled', total: 3, answered: 0, question: { index: 0, text: QUESTIONS[0] } });
  const chat = await ctx.app.inject({ method: 'GET', url: `/i/${typed.token}` });
  t.match(chat.body, /Question 1 of 3/);
  t.match(chat.body, /<textarea id="typed-answer" name="answer"/);
  // The page's own form (urlencoded, HTML) answers the first question and redirects back.
  const formPost = await ctx.app.inject({
    method: 'POST',
    url: `/i/${typed.token}/typed/answers`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams({ index: '0', answer: A1 }).toString(),
  });
  t.equal(formPost.statusCode, 303, formPost.body);
  t.equal(formPost.headers.location, `/i/${typed.token}`);
  const resent = await post(`/i/${typed.token}/typed/answers`, { index: 0, answer: A1 });
  t.equal(resent.statusCode, 409, 'a resent answer is refused, not stored twice');
  t.equal((await post(`/i/${typed.token}/typed/answers`, { index: 1, answer: A2 })).json<{ answered: number }>().answered, 2);
  t.equal((await post(`/i/${typed.token}/typed/answers`, { index: 2, answer: A3 })).json<{ question: unknown }>().question, null);
  const { rows: stored } = await owner.query<{ answer_enc: Buffer }>('SELECT answer_enc FROM interview_typed_answers WHERE interview_id = $1', [typed.id]);
  t.equal(stored.length, 3);
  t.notOk(stored.some((r) => r.answer_enc.toString('latin1').includes('billing ledger')), 'answers are sealed, not plain text');
  const fin = await post(`/i/${typed.token}/typed/finish`);
  t.same(fin.json(), { status: 'ended' });
  t.equal((await post(`/i/${typed.token}/typed/finish`)).statusCode, 409, 'finished once');
  t.equal((await post(`/i/${typed.token}/typed/answers`, { index: 2, answer: A3 })).statusCode, 409, 'no answers after finish');
  t.equal((await post(`/i/${typed.token}/accommodations`, { type: 'more_time' })).statusCode, 409, 'no accommodation request once the interview is over');
  const job1 = await scoreQueue.getJob(interviewScoreJobId(typed.id));
  t.same(job1?.data, { orgId: admin.orgId, interviewId: typed.id }, 'the same interview-score job is queued');

  // Voice: the same answers in a Vapi transcript (as the worker stores it), with small talk.
  const voice = await invite();
  const transcript = [
    'AI: Hello, I am an AI interviewer, not a person. Shall we begin?',
    'User: Yes, let us start.',
    `AI: Great. ${QUESTIONS[0]}`,
    `User: ${A1}`,
    `AI: Thank you. ${QUESTIONS[1]}`,
    `User: ${A2}`,
    `AI: ${QUESTIONS[2]}`,
    `User: ${A3}`,
    'AI: Thank you, that is all.',
  ].join('\n');
  await ctx.db.withTenantTx(admin.orgId, async (tx) => {
    const { rows } = await tx.query<{ candidate_id: string }>('SELECT candidate_id FROM interviews WHERE id = $1', [voice.id]);
    const cipher = await keyring.candidateCipher(tx, admin.orgId, (rows[0] as { candidate_id: string }).candidate_id);
    await updateInterview(tx, voice.id, { status: 'ended', transcript_enc: cipher.seal('interviews', 'transcript_enc', voice.id, transcript) });
  });

  t.equal((await scorer.score(admin.orgId, typed.id)).status, 'completed');
  t.equal((await scorer.score(admin.orgId, voice.id)).status, 'completed');
  const a = await scoring(typed.id);
  const b = await scoring(voice.id);
  t.equal(a.mode, 'typed');
  t.match(a.transcript, /^AI: Tell me about a system you designed\.\nUser: I designed the billing ledger/, 'the typed transcript is in the voice format');
  const per = (s: { questions: ScoreQ[] }) => s.questions.map((q) => ({ key: q.key, status: q.status, score: q.score, verdict: q.verdict, quotes: q.evidence.map((e) => e.quote) }));
  t.equal(a.questions.length, 3);
  t.same(per(a), per(b), 'identical per-question scores, verdicts and evidence');
  t.comment(JSON.stringify(per(a).map((q) => [q.key, q.score, q.verdict])));
  t.equal(a.questions[0]?.score, 3);
  t.equal(a.questions[0]?.evidence[0]?.grounded, true, 'evidence quoted from the typed answer');
  t.equal(a.questions[2]?.status, 'insufficient_evidence', 'the too-short typed answer is gated like a spoken one');
  t.equal(a.questions[2]?.score, null);
});

t.test('typed mode refusals: malformed, oversized, wrong mode, expired, other tokens; nothing stored', async (t) => {
  const { id, token } = await invite();
  const before = await count('interview_typed_answers');
  t.equal((await post(`/i/${token}/typed/answers`, { index: 0, answer: A1 })).statusCode, 409, 'not consented to typed mode');
  t.equal((await consentTyped(token)).statusCode, 200);
  const bad = await post(`/i/${token}/typed/answers`, { index: 'zero', answer: A1 });
  t.equal(bad.statusCode, 400);
  t.match(bad.headers['content-type'], /application\/problem\+json/);
  t.equal((await post(`/i/${token}/typed/answers`, { index: 0, answer: 'x'.repeat(4001) })).statusCode, 400, 'answer over 4000 characters');
  t.equal((await post(`/i/${token}/typed/answers`, { index: 0, answer: 'x'.repeat(40_000) })).statusCode, 413, 'body over the limit');
  t.equal((await post(`/i/${token}/typed/answers`, { index: 0, answer: '   ' })).statusCode, 422, 'blank answer');
  t.equal((await post(`/i/${token}/typed/answers`, { index: 1, answer: A2 })).statusCode, 409, 'skipping ahead');
  t.equal((await post(`/i/${'A'.repeat(43)}/typed/answers`, { index: 0, answer: A1 })).statusCode, 404, 'unknown token');
  t.equal((await post(`/i/bad!token/typed/answers`, { index: 0, answer: A1 })).statusCode, 400, 'malformed token');
  await owner.query("UPDATE interviews SET invite_expires_at = now() - interval '1 minute' WHERE id = $1", [id]);
  t.equal((await post(`/i/${token}/typed/answers`, { index: 0, answer: A1 })).statusCode, 404, 'expired invitation');
  t.equal((await post(`/i/${token}/typed/finish`)).statusCode, 404, 'expired invitation cannot finish');
  t.equal(await count('interview_typed_answers'), before, 'nothing stored on any refusal');
});

t.test('accommodations: requested from the invite page with a due time, audited, listed and resolved by recruiters', async (t) => {
  const { id, token, applicationId } = await invite();
  const more = await post(`/i/${token}/accommodations`, { type: 'more_time', note: 'I have dyslexia and read slowly.' });
  t.equal(more.statusCode, 201, more.body);
  const m = more.json<{ id: string; status: string; dueAt: string }>();
  t.equal(m.status, 'requested');
  const due = new Date(m.dueAt);
  t.ok(due.getTime() >= Date.now() + 47 * 3600 * 1000 && due.getTime() <= Date.now() + 4 * 24 * 3600 * 1000 + 60_000, `due in two working days (${m.dueAt})`);
  t.equal((await post(`/i/${token}/accommodations`, { type: 'more_time' })).statusCode, 409, 'one request per type');
  const typedReq = await post(`/i/${token}/accommodations`, { type: 'typed_mode' });
  t.equal(typedReq.json<{ status: string }>().status, 'granted', 'typed mode is granted at once');
  const { rows: raw } = await owner.query<{ note_enc: Buffer }>('SELECT note_enc FROM interview_accommodations WHERE id = $1', [m.id]);
  t.notOk(raw[0]?.note_enc.toString('latin1').includes('dyslexia'), 'the note is sealed');
  const { rows: audits } = await owner.query<{ action: string; metadata: unknown }>("SELECT action, metadata FROM audit_events WHERE org_id = $1 AND action LIKE 'interview.accommodation%'", [admin.orgId]);
  t.equal(audits.filter((a) => a.action === 'interview.accommodation_requested').length >= 2, true, 'requests are audited');
  t.notOk(JSON.stringify(audits).includes('dyslexia'), 'the note stays out of the audit trail');

  const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/accommodations`, headers: { cookie: recruiter.cookie } });
  t.equal(list.statusCode, 200);
  const items = list.json<{ id: string; type: string; note: string | null; status: string; interviewId: string }[]>();
  t.same(items.map((i) => [i.type, i.status]), [['more_time', 'requested'], ['typed_mode', 'granted']]);
  t.equal(items[0]?.note, 'I have dyslexia and read slowly.');
  t.equal(items[0]?.interviewId, id);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/accommodations`, headers: { cookie: outsider.cookie } })).statusCode, 404, 'other org: 404');
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/accommodations` })).statusCode, 401, 'no session');

  const resolveUrl = `/api/v1/accommodations/${m.id}/resolve`;
  t.equal((await ctx.app.inject({ method: 'POST', url: resolveUrl, headers: outsider.headers, payload: { outcome: 'granted' } })).statusCode, 404, 'other org cannot resolve');
  t.equal((await ctx.app.inject({ method: 'POST', url: resolveUrl, headers: manager.headers, payload: { outcome: 'granted' } })).statusCode, 403, 'hiring manager may not resolve');
  t.equal((await ctx.app.inject({ method: 'POST', url: resolveUrl, headers: recruiter.headers, payload: { outcome: 'maybe' } })).statusCode, 400, 'malformed outcome');
  t.equal((await ctx.app.inject({ method: 'POST', url: resolveUrl, headers: recruiter.headers, payload: { outcome: 'granted', resolution: 'x'.repeat(501) } })).statusCode, 400, 'oversized resolution');
  const ok = await ctx.app.inject({ method: 'POST', url: resolveUrl, headers: recruiter.headers, payload: { outcome: 'granted', resolution: 'Interview extended to 30 minutes.' } });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal((await ctx.app.inject({ method: 'POST', url: resolveUrl, headers: recruiter.headers, payload: { outcome: 'declined' } })).statusCode, 409, 'resolved once');
  const after = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${id}`, headers: { cookie: recruiter.cookie } })).json<{ maxDurationSeconds: number }>();
  t.equal(after.maxDurationSeconds, 1350, 'granted more time: the 15-minute call limit grows by half');
  const { rows: resolved } = await owner.query("SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'interview.accommodation_resolved'", [admin.orgId]);
  t.equal(resolved.length, 1, 'the resolution is audited');
});

t.test('an erasure removes typed answers and accommodation notes', async (t) => {
  const { id, token } = await invite();
  t.equal((await post(`/i/${token}/accommodations`, { type: 'more_time', note: 'Extra time please.' })).statusCode, 201);
  t.equal((await consentTyped(token)).statusCode, 200);
  t.equal((await post(`/i/${token}/typed/answers`, { index: 0, answer: A1 })).statusCode, 200);
  const cand = (await owner.query<{ candidate_id: string }>('SELECT candidate_id FROM interviews WHERE id = $1', [id])).rows[0]?.candidate_id as string;
  const erase = await ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${cand}/erasure`, headers: admin.headers, payload: { reference: 'DSR-22-3', confirm: true } });
  t.equal(erase.statusCode, 200, erase.body);
  t.equal((await owner.query('SELECT 1 FROM interview_typed_answers WHERE interview_id = $1', [id])).rows.length, 0, 'typed answers deleted');
  t.equal((await owner.query('SELECT 1 FROM interview_accommodations WHERE interview_id = $1 AND note_enc IS NOT NULL', [id])).rows.length, 0, 'note removed');
});

t.test('accommodation refusals: malformed, oversized, expired, other-org token, rate limit; nothing stored', async (t) => {
  const { id, token } = await invite();
  const before = await count('interview_accommodations');
  t.equal((await post(`/i/${token}/accommodations`, { type: 'a_pony' })).statusCode, 400, 'unknown type');
  t.equal((await post(`/i/${token}/accommodations`, { type: 'more_time', note: 'x'.repeat(1001) })).statusCode, 400, 'note over 1000 characters');
  t.equal((await post(`/i/${token}/accommodations`, { type: 'more_time', note: 'x'.repeat(20_000) })).statusCode, 413, 'body over the limit');
  t.equal((await post(`/i/${'B'.repeat(43)}/accommodations`, { type: 'more_time' })).statusCode, 404, 'unknown (e.g. other org revoked) token');
  await owner.query("UPDATE interviews SET invite_expires_at = now() - interval '1 minute' WHERE id = $1", [id]);
  t.equal((await post(`/i/${token}/accommodations`, { type: 'more_time' })).statusCode, 404, 'expired invitation');
  t.equal(await count('interview_accommodations'), before, 'nothing stored on refusal');
  const codes: number[] = [];
  for (let i = 0; i < 8; i += 1) codes.push((await post(`/i/${token}/accommodations`, { type: 'more_time' })).statusCode);
  t.ok(codes.includes(429), `rate limited (${codes.join(',')})`);
  t.equal(await count('interview_accommodations'), before);
});

t.test('two working days skip the weekend', async (t) => {
  t.equal(addWorkingDays(new Date('2026-12-04T10:00:00Z'), 2).toISOString(), '2026-12-08T10:00:00.000Z', 'Friday -> Tuesday');
  t.equal(addWorkingDays(new Date('2026-12-07T10:00:00Z'), 2).toISOString(), '2026-12-09T10:00:00.000Z', 'Monday -> Wednesday');
});
