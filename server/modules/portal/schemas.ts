// TypeBox schemas of the status page's routes (issue 22 item 2).
import { Type } from 'typebox';
import { Email, Problem, Uuid } from '../../core/schemas.js';

export const SlugParam = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$' });
export const OrgParams = Type.Object({ orgSlug: SlugParam }, { additionalProperties: false });
/** A link token: 32 random bytes, base64url. */
export const TokenParams = Type.Object({ orgSlug: SlugParam, token: Type.String({ minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });
export const IdParams = Type.Object({ orgSlug: SlugParam, id: Uuid }, { additionalProperties: false });

export const LinkBody = Type.Object({ email: Email }, { additionalProperties: false });
const Csrf = Type.String({ minLength: 1, maxLength: 100, description: 'The session\'s CSRF token (the page\'s hidden field), or send x-csrf-token.' });
export const CsrfBody = Type.Object({ csrf: Type.Optional(Csrf) }, { additionalProperties: false });
export const WithdrawBody = Type.Object({ csrf: Type.Optional(Csrf), confirm: Type.Literal('yes') }, { additionalProperties: false });
export const RequestBody = Type.Object({ csrf: Type.Optional(Csrf), type: Type.Union([Type.Literal('human_review'), Type.Literal('erasure')]) }, { additionalProperties: false });

export const PageErrors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 410: Problem, 413: Problem, 415: Problem, 429: Problem };
export const RequestResult = Type.Object({ id: Uuid, reference: Type.String(), dueOn: Type.String(), created: Type.Boolean() });
