// The protected-characteristics check on the fixture: every protected question (each
// category in en, de, fr, es and nl) is refused under its category, and the ordinary job
// questions pass. Both rates are printed, so a lexicon change shows its cost.
import t from 'tap';
import { PROTECTED_CATEGORIES, protectedCharacteristic } from '../../server/modules/interviews/plan-check.js';
import { FINE_QUESTIONS, PROTECTED_QUESTIONS } from '../fixtures/protected-questions.js';

const LANGS = ['en', 'de', 'fr', 'es', 'nl'] as const;

t.test('the fixture covers every category in every shipped language', async (t) => {
  for (const lang of LANGS) {
    for (const category of PROTECTED_CATEGORIES) {
      t.ok(PROTECTED_QUESTIONS.some((q) => q.lang === lang && q.category === category), `${lang}/${category} has a question`);
    }
    t.ok(FINE_QUESTIONS.filter((q) => q.lang === lang).length >= 10, `${lang} has at least 10 fine questions`);
  }
});

t.test('every protected question is refused, under its own category', async (t) => {
  let caught = 0;
  for (const q of PROTECTED_QUESTIONS) {
    const hit = protectedCharacteristic(q.text);
    t.equal(hit?.category, q.category, `${q.lang}: ${q.text}`);
    if (hit) caught += 1;
  }
  t.comment(`protected questions refused: ${caught}/${PROTECTED_QUESTIONS.length}`);
});

t.test('fine questions pass (false positives measured)', async (t) => {
  const flagged = FINE_QUESTIONS.filter((q) => protectedCharacteristic(q.text) !== null);
  t.comment(`false positives: ${flagged.length}/${FINE_QUESTIONS.length}`);
  t.same(flagged, [], 'no ordinary job question is refused');
});

t.test('the reason names the characteristic and the words', async (t) => {
  const hit = protectedCharacteristic('Sind Sie SCHWANGER?');
  t.equal(hit?.category, 'pregnancy');
  t.match(hit?.reason, /pregnancy/);
  t.match(hit?.reason, /schwanger/);
  t.equal(protectedCharacteristic('Tell me about a service you built.'), null);
});
