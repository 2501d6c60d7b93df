// AI and processing documentation from live configuration (issue 18 item 10): the system
// card, subprocessor list and record of processing follow the operator config and the
// org's settings (model pinned -> the card names it; interviews off -> no Vapi), the PDF
// is a real PDF (text extracted with unpdf), the bias table suppresses small cells, and the
// public summary page is per org, strict-CSP, script-free and shows nothing of another org.
import t from 'tap';
import { extractText, getDocumentProxy } from 'unpdf';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { approvePlan, createJob, uploadCv } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';

const ctx = await buildTestApp(t, {
  env: { AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-not-real', OPENAI_BASE_URL: 'https://llm.internal.example:8443/v1', OPENAI_MODEL: 'gpt-4o-mini', SMTP_URL: 'smtp://relay-user:relay-pass@mail.example.test:587' },
});
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const slugOf = async (orgId: string): Promise<string> => (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [orgId])).rows[0]?.slug as string;
const nameOf = async (orgId: string): Promise<string> => (await owner.query<{ name: string }>('SELECT name FROM orgs WHERE id = $1', [orgId])).rows[0]?.name as string;
const slugA = await slugOf(adminA.orgId);
const slugB = await slugOf(adminB.orgId);
const nameB = await nameOf(adminB.orgId);

const doc = (m: Member | null, name: string, query = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/org/documents/${name}${query}`, headers: m ? m.headers : {} });
const card = async (m: Member = adminA): Promise<string> => {
  const res = await doc(m, 'system-card');
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.body;
};
const subs = async (m: Member = adminA): Promise<string> => (await doc(m, 'subprocessors')).body;

// Org B differs in every setting the documents read: a pinned model and interviews on.
await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: adminB.headers, payload: { model: 'org-b-secret-model' } });
await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: adminB.headers, payload: { assistantId: 'asst_b', phoneNumberId: 'pn_b' } });

t.test('refused: anonymous 401, recruiter and auditor 403, unknown document or format 400', async (t) => {
  t.equal((await doc(null, 'system-card')).statusCode, 401);
  t.equal((await doc(recruiterA, 'system-card')).statusCode, 403);
  t.equal((await doc(auditorA, 'subprocessors')).statusCode, 403);
  t.equal((await doc(adminA, 'secrets')).statusCode, 400);
  const bad = await doc(adminA, 'system-card', '?format=docx');
  t.equal(bad.statusCode, 400);
  t.match(String(bad.headers['content-type']), /^application\/problem\+json/);
});

t.test('the card and the subprocessors follow the config and the org settings', async (t) => {
  const before = await card();
  t.match(before, /model \*\*gpt-4o-mini\*\* \(operator default\)/, 'the operator default model');
  t.match(before, /OpenAI-compatible endpoint at llm\.internal\.example:8443/, 'the configured endpoint host');
  t.match(before, /Voice interviews: off for this org/);
  t.notMatch(before, /org-b-secret-model|asst_b/, "nothing of org B's settings");
  const subsOff = await subs();
  t.match(subsOff, /llm\.internal\.example:8443/);
  t.match(subsOff, /E-mail relay \(mail\.example\.test:587\)/, 'the SMTP host');
  t.notMatch(subsOff, /relay-user|relay-pass|sk-test/, 'no credentials');
  t.notMatch(subsOff, /Vapi|Deepgram/, 'interviews off: no Vapi, no transcriber');

  const pinned = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers: adminA.headers, payload: { model: 'gpt-4.1-mini' } });
  t.equal(pinned.statusCode, 200, pinned.body);
  t.match(await card(), /model \*\*gpt-4\.1-mini\*\* \(org setting\)/, 'switching the model changes the card');

  const on = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interviews/settings', headers: adminA.headers, payload: { assistantId: 'asst_a', phoneNumberId: 'pn_a' } });
  t.ok([200, 204].includes(on.statusCode), on.body);
  const subsOn = await subs();
  t.match(subsOn, /\| Vapi \|/, 'interviews on: Vapi listed');
  t.match(subsOn, /Deepgram/, 'its transcriber, read from the assistant definition');
  t.match(subsOn, /Microsoft Azure \(Speech\)/, 'its voice provider');
  t.match(subsOn, /OpenAI \| Language model of the voice interviewer \(OpenAI gpt-4o\)/, 'the interview language model');
  t.match(await card(), /Voice interviews \(Vapi\): language model OpenAI gpt-4o; speech-to-text Deepgram nova-2/);
});

t.test('the record of processing states the org retention and the recipients', async (t) => {
  t.match((await doc(adminA, 'processing-record')).body, /erased 180 days after/, 'the default retention');
  const put = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/org/retention', headers: adminA.headers, payload: { days: 400 } });
  t.equal(put.statusCode, 200, put.body);
  const res = await doc(adminA, 'processing-record');
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^text\/markdown/);
  t.match(res.body, /erased 400 days after/, 'retention from the org setting');
  t.match(res.body, /Record of processing activities \(GDPR Art\. 30\)/);
  t.match(res.body, /Subprocessors: OpenAI-compatible model endpoint/);
});

t.test('stability figures come from the latest stored check', async (t) => {
  t.match(await card(), /No stability check has been run yet/);
  await ctx.audit.record(adminA.orgId, {
    action: 'ai.stability_reported',
    actor: { type: 'system' },
    target: { type: 'job', id: '00000000-0000-4000-8000-000000000001' },
    metadata: { provider: 'openai', model: 'gpt-4.1-mini', promptVersion: 'x', sampled: 7, runsPerApplication: 3, stable: false, criteria: [{ key: 'ts', name: 'TypeScript', maxSpread: 2, meanStdev: 0.47, meanVerdictAgreement: 0.9 }] },
  });
  const after = await card();
  t.match(after, /7 applications re-scored 3 times each with openai gpt-4\.1-mini; scores varied/);
  t.match(after, /\| TypeScript \| 2 \| 0\.47 \| 90% \|/);
});

t.test('the bias table suppresses categories under the minimum sample', async (t) => {
  const job = await createJob(ctx, recruiterA, { title: 'Docs job' });
  await approvePlan(ctx, recruiterA, job.id);
  let ip = 0;
  for (const gender of ['female', 'female', 'female', 'female', 'female', 'male']) {
    ip += 1;
    const fields: Record<string, string> = { name: `Docs Applicant ${ip}`, email: `docs${ip}.${Date.now()}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION, 'demographics.gender': gender };
    const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${slugA}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.9.0.${ip}` });
    t.equal(res.statusCode, 202, res.body);
  }
  const text = await card();
  t.match(text, /6 applications, 6 with self-identified demographics/);
  t.match(text, /\| Sex \/ gender \| Female \| 5 \| suppressed \| suppressed \|/, 'a category of 5 shows its count; no rate before any decision');
  t.match(text, /\| Sex \/ gender \| other \([^|]*\) \| suppressed \(<5\) \| suppressed \| suppressed \|/, 'a category of 1 is suppressed');
  t.notMatch(text, /\| Male \|/, 'a single answer never appears as its own category');
  t.notMatch(text, /Docs Applicant/, 'no applicant names');
});

t.test('PDF downloads are real PDFs with the same content', async (t) => {
  for (const name of ['system-card', 'subprocessors', 'processing-record']) {
    const res = await doc(adminA, name, '?format=pdf');
    t.equal(res.statusCode, 200, name);
    t.equal(res.headers['content-type'], 'application/pdf');
    t.equal(res.headers['content-disposition'], `attachment; filename="${name}.pdf"`);
    const pdf = await getDocumentProxy(new Uint8Array(res.rawPayload));
    const { text } = await extractText(pdf, { mergePages: true });
    if (name === 'system-card') t.match(text, /gpt-4\.1-mini/, 'the pinned model is in the PDF');
    if (name === 'subprocessors') t.match(text, /Vapi/, 'Vapi is in the PDF');
    if (name === 'processing-record') t.match(text, /Record of processing activities/);
  }
});

t.test('the public summary: per org, strict CSP, no script, nothing of another org', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/privacy/${slugA}/ai` });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^text\/html/);
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.notMatch(csp, /unsafe-inline/);
  t.notMatch(res.body, /<script/i, 'no script at all');
  t.match(res.body, /gpt-4\.1-mini/);
  t.match(res.body, /Vapi/);
  t.notOk(res.body.includes(nameB), "not org B's name");
  t.notMatch(res.body, /org-b-secret-model|asst_|pn_|relay-pass|sk-test/, "nothing of org B's settings, no ids or secrets");
  const b = await ctx.app.inject({ method: 'GET', url: `/privacy/${slugB}/ai` });
  t.match(b.body, /org-b-secret-model/, "org B's page shows org B's model");
  t.notMatch(b.body, /gpt-4\.1-mini/, "and not org A's");
  t.equal((await ctx.app.inject({ method: 'GET', url: '/privacy/no-such-org-here/ai' })).statusCode, 404);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/privacy/Bad_Slug!/ai' })).statusCode, 400);
});

t.test('the apply page links the summary', async (t) => {
  const job = await createJob(ctx, recruiterA, { title: 'Linked job' });
  await approvePlan(ctx, recruiterA, job.id);
  const page = await ctx.app.inject({ method: 'GET', url: `/jobs/${slugA}/${job.slug}` });
  t.equal(page.statusCode, 200);
  t.ok(page.body.includes(`<a href="/privacy/${slugA}/ai?lang=en">`), 'the notice links the summary, in the page language');
});

t.test('the interview invite page links the summary', async (t) => {
  const job = await createJob(ctx, recruiterA, { title: 'Interview job' });
  await approvePlan(ctx, recruiterA, job.id);
  const up = await uploadCv(ctx, recruiterA, job.id, { name: 'Ivy Invite', email: `ivy.${Date.now()}@example.test` });
  t.equal(up.statusCode, 201, up.body);
  const mailsBefore = ctx.mailer.outbox.length;
  const invited = await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${up.json<{ applicationId: string }>().applicationId}/interviews`, headers: recruiterA.headers, payload: {} });
  t.equal(invited.statusCode, 201, invited.body);
  const token = /\/i\/([A-Za-z0-9_-]+)/.exec(ctx.mailer.outbox[mailsBefore]?.text ?? '')?.[1] ?? '';
  const page = await ctx.app.inject({ method: 'GET', url: `/i/${token}` });
  t.equal(page.statusCode, 200);
  t.ok(page.body.includes(`<a href="/privacy/${slugA}/ai">`), 'the interview notice links the summary');
});
