// Shared schema pieces: the problem document and bounded primitives.
import { Type } from 'typebox';

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
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Name = Type.String({ minLength: 1, maxLength: 200 });

/**
 * A boolean or null in a request body, as one `type: ['boolean', 'null']` schema. The app's
 * Ajv coerces types (for query strings), and a union coerces inside the first branch that
 * can take the value: `Type.Union([Type.Boolean(), Type.Null()])` stores null as false, and
 * the null-first order turns false into null. A type list accepts null and booleans as
 * they are and coerces only other values ("true" -> true).
 */
export const NullableBoolean = Type.Unsafe<boolean | null>({ type: ['boolean', 'null'] });
