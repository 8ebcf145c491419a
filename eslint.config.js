// Lint rules that keep the Go-shaped layout honest: internal never reaches into cmd, no cmd/*
// folder imports another (nor do bench/, utils/ and test/ import any, but for utils/ reading
// the services' cmd/*/config.ts loaders: utils/deploy/), internal packages meet
// only through their index.ts, and no promise is left floating (a forgotten await around a
// broker callback loses messages silently).
import { existsSync, readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';

const SERVICES = readdirSync(new URL('cmd/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.stack/',
      '.stack-test/',
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
    // What two cmd/* folders share lives in internal/. The rule resolves each import to its
    // file, so `../iot-api/x.js` is caught at any depth. Tests and tools still start
    // cmd/*/main.ts as processes by path; that is not an import.
    files: ['**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            ...SERVICES.map((service) => ({
              target: `./cmd/${service}`,
              from: './cmd',
              except: [`./${service}`],
              message: `cmd/${service} must not import another cmd/* folder; share through internal/.`,
            })),
            {
              target: ['./test', './bench'],
              from: './cmd',
              message: 'Import internal/, or start cmd/*/main.ts as a process; not cmd/* code.',
            },
            {
              // utils/deploy/ hands each container's environment to the service's own loader.
              target: './utils',
              from: './cmd',
              except: SERVICES.filter((service) =>
                existsSync(new URL(`cmd/${service}/config.ts`, import.meta.url)),
              ).map((service) => `./${service}/config.ts`),
              message: 'Import internal/ (or a cmd/*/config.ts loader); not cmd/* code.',
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
