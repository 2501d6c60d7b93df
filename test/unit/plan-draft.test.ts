// The plan rules (validatePlan), the drafting prompt round trip, the simulated drafter in
// every shipped language, and the scorer prompt carrying each question's rubric anchor.
import t from 'tap';
import { buildPlanPrompt, parsePlanOutput, readPlanPrompt, validatePlan } from '../../server/modules/interviews/plan-draft.js';
import { simulatePlanDraft } from '../../server/modules/interviews/plan-simulated.js';
import { buildScorePrompt, segmentAnswers } from '../../server/modules/interviews/score-prompt.js';

const criteria = [
  { name: 'TypeScript', description: 'Production TypeScript', mustHave: true },
  { name: 'Postgres', description: '', mustHave: false },
  { name: 'Incidents', description: 'On-call', mustHave: true },
];
const q = (text: string, criterion: string | null, anchor: string | null = 'A concrete example.') => ({ text, criterion, anchor });

t.test('validatePlan: one existing criterion each, anchors, must-haves covered, no protected question, at most 20', async (t) => {
  t.same(validatePlan([q('Tell me about TypeScript.', 'c1'), q('An incident you led?', 'c3')], criteria), []);
  t.match(validatePlan([q('Tell me about TypeScript.', 'c1'), q('An incident?', 'c4')], criteria), [{ question: 1, code: 'unknown_criterion' }]);
  t.match(validatePlan([q('Tell me about TypeScript.', 'c1'), q('An incident?', null)], criteria), [{ question: 1, code: 'unknown_criterion' }]);
  t.match(validatePlan([q('Tell me about TypeScript.', 'c1')], criteria), [{ question: null, code: 'must_have_uncovered', detail: /Incidents/ }]);
  t.match(validatePlan([q('Tell me about TypeScript.', 'c1', ''), q('An incident?', 'c3')], criteria), [{ question: 0, code: 'too_short' }]);
  t.match(validatePlan([q('Tell me about TypeScript.', 'c1'), q('Haben Sie Kinder?', 'c3')], criteria), [{ question: 1, code: 'protected_characteristic', detail: /family/ }]);
  t.match(validatePlan([q('Tell me about TypeScript.', 'c1'), q('An incident?', 'c3', 'Mentions their religion.')], criteria), [{ question: 1, code: 'protected_characteristic' }], 'anchors are checked too');
  t.match(validatePlan([q('Same?', 'c1'), q('same?', 'c3')], criteria), [{ question: 1, code: 'duplicate' }]);
  const many = Array.from({ length: 21 }, (_v, i) => q(`Question ${i} about TypeScript?`, i % 2 ? 'c1' : 'c3'));
  t.match(validatePlan(many, criteria), [{ code: 'too_many' }]);
  t.match(validatePlan([], criteria), [{ code: 'empty' }]);
});

t.test('the prompt lists the criteria by key; the simulation drafts a valid, protected-free plan in every language, the same each time', async (t) => {
  for (const lang of ['en', 'de', 'fr', 'es', 'nl']) {
    const prompt = buildPlanPrompt({ title: 'Platform Engineer', description: 'Build it.', criteria }, lang);
    const read = readPlanPrompt(prompt.system, prompt.user);
    t.equal(read.language, lang);
    t.same(read.criteria.map((c) => [c.key, c.mustHave, c.name]), [['c1', true, 'TypeScript'], ['c2', false, 'Postgres'], ['c3', true, 'Incidents']]);
    const out = simulatePlanDraft(prompt.system, prompt.user);
    t.same(simulatePlanDraft(prompt.system, prompt.user), out, `${lang}: deterministic`);
    const parsed = parsePlanOutput(JSON.stringify(out), criteria.length);
    t.ok(parsed.ok, `${lang}: matches the pinned schema`);
    t.same(validatePlan(out.questions, criteria), [], `${lang}: passes the plan rules`);
  }
  t.notOk(parsePlanOutput(JSON.stringify({ questions: [{ criterion: 'c4', text: 'x', anchor: 'y' }] }), 3).ok, 'a key outside the enum breaks the schema');
});

t.test('the scorer prompt gives each question its criterion and rubric anchor', async (t) => {
  const questions = ['Tell me about a TypeScript service you built.', 'Walk me through an incident.'];
  const turns = [
    { speaker: 'interviewer' as const, text: questions[0] as string },
    { speaker: 'candidate' as const, text: 'I built a billing service in TypeScript with strict types and contract tests for every endpoint.' },
    { speaker: 'interviewer' as const, text: questions[1] as string },
    { speaker: 'candidate' as const, text: 'I led the outage review, we rolled back within ten minutes and wrote follow-ups.' },
  ];
  const segments = segmentAnswers(questions, turns);
  const rubric = [
    { criterionName: 'TypeScript', anchor: 'Types at the boundaries and tests.' },
    { criterionName: 'Incidents', anchor: 'Timeline, mitigation and a postmortem.' },
  ];
  const { user, system } = buildScorePrompt({ title: 'Platform Engineer', segments, turns, rubric });
  t.match(user, /q1 \| TypeScript \| Types at the boundaries and tests\./);
  t.match(user, /q2 \| Incidents \| Timeline, mitigation and a postmortem\./);
  t.match(system, /rubric lists an anchor/);
  t.match(buildScorePrompt({ title: 'x', segments, turns }).user, /Rubric \(key \| job criterion \| what a full answer shows\):\n\(none\)/, 'older interviews without a rubric');
});
