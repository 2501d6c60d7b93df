// Reads and validates the multipart application form (CV + candidate fields) used by the
// public apply endpoint and recruiter uploads. The multipart stream is parsed after
// authentication (in the handler), so the body schema is checked here with a compiled
// TypeBox validator rather than by Fastify before the access check.
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { AppError, BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { isUnstorable, unstorableTextError } from '../../core/input-text.js';
import { DISPLAY_TEXT_MESSAGE, DISPLAY_TEXT_PATTERN, Email, Name } from '../../core/schemas.js';
import { MAX_CV_BYTES } from '../documents/index.js';
import { DEMOGRAPHIC_CATEGORIES, DEMOGRAPHIC_KEYS } from './demographics.js';

export const MULTIPART_LIMITS = {
  fileSize: MAX_CV_BYTES,
  files: 1,
  // Up to 20 application questions (multiple choice repeats its field) besides the candidate's fields.
  fields: 90,
  fieldSize: 8 * 1024,
  fieldNameSize: 100,
  parts: 92,
  headerPairs: 100,
};

export { DEMOGRAPHIC_KEYS } from './demographics.js';

const Link = Type.String({ maxLength: 500, pattern: '^https?://[^\\s<>"]+$' });
export const CandidateForm = Type.Object(
  {
    name: Name,
    email: Email,
    phone: Type.Optional(Type.String({ minLength: 5, maxLength: 40, pattern: '^\\+?[0-9 ().-]{5,40}$' })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    links: Type.Optional(Type.Array(Link, { maxItems: 5 })),
  },
  { additionalProperties: false },
);
export type CandidateFormValue = Static<typeof CandidateForm>;
const checkCandidate = Compile(CandidateForm);

// Only the fixed categories are accepted (400 otherwise): free text made "female" and
// "woman" two categories in the bias report.
const checkDemographics = Compile(
  Type.Object(
    Object.fromEntries(DEMOGRAPHIC_KEYS.map((k) => [k, Type.Optional(Type.Union(Object.keys(DEMOGRAPHIC_CATEGORIES[k].options).map((v) => Type.Literal(v))))])),
    { additionalProperties: false },
  ),
);

export interface ApplicationForm {
  candidate: CandidateFormValue;
  file: { filename: string; bytes: Buffer };
  /** Other fields (consent, noticeVersion), raw. */
  extra: Record<string, string>;
  demographics: Record<string, string>;
  /** Raw answers to the job's application questions (answers.<id>; repeated for multiple choice). */
  answers: Record<string, string[]>;
}

const CANDIDATE_FIELDS = new Set(['name', 'email', 'phone', 'location', 'links']);

export async function readApplicationForm(request: FastifyRequest, extraFields: readonly string[]): Promise<ApplicationForm> {
  if (!request.isMultipart()) throw new UnsupportedMediaTypeError({ detail: 'Send the application as multipart/form-data with the CV in field "cv".', i18n: { key: 'apply.notMultipart' } });
  const fields: Record<string, string | string[]> = {};
  const demographics: Record<string, string> = {};
  const extra: Record<string, string> = {};
  const answers: Record<string, string[]> = {};
  let file: { filename: string; bytes: Buffer } | null = null;
  try {
    for await (const part of request.parts({ limits: MULTIPART_LIMITS })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'cv') {
          part.file.resume();
          throw new BadRequestError({ detail: 'The CV must be sent in the field "cv".', i18n: { key: 'apply.formMalformed' } });
        }
        if (isUnstorable(part.filename ?? '')) {
          part.file.resume();
          throw unstorableTextError('body/cv/filename');
        }
        const bytes = await part.toBuffer();
        file = { filename: (part.filename ?? '').replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 255), bytes };
        continue;
      }
      if (part.fieldnameTruncated || part.valueTruncated) throw new PayloadTooLargeError({ detail: `The field "${part.fieldname.slice(0, 100)}" is too long.`, i18n: { key: 'apply.formTooLarge' } });
      const value = typeof part.value === 'string' ? part.value : String(part.value);
      const name = part.fieldname;
      // The multipart counterpart of the app-wide input-text hook (this body is streamed here, not parsed before the handler).
      if (isUnstorable(name) || isUnstorable(value)) throw unstorableTextError(`body/${name.replace(/[^\x20-\x7e]/g, '?').slice(0, 100)}`);
      if (name.startsWith('answers.')) {
        const id = name.slice('answers.'.length);
        (answers[id] ??= []).push(value);
        if ((answers[id] as string[]).length > 20) throw new BadRequestError({ detail: `The field "${name.slice(0, 100)}" appears too often.`, i18n: { key: 'apply.formMalformed' } });
      } else if (name.startsWith('demographics.')) {
        demographics[name.slice('demographics.'.length)] = value;
      } else if (name === 'links' || name === 'links[]') {
        const list = (fields.links as string[] | undefined) ?? [];
        if (value.trim()) list.push(value.trim());
        fields.links = list;
      } else if (CANDIDATE_FIELDS.has(name)) {
        if (name in fields) throw new BadRequestError({ detail: `The field "${name}" appears more than once.`, i18n: { key: 'apply.formMalformed' } });
        fields[name] = value;
      } else if (extraFields.includes(name)) {
        extra[name] = value;
      } else {
        throw new ValidationError([{ path: `body/${name.slice(0, 100)}`, message: 'is not an accepted field' }], undefined, { key: 'apply.formMalformed' });
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const e = err as { statusCode?: number; code?: string };
    if (e.statusCode === 413) {
      const cv = e.code === 'FST_REQ_FILE_TOO_LARGE';
      throw new PayloadTooLargeError({ detail: cv ? 'The CV is larger than 10 MB.' : 'The form has too many or too large parts.', i18n: { key: cv ? 'apply.cvTooLarge' : 'apply.formTooLarge' } });
    }
    if (e.code === 'FST_PROTO_VIOLATION') throw new BadRequestError({ detail: 'A field name is not allowed.', i18n: { key: 'apply.formMalformed' } });
    throw new BadRequestError({ detail: 'The multipart body is malformed.', i18n: { key: 'apply.formMalformed' } });
  }
  // Empty optional fields are treated as absent.
  for (const k of ['phone', 'location'] as const) if (fields[k] === '') delete fields[k];
  if (Array.isArray(fields.links) && fields.links.length === 0) delete fields.links;
  if (!checkCandidate.Check(fields)) {
    throw new ValidationError(
      [...checkCandidate.Errors(fields)].slice(0, 10).map((e) => ({ path: `body${e.instancePath}`, message: (e.params as { pattern?: unknown }).pattern === DISPLAY_TEXT_PATTERN ? DISPLAY_TEXT_MESSAGE : e.message })),
      undefined,
      { key: 'apply.invalidFields' },
    );
  }
  for (const k of Object.keys(demographics)) if (demographics[k] === '') delete demographics[k];
  if (!checkDemographics.Check(demographics)) {
    throw new ValidationError([...checkDemographics.Errors(demographics)].slice(0, 10).map((e) => ({ path: `body/demographics${e.instancePath}`, message: e.message })), undefined, { key: 'apply.invalidDemographics' });
  }
  if (!file) throw new UnprocessableError({ detail: 'Attach a CV in the field "cv".', i18n: { key: 'apply.cvMissing' } });
  return { candidate: fields as unknown as CandidateFormValue, file, extra, demographics, answers };
}
