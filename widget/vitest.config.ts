import { defineProject } from 'vitest/config';

// test/global-setup.ts builds the widget once and starts a seeded Supabase stack of the widget's
// own; each end-to-end file starts a real chat server, the demo site and headless Chromium.
// Files run one at a time: each drives a browser, and the machine is shared.
export default defineProject({
  test: {
    name: 'widget',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
