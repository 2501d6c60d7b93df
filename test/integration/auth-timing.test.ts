import t from 'tap';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { buildTestApp, ORIGIN } from '../helper.js';
import { assertSameTiming } from '../support/timing.js';

// Unknown and known emails must cost the same: no account enumeration by timing.
const ctx = await buildTestApp(t, { appDeps: { authLimits: { accountFailuresBeforeLock: 10_000, ipFailuresBeforeBlock: 10_000 } } });
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
await orgs.createOrg({ name: 'Timing', adminEmail: 'known@timing.test', adminPassword: 'amber compass riverbed 9' });

async function timeLogin(email: string, i: number): Promise<{ ms: number; status: number; body: string }> {
  const started = process.hrtime.bigint();
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'not the password!' }, headers: { origin: ORIGIN }, remoteAddress: `10.1.${Math.floor(i / 200)}.${i % 200}` });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.statusCode, body: res.body };
}

t.test('known and unknown emails: same answer, medians within 20%', async (t) => {
  for (let i = 0; i < 4; i++) await timeLogin(i % 2 ? 'known@timing.test' : 'warmup@nowhere.test', 900 + i);
  const details = new Set<string>();
  await assertSameTiming(t, { a: 'known', b: 'unknown' }, async (side, i) => {
    const r = await timeLogin(side === 'a' ? 'known@timing.test' : `ghost${i}@nowhere.test`, 2 * i + (side === 'a' ? 0 : 1));
    t.equal(r.status, 401);
    details.add(JSON.parse(r.body).detail);
    return r.ms;
  });
  t.equal(details.size, 1, 'the same message either way');
});
