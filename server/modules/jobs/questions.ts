// Custom application questions (issue 21 item 5): the pure rules. A job's question set is a
// list of questions and optional knock-out rules; a knock-out never rejects anyone, it only
// marks the application "needs human review" (the application stays in its first stage
// until a member decides). Shapes are checked by the TypeBox schema (schemas.ts); what a
// schema cannot say (options per type, ids unique, rules pointing at the right question)
// is checked here, before any write.
import { createHash } from 'node:crypto';
import { UnprocessableError, ValidationError } from '../../core/errors.js';

export const QUESTION_TYPES = ['short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'number', 'date'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const QUESTION_LIMITS = { questions: 20, label: 300, help: 500, options: 20, option: 100, knockouts: 20, shortText: 200, longText: 4000 } as const;

export interface QuestionDef {
  id: string;
  label: string;
  type: QuestionType;
  required: boolean;
  help?: string;
  /** single_choice and multiple_choice only. */
  options?: string[];
  /** number only: inclusive bounds. */
  min?: number;
  max?: number;
}

/** When the answer to questionId matches, the application needs human review. */
export type KnockoutRule =
  | { questionId: string; operator: 'equals'; value: boolean }
  | { questionId: string; operator: 'any_of'; value: string[] }
  | { questionId: string; operator: 'less_than' | 'greater_than'; value: number };

export interface QuestionSet {
  questions: QuestionDef[];
  knockouts: KnockoutRule[];
}

/** A rule as the API schema admits it: the value's type per operator is checked by checkQuestionSet. */
export interface KnockoutInput {
  questionId: string;
  operator: KnockoutRule['operator'];
  value: unknown;
}
export interface QuestionSetInput {
  questions: QuestionDef[];
  knockouts: KnockoutInput[];
}

/** Whether the rule's value has its operator's type (the rule is then kept as sent). */
function isRule(r: KnockoutInput): r is KnockoutInput & KnockoutRule {
  if (r.operator === 'equals') return typeof r.value === 'boolean';
  if (r.operator === 'any_of') return Array.isArray(r.value) && r.value.every((v) => typeof v === 'string');
  return typeof r.value === 'number';
}

export type Answer = string | string[] | number | boolean;

const CHOICE: readonly QuestionType[] = ['single_choice', 'multiple_choice'];
const RULE_TYPES: Record<KnockoutRule['operator'], readonly QuestionType[]> = {
  equals: ['yes_no'],
  any_of: CHOICE,
  less_than: ['number'],
  greater_than: ['number'],
};

/** Normalises (trims) a set and throws 422 with every problem; nothing is written before this passes. */
export function checkQuestionSet(input: QuestionSetInput): QuestionSet {
  const problems: { path: string; message: string }[] = [];
  const ids = new Set<string>();
  const questions = input.questions.map((q, i) => {
    const path = `body/questions/${i}`;
    if (ids.has(q.id)) problems.push({ path: `${path}/id`, message: `"${q.id}" is used by another question` });
    ids.add(q.id);
    const out: QuestionDef = { id: q.id, label: q.label.trim(), type: q.type, required: q.required };
    if (q.help?.trim()) out.help = q.help.trim();
    if (CHOICE.includes(q.type)) {
      const options = (q.options ?? []).map((o) => o.trim());
      if (options.length < 2) problems.push({ path: `${path}/options`, message: `a ${q.type} question needs at least 2 options` });
      if (new Set(options.map((o) => o.toLowerCase())).size !== options.length) problems.push({ path: `${path}/options`, message: 'options must be different' });
      if (options.some((o) => o.length === 0)) problems.push({ path: `${path}/options`, message: 'an option is blank' });
      out.options = options;
    } else if (q.options !== undefined) {
      problems.push({ path: `${path}/options`, message: `a ${q.type} question has no options` });
    }
    if (q.min !== undefined || q.max !== undefined) {
      if (q.type !== 'number') problems.push({ path: `${path}/min`, message: 'min and max apply to number questions only' });
      else if (q.min !== undefined && q.max !== undefined && q.min > q.max) problems.push({ path: `${path}/min`, message: 'min is greater than max' });
      if (q.min !== undefined) out.min = q.min;
      if (q.max !== undefined) out.max = q.max;
    }
    return out;
  });
  const byId = new Map(questions.map((q) => [q.id, q]));
  const ruled = new Set<string>();
  const knockouts = input.knockouts.map((r, i): KnockoutRule | null => {
    const path = `body/knockouts/${i}`;
    const q = byId.get(r.questionId);
    if (!q) {
      problems.push({ path: `${path}/questionId`, message: `no question has the id "${r.questionId}"` });
      return null;
    }
    if (ruled.has(r.questionId)) problems.push({ path: `${path}/questionId`, message: 'a question has one knock-out rule at most' });
    ruled.add(r.questionId);
    if (!RULE_TYPES[r.operator].includes(q.type)) {
      problems.push({ path: `${path}/operator`, message: `"${r.operator}" does not apply to a ${q.type} question (use it with ${RULE_TYPES[r.operator].join(' or ')})` });
      return null;
    }
    if (r.operator === 'equals' && typeof r.value !== 'boolean') problems.push({ path: `${path}/value`, message: 'must be true or false' });
    if ((r.operator === 'less_than' || r.operator === 'greater_than') && (typeof r.value !== 'number' || !Number.isFinite(r.value) || Math.abs(r.value) > 1e12)) {
      problems.push({ path: `${path}/value`, message: 'must be a number' });
    }
    if (r.operator === 'any_of') {
      const raw: unknown = r.value;
      const ok = Array.isArray(raw) && raw.length > 0 && raw.length <= QUESTION_LIMITS.options && raw.every((v) => typeof v === 'string' && v.length <= QUESTION_LIMITS.option);
      const values = ok ? (raw as string[]).map((v) => v.trim()) : [];
      if (!ok) problems.push({ path: `${path}/value`, message: `must list 1-${QUESTION_LIMITS.options} options` });
      for (const v of values) if (!q.options?.includes(v)) problems.push({ path: `${path}/value`, message: `"${v}" is not an option of question "${q.id}"` });
      return { questionId: r.questionId, operator: 'any_of', value: values };
    }
    // A rule whose value has the wrong type recorded a problem above: the set is refused below.
    return isRule(r) ? r : null;
  });
  if (problems.length > 0) throw new UnprocessableError({ detail: 'The application questions are not valid; nothing was changed.', extra: { errors: problems.slice(0, 20) } });
  // Every null recorded a problem, so none is left here.
  return { questions, knockouts: knockouts.filter((r): r is KnockoutRule => r !== null) };
}

/** Stable hash of a set: an unchanged PUT does not make a new version. */
export function questionSetHash(set: QuestionSet): Buffer {
  return createHash('sha256').update(JSON.stringify(set), 'utf8').digest();
}

/** A plain decimal (no exponent, hex or spaces): up to 12 integer and 6 fraction digits. */
function isDecimal(v: string): boolean {
  const [whole, fraction, ...rest] = v.split('.');
  return rest.length === 0 && /^-?\d{1,12}$/.test(whole ?? '') && (fraction === undefined || /^\d{1,6}$/.test(fraction));
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Checks raw form answers (strings; multiple choice repeats its field) against a set and
 * returns typed answers keyed by question id. Throws 400 listing every problem.
 */
export function parseAnswers(set: QuestionSet, raw: Record<string, string[]>): Record<string, Answer> {
  const problems: { path: string; message: string }[] = [];
  const out: Record<string, Answer> = {};
  const byId = new Map(set.questions.map((q) => [q.id, q]));
  for (const key of Object.keys(raw)) if (!byId.has(key)) problems.push({ path: `body/answers.${key.slice(0, 60)}`, message: 'is not a question of this job' });
  for (const q of set.questions) {
    const path = `body/answers.${q.id}`;
    const values = (raw[q.id] ?? []).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) {
      if (q.required) problems.push({ path, message: 'is required' });
      continue;
    }
    if (q.type !== 'multiple_choice' && values.length > 1) {
      problems.push({ path, message: 'takes one answer' });
      continue;
    }
    const v = values[0] as string;
    switch (q.type) {
      case 'short_text':
      case 'long_text': {
        const max = q.type === 'short_text' ? QUESTION_LIMITS.shortText : QUESTION_LIMITS.longText;
        if (v.length > max) problems.push({ path, message: `must be at most ${max} characters` });
        else out[q.id] = v;
        break;
      }
      case 'single_choice':
        if (!q.options?.includes(v)) problems.push({ path, message: 'is not one of the options' });
        else out[q.id] = v;
        break;
      case 'multiple_choice': {
        const unknown = values.filter((x) => !q.options?.includes(x));
        if (unknown.length > 0) problems.push({ path, message: 'is not one of the options' });
        else out[q.id] = [...new Set(values)];
        break;
      }
      case 'yes_no':
        if (v !== 'yes' && v !== 'no') problems.push({ path, message: 'must be "yes" or "no"' });
        else out[q.id] = v === 'yes';
        break;
      case 'number': {
        const n = isDecimal(v) ? Number(v) : Number.NaN;
        if (!Number.isFinite(n)) problems.push({ path, message: 'must be a number' });
        else if ((q.min !== undefined && n < q.min) || (q.max !== undefined && n > q.max)) {
          problems.push({ path, message: `must be between ${q.min ?? '-∞'} and ${q.max ?? '∞'}` });
        } else out[q.id] = n;
        break;
      }
      case 'date':
        if (!validDate(v)) problems.push({ path, message: 'must be a date (YYYY-MM-DD)' });
        else out[q.id] = v;
        break;
    }
  }
  if (problems.length > 0) throw new ValidationError(problems.slice(0, 20), 'Some answers to the application questions are missing or not valid.', { key: 'apply.invalidAnswers' });
  return out;
}

/** The ids of the questions whose knock-out rule matched; an unanswered question never knocks out. */
export function knockoutMatches(set: QuestionSet, answers: Record<string, Answer>): string[] {
  const hits: string[] = [];
  for (const r of set.knockouts) {
    const a = answers[r.questionId];
    if (a === undefined) continue;
    const hit =
      r.operator === 'equals'
        ? a === r.value
        : r.operator === 'any_of'
          ? (Array.isArray(a) ? a : [String(a)]).some((x) => r.value.includes(x))
          : typeof a === 'number' && (r.operator === 'less_than' ? a < r.value : a > r.value);
    if (hit) hits.push(r.questionId);
  }
  return hits;
}

/** Answers shown to a member: question label with the answer as text, in question order. */
export function answerItems(set: QuestionSet, answers: Record<string, Answer>, knockedOutBy: readonly string[]) {
  return set.questions.map((q) => {
    const a = answers[q.id];
    const text = a === undefined ? null : typeof a === 'boolean' ? (a ? 'Yes' : 'No') : Array.isArray(a) ? a.join(', ') : String(a);
    return { id: q.id, label: q.label, type: q.type, answer: a ?? null, text, knockout: knockedOutBy.includes(q.id) };
  });
}
