// The HTTP kernel compiles a response serializer once per schema object (server/http.ts):
// routes sharing one (the problem+json schema under every route's error codes) share its
// compiled function, and what each route sends is what its own schema allows.
import t from 'tap';
import { Type } from 'typebox';
import { loadConfig } from '../../server/core/config.js';
import { createLogger } from '../../server/core/logger.js';
import { createHttpApp } from '../../server/http.js';
import { writeTestKeys } from '../support/keys.js';

const keys = writeTestKeys(t);
const config = loadConfig({ NODE_ENV: 'test', MASTER_KEY_FILE: keys.masterKeyFile, AUDIT_SIGNING_KEY_FILE: keys.auditSigningKeyFile, HIREBOX_DATA_DIR: keys.dir });

t.test('routes sharing a response schema share one compiled serializer; each still sends only its schema', async (t) => {
  const app = createHttpApp(config, createLogger('silent'));
  t.teardown(() => app.close());
  const Shared = Type.Object({ title: Type.String() }, { additionalProperties: false });
  // Equal in every field, but its own object: compiled separately (the cache never guesses from content).
  const Lookalike = Type.Object({ title: Type.String() }, { additionalProperties: false });
  const Other = Type.Object({ id: Type.Integer() }, { additionalProperties: false });
  const serializers = new Map<string, unknown>();
  for (const [url, schema] of [['/a', Shared], ['/b', Shared], ['/c', Lookalike], ['/d', Other]] as const) {
    app.get(url, { schema: { response: { 200: schema } } }, async (_request, reply) => {
      serializers.set(url, reply.getSerializationFunction('200'));
      return { title: `from ${url}`, id: 7, secret: 'never sent' };
    });
  }
  const bodies: Record<string, unknown> = {};
  for (const url of ['/a', '/b', '/c', '/d']) bodies[url] = (await app.inject({ method: 'GET', url })).json();
  t.same(bodies, { '/a': { title: 'from /a' }, '/b': { title: 'from /b' }, '/c': { title: 'from /c' }, '/d': { id: 7 } }, "each route sends only its schema's fields");
  t.ok(serializers.get('/a'), 'the serializer is compiled');
  t.equal(serializers.get('/a'), serializers.get('/b'), 'two routes with one schema object share one compiled serializer');
  t.not(serializers.get('/a'), serializers.get('/c'), 'a different schema object gets its own');
  t.not(serializers.get('/a'), serializers.get('/d'), 'a different schema gets its own');
});
