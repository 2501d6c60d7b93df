// CLI exports (DESIGN sections 9 and 11): `hirebox export candidate` writes the API's JSON
// plus the decrypted CV files, `hirebox export org` the whole org as JSON Lines per kind
// with CV files and a manifest; directory 0700, files 0600, audited, nothing personal on
// stdout, another org's candidate refused, usage errors exit 2.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { cli as runCli, cliSync } from '../support/cli.js';
import { createJob, parser, uploadCv } from '../fixtures/hiring.js';
import { makePdf, SAMPLE_CV_LINES } from '../fixtures/make.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const adminA = await createOrgWithMember(ctx, 'admin');
const recruiterA = await createOrgWithMember(ctx, 'recruiter', adminA.orgId);
const adminB = await createOrgWithMember(ctx, 'admin');
const job = await createJob(ctx, recruiterA, { title: 'Export job' });
const jobB = await createJob(ctx, adminB, { title: 'B export job' });
const stamp = Date.now();
const cvBytes = makePdf(SAMPLE_CV_LINES);
const cli = (args: string[]) => cliSync(ctx.env, args);
const cliAsync = (args: string[]) => runCli(ctx.env, args);
const cliExit = async (args: string[]) => (await cliAsync(args)).status;
const work = mkdtempSync(path.join(tmpdir(), 'hirebox-export-'));
t.teardown(() => spawnSync('rm', ['-rf', work]));

async function apply(m: Member, jobId: string, name: string) {
  const res = await uploadCv(ctx, m, jobId, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${stamp}@example.test` }, { filename: 'my-cv.pdf', contentType: 'application/pdf', data: cvBytes });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json<{ applicationId: string; candidateId: string; documentId: string }>();
}
const ada = await apply(recruiterA, job.id, 'Ada Exported');
await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${ada.applicationId}/notes`, headers: recruiterA.headers, payload: { kind: 'note', body: 'Note about Ada export' } });
await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${ada.applicationId}/decision`, headers: recruiterA.headers, payload: { outcome: 'advance', reason: 'Strong TypeScript' } });
const bob = await apply(recruiterA, job.id, 'Bob Second');
await parser(ctx)(adminA.orgId, ada.documentId);
const bea = await apply(adminB, jobB.id, 'Bea Other Org');

const mode = (p: string) => statSync(p).mode & 0o777;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const lines = (p: string) =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

t.test('export candidate: the API JSON and the decrypted CV, 0700/0600, audited, no PII on stdout', async (t) => {
  const dir = path.join(work, 'ada');
  const r = cli(['export', 'candidate', '--org', adminA.orgId, '--candidate', ada.candidateId, '--out', dir, '--json']);
  t.equal(r.status, 0, r.stderr);
  t.notMatch(r.stdout + r.stderr, /Ada Exported|@example|Note about/, 'no PII on stdout');
  const summary = JSON.parse(r.stdout) as { ok: boolean; dir: string; files: { path: string; sha256: string; bytes: number }[] };
  t.match(summary, { ok: true, kind: 'candidate', candidateId: ada.candidateId, dir, records: { applications: 1, files: 1 } });
  t.equal(mode(dir), 0o700, 'directory 0700');
  t.equal(mode(path.join(dir, 'files')), 0o700);
  for (const f of summary.files) {
    t.equal(mode(path.join(dir, f.path)), 0o600, `${f.path} is 0600`);
    t.equal(sha(path.join(dir, f.path)), f.sha256, `${f.path} digest`);
  }
  const json = JSON.parse(readFileSync(path.join(dir, 'candidate.json'), 'utf8')) as Record<string, unknown>;
  const api = (await ctx.app.inject({ method: 'GET', url: `/api/v1/candidates/${ada.candidateId}/export`, headers: { cookie: adminA.cookie } })).json<Record<string, unknown>>();
  t.same({ ...json, exportedAt: null }, { ...api, exportedAt: null }, 'the same JSON the API gives');
  t.match(json, { candidate: { name: 'Ada Exported', email: `ada.exported.${stamp}@example.test` }, applications: [{ notes: [{ body: 'Note about Ada export' }], decisions: [{ outcome: 'advance' }], documents: [{ filename: 'my-cv.pdf' }] }] });
  t.same(readFileSync(path.join(dir, 'files', `${ada.documentId}.pdf`)), cvBytes, 'the CV file, decrypted, byte for byte');
  t.match(json, { applications: [{ screenings: Array, interviews: Array }] }, 'AI screenings and interviews are part of it');
  const ev = await owner.query<{ actor_type: string; metadata: Record<string, unknown> }>("SELECT actor_type, metadata FROM audit_events WHERE action = 'candidate.exported' AND target_id = $1 AND metadata->>'via' = 'cli'", [ada.candidateId]);
  t.match(ev.rows, [{ actor_type: 'system', metadata: { format: 'json+files', files: 1, applications: 1 } }]);
  t.notMatch(JSON.stringify(ev.rows), /Ada|@example/);
});

t.test('export candidate refuses another org, a non-empty directory and bad usage', async (t) => {
  const full = path.join(work, 'full');
  mkdirSync(full);
  writeFileSync(path.join(full, 'x'), 'x');
  const [cross, busy] = await Promise.all([
    cliAsync(['export', 'candidate', '--org', adminA.orgId, '--candidate', bea.candidateId, '--out', path.join(work, 'cross')]),
    cliAsync(['export', 'candidate', '--org', adminA.orgId, '--candidate', ada.candidateId, '--out', full]),
  ]);
  t.equal(cross.status, 1, "B's candidate is not found in A");
  t.match(cross.stderr, /Candidate not found/);
  t.notOk(readdirSync(work).includes('cross'), 'nothing written');
  t.equal(busy.status, 1);
  t.match(busy.stderr, /not empty/);
  const usage: Promise<unknown>[] = [];
  for (const args of [
    ['export', 'candidate', '--org', adminA.orgId, '--candidate', ada.candidateId],
    ['export', 'candidate', '--org', adminA.orgId, '--out', path.join(work, 'u1')],
    ['export', 'candidate', '--org', 'x', '--candidate', ada.candidateId, '--out', path.join(work, 'u2')],
    ['export', 'org', '--org', adminA.orgId],
    ['export', 'org', '--out', path.join(work, 'u3')],
    ['export', 'org', '--org', adminA.orgId, '--out', path.join(work, 'u4'), '--what'],
    ['export', 'everything'],
  ]) {
    usage.push(cliExit(args).then((code) => t.equal(code, 2, `usage: ${args.slice(1).join(' ')}`)));
  }
  await Promise.all(usage);
});

t.test('export org: JSON Lines per kind, decrypted, CV files and a manifest with counts and SHA-256', async (t) => {
  const dir = path.join(work, 'org-a');
  const r = cli(['export', 'org', '--org', adminA.orgId, '--out', dir, '--json']);
  t.equal(r.status, 0, r.stderr);
  t.notMatch(r.stdout, /Ada Exported|Bob Second|@example/, 'no PII on stdout');
  t.equal(mode(dir), 0o700);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { orgId?: string; org: { id: string }; records: Record<string, number>; files: { path: string; kind: string; records?: number; bytes: number; sha256: string }[] };
  t.equal(manifest.org.id, adminA.orgId);
  t.match(manifest.records, { jobs: 1, candidates: 2, applications: 2, decisions: 1, notes: 1, files: 2, members: 2 });
  t.ok((manifest.records.audit_events ?? 0) > 5, 'audit events exported');
  const onDisk = readdirSync(dir).filter((f) => f !== 'files' && f !== 'manifest.json').sort();
  t.same(onDisk, manifest.files.filter((f) => !f.path.startsWith('files/') && f.kind !== 'manifest').map((f) => f.path).sort(), 'every file is in the manifest');
  for (const f of manifest.files) {
    t.equal(mode(path.join(dir, f.path)), 0o600, `${f.path} is 0600`);
    t.equal(sha(path.join(dir, f.path)), f.sha256, `${f.path}: SHA-256 matches`);
    if (f.records !== undefined) t.equal(lines(path.join(dir, f.path)).length, f.records, `${f.path}: record count`);
  }
  const candidates = lines(path.join(dir, 'candidates.jsonl'));
  t.same(candidates.map((c) => c.name).sort(), ['Ada Exported', 'Bob Second'], 'candidates decrypted');
  t.notOk(candidates.some((c) => 'name_enc' in c || 'email_index' in c), 'no ciphertext or blind index');
  t.match(lines(path.join(dir, 'notes.jsonl')), [{ application_id: ada.applicationId, body: 'Note about Ada export' }]);
  t.match(lines(path.join(dir, 'documents.jsonl')).find((d) => d.id === ada.documentId), { filename: 'my-cv.pdf', media_type: 'application/pdf' });
  t.match(lines(path.join(dir, 'documents.jsonl')).find((d) => d.id === ada.documentId), { parse_status: 'parsed', text: /\w+/ }, 'extracted CV text decrypted');
  t.match(lines(path.join(dir, 'jobs.jsonl')), [{ id: job.id, title: 'Export job' }]);
  t.same(readFileSync(path.join(dir, 'files', `${bob.documentId}.pdf`)), cvBytes);
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  t.notMatch(all, /Bea Other Org|B export job/, "nothing of org B");
  const ev = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'org.exported'", [adminA.orgId]);
  t.match(ev.rows, [{ metadata: { via: 'cli', purpose: 'export', records: { candidates: 2 } } }]);
});

t.test('an erased candidate is exported without personal data', async (t) => {
  const erased = await ctx.app.inject({ method: 'POST', url: `/api/v1/candidates/${bob.candidateId}/erasure`, headers: adminA.headers, payload: { reference: 'DSR-9', confirm: true } });
  t.equal(erased.statusCode, 200, erased.body);
  const dir = path.join(work, 'org-a-2');
  const r = cli(['export', 'org', '--org', adminA.orgId, '--out', dir, '--json']);
  t.equal(r.status, 0, r.stderr);
  const bobLine = lines(path.join(dir, 'candidates.jsonl')).find((c) => c.id === bob.candidateId);
  t.ok(bobLine?.erased_at, 'the erased candidate is there as a row');
  t.notOk(bobLine && 'name' in bobLine, 'without a name');
  t.notOk(readdirSync(path.join(dir, 'files')).some((f) => f.startsWith(bob.documentId)), 'and without a CV file');
  const single = cli(['export', 'candidate', '--org', adminA.orgId, '--candidate', bob.candidateId, '--out', path.join(work, 'bob')]);
  t.equal(single.status, 1);
  t.match(single.stderr, /erased/);
});
