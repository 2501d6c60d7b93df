// Server-side candidate search in a job's pipeline (GET /api/v1/jobs/:id/applications?q=)
// over encrypted names: keyed blind-index tokens per word and prefix, email by the email
// blind index; org-scoped, no plaintext at rest, with filters and cursor pagination.
import t from 'tap';
import { createHash, createHmac } from 'node:crypto';
import { buildTestApp, connectOwner, createOrgWithMember, type Member } from '../helper.js';
import { createJob, uploadCv } from '../fixtures/hiring.js';
import { createKeyring } from '../../server/core/crypto.js';
import { createCandidateSearch, normaliseWords } from '../../server/modules/candidates/search.js';

const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const recruiterA = await createOrgWithMember(ctx, 'recruiter');
const hmA = await createOrgWithMember(ctx, 'hiring_manager', recruiterA.orgId);
const otherHmA = await createOrgWithMember(ctx, 'hiring_manager', recruiterA.orgId);
const auditorA = await createOrgWithMember(ctx, 'auditor', recruiterA.orgId);
const recruiterB = await createOrgWithMember(ctx, 'recruiter');
const job = await createJob(ctx, recruiterA, { title: 'Data Engineer', hiringManagerIds: [hmA.userId] });
const otherJob = await createJob(ctx, recruiterA, { title: 'Elsewhere' });
const jobB = await createJob(ctx, recruiterB, { title: 'B Data Engineer' });
const stamp = Date.now();
const people = {
  jose: { name: 'José Álvarez', email: `Jose.Alvarez.${stamp}@Example.test` },
  joanna: { name: 'Joanna Smith', email: `joanna.${stamp}@example.test` },
  bob: { name: 'Bob Jones', email: `bob.${stamp}@example.test` },
  zoe: { name: 'Zoë Ångström-Lee', email: `zoe.${stamp}@example.test` },
  long: { name: 'Maximilianus Wolfeschlegelsteinhausen', email: `max.${stamp}@example.test` },
};
const ids: Record<string, { applicationId: string; candidateId: string }> = {};
for (const [key, p] of Object.entries(people)) {
  const res = await uploadCv(ctx, recruiterA, job.id, p);
  if (res.statusCode !== 201) throw new Error(res.body);
  ids[key] = res.json<{ applicationId: string; candidateId: string }>();
}
const elsewhere = (await uploadCv(ctx, recruiterA, otherJob.id, { name: 'José Elsewhere', email: `jose.else.${stamp}@example.test` })).json<{ candidateId: string }>();
const joseB = (await uploadCv(ctx, recruiterB, jobB.id, { name: 'José Álvarez', email: people.jose.email })).json<{ applicationId: string; candidateId: string }>();

interface Listed {
  applications: { id: string; candidateId: string; candidateName: string | null; stage: { kind: string } }[];
  nextCursor: string | null;
}
const list = (m: Member, jobId: string, query: string) => ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}/applications?${query}`, headers: { cookie: m.cookie } });
const namesFor = async (m: Member, jobId: string, q: string) => {
  const res = await list(m, jobId, `q=${encodeURIComponent(q)}&limit=100`);
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return res
    .json<Listed>()
    .applications.map((a) => a.candidateName)
    .sort();
};

t.test('names are normalised: lower case, diacritics stripped (NFKD), split into words', async (t) => {
  t.same(normaliseWords('José  Álvarez'), ['jose', 'alvarez']);
  t.same(normaliseWords("Zoë Ångström-Lee O'Neill"), ['zoe', 'angstrom', 'lee', 'o', 'neill']);
  t.same(normaliseWords('ＪＯＳÉ'), ['jose'], 'full-width letters fold too (NFKD)');
});

t.test('search finds "José" by "jose", by "JOSÉ", by the prefix "jo" and by several words', async (t) => {
  t.same(await namesFor(recruiterA, job.id, 'jose'), ['José Álvarez']);
  t.same(await namesFor(recruiterA, job.id, 'JOSÉ'), ['José Álvarez']);
  t.same(await namesFor(recruiterA, job.id, 'jo'), ['Bob Jones', 'Joanna Smith', 'José Álvarez'], 'prefix of any name word');
  t.same(await namesFor(recruiterA, job.id, 'jose alv'), ['José Álvarez'], 'every word must match');
  t.same(await namesFor(recruiterA, job.id, 'alvarez, jose'), ['José Álvarez'], 'word order and punctuation do not matter');
  t.same(await namesFor(recruiterA, job.id, 'jose smith'), []);
  t.same(await namesFor(recruiterA, job.id, 'zoe angstrom'), ['Zoë Ångström-Lee']);
  t.same(await namesFor(recruiterA, job.id, 'lee'), ['Zoë Ångström-Lee'], 'hyphenated parts are words');
  t.same(await namesFor(recruiterA, job.id, 'ose'), [], 'infixes do not match');
  t.same(await namesFor(recruiterA, job.id, 'wolfeschle'), ['Maximilianus Wolfeschlegelsteinhausen'], 'prefix up to the cap');
  t.same(await namesFor(recruiterA, job.id, 'wolfeschlegelsteinhausen'), ['Maximilianus Wolfeschlegelsteinhausen'], 'a long word matches as a whole');
  t.same(await namesFor(recruiterA, job.id, 'wolfeschlegel'), [], 'a prefix longer than the cap is not indexed (documented limit)');
  t.same(await namesFor(recruiterA, job.id, 'jose j'), ['José Álvarez'], 'one-letter words are ignored');
  t.notOk((await namesFor(recruiterA, job.id, 'jose')).includes('José Elsewhere'), 'only applications of this job');
});

t.test('an email address matches exactly (case-insensitive) through the email blind index', async (t) => {
  t.same(await namesFor(recruiterA, job.id, people.jose.email.toLowerCase()), ['José Álvarez']);
  t.same(await namesFor(recruiterA, job.id, `  ${people.joanna.email.toUpperCase()} `), ['Joanna Smith']);
  t.same(await namesFor(recruiterA, job.id, people.jose.email.slice(0, -3)), [], 'no partial email match');
  t.same(await namesFor(recruiterA, job.id, `jose.else.${stamp}@example.test`), [], 'a candidate of another job is not listed here');
});

t.test('search works with the stage filter and the cursor pagination', async (t) => {
  const screening = (await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/pipeline`, headers: { cookie: recruiterA.cookie } })).json<{ stages: { id: string; kind: string }[] }>().stages.find((s) => s.kind === 'screening')?.id as string;
  await ctx.app.inject({ method: 'POST', url: `/api/v1/applications/${ids.joanna?.applicationId}/stage`, headers: recruiterA.headers, payload: { stageId: screening } });
  const filtered = (await list(recruiterA, job.id, 'q=jo&stageKind=screening')).json<Listed>();
  t.same(filtered.applications.map((a) => a.candidateName), ['Joanna Smith']);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { json: <T>() => T } = await list(recruiterA, job.id, `q=jo&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    const page: Listed = res.json<Listed>();
    seen.push(...page.applications.map((a) => a.candidateName ?? ''));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 10);
  t.equal(pages, 3);
  t.same([...seen].sort(), ['Bob Jones', 'Joanna Smith', 'José Álvarez'], 'every match once across pages');
  const all = (await list(recruiterA, job.id, 'limit=100')).json<Listed>();
  t.equal(all.applications.length, 5, 'without q the list is unchanged');
});

t.test('malformed, oversized and unsearchable queries are 400/422 problem+json', async (t) => {
  for (const [query, status] of [
    ['q=', 400],
    [`q=${'a'.repeat(101)}`, 400],
    ['q=j', 422],
    ['q=%20%20', 422],
    ['q=-%2F-', 422],
    ['q=a%20bb%20cc%20dd%20ee%20ff%20gg', 422],
  ] as const) {
    const res = await list(recruiterA, job.id, query);
    t.equal(res.statusCode, status, query.slice(0, 40));
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
});

t.test('search never crosses orgs, roles or unassigned jobs', async (t) => {
  t.same(await namesFor(recruiterB, jobB.id, 'jose'), ['José Álvarez'], "B finds its own José");
  const res = await list(recruiterB, jobB.id, 'q=jose&limit=100');
  t.same(res.json<Listed>().applications.map((a) => a.candidateId), [joseB.candidateId], "only B's candidate");
  t.same(await namesFor(recruiterB, jobB.id, 'joanna'), [], "A's candidates are invisible to B");
  t.equal((await list(recruiterB, job.id, 'q=jose')).statusCode, 404, "B searching A's job: 404");
  t.same(await namesFor(hmA, job.id, 'jose'), ['José Álvarez'], 'an assigned hiring manager can search');
  t.equal((await list(otherHmA, job.id, 'q=jose')).statusCode, 404, 'an unassigned hiring manager: 404');
  t.equal((await list(auditorA, job.id, 'q=jose')).statusCode, 403);
  t.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}/applications?q=jose` })).statusCode, 401);

  const tokens = async (candidateId: string) =>
    new Set((await owner.query<{ token: Buffer }>('SELECT token FROM candidate_search_tokens WHERE candidate_id = $1', [candidateId])).rows.map((r) => r.token.toString('hex')));
  const a = await tokens(ids.jose?.candidateId as string);
  const b = await tokens(joseB.candidateId);
  t.ok(a.size > 0 && b.size > 0);
  t.equal([...a].filter((x) => b.has(x)).length, 0, 'the same name gives unrelated tokens in two orgs (keyed per org)');
  const rls = await ctx.db.withTenant(recruiterB.orgId, (q) => q.query('SELECT count(*)::int AS n FROM candidate_search_tokens WHERE candidate_id = $1', [ids.jose?.candidateId]));
  t.equal((rls.rows[0] as { n: number }).n, 0, "row-level security hides A's tokens from B's connection");
});

t.test('the token table holds no plaintext and no unkeyed hashes; the audit log no search text', async (t) => {
  const { rows } = await owner.query<{ org_id: string; candidate_id: string; token: Buffer }>('SELECT * FROM candidate_search_tokens');
  t.ok(rows.length > 20);
  t.ok(rows.every((r) => r.token.length === 32), 'every token is a 32-byte MAC, whatever the length of the word');
  // Plaintext search: only needles of 4+ characters, since random MAC bytes contain any
  // given 2-character pair (case-folded) by chance in roughly one run in eight.
  const bytes = Buffer.concat(rows.map((r) => r.token)).toString('latin1').toLowerCase();
  for (const needle of ['jose', 'josé', 'alvarez', 'joanna', 'smith']) t.notOk(bytes.includes(needle), `no "${needle}" in the tokens`);
  const hex = new Set(rows.map((r) => r.token.toString('hex')));
  for (const guess of ['jose', 'p:jose', 'w:jose', 'jo', 'p:jo']) {
    t.notOk(hex.has(createHash('sha256').update(guess).digest('hex')), `not sha256("${guess}")`);
    t.notOk(hex.has(createHmac('sha256', '').update(guess).digest('hex')), `not an unkeyed HMAC of "${guess}"`);
  }
  t.same(Object.keys(rows[0] ?? {}).sort(), ['candidate_id', 'org_id', 'token'], 'nothing but ids and tokens');
  const audited = await owner.query<{ metadata: Record<string, unknown> }>("SELECT metadata FROM audit_events WHERE org_id = $1 AND action = 'candidates.listed' AND metadata ? 'search'", [recruiterA.orgId]);
  t.ok(audited.rowCount && audited.rowCount > 0);
  t.match(audited.rows[0]?.metadata, { search: /^(name|email)$/ });
  t.notMatch(JSON.stringify(audited.rows), /jose|joanna|wolfe|@example/i, 'the search text is never audited');
});

t.test('candidates created before the index existed are found after the reindex backfill; erased ones are skipped', async (t) => {
  const legacy = (await uploadCv(ctx, recruiterA, job.id, { name: 'Grete Müller', email: `grete.${stamp}@example.test` })).json<{ candidateId: string }>();
  const erased = (await uploadCv(ctx, recruiterA, job.id, { name: 'Gretchen Gone', email: `gone.${stamp}@example.test` })).json<{ candidateId: string }>();
  // As if both existed before migration 0019: no tokens, never indexed.
  await owner.query('DELETE FROM candidate_search_tokens WHERE candidate_id = ANY($1::uuid[])', [[legacy.candidateId, erased.candidateId]]);
  await owner.query('UPDATE candidates SET search_indexed_at = NULL WHERE id = ANY($1::uuid[])', [[legacy.candidateId, erased.candidateId]]);
  const keyring = createKeyring({ masterKey: ctx.config.masterKey.reveal() });
  await ctx.db.withTenantTx(recruiterA.orgId, (tx) => keyring.destroyCandidateKey(tx, recruiterA.orgId, erased.candidateId));
  t.same(await namesFor(recruiterA, job.id, 'grete'), [], 'not found before the backfill');
  const search = createCandidateSearch({ keyring });
  const result = await search.reindex(ctx.db, recruiterA.orgId, 1);
  t.same(result, { indexed: 1, skipped: 1 }, 'batches of one still reach every candidate');
  t.same(await namesFor(recruiterA, job.id, 'muller'), ['Grete Müller']);
  t.same(await namesFor(recruiterA, job.id, 'gretc'), [], 'the erased candidate got no tokens');
  t.same(await search.reindex(ctx.db, recruiterA.orgId), { indexed: 0, skipped: 0 }, 'a second run has nothing to do');
  const left = await owner.query('SELECT count(*)::int AS n FROM candidates WHERE search_indexed_at IS NULL');
  t.equal((left.rows[0] as { n: number }).n, 0);
  t.equal(elsewhere.candidateId.length, 36);
});
