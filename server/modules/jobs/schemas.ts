// TypeBox schemas for the jobs API.
import { Type } from 'typebox';
import { DisplayText, Uuid } from '../../core/schemas.js';
import { LOCALES } from '../../core/i18n/locales.js';
import { Literals } from '../../core/schemas.js';

export const StageKindSchema = Literals(['new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn']);
export const JobStatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('open'), Type.Literal('closed')]);
export const EmploymentTypeSchema = Literals(['full_time', 'part_time', 'contract', 'temporary', 'internship']);

export const CriterionSchema = Type.Object(
  {
    name: DisplayText(120),
    description: Type.String({ maxLength: 2000, default: '' }),
    weight: Type.Number({ minimum: 0, maximum: 100, default: 1 }),
    mustHave: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

// Titles and names are shown to other members and on the public job page: no bidi controls.
const Title = DisplayText(200);
const Question = Type.String({ minLength: 1, maxLength: 1000 });
const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$' });

// issue 20 item 4: what the careers site and its JobPosting need. Codes are checked against
// ISO 3166-1 / ISO 4217 in the service; the shapes here keep anything else out.
export const WorkplaceSchema = Type.Union([Type.Literal('onsite'), Type.Literal('hybrid'), Type.Literal('remote')]);
const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, e.g. "DE"' });
export const SalarySchema = Type.Object(
  {
    min: Type.Number({ minimum: 0, maximum: 100_000_000 }),
    max: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000_000 })),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. "EUR"' }),
    unit: Literals(['HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR']),
  },
  { additionalProperties: false },
);
// issue 22: the language the job is advertised in; its public pages, mails and interview use it.
export const JobLanguageSchema = Literals(
  LOCALES,
  { description: 'The language the job is advertised in (en, de, fr, es, nl): its candidate pages, mails and interview use it; candidates can switch.' },
);
const CareersFields = {
  language: Type.Optional(JobLanguageSchema),
  workplace: Type.Optional(WorkplaceSchema),
  streetAddress: Type.Optional(Type.String({ maxLength: 200 })),
  postalCode: Type.Optional(Type.String({ maxLength: 20 })),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  country: Type.Optional(Type.Union([CountryCode, Type.Null()])),
  remoteCountries: Type.Optional(Type.Array(CountryCode, { maxItems: 50, description: 'Where applicants to a remote job may live (JobPosting applicantLocationRequirements).' })),
  salary: Type.Optional(Type.Union([SalarySchema, Type.Null()])),
  validThrough: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'The posting leaves the careers site, feeds and sitemap after this instant.' })),
};

export const CreateJobBody = Type.Object(
  {
    title: Title,
    description: Type.Optional(Type.String({ maxLength: 20000 })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    employmentType: EmploymentTypeSchema,
    status: Type.Optional(JobStatusSchema),
    slug: Type.Optional(Slug),
    criteria: Type.Optional(Type.Array(CriterionSchema, { maxItems: 30 })),
    interviewQuestions: Type.Optional(Type.Array(Question, { maxItems: 30 })),
    hiringManagerIds: Type.Optional(Type.Array(Uuid, { maxItems: 20 })),
    ...CareersFields,
  },
  { additionalProperties: false },
);

export const UpdateJobBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Type.String({ maxLength: 20000 })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    employmentType: Type.Optional(EmploymentTypeSchema),
    status: Type.Optional(JobStatusSchema),
    criteria: Type.Optional(Type.Array(CriterionSchema, { maxItems: 30 })),
    interviewQuestions: Type.Optional(Type.Array(Question, { maxItems: 30 })),
    hiringManagerIds: Type.Optional(Type.Array(Uuid, { maxItems: 20 })),
    ...CareersFields,
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Job = Type.Object({
  id: Uuid,
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  location: Type.String(),
  employmentType: Type.String(),
  status: Type.String(),
  criteria: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), weight: Type.Number(), mustHave: Type.Boolean() })),
  criteriaVersion: Type.Integer(),
  interviewQuestions: Type.Array(Type.String()),
  hiringManagerIds: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  workplace: Type.String(),
  streetAddress: Type.String(),
  postalCode: Type.String(),
  region: Type.String(),
  country: Type.Union([Type.String(), Type.Null()]),
  remoteCountries: Type.Array(Type.String()),
  salary: Type.Union([Type.Object({ min: Type.Number(), max: Type.Union([Type.Number(), Type.Null()]), currency: Type.String(), unit: Type.String() }), Type.Null()]),
  validThrough: Type.Union([Type.String(), Type.Null()]),
  language: Type.String(),
});

export const ListJobsQuery = Type.Object(
  {
    status: Type.Optional(JobStatusSchema),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    hiringManagerId: Type.Optional(Uuid),
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
  },
  { additionalProperties: false },
);

export const Stage = Type.Object({ id: Uuid, name: Type.String(), kind: Type.String(), position: Type.Integer() });

export const PipelineBody = Type.Object(
  {
    stages: Type.Array(
      Type.Object({ id: Type.Optional(Uuid), name: DisplayText(80), kind: StageKindSchema }, { additionalProperties: false }),
      { minItems: 3, maxItems: 20 },
    ),
    remap: Type.Optional(
      Type.Array(Type.Object({ from: Uuid, toIndex: Type.Integer({ minimum: 0, maximum: 19 }) }, { additionalProperties: false }), {
        maxItems: 20,
        description: 'Where the applications of a removed stage go: toIndex is a position in stages.',
      }),
    ),
  },
  { additionalProperties: false },
);


// issue 21 item 5: custom application questions. Shapes only; questions.ts checks the rest.
const QuestionId = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Stable id: lower-case letters, digits, _ (the form field is answers.<id>).' });
export const QuestionDefSchema = Type.Object(
  {
    id: QuestionId,
    label: DisplayText(300),
    type: Literals(['short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'number', 'date']),
    required: Type.Boolean({ default: false }),
    help: Type.Optional(Type.String({ maxLength: 500 })),
    options: Type.Optional(Type.Array(DisplayText(100), { maxItems: 20, description: 'single_choice and multiple_choice: 2-20 options.' })),
    min: Type.Optional(Type.Number({ minimum: -1e12, maximum: 1e12 })),
    max: Type.Optional(Type.Number({ minimum: -1e12, maximum: 1e12 })),
  },
  { additionalProperties: false },
);
export const KnockoutRuleSchema = Type.Object(
  {
    questionId: QuestionId,
    operator: Type.Union([Type.Literal('equals'), Type.Literal('any_of'), Type.Literal('less_than'), Type.Literal('greater_than')], {
      description: 'equals (yes_no, value true/false), any_of (choice, value: options), less_than / greater_than (number, value: a number).',
    }),
    // Typed per operator in questions.ts: a union here would let type coercion turn 1 into true.
    value: Type.Unknown({ description: 'true/false for equals, a list of options for any_of, a number for less_than / greater_than.' }),
  },
  { additionalProperties: false },
);
export const QuestionSetBody = Type.Object(
  {
    questions: Type.Array(QuestionDefSchema, { maxItems: 20 }),
    knockouts: Type.Array(KnockoutRuleSchema, { maxItems: 20, default: [] }),
  },
  { additionalProperties: false },
);
export const QuestionSetView = Type.Object({
  jobId: Uuid,
  version: Type.Integer({ description: '0 while the job never had questions. Applications record the version they answered.' }),
  questions: Type.Array(QuestionDefSchema),
  knockouts: Type.Array(KnockoutRuleSchema),
  createdAt: Type.Union([Type.String(), Type.Null()]),
});
