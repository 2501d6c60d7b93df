// Fixed demographic categories (issue 18 item 7): the apply form offers the LL144 categories
// only and the API refuses anything else; `hirebox migrate` maps free-text answers stored
// before (decrypting and re-encrypting with each candidate's key) where unambiguous and
// leaves the rest "not answered"; it is idempotent and audited; the bias report shows the
// fixed categories.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { createKeyring } from '../../server/core/crypto.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const job = await createJob(ctx, recruiter);
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
let n = 0;

async function apply(demographics: Record<string, string>) {
  n += 1;
  const fields: Record<string, string> = { name: `Applicant ${n}`, email: `d${n}.${Date.now()}@example.test`, consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION };
  for (const [k, v] of Object.entries(demographics)) fields[`demographics.${k}`] = v;
  const { body, contentType } = multipartBody(fields, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body, remoteAddress: `10.9.0.${n}` });
}
const count = async (table: string): Promise<number> => (await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n as number;

t.test('the form offers the fixed categories and the API refuses anything else', async (t) => {
  const page = await ctx.app.inject({ method: 'GET', url: `/jobs/${orgSlug}/${job.slug}` });
  for (const label of ['Female', 'Male', 'Non-binary or another gender', 'Hispanic or Latino', 'White', 'Black or African American', 'Native Hawaiian or Pacific Islander', 'Asian', 'Native American or Alaska Native', 'Two or More Races', 'I decline to answer']) {
    t.ok(page.body.includes(`>${label}</option>`), `offers ${label}`);
  }
  t.notMatch(page.body, /name="demographics\.[a-z_]+" maxlength/, 'no free-text demographic input');
  const before = [await count('applications'), await count('demographics')];
  for (const bad of <Record<string, string>[]>[{ gender: 'woman' }, { ethnicity: 'Caucasian' }, { gender: 'female', age_range: '30-39' }, { gender: 'Female' }]) {
    const res = await apply(bad);
    t.equal(res.statusCode, 400, `${JSON.stringify(bad)} refused`);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  }
  t.same([await count('applications'), await count('demographics')], before, 'nothing stored');
  const ok = await apply({ gender: 'female', ethnicity: 'two_or_more' });
  t.equal(ok.statusCode, 202, ok.body);
  const declined = await apply({ gender: 'decline', ethnicity: 'decline' });
  t.equal(declined.statusCode, 202, declined.body);
  const row = await owner.query<{ categories_version: number }>('SELECT categories_version FROM demographics ORDER BY created_at DESC LIMIT 1');
  t.equal(row.rows[0]?.categories_version, 1, 'new answers are stored as fixed categories');
});

t.test('hirebox migrate maps stored free-text answers where unambiguous, once, audited', async (t) => {
  // Answers as the old free-text form stored them, sealed under each candidate's key.
  const legacy: [Record<string, string>, Record<string, string>][] = [
    [{ gender: 'Woman', ethnicity: 'Caucasian', age_range: '30-39' }, { gender: 'female', ethnicity: 'white' }],
    [{ gender: 'F', ethnicity: 'Latina' }, { gender: 'female', ethnicity: 'hispanic_latino' }],
    [{ gender: ' male ', ethnicity: 'African American' }, { gender: 'male', ethnicity: 'black_african_american' }],
    [{ gender: 'Non-binary', ethnicity: 'Mixed race' }, { gender: 'non_binary_other', ethnicity: 'two_or_more' }],
    [{ gender: 'prefer not to say', ethnicity: 'Martian', disability: 'no' }, { gender: 'decline' }],
    [{ gender: 'sometimes', veteran_status: 'yes' }, {}],
  ];
  const ids: string[] = [];
  for (const [answers] of legacy) {
    const res = await apply({});
    t.equal(res.statusCode, 202);
    const app = (await owner.query<{ id: string; candidate_id: string }>('SELECT id, candidate_id FROM applications WHERE org_id = $1 ORDER BY created_at DESC LIMIT 1', [admin.orgId])).rows[0] as { id: string; candidate_id: string };
    const id = randomUUID();
    await ctx.db.withTenantTx(admin.orgId, async (tx) => {
      const cipher = await keyring.candidateCipher(tx, admin.orgId, app.candidate_id);
      await tx.query('INSERT INTO demographics (id, org_id, application_id, data_enc, categories_version) VALUES ($1, $2, $3, $4, 0)', [id, admin.orgId, app.id, cipher.seal('demographics', 'data_enc', id, JSON.stringify(answers))]);
    });
    ids.push(id);
  }
  const run = () => spawnSync(process.execPath, ['dist/server/cli.js', 'migrate', '--json'], { env: { ...process.env, ...ctx.env }, encoding: 'utf8' });
  const first = run();
  t.equal(first.status, 0, first.stderr);
  const out = JSON.parse(first.stdout) as { demographics: { rows: number; mappedAnswers: number; droppedAnswers: number } };
  t.match(out.demographics, { rows: 6, mappedAnswers: 9, droppedAnswers: 5 });
  for (const [i, id] of ids.entries()) {
    const stored = await ctx.db.withTenantTx(admin.orgId, async (tx) => {
      const r = (await tx.query<{ data_enc: Buffer; categories_version: number; candidate_id: string }>('SELECT d.data_enc, d.categories_version, a.candidate_id FROM demographics d JOIN applications a ON a.id = d.application_id WHERE d.id = $1', [id])).rows[0];
      if (!r) return null;
      const cipher = await keyring.candidateCipher(tx, admin.orgId, r.candidate_id);
      return { version: r.categories_version, answers: JSON.parse(cipher.openText('demographics', 'data_enc', id, r.data_enc)) as unknown };
    });
    t.same(stored, { version: 1, answers: legacy[i]?.[1] }, `legacy answer set ${i} mapped, re-encrypted`);
  }
  const audit = await ctx.db.withTenant(admin.orgId, (q) => q.query<{ metadata: Record<string, number> }>("SELECT metadata FROM audit_events WHERE action = 'demographics.categories_migrated'"));
  t.equal(audit.rowCount, 1, 'audited once for the org');
  t.match(audit.rows[0]?.metadata, { rows: 6, mappedAnswers: 9, droppedAnswers: 5, unreadable: 0 });
  t.notMatch(JSON.stringify(audit.rows), /Caucasian|Woman|Martian/i, 'counts only, never an answer');

  const second = run();
  t.equal(second.status, 0, second.stderr);
  t.match(JSON.parse(second.stdout), { demographics: { rows: 0 } }, 'idempotent: nothing left to map');
  const again = await ctx.db.withTenant(admin.orgId, (q) => q.query("SELECT 1 FROM audit_events WHERE action = 'demographics.categories_migrated'"));
  t.equal(again.rowCount, 1, 'and no second audit event');

  const report = await ctx.app.inject({ method: 'GET', url: `/api/v1/bias/report?jobId=${job.id}`, headers: admin.headers });
  t.equal(report.statusCode, 200, report.body);
  const dims = report.json<{ dimensions: { key: string; label: string; unknown: number; categories: { category: string; applicants: number }[] }[] }>().dimensions;
  const gender = dims.find((d) => d.key === 'gender');
  t.equal(gender?.label, 'Sex / gender');
  t.same(
    gender?.categories.map((c) => [c.category, c.applicants]),
    [
      ['Female', 3],
      ['other (answers given by fewer than 3 people)', 2],
    ],
    'female, woman and F are one category; single male and non-binary answers are pooled',
  );
  t.ok(dims.some((d) => d.key === 'gender_x_ethnicity'), 'sex × race/ethnicity is reported');
  t.notMatch(report.body, /Caucasian|Woman|Martian|sometimes/i);
});
