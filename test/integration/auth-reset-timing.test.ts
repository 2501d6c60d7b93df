import t from 'tap';
import { createOrgService } from '../../server/modules/orgs/service.js';
import { buildTestApp, ORIGIN } from '../helper.js';
import { assertSameTiming } from '../support/timing.js';
import { until } from '../support/until.js';

// Issue 14 L1: the password-reset request answered in 39 ms for an address with an account
// and 9 ms without one, an account-existence oracle. The lookup, token and mail now run
// after the answer; measured like the login timing test (auth-timing.test.ts), same threshold.
const ctx = await buildTestApp(t, { appDeps: { authLimits: { accountFailuresBeforeLock: 10_000, ipFailuresBeforeBlock: 10_000 } } });
const orgs = createOrgService({ db: ctx.db, audit: ctx.audit, publicUrl: ctx.config.publicUrl, clock: () => new Date() });
await orgs.createOrg({ name: 'Reset Timing', adminEmail: 'known@reset-timing.test', adminPassword: 'amber compass riverbed 9' });

async function timeReset(email: string, i: number): Promise<{ ms: number; status: number; body: string }> {
  const started = process.hrtime.bigint();
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email }, headers: { origin: ORIGIN }, remoteAddress: `10.2.${Math.floor(i / 200)}.${i % 200}` });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // Let the work started after the answer (lookup, token, mail) finish outside the next
  // measurement, so it does not land as noise on whichever request comes next.
  await new Promise((r) => setTimeout(r, 20));
  return { ms, status: res.statusCode, body: res.body };
}

t.test('known and unknown emails: same answer, medians within 20%', async (t) => {
  for (let i = 0; i < 4; i++) await timeReset(i % 2 ? 'known@reset-timing.test' : 'warmup@nowhere.test', 900 + i);
  const bodies = new Set<string>();
  await assertSameTiming(t, { a: 'known', b: 'unknown' }, async (side, i) => {
    const r = await timeReset(side === 'a' ? 'known@reset-timing.test' : `ghost${i}@nowhere.test`, 2 * i + (side === 'a' ? 0 : 1));
    t.equal(r.status, 202);
    bodies.add(r.body);
    return r.ms;
  });
  t.equal(bodies.size, 1, 'the same answer either way');
  // The mails still go out, after the answers, and only to the account.
  const sent = await until('reset mails', async () => {
    const mails = ctx.mailer.outbox.filter((m) => m.subject === 'Reset your hirebox password');
    return mails.length >= 62 ? mails : null;
  });
  t.ok(sent.every((m) => m.to === 'known@reset-timing.test'), 'every reset mail went to the known address, none to unknown ones');
});
