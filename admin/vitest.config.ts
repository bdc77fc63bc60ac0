import { defineProject } from 'vitest/config';

// test/global-setup.ts starts a seeded Supabase stack of the admin's own, builds the app with
// adapter-node and serves it with `node build`; browser tests drive it in Chromium (playwright-core).
export default defineProject({
  test: {
    name: 'admin',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // One Chromium at a time: the machine is shared with other suites.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    teardownTimeout: 20_000,
  },
});
