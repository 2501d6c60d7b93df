import { Type } from 'typebox';
import { Uuid } from '../../core/schemas.js';

export const RecommendationSchema = Type.Union([Type.Literal('strong_no'), Type.Literal('no'), Type.Literal('yes'), Type.Literal('strong_yes')]);

export const ScorecardBody = Type.Object(
  {
    ratings: Type.Array(
      Type.Object(
        {
          criterion: Type.String({ pattern: '^c[0-9]{1,2}$', description: 'Criterion key: c1, c2, ... in the job\'s criteria order.' }),
          rating: Type.Integer({ minimum: 1, maximum: 5 }),
          evidence: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S', description: 'What the candidate said or did that supports the rating.' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 30 },
    ),
    recommendation: RecommendationSchema,
    submit: Type.Boolean({ default: false, description: 'true submits (final, reveals others\' scorecards); false saves a draft.' }),
  },
  { additionalProperties: false },
);

export const ScorecardView = Type.Object({
  id: Uuid,
  authorId: Uuid,
  mine: Type.Boolean(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('submitted')]),
  submittedAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
  recommendation: RecommendationSchema,
  criteriaVersion: Type.Integer(),
  ratings: Type.Array(Type.Object({ criterion: Type.String(), rating: Type.Integer(), evidence: Type.String() })),
});

const CriterionRef = Type.Object({ key: Type.String(), name: Type.String() });

export const ScorecardList = Type.Object({
  criteria: Type.Array(CriterionRef),
  criteriaVersion: Type.Integer(),
  locked: Type.Boolean(),
  mine: Type.Union([ScorecardView, Type.Null()]),
  othersHidden: Type.Boolean(),
  othersSubmitted: Type.Integer(),
  others: Type.Array(ScorecardView),
});

const Num = Type.Union([Type.Number(), Type.Null()]);

export const ScorecardSummary = Type.Object({
  jobId: Uuid,
  criteriaVersion: Type.Integer(),
  scale: Type.Object({ human: Type.String(), ai: Type.String() }),
  agreementMethod: Type.String(),
  scorecards: Type.Integer(),
  applications: Type.Integer(),
  criteria: Type.Array(
    Type.Object({
      key: Type.String(),
      name: Type.String(),
      ratings: Type.Integer(),
      humanMean: Num,
      raterPairs: Type.Integer(),
      agreementWithin1: Num,
      aiCompared: Type.Integer(),
      aiMeanDifference: Num,
      aiMeanAbsDifference: Num,
    }),
  ),
});
