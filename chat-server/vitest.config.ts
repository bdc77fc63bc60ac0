import { defineProject } from 'vitest/config';

// Tests start their own redis-server / Postgres on free ports, so allow for process start-up.
// To add a globalSetup, add `globalSetup: ['test/global-setup.ts']` to `test` below.
export default defineProject({
  test: {
    name: 'chat-server',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
  },
});
