// The console's evidence highlighting: marks are always exact ranges of the CV text.
import t from 'tap';
import { findQuote, highlight } from '../../server/web/src/highlight.js';

const cv = 'Ada Lovelace\nSenior Engineer\nExperience: 8 years of  TypeScript\nwith Postgres.\nContact: ada@example.test, London';

t.test('a verbatim quote is marked exactly, every occurrence', async (t) => {
  const pieces = highlight('ab TypeScript cd TypeScript', ['TypeScript']);
  t.same(pieces.filter((p) => p.mark).map((p) => p.text), ['TypeScript', 'TypeScript']);
  t.equal(pieces.map((p) => p.text).join(''), 'ab TypeScript cd TypeScript', 'the pieces rebuild the text');
});

t.test('whitespace, case and quote style are tolerated, and the mark is the CV substring', async (t) => {
  const [range] = findQuote(cv, 'experience: 8 years of TypeScript with Postgres.');
  t.ok(range);
  t.equal(cv.slice(...(range as [number, number])), 'Experience: 8 years of  TypeScript\nwith Postgres.');
});

t.test('blinded placeholders stand for the original text', async (t) => {
  const [range] = findQuote(cv, 'Contact: [EMAIL_1], [ADDRESS_1]');
  t.equal(cv.slice(...(range as [number, number])), 'Contact: ada@example.test,', 'literal parts anchor the match; a trailing placeholder is not guessed');
  t.same(findQuote(cv, '[NAME_1]'), [], 'a quote of only placeholders marks nothing');
});

t.test('quotes that are not in the CV, or too short, mark nothing; overlaps merge', async (t) => {
  t.same(findQuote(cv, 'Kubernetes'), []);
  t.same(findQuote(cv, 'Ad'), []);
  const pieces = highlight('one two three', ['one two', 'two three']);
  t.same(pieces, [{ text: 'one two', mark: true }, { text: ' three', mark: true }]);
});
