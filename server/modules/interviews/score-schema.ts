// The pinned output schema of an interview scoring (TypeBox), built like the CV
// screening's: the same object is sent as the strict json_schema of structured outputs and
// re-checked before anything is stored. One entry per interview question (q1..qN).
import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

export const SCORE_OUTPUT_SCHEMA_VERSION = 'interview-score-output/1';
export const SCORE_SCHEMA_NAME = 'interview_scoring';

export const SCORE_VERDICTS = ['met', 'partly', 'not_met', 'insufficient_evidence'] as const;
export type ScoreVerdict = (typeof SCORE_VERDICTS)[number];

export const QuestionResult = Type.Object(
  {
    score: Type.Integer({ minimum: 0, maximum: 4, description: '0 = no evidence, 4 = clearly and fully demonstrated; 0 when insufficient_evidence' }),
    verdict: Type.String({ enum: [...SCORE_VERDICTS] }),
    reasoning: Type.String({ maxLength: 1200, description: "Why this score, referring only to the candidate's quoted words." }),
    evidence: Type.Array(Type.String({ maxLength: 400 }), {
      minItems: 0,
      maxItems: 3,
      description: "1-3 quotes copied character for character from the CANDIDATE's turns; none only for insufficient_evidence.",
    }),
  },
  { additionalProperties: false },
);
export type QuestionResultValue = Static<typeof QuestionResult>;

export function questionKey(index: number): string {
  return `q${index + 1}`;
}

export function scoreOutputSchema(questionCount: number) {
  const entries: Record<string, TSchema> = {};
  for (let i = 0; i < questionCount; i += 1) entries[questionKey(i)] = QuestionResult;
  return Type.Object(
    {
      questions: Type.Object(entries, { additionalProperties: false }),
      summary: Type.String({ maxLength: 2000 }),
    },
    { additionalProperties: false },
  );
}

export interface ScoreOutput {
  questions: Record<string, QuestionResultValue>;
  summary: string;
}

export function scoreOutputJsonSchema(questionCount: number): Record<string, unknown> {
  return JSON.parse(JSON.stringify(scoreOutputSchema(questionCount))) as Record<string, unknown>;
}

const validators = new Map<number, ReturnType<typeof Compile>>();

export type ScoreParseOutcome = { ok: true; value: ScoreOutput } | { ok: false; reason: 'invalid_json' | 'schema_violation'; detail: string };

export function parseScoreOutput(content: string, questionCount: number): ScoreParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return { ok: false, reason: 'invalid_json', detail: 'the answer is not JSON' };
  }
  let check = validators.get(questionCount);
  if (!check) {
    check = Compile(scoreOutputSchema(questionCount));
    validators.set(questionCount, check);
  }
  if (!check.Check(value)) {
    const first = [...check.Errors(value)][0] as { instancePath?: string; message?: string } | undefined;
    return { ok: false, reason: 'schema_violation', detail: `${first?.instancePath ?? ''} ${first?.message ?? 'does not match'}`.trim().slice(0, 300) };
  }
  return { ok: true, value: value as ScoreOutput };
}
