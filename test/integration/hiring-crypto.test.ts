import t from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { makePdf, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { createKeyring, DecryptionError, KeyDestroyedError } from '../../server/core/crypto.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const a = await createOrgWithMember(ctx, 'recruiter');
const b = await createOrgWithMember(ctx, 'recruiter');
const jobA = await createJob(ctx, a);
const jobB = await createJob(ctx, b);
const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
const NAME = 'Zebulon Quartermaine';
const EMAIL = 'zebulon.quartermaine@example.test';
const PHONE = '+44 20 7946 0123';
const CV_LINE = 'Designed a zero-downtime schema migrator for Quartermaine Industries';
const up = await uploadCv(ctx, a, jobA.id, { name: NAME, email: EMAIL, phone: PHONE, location: 'Lisbon' }, {
  filename: 'zebulon-cv.pdf',
  contentType: 'application/pdf',
  data: makePdf([...SAMPLE_CV_LINES, CV_LINE]),
});
const r = up.json<{ applicationId: string; candidateId: string; documentId: string }>();
await parser(ctx)(a.orgId, r.documentId);
const upB = await uploadCv(ctx, b, jobB.id, { name: 'Other Person', email: EMAIL });
const rB = upB.json<{ candidateId: string }>();

t.test('raw table contents (read as owner) hold no plaintext name, email, phone, filename or CV text', async (t) => {
  const tables = ['candidates', 'candidate_keys', 'applications', 'application_events', 'documents', 'document_blobs', 'demographics', 'org_keys', 'audit_events'];
  const needles = [NAME, EMAIL, PHONE, 'Lisbon', 'zebulon-cv.pdf', CV_LINE, 'Quartermaine'];
  for (const table of tables) {
    const { rows } = await owner.query(`SELECT * FROM ${table}`);
    // bytea comes back as Buffer: search its bytes as UTF-8/latin1 text too.
    const text = rows.map((row) => Object.values(row).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : JSON.stringify(v))).join('|')).join('\n');
    for (const n of needles) t.notOk(text.toLowerCase().includes(n.toLowerCase()), `${table} has no "${n}"`);
  }
  const parsed = await owner.query('SELECT parse_status, text_enc IS NOT NULL AS has_text FROM documents WHERE id = $1', [r.documentId]);
  t.same(parsed.rows[0], { parse_status: 'parsed', has_text: true }, 'the text was extracted (and stored encrypted)');
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${r.candidateId}`, headers: { cookie: a.cookie } });
  t.match(view.json(), { name: NAME, email: EMAIL, phone: PHONE });
});

t.test('the email blind index is keyed per org: the same email does not link across orgs', async (t) => {
  const { rows } = await owner.query<{ org_id: string; email_index: Buffer }>('SELECT org_id, email_index FROM candidates WHERE id = ANY($1::uuid[])', [[r.candidateId, rB.candidateId]]);
  t.equal(rows.length, 2);
  t.not(rows[0]?.email_index.toString('hex'), rows[1]?.email_index.toString('hex'));
});

t.test('a ciphertext copied to another row or another org fails to decrypt', async (t) => {
  // Swap A's encrypted name into B's candidate row (as the owner, bypassing RLS).
  await owner.query('UPDATE candidates SET name_enc = (SELECT name_enc FROM candidates WHERE id = $1) WHERE id = $2', [r.candidateId, rB.candidateId]);
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${rB.candidateId}`, headers: { cookie: b.cookie } });
  t.equal(res.statusCode, 500, 'decryption fails closed');
  t.notMatch(res.body, /Zebulon/);
  // Same org, another column: the email ciphertext put into the name column.
  const cipher = await ctx.db.withTenant(a.orgId, (q) => keyring.candidateCipher(q, a.orgId, r.candidateId));
  const row = (await owner.query<{ email_enc: Buffer }>('SELECT email_enc FROM candidates WHERE id = $1', [r.candidateId])).rows[0] as { email_enc: Buffer };
  t.throws(() => cipher.open('candidates', 'name_enc', r.candidateId, row.email_enc), DecryptionError);
  t.equal(cipher.openText('candidates', 'email_enc', r.candidateId, row.email_enc), EMAIL);
});

t.test('destroying the candidate key makes the data unreadable', async (t) => {
  const sealed = (await owner.query<{ bytes_enc: Buffer }>('SELECT bytes_enc FROM document_blobs WHERE document_id = $1', [r.documentId])).rows[0]?.bytes_enc as Buffer;
  const cipher = await ctx.db.withTenant(a.orgId, (q) => keyring.candidateCipher(q, a.orgId, r.candidateId));
  t.equal(cipher.open('document_blobs', 'bytes_enc', r.documentId, sealed).subarray(0, 5).toString(), '%PDF-');
  await ctx.db.withTenantTx(a.orgId, (tx) => keyring.destroyCandidateKey(tx, a.orgId, r.candidateId));
  const fresh = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
  await t.rejects(ctx.db.withTenant(a.orgId, (q) => fresh.candidateCipher(q, a.orgId, r.candidateId)), KeyDestroyedError);
  const keyRow = (await owner.query('SELECT wrapped_key, destroyed_at IS NOT NULL AS destroyed FROM candidate_keys WHERE candidate_id = $1', [r.candidateId])).rows[0];
  t.same(keyRow, { wrapped_key: null, destroyed: true }, 'the wrapped key is gone from the database (and from later backups)');
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${r.candidateId}`, headers: { cookie: a.cookie } });
  t.equal(res.statusCode, 404);
  const app = await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${r.applicationId}`, headers: { cookie: a.cookie } });
  t.equal(app.statusCode, 404);
});
