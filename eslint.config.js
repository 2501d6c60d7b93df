// typescript-eslint (strict rules, no `any`) + eslint-plugin-security, and the layering
// (ARCHITECTURE: core <- modules <- plugins/app/worker) enforced by eslint-plugin-boundaries
// and import-x/no-cycle.
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';
import boundaries from 'eslint-plugin-boundaries';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Elements are folders: the kernel, the plugins, each module (its name captured), the
// processors, the rest of the worker and the app's own files. Files inside a module are told
// apart by category: its public surface (index.ts), its HTTP code, its repositories and its
// operator commands; the rest of a module is its services.
const elements = [
  { type: 'core', pattern: 'server/core' },
  { type: 'plugin', pattern: 'server/plugins' },
  { type: 'module', pattern: 'server/modules/*', capture: ['module'] },
  { type: 'processor', pattern: 'worker/processors' },
  { type: 'worker', pattern: 'worker' },
  { type: 'app', pattern: 'server' },
];
const files = [
  { category: 'index', pattern: 'server/modules/*/index.ts', stopMatching: true },
  // HTTP code inside a module: route plugins, route registration, request-reading helpers.
  { category: 'http', pattern: ['server/modules/*/*routes.ts', 'server/modules/*/wire.ts', 'server/modules/public/careers.ts', 'server/modules/applications/form.ts'], stopMatching: true },
  { category: 'repo', pattern: 'server/modules/*/*repo.ts', stopMatching: true },
  // Operator commands (hirebox CLI) kept with their module: they may use the CLI's helpers.
  { category: 'cli', pattern: 'server/modules/*/commands.ts', stopMatching: true },
  // Everything else in a module is its services.
  { category: 'service', pattern: 'server/modules/*/**' },
];
// Selectors: a kind of element, optionally limited to some file categories, or to the
// importing file's own module.
const to = (type, categories) => ({ to: { element: { type }, ...(categories ? { file: { categories } } : {}) } });
const own = (categories) => ({ to: { element: { type: 'module', captured: { module: '{{ from.element.captured.module }}' } }, ...(categories ? { file: { categories } } : {}) } });
const from = (type, categories) => ({ element: { type }, ...(categories !== undefined ? { file: { categories } } : {}) });
const ownServices = own('service');
const otherIndex = to('module', 'index');

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.tap/**', 'coverage/**', 'test-artifacts/**', 'server/web/dist/**', 'test/fixtures/api-client/**'] },
  ...tseslint.configs.recommended,
  security.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Object keys here come from our own constants and schemas, not from users.
      'security/detect-object-injection': 'off',
      'no-console': 'error',
    },
  },
  {
    // These read files named by the operator (config *_FILE, migrations dir, CLI flags),
    // never paths taken from HTTP requests.
    files: ['server/core/config.ts', 'server/core/mailer.ts', 'server/modules/auth/passwords.ts', 'server/core/migrate.ts', 'server/core/paths.ts', 'server/cli.ts', 'ops/scripts/**'],
    rules: { 'security/detect-non-literal-fs-filename': 'off' },
  },
  {
    // Reads the console's own build directory at start; request paths only select from
    // the in-memory map of those files.
    files: ['server/modules/web/routes.ts'],
    rules: { 'security/detect-non-literal-fs-filename': 'off' },
  },
  {
    files: ['server/**/*.ts', 'worker/**/*.ts'],
    ignores: ['server/web/**'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      'boundaries/include': ['server/**/*.ts', 'worker/**/*.ts'],
      // `.js` specifiers name the `.ts` sources (NodeNext); both plugins resolve them through TypeScript.
      'import/resolver': { typescript: { project: 'tsconfig.json' } },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          // A module is one element: its own files (services, routes, repositories) are checked too.
          checkInternals: true,
          // Packages and Node built-ins are checked too (services never import the HTTP framework).
          checkAllOrigins: true,
          policies: [
            // Packages and Node built-ins are open to every layer but one (below).
            { allow: [{ to: { module: { origin: 'external' } } }, { to: { module: { origin: 'core' } } }] },
            // The kernel imports nothing above it.
            { from: from('core'), allow: [to('core')] },
            // A module's files import their own module, other modules' index.ts and core. Services
            // (files with no category) and repositories never import HTTP code or plugins.
            { from: from('module', 'service'), allow: [to('core'), otherIndex, ownServices, own('repo')] },
            { from: from('module', 'repo'), allow: [to('core'), otherIndex, ownServices, own('repo')] },
            { from: from('module', 'cli'), allow: [to('core'), to('app'), otherIndex, own()] },
            // Route files call their module's services, never repositories.
            { from: from('module', 'http'), allow: [to('core'), to('plugin'), otherIndex, ownServices, own('http')] },
            { from: from('module', 'index'), allow: [own()] },
            { from: from('plugin'), allow: [to('core'), to('plugin'), otherIndex] },
            // Processors call services through a module's index, never repositories.
            { from: from('processor'), allow: [to('core'), otherIndex, to('worker'), to('processor')] },
            // The worker process starts from the server's runtime (config, db, redis).
            { from: from('worker'), allow: [to('core'), otherIndex, to('worker'), to('processor'), to('app')] },
            // server/ never imports worker/.
            { from: from('app'), allow: [to('core'), to('plugin'), otherIndex, to('app')] },
            // Services never depend on the HTTP framework.
            { from: from('core'), disallow: [{ to: { module: { source: 'fastify' } } }, { to: { module: { source: 'fastify-plugin' } } }, { to: { module: { source: '@fastify/**' } } }] },
            { from: from('module', { anyOf: ['service', 'repo', 'cli'] }), disallow: [{ to: { module: { source: 'fastify' } } }, { to: { module: { source: 'fastify-plugin' } } }, { to: { module: { source: '@fastify/**' } } }] },
          ],
        },
      ],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests build file paths from temp dirs they created themselves.
      'security/detect-non-literal-fs-filename': 'off',
      'security/detect-child-process': 'off',
    },
  },
);
