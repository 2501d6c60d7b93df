// issue 20 "Done when": docs/integration-example.sh (curl + jq + an API token) runs end to
// end against a listening app: idempotent job creation, applications, screenings.
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildTestApp, connectOwner, createOrgWithMember } from '../helper.js';
import { createJob } from '../fixtures/hiring.js';
import { makePdf, multipartBody, SAMPLE_CV_LINES } from '../fixtures/make.js';
import { PRIVACY_NOTICE_VERSION } from '../../server/modules/public/notice.js';
import { packageRoot } from '../../server/core/paths.js';

const script = join(packageRoot(), 'docs', 'integration-example.sh');
const ctx = await buildTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = await createOrgWithMember(ctx, 'admin');
const orgSlug = (await owner.query<{ slug: string }>('SELECT slug FROM orgs WHERE id = $1', [admin.orgId])).rows[0]?.slug as string;
const existing = await createJob(ctx, admin, { title: 'Existing job' });
const { body, contentType } = multipartBody(
  { name: 'Curl Candidate', email: 'curl.candidate@example.test', consent: 'true', noticeVersion: PRIVACY_NOTICE_VERSION },
  { filename: 'cv.pdf', contentType: 'application/pdf', data: makePdf(SAMPLE_CV_LINES) },
);
const applied = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/jobs/${orgSlug}/${existing.slug}/apply`, headers: { 'content-type': contentType, accept: 'application/json' }, payload: body });
if (applied.statusCode !== 202) throw new Error(`apply: ${applied.statusCode} ${applied.body}`);
const applicationId = (await owner.query<{ id: string }>('SELECT id FROM applications WHERE job_id = $1', [existing.id])).rows[0]?.id as string;
const baseUrl = await ctx.app.listen({ host: '127.0.0.1', port: 0 });

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function token(scopes: string[]): Promise<string> {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: admin.headers, payload: { name: 'docs example', scopes, expiresInDays: 1 } });
  return res.json<{ token: string }>().token;
}

const jobsTitled = async (title: string) => (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE org_id = $1 AND title = $2', [admin.orgId, title])).rows[0]?.n;

t.test('the documented integration runs end to end with a token', async (t) => {
  const tok = await token(['jobs:read', 'jobs:write', 'applications:read']);
  const res = await run({ HIREBOX_URL: baseUrl, HIREBOX_TOKEN: tok, JOB_ID: existing.id });
  t.equal(res.code, 0, res.stderr);
  const jobId = /created job ([0-9a-f-]{36})/.exec(res.stdout)?.[1];
  t.ok(jobId, res.stdout);
  t.match(res.stdout, `retry with the same Idempotency-Key returned job ${jobId ?? ''} again`);
  t.match(res.stdout, 'same key, different body: HTTP 422');
  t.match(res.stdout, `job ${existing.id} has 1 application(s)`);
  const screening = res.stdout.split('\n').find((l) => l.startsWith('{'));
  t.same(JSON.parse(screening ?? '{}'), { applicationId, advisory: true, status: null, recommendation: null }, 'the screening (not run yet: no worker here)');
  t.equal(await jobsTitled('Integration Engineer'), 1, 'one job despite the retry');
  t.equal(await jobsTitled('Another title'), 0, 'the conflicting body created nothing');
  t.notOk(res.stdout.includes(tok) || res.stderr.includes(tok), 'the token is not printed');
});

t.test('a token without jobs:write: the script stops at the 403 problem and nothing is created', async (t) => {
  const before = await jobsTitled('Integration Engineer');
  const res = await run({ HIREBOX_URL: baseUrl, HIREBOX_TOKEN: await token(['jobs:read']) });
  t.not(res.code, 0);
  t.match(res.stderr, /error: 403/);
  t.equal(await jobsTitled('Integration Engineer'), before);
});

t.test('a revoked token: 401', async (t) => {
  const res0 = await ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: admin.headers, payload: { name: 'revoked', scopes: ['jobs:read', 'jobs:write'], expiresInDays: 1 } });
  const { id, token: tok } = res0.json<{ id: string; token: string }>();
  await ctx.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${id}`, headers: admin.headers });
  const res = await run({ HIREBOX_URL: baseUrl, HIREBOX_TOKEN: tok });
  t.not(res.code, 0);
  t.match(res.stderr, /error: 401/);
});
