/** Builds the widget with Vite's API (used by `npm start`, the test setup and the bench). */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const WIDGET_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

export async function buildWidget(): Promise<void> {
  // Inside vitest NODE_ENV is "test", which would make Svelte and Vite build the development
  // variant (dev checks, longer messages): always build what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: WIDGET_ROOT,
      configFile: resolve(WIDGET_ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
