// The console's API types are generated from the routes' schemas (npm run gen:api-types); this
// fails when a schema changed and server/web/src/api-types.gen.ts was not regenerated.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { API_TYPES_FILE, generateApiTypes } from '../../ops/scripts/api-types.js';

t.test('server/web/src/api-types.gen.ts is what the schemas generate', async (t) => {
  const { file, source } = await generateApiTypes();
  const committed = readFileSync(file, 'utf8');
  // A plain comparison: tap's diff of two 600 kB strings would bury the message.
  t.ok(committed === source, `${API_TYPES_FILE} is out of date: run npm run gen:api-types and commit it`);
});
