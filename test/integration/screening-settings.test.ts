import t from 'tap';
import { buildTestApp, createOrgWithMember } from '../helper.js';

const ctx = await buildTestApp(t);
const admin = await createOrgWithMember(ctx, 'admin');
const recruiter = await createOrgWithMember(ctx, 'recruiter', admin.orgId);

const patch = (payload: unknown, headers = admin.headers) => ctx.app.inject({ method: 'PATCH', url: '/api/v1/ai/settings', headers, payload: payload as object });
const budget = async (): Promise<unknown> => (await ctx.app.inject({ method: 'GET', url: '/api/v1/ai/settings', headers: admin.headers })).json<{ monthlyTokenBudget: unknown }>().monthlyTokenBudget;

t.test('a monthly token budget of 0 stays 0, and null means no budget', async (t) => {
  t.equal((await patch({ monthlyTokenBudget: 0 })).statusCode, 200);
  t.equal(await budget(), 0, '0 is a budget that stops all AI work');
  t.equal((await patch({ monthlyTokenBudget: null })).statusCode, 200);
  t.equal(await budget(), null);
  t.equal((await patch({ monthlyTokenBudget: 5000 })).statusCode, 200);
  t.equal(await budget(), 5000);
  t.equal((await patch({ monthlyTokenBudget: -1 })).statusCode, 400);
  t.equal((await patch({ monthlyTokenBudget: 'lots' })).statusCode, 400);
  t.equal(await budget(), 5000, 'a refused change leaves the stored value');
  t.equal((await patch({ monthlyTokenBudget: 1 }, recruiter.headers)).statusCode, 403);
});
