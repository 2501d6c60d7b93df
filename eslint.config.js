// typescript-eslint (strict rules, no `any`) + eslint-plugin-security, and the layering
// (ARCHITECTURE: core <- modules <- plugins/app/worker) enforced by eslint-plugin-boundaries
// and import-x/no-cycle.
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';
import boundaries from 'eslint-plugin-boundaries';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Each source file is one element; the first matching descriptor wins, so the specific
// module files (index, HTTP, repositories) come before the module catch-all.
const elements = [
  { type: 'core', mode: 'full', pattern: 'server/core/**/*' },
  { type: 'plugin', mode: 'full', pattern: 'server/plugins/*' },
  { type: 'module-index', mode: 'full', pattern: 'server/modules/*/index.ts', capture: ['module'] },
  // HTTP code inside a module: route plugins, route registration, request-reading helpers.
  { type: 'module-http', mode: 'full', pattern: 'server/modules/*/*routes.ts', capture: ['module', 'file'] },
  { type: 'module-http', mode: 'full', pattern: 'server/modules/*/wire.ts', capture: ['module'] },
  { type: 'module-http', mode: 'full', pattern: 'server/modules/(public)/careers.ts', capture: ['module'] },
  { type: 'module-http', mode: 'full', pattern: 'server/modules/(applications)/form.ts', capture: ['module'] },
  // Operator commands (hirebox CLI) kept with their module: they may use the CLI's helpers.
  { type: 'module-cli', mode: 'full', pattern: 'server/modules/*/commands.ts', capture: ['module'] },
  { type: 'module-repo', mode: 'full', pattern: 'server/modules/*/*repo.ts', capture: ['module', 'file'] },
  { type: 'module', mode: 'full', pattern: 'server/modules/*/**/*', capture: ['module'] },
  { type: 'processor', mode: 'full', pattern: 'worker/processors/*' },
  { type: 'worker', mode: 'full', pattern: 'worker/**/*' },
  { type: 'app', mode: 'full', pattern: 'server/*.ts' },
];
// A file of the importing file's own module (legacy template syntax: the object selectors of
// boundaries v7 classify folders, not single files, and cannot tell a module's files apart).
const sameModule = (type) => [type, { module: '${from.module}' }];

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
      'boundaries/include': ['server/**/*.ts', 'worker/**/*.ts'],
      // `.js` specifiers name the `.ts` sources (NodeNext); both plugins resolve them through TypeScript.
      'import/resolver': { typescript: { project: 'tsconfig.json' } },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      'boundaries/element-types': [
        'error',
        {
          default: 'disallow',
          rules: [
            // The kernel imports nothing above it.
            { from: 'core', allow: ['core'] },
            // Modules reach each other only through index.ts: a module file may import files of its own
            // module and other modules' index. Services: never HTTP or plugins.
            { from: 'module', allow: ['core', 'module-index', sameModule('module'), sameModule('module-repo')] },
            { from: 'module-repo', allow: ['core', sameModule('module'), sameModule('module-repo'), 'module-index'] },
            { from: 'module-cli', allow: ['core', 'app', sameModule('module'), sameModule('module-http'), sameModule('module-repo'), 'module-index'] },
            // Route files call their module's services, never repositories.
            { from: 'module-http', allow: ['core', 'plugin', 'module-index', sameModule('module'), sameModule('module-http')] },
            { from: 'module-index', allow: [sameModule('module'), sameModule('module-http'), sameModule('module-repo'), sameModule('module-cli')] },
            { from: 'plugin', allow: ['core', 'plugin', 'module-index'] },
            // Processors call services through a module's index, never repositories.
            { from: 'processor', allow: ['core', 'module-index', 'worker', 'processor'] },
            // The worker process starts from the server's runtime (config, db, redis).
            { from: 'worker', allow: ['core', 'module-index', 'worker', 'processor', 'app'] },
            // server/ never imports worker/.
            { from: 'app', allow: ['core', 'plugin', 'module-index', 'app'] },
          ],
        },
      ],
      // Services never depend on the HTTP framework.
      'boundaries/external': ['error', { default: 'allow', rules: [{ from: ['module', 'module-repo', 'module-cli', 'core'], disallow: ['fastify', 'fastify-plugin', '@fastify/*'] }] }],
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
