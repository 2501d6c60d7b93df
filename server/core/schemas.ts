// Shared schema pieces: the problem document and bounded primitives.
import { Type, type TLiteral, type TUnion } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** Error responses every authenticated route may produce (documented in OpenAPI). */
export const ProblemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  429: Problem,
};

export const Uuid = Type.String({ format: 'uuid' });
/** `/:id` path parameters, shared by every module's routes. */
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
/**
 * Bidirectional control characters (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069). In a
 * name or title shown to other people they reorder the text displayed around them
 * ("Trojan Source"-style spoofing of a job title, candidate or member name), so names and
 * titles refuse them (issue 14 L2). Free text (descriptions, CVs, messages) may need them
 * for right-to-left languages and keeps them.
 */
export const BIDI_CONTROLS = '\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069';
const BIDI_CLASS = new RegExp(`[${BIDI_CONTROLS}]`, 'u');
/** Not blank, and no bidi control characters. */
export const DISPLAY_TEXT_PATTERN = `^(?=[\\s\\S]*\\S)[^${BIDI_CONTROLS}]*$`;
export const DISPLAY_TEXT_MESSAGE = 'must not be blank or contain bidirectional control characters';
/** A name or title other people see: 1..maxLength characters, not blank, no bidi controls. */
export const DisplayText = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: DISPLAY_TEXT_PATTERN });
export const hasBidiControls = (text: string): boolean => BIDI_CLASS.test(text);
export const Name = DisplayText(200);

/**
 * A boolean or null in a request body, as one `type: ['boolean', 'null']` schema. The app's
 * Ajv coerces types (for query strings), and a union coerces inside the first branch that
 * can take the value: `Type.Union([Type.Boolean(), Type.Null()])` stores null as false, and
 * the null-first order turns false into null. A type list accepts null and booleans as
 * they are and coerces only other values ("true" -> true).
 */
export const NullableBoolean = Type.Unsafe<boolean | null>({ type: ['boolean', 'null'] });

/**
 * The union of string literals `values`: the same JSON Schema as
 * `Type.Union(values.map((v) => Type.Literal(v)))`, whose static type TypeBox computes as never
 * (an array, not a tuple), which would type every such request field as never.
 */
export function Literals<const T extends readonly string[]>(values: T, options?: Parameters<typeof Type.Union>[1]): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  // The mapped tuple is exactly what map() builds, element by element.
  return Type.Union(values.map((v) => Type.Literal(v)), options) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}
