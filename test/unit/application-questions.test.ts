// The pure rules of application questions (server/modules/jobs/questions.ts): set checks,
// answer parsing per type and knock-out matching.
import t from 'tap';
import { AppError } from '../../server/core/errors.js';
import { answerItems, checkQuestionSet, knockoutMatches, parseAnswers, questionSetHash, type QuestionSet } from '../../server/modules/jobs/questions.js';

const SET: QuestionSet = {
  questions: [
    { id: 'permit', label: 'Permit?', type: 'yes_no', required: true },
    { id: 'years', label: 'Years', type: 'number', required: false, min: 0, max: 40 },
    { id: 'shift', label: 'Shift', type: 'single_choice', required: false, options: ['Early', 'Late'] },
    { id: 'tools', label: 'Tools', type: 'multiple_choice', required: false, options: ['A', 'B', 'C'] },
    { id: 'start', label: 'Start', type: 'date', required: false },
  ],
  knockouts: [
    { questionId: 'permit', operator: 'equals', value: false },
    { questionId: 'years', operator: 'less_than', value: 2 },
    { questionId: 'tools', operator: 'any_of', value: ['C'] },
  ],
};

function problems(fn: () => unknown): { status: number; paths: string[] } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, paths: ((err.extra.errors as { path: string }[] | undefined) ?? []).map((e) => e.path) };
    throw err;
  }
  return { status: 0, paths: [] };
}

t.test('checkQuestionSet accepts a good set (trimmed) and names every problem of a bad one', async (t) => {
  const ok = checkQuestionSet({ questions: [{ id: 'q', label: '  Q  ', type: 'single_choice', required: false, options: [' a ', 'b'] }], knockouts: [{ questionId: 'q', operator: 'any_of', value: [' a '] }] });
  t.same(ok, { questions: [{ id: 'q', label: 'Q', type: 'single_choice', required: false, options: ['a', 'b'] }], knockouts: [{ questionId: 'q', operator: 'any_of', value: ['a'] }] });
  const bad = problems(() =>
    checkQuestionSet({
      questions: [
        { id: 'a', label: 'A', type: 'single_choice', required: false },
        { id: 'a', label: 'B', type: 'short_text', required: false, options: ['x', 'y'] },
        { id: 'n', label: 'N', type: 'number', required: false, min: 3, max: 1 },
        { id: 'c', label: 'C', type: 'multiple_choice', required: false, options: ['x', 'X'] },
      ],
      knockouts: [
        { questionId: 'zz', operator: 'equals', value: true },
        { questionId: 'n', operator: 'equals', value: true },
        { questionId: 'c', operator: 'any_of', value: ['y'] },
        { questionId: 'c', operator: 'any_of', value: ['x'] },
      ],
    }),
  );
  t.equal(bad.status, 422);
  t.same(bad.paths, [
    'body/questions/0/options',
    'body/questions/1/id',
    'body/questions/1/options',
    'body/questions/2/min',
    'body/questions/3/options',
    'body/knockouts/0/questionId',
    'body/knockouts/1/operator',
    'body/knockouts/2/value',
    'body/knockouts/3/questionId',
  ]);
});

t.test('the hash changes with the set and only with it', async (t) => {
  t.ok(questionSetHash(SET).equals(questionSetHash(structuredClone(SET))));
  t.notOk(questionSetHash(SET).equals(questionSetHash({ ...SET, knockouts: [] })));
});

t.test('parseAnswers types each answer and refuses bad ones with their field', async (t) => {
  t.same(parseAnswers(SET, { permit: ['no'], years: ['1.5'], shift: ['Late'], tools: ['A', 'C', 'A'], start: ['2027-02-28'] }), {
    permit: false,
    years: 1.5,
    shift: 'Late',
    tools: ['A', 'C'],
    start: '2027-02-28',
  });
  t.same(parseAnswers(SET, { permit: ['yes'], years: [''] }), { permit: true }, 'an empty optional answer is no answer');
  const cases: [Record<string, string[]>, string][] = [
    [{}, 'body/answers.permit'],
    [{ permit: ['y'] }, 'body/answers.permit'],
    [{ permit: ['yes'], years: ['41'] }, 'body/answers.years'],
    [{ permit: ['yes'], years: ['1e3'] }, 'body/answers.years'],
    [{ permit: ['yes'], years: ['0x10'] }, 'body/answers.years'],
    [{ permit: ['yes'], shift: ['Noon'] }, 'body/answers.shift'],
    [{ permit: ['yes'], shift: ['Early', 'Late'] }, 'body/answers.shift'],
    [{ permit: ['yes'], tools: ['D'] }, 'body/answers.tools'],
    [{ permit: ['yes'], start: ['2027-13-01'] }, 'body/answers.start'],
    [{ permit: ['yes'], other: ['x'] }, 'body/answers.other'],
  ];
  for (const [raw, path] of cases) t.same(problems(() => parseAnswers(SET, raw)), { status: 400, paths: [path] }, JSON.stringify(raw));
});

t.test('knock-out rules match by type; unanswered questions never match', async (t) => {
  t.same(knockoutMatches(SET, { permit: true, years: 5, tools: ['A'] }), []);
  t.same(knockoutMatches(SET, { permit: false }), ['permit']);
  t.same(knockoutMatches(SET, { permit: true, years: 1, tools: ['B', 'C'] }), ['years', 'tools']);
  t.same(knockoutMatches(SET, { permit: true, years: 2 }), [], 'less_than is strict');
  const items = answerItems(SET, { permit: false, tools: ['A', 'C'] }, ['permit', 'tools']);
  t.same(items.map((i) => [i.id, i.text, i.knockout]), [
    ['permit', 'No', true],
    ['years', null, false],
    ['shift', null, false],
    ['tools', 'A, C', true],
    ['start', null, false],
  ]);
});
