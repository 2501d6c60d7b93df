// The scorecard form's checks before sending: evidence with every rating, a rating with every
// note, all criteria to submit, at least one for a draft, a recommendation always.
import t from 'tap';
import { draftOf, scorecardProblems, type Draft } from '../../server/web/src/scorecard-rules.js';

const criteria = [
  { key: 'c1', name: 'TypeScript' },
  { key: 'c2', name: 'Postgres' },
];
const draft = (p: Partial<Draft>): Draft => ({ ratings: {}, evidence: {}, recommendation: 'yes', ...p });

t.test('a complete scorecard has no problems, for a draft or a submit', async (t) => {
  const d = draft({ ratings: { c1: 4, c2: 3 }, evidence: { c1: 'typed API', c2: 'indexes' } });
  t.same(scorecardProblems(criteria, d, true), {});
  t.same(scorecardProblems(criteria, d, false), {});
});

t.test('a rating without evidence (blank counts as missing) is a problem on that criterion', async (t) => {
  const d = draft({ ratings: { c1: 4, c2: 3 }, evidence: { c1: 'typed API', c2: '   ' } });
  t.same(scorecardProblems(criteria, d, true), { c2: 'Write the evidence for this rating.' });
  t.same(scorecardProblems(criteria, d, false), { c2: 'Write the evidence for this rating.' });
});

t.test('submitting needs every criterion; a draft may leave some out but not a note without a rating', async (t) => {
  const partial = draft({ ratings: { c1: 2 }, evidence: { c1: 'weak answer' } });
  t.same(scorecardProblems(criteria, partial, true), { c2: 'Choose a rating.' });
  t.same(scorecardProblems(criteria, partial, false), {});
  const noteOnly = draft({ ratings: { c1: 2 }, evidence: { c1: 'weak answer', c2: 'a note' } });
  t.same(scorecardProblems(criteria, noteOnly, false), { c2: 'Choose a rating for this note, or clear the note.' });
});

t.test('an empty draft and a missing recommendation are refused', async (t) => {
  t.same(scorecardProblems(criteria, draft({ recommendation: '' }), false), { form: 'Rate at least one criterion.', recommendation: 'Choose an overall recommendation.' });
});

t.test('the form starts from the saved scorecard', async (t) => {
  const d = draftOf({ recommendation: 'no', ratings: [{ criterion: 'c2', rating: 5, evidence: 'great' }] });
  t.same(d, { ratings: { c2: 5 }, evidence: { c2: 'great' }, recommendation: 'no' });
  t.same(draftOf(null), { ratings: {}, evidence: {}, recommendation: '' });
});
