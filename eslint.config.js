// typescript-eslint (strict rules, no `any`) + eslint-plugin-security.
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';

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
    files: ['test/**'],
    rules: {
      // Tests build file paths from temp dirs they created themselves.
      'security/detect-non-literal-fs-filename': 'off',
      'security/detect-child-process': 'off',
    },
  },
);
