// Lint rules that keep the Go-shaped layout honest: internal never reaches into cmd,
// internal packages meet only through their index.ts, and no promise is left floating
// (a forgotten await around a broker callback loses messages silently).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.stack/',
      'bench/results/',
      'coverage/',
      '**/*.js',
      '!eslint.config.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { typescript: true, node: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['internal/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cmd/**'], message: 'internal/* must never import from cmd/*.' },
            {
              // `../routing/names.js` is reaching past a package's front door.
              regex: '^\\.\\./[^./][^/]*/(?!index\\.js$)',
              message: 'Import another internal package only through its index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI and the dev tools write to the terminal on purpose.
    files: ['cmd/iotctl/**/*.ts', 'utils/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
