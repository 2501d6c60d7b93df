// Pure pieces of issue 18 items 4, 7 and 9: the notice text and its hash, privacy-contact
// validation, the legacy demographics mapping and the derived "followed the AI".
import t from 'tap';
import { categoryLabel, mapLegacyAnswers } from '../../server/modules/applications/demographics.js';
import { deriveFollowedAi } from '../../server/modules/applications/service.js';
import { checkContact } from '../../server/modules/notices/service.js';
import { applyNoticeParagraphs, mailNoticeFooter, noticeHash } from '../../server/modules/notices/text.js';

t.test('the notice states the facts it is given, and its hash changes with any of them', async (t) => {
  const base = { orgName: 'Acme', retentionDays: 45, contact: { email: 'dpo@acme.example', url: null } };
  const text = applyNoticeParagraphs(base).join('\n');
  t.match(text, /for 45 days after a final decision/);
  t.match(text, /email dpo@acme\.example/);
  t.notMatch(text, /180/);
  t.match(mailNoticeFooter({ ...base, retentionDays: 1 }), /for 1 day after/);
  const h = noticeHash(base).toString('hex');
  t.equal(noticeHash({ ...base }).toString('hex'), h, 'same facts, same hash');
  for (const changed of [{ ...base, retentionDays: 46 }, { ...base, orgName: 'Acme Ltd' }, { ...base, contact: { email: null, url: 'https://acme.example/p' } }, { ...base, contact: null }]) {
    t.not(noticeHash(changed).toString('hex'), h, JSON.stringify(changed));
  }
});

t.test('privacy contact validation', async (t) => {
  t.same(checkContact({ email: ' DPO@Acme.Example ' }), { email: 'dpo@acme.example', url: null });
  t.same(checkContact({ url: 'https://acme.example/privacy' }), { email: null, url: 'https://acme.example/privacy' });
  for (const bad of [{}, { email: '' }, { email: 'x@y' }, { email: 'a b@c.example' }, { url: 'http://acme.example' }, { url: 'javascript:alert(1)' }, { url: 'https://a@b.example' }, { url: 'https://acme.example/"><script>' }]) {
    t.throws(() => checkContact(bad), { name: 'ValidationError' }, JSON.stringify(bad));
  }
});

t.test('legacy free-text demographics map only where unambiguous', async (t) => {
  t.same(mapLegacyAnswers({ gender: 'Woman', ethnicity: 'Caucasian' }), { mapped: { gender: 'female', ethnicity: 'white' }, dropped: 0 });
  t.same(mapLegacyAnswers({ gender: 'f' }).mapped, { gender: 'female' });
  t.same(mapLegacyAnswers({ gender: 'M' }).mapped, { gender: 'male' });
  t.same(mapLegacyAnswers({ gender: 'Prefer not to say' }).mapped, { gender: 'decline' });
  t.same(mapLegacyAnswers({ gender: 'female', ethnicity: 'two_or_more' }).mapped, { gender: 'female', ethnicity: 'two_or_more' }, 'already fixed values stay');
  t.same(mapLegacyAnswers({ gender: 'w', ethnicity: 'European', age_range: '30-39', gender2: 'x' }), { mapped: {}, dropped: 4 }, 'ambiguous or unknown: not answered');
  t.equal(categoryLabel('gender', 'female'), 'Female');
  t.equal(categoryLabel('gender', 'decline'), null, 'declined is unknown in reports');
  t.equal(categoryLabel('gender', 'woman'), null, 'only fixed values have a category');
});

t.test('followed the AI is derived from the recommendation and the outcome', async (t) => {
  const table: [string | null, 'advance' | 'reject' | 'hire' | 'hold', boolean | null][] = [
    ['advance', 'advance', true],
    ['advance', 'hire', true],
    ['advance', 'reject', false],
    ['not_advance', 'reject', true],
    ['not_advance', 'advance', false],
    ['not_advance', 'hire', false],
    ['review', 'advance', null],
    ['review', 'reject', null],
    [null, 'reject', null],
    ['advance', 'hold', null],
  ];
  for (const [rec, outcome, expected] of table) t.equal(deriveFollowedAi(rec, outcome), expected, `${String(rec)} + ${outcome}`);
});
