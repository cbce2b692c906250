import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'cdk.out/**',
      'node_modules/**',
      '.stocktally/**',
      'coverage/**',
      'test-results/**',
      'bench/data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      // Focused or skipped tests must never land: they silently shrink the suite.
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'focused test' },
        { object: 'it', property: 'skip', message: 'skipped test' },
        { object: 'describe', property: 'only', message: 'focused suite' },
        { object: 'describe', property: 'skip', message: 'skipped suite' },
        { object: 'test', property: 'only', message: 'focused test' },
        { object: 'test', property: 'skip', message: 'skipped test' },
      ],
    },
  },
  {
    // The pure core never talks to AWS, the file system or the process: ports in, values out.
    files: ['lib/core/**/*.ts'],
    rules: {
      // Configuration comes in as values; the core never reads the process (nor its clock: see clock.ts).
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'lib/core takes its settings as arguments' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'aws-lambda'],
              message: 'lib/core is AWS-free',
            },
            {
              group: ['node:fs', 'node:fs/*', 'fs', 'fs/*', 'node:child_process', 'node:worker_threads'],
              message: 'lib/core does no I/O',
            },
            {
              group: ['**/functions/**', '**/adapters/**', '**/cli/**'],
              message: 'lib/core depends on nothing outside it',
            },
          ],
        },
      ],
    },
  },
  {
    // The dependency rules' configuration is CommonJS, as dependency-cruiser reads it.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**', 'web/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
