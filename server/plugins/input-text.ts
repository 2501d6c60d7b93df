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

// The checks live in core so services can use them without depending on this plugin.
export { UNSTORABLE_MESSAGE, isUnstorable, unstorableTextError, unstorableTextPath } from '../core/input-text.js';
import { unstorableTextError, unstorableTextPath } from '../core/input-text.js';

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
