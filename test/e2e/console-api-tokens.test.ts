// The console's API tokens page in a real browser against the real app (issue 20): a
// recruiter is offered only their role's scopes, creates a token, sees the secret once,
// the token works with curl-style bearer requests, and revoking it from the page stops it.
import t from 'tap';
import { connectOwner, createOrgWithMember } from '../helper.js';
import { launch, layoutProblems, listeningTestApp, requireBrowserAndBuild, signedInPage, type Watch } from './browser.js';

requireBrowserAndBuild();

const { ctx, origin, sameOrigin } = await listeningTestApp(t);
const owner = await connectOwner(t, ctx);
const admin = sameOrigin(await createOrgWithMember(ctx, 'admin'));
const recruiter = sameOrigin(await createOrgWithMember(ctx, 'recruiter', admin.orgId));

const browser = await launch();
const watch: Watch = { csp: [], errors: [] };
t.teardown(() => browser.close());

t.test('a recruiter creates, uses and revokes a token from the console', async (t) => {
  const { page } = await signedInPage(browser, watch, origin, recruiter.cookie);
  await page.goto(`${origin}/app/api-tokens`);
  await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  const offered = await page.locator('input[name="scope"]').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  t.ok(offered.includes('jobs:write'), 'the role\'s permissions are offered');
  t.notOk(offered.includes('members:manage'), 'permissions beyond the role are not');
  await page.getByLabel('Name').fill('Nightly sync');
  await page.getByLabel('jobs:read').check();
  t.same(await layoutProblems(page), [], 'no unlabelled control, no duplicate id, nothing wider than the screen');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').locator('code').textContent()) ?? '';
  t.match(secret, /^hbx_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  await page.getByRole('cell', { name: 'Nightly sync' }).waitFor();

  const used = await fetch(`${origin}/api/v1/jobs`, { headers: { authorization: `Bearer ${secret}` } });
  t.equal(used.status, 200, 'the token works');
  await page.getByRole('button', { name: 'Done' }).click();
  t.equal(await page.getByTestId('new-token').count(), 0, 'the secret is gone from the page');

  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByText(/^revoked /).waitFor();
  const after = await fetch(`${origin}/api/v1/jobs`, { headers: { authorization: `Bearer ${secret}` } });
  t.equal(after.status, 401, 'revoked from the page, refused at once');
  const rows = await owner.query<{ revoked: boolean }>('SELECT revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE org_id = $1', [recruiter.orgId]);
  t.same(rows.rows, [{ revoked: true }]);
});

t.test('no CSP violation and no script error on this screen', async (t) => {
  t.same(watch.csp, []);
  t.same(watch.errors, []);
});
