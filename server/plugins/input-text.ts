// Issue 14 L2: text Postgres cannot store is refused at the edge, once, for every route.
// A NUL (U+0000) in a text or jsonb value makes Postgres fail the statement (22021/22P05)
// and an unpaired UTF-16 surrogate cannot be encoded as UTF-8 (text silently becomes
// U+FFFD, jsonb fails), so both became unhandled 500s deep in a repo. One preValidation
// hook on the root instance walks params, query and a parsed body (values and keys) of
// every route, including routes without a schema, and answers 400 problem+json before
// any handler runs. Multipart forms are streamed in their handlers (after the access
// check), so readApplicationForm applies the same unstorableTextPath to each field.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../core/errors.js';

// In a u-mode RegExp \p{Cs} matches only surrogates that are not part of a pair.
const UNSTORABLE = /\u0000|\p{Cs}/u;
export const UNSTORABLE_MESSAGE = 'must not contain NUL or unpaired surrogate characters';

/** Whether a string holds a code point Postgres text/jsonb cannot store. */
export function isUnstorable(text: string): boolean {
  return UNSTORABLE.test(text);
}

/**
 * The JSON-pointer-like path of the first string (or object key) in `value` that Postgres
 * cannot store, or null. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function unstorableTextPath(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (isUnstorable(node)) return path;
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => stack.push([item, `${path}/${i}`]));
    } else if (node !== null && typeof node === 'object') {
      // Data only: parsed JSON, query and params objects (the query parser's have no Object
      // prototype); never bytes or streams.
      if (ArrayBuffer.isView(node) || typeof (node as { pipe?: unknown }).pipe === 'function') continue;
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
        const at = `${path}/${key.replace(/[^\x20-\x7e]/g, '?').slice(0, 100)}`;
        if (isUnstorable(key)) return at;
        stack.push([child, at]);
      }
    }
  }
  return null;
}

export function unstorableTextError(path: string): ValidationError {
  return new ValidationError([{ path, message: UNSTORABLE_MESSAGE }], 'Text may not contain NUL characters or unpaired surrogates.');
}

export const inputTextPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request: FastifyRequest) => {
      for (const [part, value] of [
        ['params', request.params],
        ['querystring', request.query],
        ['body', request.body],
      ] as const) {
        const path = unstorableTextPath(value, part);
        if (path !== null) throw unstorableTextError(path);
      }
    });
  },
  { name: 'hirebox-input-text' },
);
