import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';

export const openapiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'hirebox API', version: '1' },
        components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: '__Host-hirebox' } } },
        security: [{ session: [] }],
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
