// The console's settings, message-template and interview screens in a real browser (Debian
// Chromium via playwright-core) against the real app on 127.0.0.1 with real Postgres and
// Redis, the real workers (cv-parse, cv-screen, interview-start/ingest/reconcile/score with
// the simulated AI provider) and the fake Vapi: an admin changes the AI, voice and webhook
// settings and sees them persist; edits message templates (with a readable refusal of an
// unknown variable); a recruiter invites a candidate to an interview from the application
// page, the candidate consents, the fake Vapi plays the call through the signed webhook the
// admin created in the browser, and the page shows, without a reload, the transcript beside
// the advisory per-question scores with the evidence marked in the candidate's turns and an
// unasked question as "insufficient evidence"; then sends the candidate a message. No CSP
// violation and no script error on any of these screens.
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/core/logger.js';
import { createMailer } from '../../server/core/mailer.js';
import { INTERVIEW_NOTICE_VERSION } from '../../server/modules/interviews/service.js';
import { createVapiApi } from '../../server/modules/interviews/vapi.js';
import { startWorkers } from '../../worker/worker.js';
import { createModelProvider } from '../../server/modules/model-providers/providers.js';
import { startFakeSmtp } from '../fakes/smtp-server.js';
import { startFakeVapi } from '../fakes/vapi-server.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { makePdf } from '../fixtures/make.js';
import { buildTestApp, createOrgWithMember, type Member } from '../helper.js';
import { freePort, launch, layoutProblems, requireBrowserAndBuild, screenshot, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
// Mail goes through a fake SMTP relay so a refused send (and its retry) can be shown.
const smtp = await startFakeSmtp();
// The alert webhook below points at this loopback app: OUTBOUND_ALLOW_LOOPBACK is the test setting that allows it.
const ctx = await buildTestApp(t, { env: { PUBLIC_URL: origin, OUTBOUND_ALLOW_LOOPBACK: 'true' }, smtpUrl: smtp.url });
await ctx.app.listen({ host: '127.0.0.1', port });
const fake = await startFakeVapi();

const workerConnection = new Redis(ctx.services.redisUrl, { maxRetriesPerRequest: null });
const workers = await startWorkers({
  db: ctx.db,
  audit: ctx.audit,
  logger: createLogger('silent'),
  connection: workerConnection,
  redisPrefix: ctx.services.redisPrefix,
  auditCheckpointEveryMs: 3_600_000,
  masterKey: ctx.config.masterKey.reveal(),
  screening: { provider: createModelProvider(ctx.config), defaultModel: ctx.config.openai.model, redis: workerConnection },
  interviews: { vapi: createVapiApi({ apiKey: fake.apiKey, baseUrl: fake.url, maxRetries: 0 }) },
  alerts: { mailer: createMailer({ smtpUrl: smtp.url, from: 'alerts@hirebox.test', outboxDir: ctx.env.HIREBOX_DATA_DIR ?? '/tmp' }), nodeEnv: 'test', outbound: { allowLoopback: true } },
});

// Same-origin requests as the browser makes them (the app listens on `origin`).
const sameOrigin = (m: Member): Member => ({ ...m, headers: { ...m.headers, origin } });
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', admin.orgId));
const UNASKED = 'Which database index types have you tuned in production?';
const job = await createJob(ctx, admin, {
  title: 'Site Reliability Engineer',
  // The fake Vapi call asks the first two; the third is never asked.
  interviewQuestions: ['Tell me about a system you designed.', 'How do you handle an incident?', UNASKED],
});
await approvePlan(ctx, admin, job.id, ['Tell me about a system you designed.', 'How do you handle an incident?', UNASKED]);
const upload = await uploadCv(ctx, recruiter, job.id, { name: 'Katherine Johnson', email: 'katherine@example.test' });
if (upload.statusCode !== 201) throw new Error(`seed application: ${upload.statusCode} ${upload.body}`);
const applicationId = upload.json<{ applicationId: string }>().applicationId;

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(async () => {
  await browser.close();
  await workers.close();
  workerConnection.disconnect();
  await fake.close();
  await smtp.close();
});

/** Raw mails to an address, quoted-printable soft line breaks undone. */
const mailsTo = (to: string): string[] => smtp.received.filter((r) => r.to.some((x) => x.includes(to))).map((r) => r.data.replace(/=\r?\n/g, '').replace(/=3D/g, '='));

const memberPage = (m: Member, viewport?: { width: number; height: number }) =>
  signedInPage(browser, watch, origin, m.cookie, viewport ? { viewport, isMobile: viewport.width < 500, hasTouch: viewport.width < 500 } : {});

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const adminPage = await memberPage(admin);

t.test('an admin changes the AI settings and sees them persist, including the pause switch', async (t) => {
  const { page } = adminPage;
  await page.goto(`${origin}/app/jobs`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL(`${origin}/app/settings`);
  const ai = page.getByRole('form', { name: 'AI screening and scoring' });
  await ai.waitFor();
  t.match(await page.getByTestId('ai-state').textContent(), /AI is running.*Tokens used this month: [\d,]+ \(no budget set\)/s, 'usage and the running state are shown');
  await ai.getByRole('checkbox', { name: 'Pause all AI for this organisation' }).check();
  await ai.getByLabel('Reason for pausing').fill('Model review in progress');
  await ai.getByLabel(/^Model/).fill('gpt-4o-mini-2024-07-18');
  await ai.getByLabel(/Monthly token budget/).fill('5000000');
  await ai.getByLabel('Screenings at once').fill('4');
  await ai.getByRole('button', { name: 'Save AI settings' }).click();
  await page.getByText('AI settings saved.').waitFor();
  t.match(await page.getByTestId('ai-state').textContent(), /All AI processing is paused \(Model review in progress\)/, 'the page says AI is paused and why');
  await screenshot(page, '20-settings-ai-paused');

  await page.reload();
  await ai.waitFor();
  t.equal(await ai.getByRole('checkbox', { name: 'Pause all AI for this organisation' }).isChecked(), true, 'the pause persists');
  t.equal(await ai.getByLabel('Reason for pausing').inputValue(), 'Model review in progress');
  t.equal(await ai.getByLabel(/^Model/).inputValue(), 'gpt-4o-mini-2024-07-18', 'the model persists');
  t.equal(await ai.getByLabel(/Monthly token budget/).inputValue(), '5000000', 'the budget persists');
  t.equal(await ai.getByLabel('Screenings at once').inputValue(), '4');
  t.match(await page.getByTestId('ai-status').textContent(), /AI is paused for this organisation \(Model review in progress\)/, 'a banner on every page says AI is paused');
  const stored = await ctx.app.inject({ method: 'GET', url: '/api/v1/ai/settings', headers: admin.headers });
  t.match(stored.json(), { paused: true, pausedReason: 'Model review in progress', model: 'gpt-4o-mini-2024-07-18', monthlyTokenBudget: 5_000_000, concurrency: 4 }, 'stored through the API');

  // Resume (the interview below is scored by the AI), and clear the model and budget.
  await ai.getByRole('checkbox', { name: 'Pause all AI for this organisation' }).uncheck();
  await ai.getByLabel(/^Model/).fill('');
  await ai.getByLabel(/Monthly token budget/).fill('');
  await ai.getByRole('button', { name: 'Save AI settings' }).click();
  await page.getByText('AI settings saved.').waitFor();
  const resumed = await ctx.app.inject({ method: 'GET', url: '/api/v1/ai/settings', headers: admin.headers });
  t.match(resumed.json(), { paused: false, pausedReason: null, model: null, monthlyTokenBudget: null }, 'blank fields are stored as "server default" and "no limit"');
  t.match(await page.getByTestId('ai-state').textContent(), /AI is running/);
});

t.test('the admin edits the default pipeline: renames, adds and reorders stages, and sees them persist', async (t) => {
  const { page } = adminPage;
  const editor = page.getByRole('form', { name: 'Default pipeline' });
  await editor.getByLabel('Stage 2 name').waitFor();
  const before = (await ctx.app.inject({ method: 'GET', url: '/api/v1/pipeline', headers: admin.headers })).json<{ stages: { id: string; name: string; kind: string }[] }>().stages;
  t.equal(before[0]?.kind, 'new');
  await editor.getByLabel('Stage 2 name').fill('Phone screen');
  await editor.getByRole('button', { name: 'Add stage' }).click();
  const last = before.length + 1;
  await editor.getByLabel(`Stage ${last} name`).fill('Take-home task');
  await editor.locator(`select[name="stage-${last - 1}-kind"]`).selectOption('interview');
  await editor.getByRole('button', { name: 'Move Take-home task up' }).click();
  await editor.getByRole('button', { name: 'Save pipeline' }).click();
  await editor.getByText('Pipeline saved.').waitFor();
  await screenshot(page, '20b-settings-pipeline');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  const after = (await ctx.app.inject({ method: 'GET', url: '/api/v1/pipeline', headers: admin.headers })).json<{ stages: { id: string; name: string; kind: string }[] }>().stages;
  t.equal(after.length, before.length + 1, 'one stage added');
  t.equal(after[1]?.name, 'Phone screen', 'renamed');
  t.equal(after[1]?.id, before[1]?.id, 'the renamed stage keeps its id');
  t.same([after[after.length - 2]?.name, after[after.length - 2]?.kind], ['Take-home task', 'interview'], 'added with its kind, one place up from the end');
  await page.reload();
  await editor.getByLabel('Stage 2 name').waitFor();
  t.equal(await editor.getByLabel('Stage 2 name').inputValue(), 'Phone screen', 'the edit persists');
  // A rule the server enforces comes back as a readable message.
  await editor.locator('select[name="stage-0-kind"]').selectOption('screening');
  await editor.getByRole('button', { name: 'Save pipeline' }).click();
  await editor.getByRole('alert').waitFor();
  t.match(await editor.getByRole('alert').textContent(), /new/i, 'the first-stage rule is explained');
  await editor.getByRole('button', { name: 'Discard changes' }).click();
});

t.test('the admin shortens candidate data retention after confirming, and it persists', async (t) => {
  const { page } = adminPage;
  const form = page.getByRole('form', { name: 'Candidate data retention' });
  await form.getByTestId('retention-due').getByText('No candidate is due for erasure').waitFor();
  t.equal(await form.getByLabel('Keep for (days)').inputValue(), '180', 'the default is shown');
  await form.getByLabel('Keep for (days)').fill('90');
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    void d.accept();
  });
  await form.getByRole('button', { name: 'Save retention' }).click();
  await form.getByText('Retention saved.').waitFor();
  t.match(asked, /90 days instead of 180/, 'shortening asks for confirmation first');
  await page.reload();
  await form.getByLabel('Keep for (days)').waitFor();
  t.equal(await form.getByLabel('Keep for (days)').inputValue(), '90', 'the setting persists');
  t.match((await ctx.app.inject({ method: 'GET', url: '/api/v1/org/retention', headers: admin.headers })).json(), { days: 90 });
});

let hookSecret = '';
let hookUrl = '';

t.test('the admin sets up voice interviews: Vapi assistant and number, and a webhook endpoint whose secret is shown once', async (t) => {
  const { page } = adminPage;
  const voice = page.getByRole('form', { name: 'Voice interviews (Vapi)' });
  t.match(await voice.textContent(), /Not ready/, 'the form says what is missing');
  await voice.getByLabel('Assistant ID').fill('asst_e2e_1');
  await voice.getByLabel('Phone number ID').fill('pn_e2e_1');
  await voice.getByLabel('Re-dials when unanswered or busy').fill('2');
  await voice.getByLabel('Minutes between re-dials').fill('5, 30');
  await voice.getByRole('button', { name: 'Save voice settings' }).click();
  await page.getByText('Voice interview settings saved.').waitFor();
  const hooks = page.getByRole('region', { name: 'Vapi webhook endpoints' });
  await hooks.getByText('No active webhook endpoint.').waitFor();
  await hooks.getByLabel('Authentication').selectOption('hmac');
  await hooks.getByRole('button', { name: 'Create endpoint' }).click();
  const once = page.getByTestId('webhook-secret');
  await once.waitFor();
  hookSecret = ((await once.locator('code.secret').textContent()) ?? '').trim();
  hookUrl = ((await once.locator('code').first().textContent()) ?? '').trim();
  t.ok(hookSecret.length >= 32, 'the secret is shown');
  t.ok(hookUrl.startsWith(`${origin}/webhooks/vapi/`), 'with the URL to configure in Vapi');
  await screenshot(page, '21-settings-voice');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  await once.getByRole('button', { name: 'I have stored the secret' }).click();
  t.equal(await page.getByTestId('webhook-secret').count(), 0, 'the secret is gone from the page');
  t.equal(await hooks.getByRole('list', { name: 'Webhook endpoints' }).locator('li').count(), 1, 'the endpoint is listed');

  await page.reload();
  await voice.waitFor();
  t.equal(await voice.getByLabel('Assistant ID').inputValue(), 'asst_e2e_1', 'the assistant persists');
  t.equal(await voice.getByLabel('Phone number ID').inputValue(), 'pn_e2e_1', 'the number persists');
  t.equal(await voice.getByLabel('Minutes between re-dials').inputValue(), '5, 30', 'the re-dial delays persist');
  const stored = (await ctx.app.inject({ method: 'GET', url: '/api/v1/interviews/settings', headers: admin.headers })).json<{ maxCallRetries: number; retryDelaysSeconds: number[] }>();
  t.match(stored, { maxCallRetries: 2, retryDelaysSeconds: [300, 1800] }, 'stored in seconds');
  t.match(await voice.textContent(), /Ready/);
  t.equal(await page.getByTestId('ai-status').count(), 0, 'no AI banner once resumed');
  t.notOk((await page.locator('main').textContent())?.includes(hookSecret), 'the secret is never shown again');
  fake.setWebhook({ url: hookUrl, secret: hookSecret });
});

t.test('a recruiter has no settings screen and is told who can change settings', async (t) => {
  const { context, page } = await memberPage(recruiter);
  await page.goto(`${origin}/app/jobs`);
  await page.getByRole('link', { name: 'Site Reliability Engineer' }).waitFor();
  t.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count(), 0, 'no Settings in the navigation');
  await page.goto(`${origin}/app/settings`);
  await page.getByText('Only admins can see and change').waitFor();
  t.equal(await page.getByRole('form').count(), 0, 'no settings form is rendered');
  await context.close();
});

t.test('the admin creates, edits and deletes message templates with the variables explained', async (t) => {
  const { page } = adminPage;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await page.waitForURL(`${origin}/app/templates`);
  await page.getByText('No templates yet.').waitFor();
  const vars = await page.getByRole('list', { name: 'Variables' }).locator('li').allTextContents();
  t.ok(vars.includes('{{candidate.firstName}}') && vars.includes('{{job.title}}'), 'the allowed variables are listed');

  await page.getByRole('button', { name: 'New template' }).click();
  const form = page.getByRole('form', { name: 'New template' });
  await form.getByLabel('Name').fill('Interview follow-up');
  await form.getByLabel('Kind').selectOption('generic');
  await form.getByLabel('Subject', { exact: true }).fill('Next steps for {{job.title}}');
  await form.getByLabel('Body', { exact: true }).fill('Hi {{candidate.fistName}}, thank you for the interview.');
  await form.getByRole('button', { name: 'Create template' }).click();
  await form.getByRole('alert').waitFor();
  t.match(await form.getByRole('alert').textContent(), /Unknown variable in body: \{\{candidate\.fistName\}\}/, 'an unknown variable is refused with a readable message');
  await form.getByLabel('Body', { exact: true }).fill('Hi {{candidate.firstName}}, thank you for the interview.\n\nThe {{org.name}} team');
  await form.getByRole('button', { name: 'Create template' }).click();
  await page.getByText('Template "Interview follow-up" created.').waitFor();

  await page.getByRole('button', { name: 'New template' }).click();
  await form.getByLabel('Name').fill('Thanks for applying');
  await form.getByLabel('Kind').selectOption('application_received');
  await form.getByLabel('Send automatically').selectOption('apply');
  await form.getByLabel('Subject', { exact: true }).fill('We received your application for {{job.title}}');
  await form.getByLabel('Body', { exact: true }).fill('Hi {{candidate.firstName}}, we will be in touch.');
  await form.getByRole('button', { name: 'Create template' }).click();
  await page.getByText('Template "Thanks for applying" created.').waitFor();
  const list = page.getByRole('list', { name: 'Templates' });
  t.match(await list.textContent(), /Thanks for applying.*sent automatically when someone applies/s, 'the automatic trigger is shown');

  await page.getByRole('button', { name: 'Edit Interview follow-up' }).click();
  const edit = page.getByRole('form', { name: 'Edit template Interview follow-up' });
  await edit.getByLabel('Subject', { exact: true }).fill('Your interview for {{job.title}}: next steps');
  // Its German wording, for candidates who applied in German (issue 22 item 1).
  await edit.getByText("In the candidate's language (optional)").click();
  await edit.getByLabel('Subject (Deutsch)').fill('Ihr Interview für {{job.title}}: die nächsten Schritte');
  await edit.getByLabel('Body (Deutsch)').fill('Hallo {{candidate.firstName}}, vielen Dank für das Interview.');
  await edit.getByRole('button', { name: 'Save template' }).click();
  await page.getByText('Template "Interview follow-up" saved.').waitFor();
  t.match(await list.textContent(), /Your interview for \{\{job\.title\}\}: next steps/, 'the edit is shown');
  t.match(await list.textContent(), /Also in: de/, 'the German wording is listed');
  await screenshot(page, '22-templates');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete Thanks for applying' }).click();
  await page.getByText('Template "Thanks for applying" deleted.').waitFor();
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/message-templates', headers: admin.headers });
  const templates = res.json<{ templates: { name: string; subject: string; body: string; translations: Record<string, { subject: string }> }[] }>().templates;
  t.same(
    templates.map((x) => [x.name, x.subject, Object.fromEntries(Object.entries(x.translations).map(([l, v]) => [l, v.subject]))]),
    [['Interview follow-up', 'Your interview for {{job.title}}: next steps', { de: 'Ihr Interview für {{job.title}}: die nächsten Schritte' }]],
    'stored as edited (with its German wording), the deleted one gone',
  );
});

t.test('a recruiter invites the candidate to an interview and sees the scored transcript with the evidence highlighted, without a reload', async (t) => {
  const { context, page } = await memberPage(recruiter);
  await page.goto(`${origin}/app/applications/${applicationId}`);
  await page.getByRole('heading', { name: 'Katherine Johnson' }).waitFor();
  const panel = page.getByRole('region', { name: 'Interviews' });
  await panel.getByText('No interview yet.').waitFor();
  await panel.getByRole('button', { name: 'Invite to AI interview' }).click();
  await panel.getByLabel('Maximum length (minutes)').fill('10');
  await panel.getByRole('button', { name: 'Send invitation' }).click();
  await panel.getByText(/Invitation sent\. The candidate gets an email/).waitFor();
  await panel.getByTestId('interview-status').getByText('invited').waitFor();
  const mail = await until('invitation mail', async () => mailsTo('katherine@example.test').find((m) => /\/i\/[A-Za-z0-9_-]{20,}/.test(m)));
  const token = /\/i\/([A-Za-z0-9_-]{20,})/.exec(mail)?.[1] as string;

  // The candidate consents on the invitation page; the worker calls, the fake Vapi plays the call
  // and delivers signed webhooks to the endpoint the admin created in the browser.
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: `action=consent&noticeVersion=${INTERVIEW_NOTICE_VERSION}&phone=%2B14155550123&phoneConfirmed=true&recordingConsent=true`,
  });
  t.equal(consent.statusCode, 200, consent.body);
  const call = await until('the call', async () => [...fake.calls.values()][0]);
  t.equal(call.assistantId, 'asst_e2e_1', 'the call uses the assistant set in the settings screen');
  const interviewId = String(call.assistantOverrides?.metadata?.interviewId);
  await until('call id stored', async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${interviewId}`, headers: recruiter.headers })).json<{ call: { id: string | null } }>().call.id);
  const deliveries = await fake.play(call.id);
  t.ok(deliveries.every((d) => d.status === 200), 'every signed webhook is accepted');

  const scoring = panel.getByTestId('interview-scoring');
  await scoring.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
  t.equal(await panel.getByTestId('interview').getAttribute('data-status'), 'ended', 'the status moved on without a reload');
  t.match(await panel.getByTestId('interview-advisory').textContent(), /Advisory.*Simulated.*transcript text only/s, 'the scores are labelled advisory, simulated and text-only');

  const transcript = panel.getByRole('list', { name: 'Transcript' });
  const speakers = await transcript.locator('.speaker').allTextContents();
  t.same(speakers, ['Interviewer (AI)', 'Interviewer (AI)', 'Candidate', 'Interviewer (AI)', 'Candidate'], 'every turn is attributed to its speaker');
  const api = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${interviewId}`, headers: recruiter.headers })).json<{
    scoring: { questions: { question: string; status: string; evidence: { quote: string; grounded: boolean }[] }[] };
  }>();
  const grounded = [...new Set(api.scoring.questions.flatMap((q) => q.evidence.filter((e) => e.grounded).map((e) => e.quote.trim())))];
  const marks = (await transcript.locator('mark').allTextContents()).map((m) => m.trim());
  t.ok(grounded.length >= 2, 'the simulated scorer quotes the candidate');
  t.ok(marks.length >= 2 && marks.every((m) => grounded.includes(m)), 'every mark in the transcript is exactly an evidence quote');
  t.equal(await transcript.locator('.turn-interviewer mark').count(), 0, 'nothing the interviewer said is marked as evidence');
  t.ok(marks.some((m) => /billing ledger/.test(m)), 'the answer to the design question is highlighted');

  const scores = panel.getByRole('list', { name: 'Question scores' });
  const items = scores.locator(':scope > li');
  t.equal(await items.count(), 3, 'one score block per question');
  t.match(await items.nth(0).textContent(), /Tell me about a system you designed\.\s*\d\/4\s*(met|partly met)/, 'score and verdict per question');
  const unasked = ((await items.nth(2).textContent()) ?? '').replace(/\s+/g, ' ');
  t.ok(unasked.startsWith(UNASKED) && unasked.includes('Insufficient evidence Not scored: the question was not asked in the call'), 'the unasked question is insufficient evidence, not a score');
  t.equal(api.scoring.questions[2]?.status, 'insufficient_evidence');
  await screenshot(page, '23-interview-transcript');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  await context.close();
});

t.test('a recruiter hangs up a live AI interview call from the application page', async (t) => {
  // Another job, so the pipeline test below still sees only its own two candidates.
  const otherJob = await createJob(ctx, admin, { title: 'Flight Data Engineer', interviewQuestions: ['Tell me about a test you designed.'] });
  await approvePlan(ctx, admin, otherJob.id, ['Tell me about a test you designed.']);
  const second = await uploadCv(ctx, recruiter, otherJob.id, { name: 'Mary Jackson', email: 'mary@example.test' }, {
    filename: 'mary-jackson.pdf',
    contentType: 'application/pdf',
    data: makePdf(['Mary Jackson', 'Aerospace engineer', 'Wind tunnel experiments and flight data analysis']),
  });
  const secondId = second.json<{ applicationId: string }>().applicationId;
  const invited = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${secondId}/interviews`, headers: recruiter.headers, payload: {} });
  t.equal(invited.statusCode, 201, invited.body);
  const interviewId = invited.json<{ id: string }>().id;
  const mail = await until('invitation mail', async () => mailsTo('mary@example.test').find((m) => /\/i\/[A-Za-z0-9_-]{20,}/.test(m)));
  const token = /\/i\/([A-Za-z0-9_-]{20,})/.exec(mail)?.[1] as string;
  const consent = await ctx.app.inject({
    method: 'POST',
    url: `/i/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: `action=consent&noticeVersion=${INTERVIEW_NOTICE_VERSION}&phone=%2B14155550199&phoneConfirmed=true&recordingConsent=false`,
  });
  t.equal(consent.statusCode, 200, consent.body);
  const call = await until('the call', async () => [...fake.calls.values()].find((c) => c.assistantOverrides?.metadata?.interviewId === interviewId));
  await until('call id stored', async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/interviews/${interviewId}`, headers: recruiter.headers })).json<{ call: { id: string | null } }>().call.id);
  await fake.answer(call.id, [
    { role: 'assistant', text: 'Hello, I am an AI interviewer, not a person.' },
    { role: 'user', text: 'Sorry, I have to stop, something urgent came up.' },
  ]);

  const { context, page } = await memberPage(recruiter);
  await page.goto(`${origin}/app/applications/${secondId}`);
  const panel = page.getByRole('region', { name: 'Interviews' });
  await panel.getByTestId('interview-status').getByText('in progress').waitFor({ timeout: 30_000 });
  page.once('dialog', (d) => void d.accept());
  await panel.getByRole('button', { name: 'Hang up' }).click();
  await panel.getByTestId('interview-status').getByText('ended').waitFor({ timeout: 30_000 });
  t.ok(fake.requests.some((r) => r.method === 'POST' && r.path === `/control/${call.id}`), 'the worker ended the call through Vapi live-call control');
  t.match(await panel.textContent(), /manually.canceled/i, 'the reason is shown');
  t.equal(await panel.getByRole('button', { name: 'Hang up' }).count(), 0, 'no hang-up button on an ended call');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  await context.close();
});

t.test("a recruiter edits the job's AI interview plan", async (t) => {
  const { context, page } = await memberPage(recruiter);
  await page.goto(`${origin}/app/jobs/${job.id}`);
  const plan = page.getByRole('form', { name: 'AI interview plan' });
  await plan.getByLabel('Question 1', { exact: true }).waitFor();
  t.equal(await plan.getByLabel('Question 3', { exact: true }).inputValue(), UNASKED, "the approved plan's questions are shown");
  t.match(await plan.getByTestId('plan-status').textContent(), /^Approved/);
  await plan.getByLabel('Maximum length (minutes)').fill('20');
  await plan.getByRole('button', { name: 'Add window' }).click();
  await plan.getByLabel('Window 1 from').fill('2030-01-07T09:00');
  await plan.getByLabel('Window 1 until').fill('2030-01-07T08:00');
  await plan.getByRole('button', { name: 'Save interview plan' }).click();
  await plan.getByRole('alert').waitFor();
  t.ok(((await plan.getByRole('alert').textContent()) ?? '').length > 10, `a window that ends before it starts is refused readably: ${await plan.getByRole('alert').textContent()}`);
  await plan.getByRole('button', { name: 'Remove window 1' }).click();
  // Weekly hours: Monday and Tuesday 09:00-17:00, then Tuesday shortened, in Berlin time.
  await plan.getByLabel('Timezone of the weekly hours').fill('Europe/Berlin');
  await plan.getByRole('button', { name: 'Add weekly hours' }).click();
  await plan.getByRole('button', { name: 'Add weekly hours' }).click();
  t.equal(await plan.getByLabel('Hours 2 day').inputValue(), '2', 'the next row starts on the next weekday');
  await plan.getByLabel('Hours 2 until').fill('12:30');
  await plan.getByRole('button', { name: 'Save interview plan' }).click();
  await plan.getByText('Interview plan saved.').waitFor();
  await screenshot(page, '27-interview-plan');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  const stored = (await ctx.app.inject({ method: 'GET', url: `/api/v1/interview-plans/${job.id}`, headers: recruiter.headers })).json<{ maxDurationSeconds: number; availability: unknown[]; weeklyHours: unknown }>();
  t.match(stored, { maxDurationSeconds: 1200, availability: [] }, 'stored');
  t.same(stored.weeklyHours, { timezone: 'Europe/Berlin', days: [{ weekday: 1, start: '09:00', end: '17:00' }, { weekday: 2, start: '09:00', end: '12:30' }] }, 'weekly hours stored');
  await context.close();
});

t.test('the recruiter sends the candidate a message from the record, on a phone', async (t) => {
  const { context, page } = await memberPage(recruiter, { width: 390, height: 844 });
  await page.goto(`${origin}/app/applications/${applicationId}`);
  const panel = page.getByRole('region', { name: 'Messages' });
  await panel.getByText('No messages sent yet.').waitFor();
  await panel.getByLabel('Template').selectOption({ label: 'Interview follow-up (General)' });
  await panel.getByRole('button', { name: 'Send message' }).click();
  await panel.getByText('Message sent.').waitFor();
  await panel.getByRole('list', { name: 'Messages' }).getByText('Your interview for Site Reliability Engineer: next steps').waitFor();
  await panel.getByLabel('Template').selectOption('');
  await panel.getByLabel('Subject', { exact: true }).fill('A quick question');
  await panel.getByLabel('Message', { exact: true }).fill('Hi {{candidate.firstName}}, could you send your availability for next week?');
  await panel.getByRole('button', { name: 'Send message' }).click();
  await panel.getByRole('list', { name: 'Messages' }).getByText('A quick question').waitFor();
  t.ok(mailsTo('katherine@example.test').some((m) => /Hi Katherine, could you send your availability/.test(m)), 'the variables are filled in the mail');
  await panel.getByText('sent', { exact: true }).first().waitFor();

  // The relay refuses the next one: it is kept, shown as not delivered, and retried from the list.
  smtp.failing = true;
  await panel.getByLabel('Subject', { exact: true }).fill('Parking at the office');
  await panel.getByLabel('Message', { exact: true }).fill('Visitor parking is behind the building.');
  await panel.getByRole('button', { name: 'Send message' }).click();
  await panel.getByText(/The message was kept but not delivered/).waitFor();
  const failed = panel.getByRole('list', { name: 'Messages' }).locator('li', { hasText: 'Parking at the office' });
  await failed.getByText('failed', { exact: true }).waitFor();
  t.match(await failed.textContent(), /Not delivered: mail transport error \(1 attempt\)/, 'the failure and its reason are shown');
  await screenshot(page, '24-messages-failed-phone');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  // The org-wide list of undelivered messages shows it too (without its content).
  const overview = await context.newPage();
  await overview.goto(`${origin}/app/templates`);
  const undelivered = overview.getByRole('list', { name: 'Undelivered messages' });
  await undelivered.getByText(/mail transport error/).waitFor();
  t.ok(await undelivered.getByRole('link', { name: 'Site Reliability Engineer: application' }).isVisible(), 'linked to the application');
  t.notOk((await undelivered.textContent())?.includes('Parking'), 'no content in the overview');
  await overview.close();
  smtp.failing = false;
  await failed.getByRole('button', { name: 'Retry sending "Parking at the office"' }).click();
  await panel.getByText('"Parking at the office" sent.').waitFor();
  await failed.getByText('sent', { exact: true }).waitFor();
  t.equal(await failed.getByRole('button', { name: /Retry/ }).count(), 0, 'no retry button once sent');
  t.equal(mailsTo('katherine@example.test').filter((m) => m.includes('Subject: Parking at the office')).length, 1, 'mailed once, by the retry');
  await screenshot(page, '25-messages-retried-phone');
  await context.close();
});

t.test('a contested outcome is opened from the application and resolved from the review requests screen', async (t) => {
  const { context, page } = await memberPage(recruiter);
  // The screening queued while the AI was paused must have finished (under load it can still be queued here).
  await until(
    "Katherine's screening",
    async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${applicationId}/screening`, headers: recruiter.headers })).json<{ latest: { status: string } | null }>().latest?.status === 'completed',
    60_000,
  );
  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  await page.getByRole('button', { name: 'Re-screen outdated applications' }).click();
  await page.getByText(/0 queued for screening against the current criteria, 1 already up to date/).waitFor();
  await page.goto(`${origin}/app/applications/${applicationId}`);
  // Screening again keeps the earlier result as history; the page follows the new one by itself.
  await page.getByRole('button', { name: 'Screen again' }).click();
  await page.getByText(/Queued: the new result appears here/).waitFor();
  await page.getByText('Earlier screenings (1)').waitFor({ timeout: 60_000 });
  await page.getByTestId('screening-status').and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
  await page.getByText('Earlier screenings (1)').click();
  t.match(await page.getByRole('list', { name: 'Earlier screenings' }).textContent(), /(Advance|Review|Do not advance).*criteria version 1/, 'the earlier result is listed with its criteria version');
  const rights = page.getByRole('region', { name: 'Explanation and review' });
  const explanation = await rights.getByRole('link', { name: 'Explanation for the candidate' }).getAttribute('href');
  const text = await ctx.app.inject({ method: 'GET', url: explanation as string, headers: recruiter.headers });
  t.equal(text.statusCode, 200, 'the explanation link works');
  await rights.getByLabel('The candidate contests the outcome').fill('The interview call dropped twice; please review it with a person.');
  await rights.getByRole('button', { name: 'Open a human review' }).click();
  await rights.getByText('Review request opened').waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reviews' }).click();
  const list = page.getByRole('list', { name: 'Review requests' });
  await list.getByText('The interview call dropped twice').waitFor();
  t.ok(await list.getByRole('link', { name: /Site Reliability Engineer/ }).isVisible(), 'the request links to the application');
  await screenshot(page, '26-review-requests');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  await list.getByLabel('Outcome').selectOption('upheld');
  await list.getByLabel('Note for the record').fill('Listened to the call again; the scores reflect the answers given.');
  await list.getByRole('button', { name: 'Resolve' }).click();
  await page.getByText('Review request resolved: the decision stands.').waitFor();
  await page.getByText('No open review requests.').waitFor();
  await page.getByRole('button', { name: 'Resolved' }).click();
  await list.getByText(/Resolution: Listened to the call again/).waitFor();
  await context.close();
});

t.test('a recruiter tags, moves and rejects applications in bulk from the pipeline', async (t) => {
  const second = await uploadCv(ctx, recruiter, job.id, { name: 'Dorothy Vaughan', email: 'dorothy@example.test' });
  t.equal(second.statusCode, 201, second.body);
  const { context, page } = await memberPage(recruiter);
  await page.goto(`${origin}/app/jobs/${job.id}/pipeline`);
  await page.getByRole('link', { name: 'Dorothy Vaughan' }).waitFor();
  await page.getByRole('checkbox', { name: 'Select all listed candidates' }).check();
  const bulk = page.getByRole('form', { name: 'Bulk action' });
  t.match(await bulk.textContent(), /2 selected/);
  await bulk.getByLabel('Action').selectOption('tag');
  await bulk.getByLabel('Tag to add').fill('shortlist');
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('2 applications tagged.').waitFor();
  await page.getByRole('checkbox', { name: 'Select Katherine Johnson' }).check();
  await bulk.locator('select[name="bulkStage"]').selectOption({ label: 'Phone screen' });
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('1 application moved.').waitFor();
  await page.getByRole('checkbox', { name: 'Select Dorothy Vaughan' }).check();
  await bulk.getByLabel('Action').selectOption('reject');
  await bulk.getByLabel(/Reason/).fill('The role needs on-call experience this application does not show.');
  await screenshot(page, '29-pipeline-bulk');
  t.same(await layoutProblems(page), [], 'every control labelled, every button named, ids unique, nothing wider than the screen');
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    void d.accept();
  });
  await bulk.getByRole('button', { name: 'Reject 1' }).click();
  await page.getByText('1 application rejected.').waitFor();
  t.match(asked, /Reject 1 candidate\?/, 'a person confirms the rejection first');
  const list = (await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications`, headers: recruiter.headers })).json<{ applications: { candidateName: string; tags: string[]; stage: { name: string; kind: string } }[] }>().applications;
  const byName = Object.fromEntries(list.map((a) => [a.candidateName, a]));
  t.match(byName['Katherine Johnson'], { tags: ['shortlist'], stage: { name: 'Phone screen' } }, 'tagged and moved');
  t.match(byName['Dorothy Vaughan'], { tags: ['shortlist'], stage: { kind: 'rejected' } }, 'tagged and rejected');
  await context.close();
});

t.test('the settings and template screens work on a phone', async (t) => {
  const { context, page } = await memberPage(admin, { width: 390, height: 844 });
  for (const [path, heading] of [
    ['/app/settings', 'Organisation settings'],
    ['/app/templates', 'Message templates'],
    ['/app/reviews', 'Review requests'],
    [`/app/jobs/${job.id}`, 'Edit: Site Reliability Engineer'],
  ] as const) {
    await page.goto(`${origin}${path}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.getByText('Loading…').first().waitFor({ state: 'detached' });
    t.same(await layoutProblems(page), [], `${path}: labelled, named, nothing wider than the screen`);
  }
  await page.goto(`${origin}/app/settings`);
  await page.getByRole('form', { name: 'AI screening and scoring' }).waitFor();
  // Keyboard only: the pause switch is reachable and toggles with the space bar.
  const pause = page.getByRole('checkbox', { name: 'Pause all AI for this organisation' });
  await pause.focus();
  await page.keyboard.press('Space');
  t.equal(await pause.isChecked(), true, 'toggled from the keyboard');
  t.equal(await page.getByLabel('Reason for pausing').count(), 1, 'the reason field appears');
  await page.keyboard.press('Space');
  await screenshot(page, '28-settings-phone');
  // Control: the checker does notice an unlabelled field and a too-wide element.
  await page.evaluate(() => {
    const d = (globalThis as unknown as { document: { createElement(n: string): { name: string; textContent: string; className: string }; body: { append(...n: unknown[]): void } } }).document;
    const input = d.createElement('input');
    input.name = 'stray';
    const wide = d.createElement('pre');
    wide.textContent = 'x'.repeat(400);
    d.body.append(input, wide);
  });
  const problems = await layoutProblems(page);
  t.ok(problems.includes('unlabelled input stray') && problems.some((p) => /wide in a 390px viewport/.test(p)), `the checker reports them: ${problems.join('; ')}`);
  await context.close();
});

t.test('the admin sets the alert channel (secret shown once) and sees a sign-in burst in the recent alerts, mailed', async (t) => {
  const { page } = adminPage;
  await page.goto(`${origin}/app/settings#alerts`);
  const form = page.getByRole('form', { name: 'Alert channel' });
  await form.getByLabel('E-mail recipients (up to 5, separated by commas)').fill('security@e2e.test, bad address');
  await form.getByRole('button', { name: 'Save alert channel' }).click();
  await form.getByRole('alert').waitFor();
  t.match(await form.getByRole('alert').textContent(), /"bad" is not an e-mail address/, 'a readable refusal');
  await form.getByLabel('E-mail recipients (up to 5, separated by commas)').fill('security@e2e.test');
  await form.getByLabel('Webhook URL (https)').fill(`${origin}/alert-sink`);
  await form.getByRole('checkbox', { name: 'Failed sign-in bursts' }).check();
  await form.getByRole('button', { name: 'Save alert channel' }).click();
  const once = page.getByTestId('alert-secret');
  await once.waitFor();
  const secret = ((await once.locator('code.secret').textContent()) ?? '').trim();
  t.ok(secret.length >= 32, 'the signing secret is shown once');
  await screenshot(page, '30-settings-alerts');
  t.same(await layoutProblems(page), [], 'labelled, named, nothing too wide');
  await once.getByRole('button', { name: 'I have stored the secret' }).click();

  const { rows } = await ctx.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [recruiter.userId]);
  for (let i = 0; i < 5; i++) {
    await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: rows[0]?.email ?? '', password: `wrong ${i}` }, headers: { origin }, remoteAddress: `198.51.100.${i + 1}` });
  }
  await until('alert mailed', async () => mailsTo('security@e2e.test').some((m) => m.includes('signin_burst')));
  await page.reload();
  const recent = page.getByRole('list', { name: 'Alerts' });
  await recent.waitFor();
  t.match(await recent.textContent(), /Failed sign-in bursts.*E-mail: delivered/s, 'listed with its delivery state');
  t.equal(await form.getByRole('checkbox', { name: 'Failed sign-in bursts' }).isChecked(), true, 'the kinds persist');
  t.notOk((await page.locator('main').textContent())?.includes(secret), 'the secret is never shown again');
});

t.test('no new screen produced a CSP violation or a script error', async (t) => {
  t.same(watch.csp, [], 'no CSP violations');
  t.same(watch.errors, [], 'no script errors');
  const index = await (await fetch(`${origin}/app/`)).text();
  let gz = 0;
  for (const m of index.matchAll(/(?:src|href)="(\/app\/assets\/[^"]+)"/g)) gz += Number((await fetch(`${origin}${m[1] as string}`)).headers.get('content-length'));
  t.comment(`page weight (JS + CSS, gzipped as served): ${gz} bytes`);
  t.ok(gz > 0 && gz < 60_000, 'the console stays small');
});
