// The OpenAPI description at /api/docs (issue 20): a bearer scheme (API tokens) next to the
// cookie session, per-operation `security` derived from each route's access rule (the same
// rule the access guard enforces, so the document cannot drift from the code), a summary
// for every operation and `servers` from PUBLIC_URL.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import type { AccessRule } from '../core/permissions.js';
import { tokenAllowed } from './access.js';

/** "listMembers" → "List members": routes without their own summary still get a readable one. */
export function summaryFromOperationId(operationId: string): string {
  const words = operationId.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function securityOf(rule: AccessRule | undefined): Record<string, string[]>[] {
  if (!rule || 'public' in rule) return [];
  return tokenAllowed(rule) ? [{ bearer: [] }, { session: [] }] : [{ session: [] }];
}

export const openapiPlugin = fp<{ publicUrl: URL; sessionCookieName?: string }>(
  async (app, opts) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'hirebox API',
          version: '1',
          description:
            'Authenticate with an API token (`Authorization: Bearer hbx_…`, created under Settings → API tokens) or a browser session. ' +
            'POST requests accept an `Idempotency-Key` header (see docs/api.md).',
        },
        servers: [{ url: opts.publicUrl.origin }],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'hbx_<prefix>_<secret>', description: 'API token; grants its scopes ∩ the owner\'s current role.' },
            session: { type: 'apiKey', in: 'cookie', name: opts.sessionCookieName ?? '__Host-hirebox', description: 'Browser session (cookie + x-csrf-token on unsafe methods).' },
          },
        },
      },
      transform: ({ schema, url, route }) => {
        if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
        const rule = ((route as RouteOptions).config as { access?: AccessRule } | undefined)?.access;
        const s = schema as Record<string, unknown>;
        const operationId = typeof s.operationId === 'string' ? s.operationId : undefined;
        const method = [route.method].flat()[0] ?? 'GET';
        const out: Record<string, unknown> = {
          ...s,
          summary: typeof s.summary === 'string' ? s.summary : operationId ? summaryFromOperationId(operationId) : `${method} ${url}`,
          security: securityOf(rule),
        };
        if (rule && 'permission' in rule) out['x-permission'] = rule.permission;
        // A query parameter with a default is optional for the caller (the server fills it in);
        // TypeBox lists it as required, which would make generated clients demand it.
        const query = s.querystring as { properties?: Record<string, { default?: unknown }>; required?: string[] } | undefined;
        if (query?.properties && query.required) {
          const props = query.properties;
          out.querystring = { ...query, required: query.required.filter((k) => props[k]?.default === undefined) };
        }
        return { schema: out as typeof schema, url };
      },
    });
    app.get(
      '/api/docs',
      { schema: { hide: true }, config: { access: { public: 'API description; contains no data' } } },
      async () => app.swagger(),
    );
  },
  { name: 'hirebox-openapi' },
);
