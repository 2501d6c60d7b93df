// Small pieces for routes typed by the TypeBox type provider (request.body/params/query and the
// reply come from each route's schema), for the few places that schema typing cannot reach.
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';

/**
 * The 204 response schema. Its JSON Schema is exactly Type.Null() (OpenAPI and serialization are
 * unchanged); its static type is void so `reply.code(204).send()` needs no invented payload.
 */
export const NoContent = Type.Unsafe<void>(Type.Null());

/**
 * The field `name` of a request part when it is an object, else undefined (what `part?.[name]`
 * gives). For hooks, error handlers and helpers shared by routes, where no schema types the part.
 */
export function partField(part: unknown, name: string): unknown {
  return typeof part === 'object' && part !== null ? Reflect.get(part, name) : undefined;
}

/**
 * Sends a body that is already bytes or text (CSV, a recording, pre-serialized JSON): fastify
 * sends it as is, so the route's response schemas, which describe only its JSON answers, do not
 * type it.
 */
export function sendRaw(reply: FastifyReply, payload: string | Buffer | null): FastifyReply {
  return reply.send(payload);
}

// Literals is a schema helper, so it lives with the shared schemas; route files keep importing it from here.
export { Literals } from '../core/schemas.js';
