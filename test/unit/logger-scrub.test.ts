import t from 'tap';
import { scrubText } from '../../server/core/logger.js';

t.test('emails, phone numbers and token paths are scrubbed from free text', async (t) => {
  t.equal(scrubText('mail to ana.lopez@example.org failed'), 'mail to [email] failed');
  t.equal(scrubText('calling +44 20 7946 0958 now'), 'calling [phone] now');
  t.equal(scrubText('call (555) 123-4567 back'), 'call ([phone] back');
  t.equal(scrubText('dialled 015112345678'), 'dialled [phone]');
  t.equal(scrubText('GET /i/abcdefghijklmnopqrstuvwx done'), 'GET /i/[token] done');
});

t.test('IPv4 addresses and ISO dates are not mistaken for phone numbers', async (t) => {
  t.equal(scrubText('Server listening at http://127.0.0.1:3000'), 'Server listening at http://127.0.0.1:3000');
  t.equal(scrubText('sweep for decisions before 2026-05-27'), 'sweep for decisions before 2026-05-27');
  // A phone number next to them is still scrubbed.
  t.equal(scrubText('10.0.0.12 called +1 415 555 0100'), '10.0.0.12 called [phone]');
});
