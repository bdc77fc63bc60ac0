import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'supabase',
    include: ['tests/**/*.test.ts'],
    // One local Supabase (Postgres, PostgREST, auth stand-in, gateway) for every test file.
    globalSetup: ['tests/global-setup.ts'],
    // Starting stacks and running RLS suites is heavy for a 2-core machine: one file at a time.
    fileParallelism: false,
    hookTimeout: 120_000,
    testTimeout: 60_000,
  },
});
