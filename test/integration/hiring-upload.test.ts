import t, { type Test } from 'tap';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { countRows, createJob, HIRING_TABLES, parser, uploadCv } from '../fixtures/hiring.js';
import { makeExe, makeZip, makeManyEntriesDocx, makePdf, makeScannedPdf, makeZipBombDocx, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { ExtractionError } from '../../server/modules/documents/extract.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const recruiter = await createOrgWithMember(ctx, 'recruiter');
const job = await createJob(ctx, recruiter);
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [recruiter.orgId])).rows[0]?.slug as string;
const parse = parser(ctx);
const pdf = { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) };

async function expectRejected(t: Test, label: string, status: number, send: () => Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>) {
  const before = await countRows(owner, HIRING_TABLES);
  const res = await send();
  t.equal(res.statusCode, status, `${label} -> ${status} (${res.body.slice(0, 160)})`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${label}: problem+json`);
  t.same(await countRows(owner, HIRING_TABLES), before, `${label}: no rows or blobs left behind`);
}

t.test('bad files get the right problem status and leave nothing half-stored', async (t) => {
  await expectRejected(t, 'renamed .exe', 415, () => uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.pdf', contentType: 'application/pdf', data: makeExe() }));
  await expectRejected(t, 'zip-bomb DOCX (honest headers)', 422, () =>
    uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: makeZipBombDocx(200) }),
  );
  await expectRejected(t, 'zip-bomb DOCX (lying headers)', 422, () =>
    uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.docx', contentType: 'application/octet-stream', data: makeZipBombDocx(60, true) }),
  );
  await expectRejected(t, 'DOCX with too many entries', 422, () => uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.docx', contentType: 'application/octet-stream', data: makeManyEntriesDocx(600) }));
  await expectRejected(t, 'oversized (10 MB + 1)', 413, () =>
    uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) }),
  );
  await expectRejected(t, 'empty file', 422, () => uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.pdf', contentType: 'application/pdf', data: Buffer.alloc(0) }));
  await expectRejected(t, 'truncated PDF', 422, () => uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES).subarray(0, 300) }));
  await expectRejected(t, 'binary junk', 415, () => uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02, 0x03]) }));
  await expectRejected(t, 'plain zip that is not a DOCX', 415, () =>
    uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.docx', contentType: 'application/octet-stream', data: makeZip([{ name: 'notes.txt', data: Buffer.from('hello') }]) }),
  );
  const { body, contentType } = multipartBody({ name: 'A', email: 'a@example.test' }, pdf);
  await expectRejected(t, 'malformed multipart (cut off mid-body)', 400, () =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/applications`, headers: { ...recruiter.headers, 'content-type': contentType }, payload: body.subarray(0, body.length - 200) }),
  );
  await expectRejected(t, 'multipart with a wrong boundary', 400, () =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/applications`, headers: { ...recruiter.headers, 'content-type': 'multipart/form-data; boundary=nope' }, payload: body }),
  );
  await expectRejected(t, 'not multipart at all', 415, () =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/applications`, headers: recruiter.headers, payload: { name: 'A', email: 'a@example.test' } }),
  );
  const two = Buffer.concat([
    multipartBody({ name: 'A', email: 'a@example.test' }, pdf, 'XB').body.subarray(0, -('--XB--\r\n'.length)),
    multipartBody({}, { ...pdf, field: 'cv' }, 'XB').body,
  ]);
  await expectRejected(t, 'two files', 413, () =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/applications`, headers: { ...recruiter.headers, 'content-type': 'multipart/form-data; boundary=XB' }, payload: two }),
  );
  await expectRejected(t, 'oversized field', 413, () => uploadCv(ctx, recruiter, job.id, { location: 'x'.repeat(9000) }));
  await expectRejected(t, 'invalid email', 400, () => uploadCv(ctx, recruiter, job.id, { email: 'not-an-email' }));
  await expectRejected(t, 'unknown field', 400, () => uploadCv(ctx, recruiter, job.id, { isAdmin: 'true' }));
  const noFile = multipartBody({ name: 'A', email: 'a@example.test' });
  await expectRejected(t, 'no file', 422, () =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/applications`, headers: { ...recruiter.headers, 'content-type': noFile.contentType }, payload: noFile.body }),
  );
});

t.test('the apply API requires consent to the current notice version', async (t) => {
  for (const [fields, label] of [
    [{ noticeVersion: PRIVACY_NOTICE_VERSION }, 'no consent'],
    [{ consent: 'true', noticeVersion: '2020-01-01' }, 'stale notice version'],
  ] as const) {
    const { body, contentType } = multipartBody({ name: 'Ann', email: 'ann@example.test', ...fields }, pdf);
    await expectRejected(t, label, 422, () => ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${job.slug}/apply`, headers: { 'content-type': contentType }, payload: body }));
  }
});

t.test('a PDF without a text layer ends in needs_manual_review', async (t) => {
  const res = await uploadCv(ctx, recruiter, job.id, {}, { filename: 'scan.pdf', contentType: 'application/pdf', data: makeScannedPdf() });
  t.equal(res.statusCode, 201);
  const r = res.json<{ applicationId: string; documentId: string }>();
  t.same(await parse(recruiter.orgId, r.documentId), { status: 'needs_manual_review', reason: 'no_text_layer' });
  const view = (await ctx.app.inject({ method: 'GET', url: `/api/v1/applications/${r.applicationId}`, headers: { cookie: recruiter.cookie } })).json<{ documents: { parseStatus: string; parseError: string }[]; timeline: { type: string }[] }>();
  t.equal(view.documents[0]?.parseStatus, 'needs_manual_review');
  t.equal(view.documents[0]?.parseError, 'no_text_layer');
  t.ok(view.timeline.some((e) => e.type === 'document.needs_manual_review'));
  t.same(await parse(recruiter.orgId, r.documentId), { status: 'skipped' }, 'a second run is a no-op');
});

t.test('parse failures retry, then end in a visible failed state with the reason', async (t) => {
  const res = await uploadCv(ctx, recruiter, job.id, {}, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(SAMPLE_CV_LINES.join('\n')) });
  const r = res.json<{ applicationId: string; documentId: string }>();
  const flaky = parser(ctx, { extract: async () => Promise.reject(new ExtractionError('timeout', false)) });
  await t.rejects(flaky(recruiter.orgId, r.documentId, 0, 3), /timeout/, 'attempt 1 throws for a retry');
  let row = (await owner.query('SELECT parse_status, parse_attempts FROM documents WHERE id = $1', [r.documentId])).rows[0];
  t.same(row, { parse_status: 'pending', parse_attempts: 1 });
  await t.rejects(flaky(recruiter.orgId, r.documentId, 2, 3), { name: 'UnrecoverableError' }, 'the last attempt gives up');
  row = (await owner.query('SELECT parse_status, parse_error FROM documents WHERE id = $1', [r.documentId])).rows[0];
  t.same(row, { parse_status: 'failed', parse_error: 'timeout' });

  const damaged = await uploadCv(ctx, recruiter, job.id, {}, { filename: 'bad.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4\nthis is not a pdf\n%%EOF\n') });
  const d = damaged.json<{ documentId: string }>();
  await t.rejects(parse(recruiter.orgId, d.documentId, 0, 5), { name: 'UnrecoverableError' }, 'a damaged PDF fails at once');
  const bad = (await owner.query('SELECT parse_status, parse_error FROM documents WHERE id = $1', [d.documentId])).rows[0] as { parse_status: string; parse_error: string };
  t.equal(bad.parse_status, 'failed');
  t.match(bad.parse_error, /^pdf_unreadable/);
});

t.test('duplicates: same email + job merges; the same file is stored once', async (t) => {
  const email = 'dupe@example.test';
  const first = await uploadCv(ctx, recruiter, job.id, { email }, pdf);
  t.equal(first.statusCode, 201);
  const again = await uploadCv(ctx, recruiter, job.id, { email: 'DUPE@Example.test' }, pdf);
  t.equal(again.statusCode, 200);
  const a = first.json<{ applicationId: string; documentId: string }>();
  const b = again.json<{ applicationId: string; documentId: string; merged: boolean; duplicateFile: boolean }>();
  t.equal(b.applicationId, a.applicationId, 'merged into the same application');
  t.ok(b.merged && b.duplicateFile);
  t.equal(b.documentId, a.documentId, 'the same file is not stored twice');
  const other = await uploadCv(ctx, recruiter, job.id, { email: 'someone.else@example.test' }, pdf);
  t.equal(other.json<{ sameFileOtherCandidates: number }>().sameFileOtherCandidates >= 1, true, 'the same CV from another candidate is flagged');
  const n = await owner.query('SELECT count(*)::int AS n FROM applications WHERE id = $1', [a.applicationId]);
  t.equal((n.rows[0] as { n: number }).n, 1);
});

t.test('concurrent applications with one email make one candidate and one application', async (t) => {
  const email = 'race@example.test';
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => uploadCv(ctx, recruiter, job.id, { email }, { filename: 'cv.txt', contentType: 'text/plain', data: Buffer.from(`CV version ${i} with enough letters to count as text`) })));
  t.ok(results.every((r) => r.statusCode === 201 || r.statusCode === 200), results.map((r) => r.statusCode).join(','));
  t.equal(new Set(results.map((r) => r.json<{ applicationId: string }>().applicationId)).size, 1);
});
