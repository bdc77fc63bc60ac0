import { defineConfig } from 'vitest/config';

// Each package owns its vitest config; the root only lists them so `npm test` runs everything.
export default defineConfig({
  test: {
    projects: ['*/vitest.config.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
