// TypeBox schemas of saved pipeline views and job summaries (issue 21).
import { Type, type Static } from 'typebox';
import { Uuid } from '../../core/schemas.js';

export const ViewFilters = Type.Object(
  {
    layout: Type.Optional(Type.Union([Type.Literal('list'), Type.Literal('board')])),
    sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('oldest'), Type.Literal('score')])),
    recommendation: Type.Optional(Type.Union([Type.Literal('advance'), Type.Literal('review'), Type.Literal('not_advance'), Type.Literal('none')])),
    flag: Type.Optional(Type.Array(Type.Union([Type.Literal('injection'), Type.Literal('insufficient_evidence'), Type.Literal('ai_free'), Type.Literal('knockout')]), { maxItems: 4, uniqueItems: true })),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50, pattern: '^[\\p{L}\\p{N} _.-]+$' })),
  },
  { additionalProperties: false },
);
export type ViewFilters = Static<typeof ViewFilters>;

export const ViewName = Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' });

export const SavedView = Type.Object({ id: Uuid, name: Type.String(), filters: ViewFilters, createdAt: Type.String(), updatedAt: Type.String() });

export const CreateViewBody = Type.Object({ name: ViewName, filters: ViewFilters }, { additionalProperties: false });

export const JobSummary = Type.Object({
  jobId: Uuid,
  title: Type.String(),
  status: Type.String(),
  total: Type.Integer(),
  stages: Type.Array(Type.Object({ stageId: Uuid, name: Type.String(), kind: Type.String(), count: Type.Integer() })),
  newSinceLastVisit: Type.Integer({ description: 'Applications created after your last visit to the job\'s pipeline (all of them if you never visited).' }),
  lastVisitAt: Type.Union([Type.String(), Type.Null()]),
});
