// Recruiter templates in the candidate's language (issue 22 item 1): a template carries
// optional variants per shipped locale; a send uses the candidate's (the language they
// applied in), else the template's own text; the privacy footer follows the candidate's
// language either way. Variants are checked like the main text and refused whole.
import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { translator } from '../../server/core/i18n/translator.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const other = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiter, { title: 'Platform Engineer' });
const apply = async (name: string, email: string, locale: string | null) => {
  const id = (await uploadCv(ctx, recruiter, job.id, { name, email })).json<{ applicationId: string }>().applicationId;
  await owner.query('UPDATE applications SET locale = $2 WHERE id = $1', [id, locale]);
  return id;
};
const anna = await apply('Anna Schmidt', 'anna@example.test', 'de');
const ben = await apply('Ben Jones', 'ben@example.test', 'en');
const chloe = await apply('Chloé Martin', 'chloe@example.test', 'fr');

type Method = 'GET' | 'POST' | 'PATCH';
const call = (m: Member, method: Method, url: string, payload?: object) => ctx.app.inject({ method, url, headers: method === 'GET' ? { cookie: m.cookie } : m.headers, ...(payload ? { payload } : {}) });
const templatesRow = async () => (await owner.query<{ n: string; t: string }>('SELECT count(*) AS n, coalesce(string_agg(translations::text, \'|\'), \'\') AS t FROM message_templates WHERE org_id = $1', [admin.orgId])).rows[0];

const created = await call(admin, 'POST', '/api/v1/message-templates', {
  name: 'Next steps',
  kind: 'generic',
  subject: 'Next steps for {{job.title}}',
  body: 'Dear {{candidate.firstName}},\n\nhere is what happens next.',
  translations: { de: { subject: 'Die nächsten Schritte zu {{job.title}}', body: 'Hallo {{candidate.firstName}},\n\nso geht es weiter.' } },
});
const template = created.json<{ id: string; translations: Record<string, { subject: string }> }>();

t.test('a template keeps its variants; each is checked like the main text', async (t) => {
  t.equal(created.statusCode, 201, created.body);
  t.same(Object.keys(template.translations), ['de']);
  const before = await templatesRow();
  const bad = await call(admin, 'POST', '/api/v1/message-templates', { name: 'Bad', kind: 'generic', subject: 'x', body: 'y', translations: { de: { subject: 'Hallo {{candidate.age}}', body: 'y' } } });
  t.equal(bad.statusCode, 422);
  t.match(bad.json(), { field: 'translations.de.subject', unknownVariables: ['candidate.age'] });
  const unknownLocale = await call(admin, 'POST', '/api/v1/message-templates', { name: 'Bad', kind: 'generic', subject: 'x', body: 'y', translations: { it: { subject: 'Ciao', body: 'y' } } });
  t.equal(unknownLocale.statusCode, 400, 'a language hirebox does not ship');
  const missingBody = await call(admin, 'PATCH', `/api/v1/message-templates/${template.id}`, { translations: { fr: { subject: 'Les prochaines étapes' } } });
  t.equal(missingBody.statusCode, 400);
  const header = await call(admin, 'PATCH', `/api/v1/message-templates/${template.id}`, { translations: { fr: { subject: 'Bonjour\r\nBcc: x@example.test', body: 'y' } } });
  t.equal(header.statusCode, 400, 'a variant subject cannot carry a header line');
  t.same(await templatesRow(), before, 'nothing stored from refused requests');
  t.equal((await call(recruiter, 'PATCH', `/api/v1/message-templates/${template.id}`, { translations: {} })).statusCode, 403, 'recruiters do not edit templates');
  t.equal((await call(other, 'PATCH', `/api/v1/message-templates/${template.id}`, { translations: {} })).statusCode, 404, 'another org cannot reach it');
  const listed = (await call(recruiter, 'GET', '/api/v1/message-templates')).json<{ templates: { id: string; translations: Record<string, unknown> }[] }>();
  t.same(Object.keys(listed.templates.find((x) => x.id === template.id)?.translations ?? {}), ['de']);
});

t.test("each candidate gets the variant of their language, else the template's own text", async (t) => {
  for (const id of [anna, ben, chloe]) {
    const res = await call(recruiter, 'POST', `/api/v1/applications/${id}/messages`, { templateId: template.id });
    t.equal(res.statusCode, 201, res.body);
  }
  const mail = (to: string) => ctx.mailer.outbox.filter((m) => m.to === to).at(-1);
  t.equal(mail('anna@example.test')?.subject, 'Die nächsten Schritte zu Platform Engineer');
  t.match(mail('anna@example.test')?.text, /^Hallo Anna,\n\nso geht es weiter\./);
  t.match(mail('anna@example.test')?.text, translator('de').t('notice.mailContact', { contact: '' }).split(':')[0] as string, 'German privacy footer');
  t.equal(mail('ben@example.test')?.subject, 'Next steps for Platform Engineer');
  t.equal(mail('chloe@example.test')?.subject, 'Next steps for Platform Engineer', 'no French variant: the template text');
  t.match(mail('chloe@example.test')?.text, /Questions sur vos données/, 'but the footer is French');

  const patched = await call(admin, 'PATCH', `/api/v1/message-templates/${template.id}`, {
    translations: { ...template.translations, fr: { subject: 'Les prochaines étapes pour {{job.title}}', body: 'Bonjour {{candidate.firstName}},\n\nvoici la suite.' } },
  });
  t.equal(patched.statusCode, 200, patched.body);
  await call(recruiter, 'POST', `/api/v1/applications/${chloe}/messages`, { templateId: template.id });
  t.equal(mail('chloe@example.test')?.subject, 'Les prochaines étapes pour Platform Engineer');
  const audited = await owner.query<{ metadata: { fields: string[] } }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'message_template.updated' ORDER BY seq DESC LIMIT 1", [admin.orgId]);
  t.same(audited.rows[0]?.metadata.fields, ['translations']);
  t.notMatch(JSON.stringify(audited.rows), /voici la suite/, 'no template text in the audit log');
});
