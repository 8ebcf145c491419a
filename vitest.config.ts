import { defineConfig } from 'vitest/config';

// Two projects: pure logic runs in parallel; everything that touches the local stack
// (RabbitMQ, PostgreSQL, real processes) runs one file at a time, because those tests share
// the broker's queues and would otherwise consume each other's messages.
export default defineConfig({
  test: {
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
          name: 'integration',
          include: ['{cmd,internal,utils,bench}/**/*.integration.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['utils/test/global-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
