// `npm run gen:api-types`: writes server/web/src/api-types.gen.ts from the app's schemas.
// `--check` only compares (exit 1 on drift), as test/unit/api-types.test.ts does.
import { readFileSync, writeFileSync } from 'node:fs';
import { API_TYPES_FILE, generateApiTypes } from './api-types.js';

const started = performance.now();
const { file, source } = await generateApiTypes();
const ms = Math.round(performance.now() - started);
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // Missing counts as drift.
  }
  if (committed !== source) {
    process.stderr.write(`${API_TYPES_FILE} is out of date: run npm run gen:api-types and commit it.\n`);
    process.exit(1);
  }
  process.stdout.write(`${API_TYPES_FILE} is up to date (${ms} ms).\n`);
} else {
  writeFileSync(file, source);
  process.stdout.write(`wrote ${API_TYPES_FILE} (${source.split('\n').length} lines, ${ms} ms).\n`);
}
