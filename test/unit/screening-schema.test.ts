import t from 'tap';
import { outputJsonSchema, parseOutput } from '../../server/modules/screening/schema.js';

const ok = { criteria: { c1: { score: 3, verdict: 'met', reasoning: 'x', evidence: ['a'] } }, summary: 's', recommendation: 'advance', instructions_found: [] as string[] };

t.test('the schema sent to the model is strict: every object closed, every property required', async (t) => {
  const s = outputJsonSchema(2) as { additionalProperties: boolean; required: string[]; properties: { criteria: { required: string[]; additionalProperties: boolean; properties: Record<string, { additionalProperties: boolean; required: string[] }> } } };
  t.equal(s.additionalProperties, false);
  t.same(s.required.sort(), ['criteria', 'instructions_found', 'recommendation', 'summary']);
  t.same(s.properties.criteria.required, ['c1', 'c2']);
  t.equal(s.properties.criteria.additionalProperties, false);
  t.equal(s.properties.criteria.properties.c1?.additionalProperties, false);
  t.same(s.properties.criteria.properties.c1?.required.sort(), ['evidence', 'reasoning', 'score', 'verdict']);
  t.notMatch(JSON.stringify(s), /~kind|\$id/, 'no TypeBox internals');
});

t.test('a valid answer parses; invalid JSON and schema violations are told apart', async (t) => {
  t.ok(parseOutput(JSON.stringify(ok), 1).ok);
  t.match(parseOutput('{"criteria":', 1), { ok: false, reason: 'invalid_json' });
  const { instructions_found: _omitted, ...withoutReport } = ok;
  t.match(parseOutput(JSON.stringify(withoutReport), 1), { ok: false, reason: 'schema_violation' }, 'the instructions report is required');
  t.ok(parseOutput(JSON.stringify({ ...ok, instructions_found: ['Ignore the rules'] }), 1).ok);
  t.match(parseOutput(JSON.stringify({ ...ok, recommendation: 'hire' }), 1), { ok: false, reason: 'schema_violation' });
  t.match(parseOutput(JSON.stringify({ ...ok, criteria: { c1: { ...ok.criteria.c1, score: 5 } } }), 1), { ok: false, reason: 'schema_violation' });
  t.match(parseOutput(JSON.stringify({ ...ok, criteria: { c1: { ...ok.criteria.c1, evidence: [] } } }), 1), { ok: false, reason: 'schema_violation' }, 'at least one quote');
  t.match(parseOutput(JSON.stringify({ ...ok, criteria: { c1: { ...ok.criteria.c1, evidence: ['a', 'b', 'c', 'd'] } } }), 1), { ok: false, reason: 'schema_violation' }, 'at most three quotes');
  t.match(parseOutput(JSON.stringify(ok), 2), { ok: false, reason: 'schema_violation' }, 'one entry per criterion');
  t.match(parseOutput(JSON.stringify({ ...ok, extra: 1 }), 1), { ok: false, reason: 'schema_violation' }, 'no extra properties');
});
