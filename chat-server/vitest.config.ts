import { defineProject } from 'vitest/config';

// Tests start their own redis-server on free ports; test/global-setup.ts starts a Supabase stack
// (Postgres, PostgREST, Auth stand-in) of the chat server's own, seeded with the demo data.
export default defineProject({
  test: {
    name: 'chat-server',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
