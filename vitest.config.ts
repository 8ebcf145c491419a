import { defineConfig } from 'vitest/config';
import { INTEGRATION_WORKERS } from './utils/test/test-stacks.js';

/**
 * Integration files that run alone, after the others: three-node clusters and the CWRU
 * replay keep both cores busy for a minute or more, and the fault tests measure how fast
 * services stop and recover, which the rest of the suite beside them would slow.
 */
const ALONE = [
  'test/e2e/cluster.test.ts',
  'utils/stack-cluster.integration.test.ts',
  'test/e2e/faults.test.ts',
  'test/e2e/eval.test.ts',
];

// Everything that touches a stack (RabbitMQ, PostgreSQL, real processes) runs against a test
// worker's own stack (utils/test/test-stacks.ts), never the developer's.
const integration = {
  globalSetup: ['utils/test/global-setup.ts'],
  setupFiles: ['utils/test/worker-stack.ts'],
  pool: 'forks' as const,
  testTimeout: 120_000,
  hookTimeout: 180_000,
};

// Three projects: pure logic in parallel threads; the integration files two at a time, each
// worker on its own stack; then the ALONE files one at a time.
export default defineConfig({
  test: {
    // Only the integration projects use forks; vitest sets the bound for all of them here.
    poolOptions: { forks: { maxForks: INTEGRATION_WORKERS, minForks: 1 } },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{cmd,internal,utils,bench}/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', 'node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          ...integration,
          name: 'integration',
          include: ['{cmd,internal,utils,bench}/**/*.integration.test.ts', 'test/**/*.test.ts'],
          exclude: [...ALONE, 'node_modules/**'],
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-alone',
          include: ALONE,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
