/** Builds the widget with Vite's API (used by `npm start`, the test setup and the bench). */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'vite';

export const WIDGET_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

/** `options`: Vite build options over the config's (another outDir, no minifier, a source map). */
export async function buildWidget(options: BuildOptions = {}): Promise<void> {
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
      build: options,
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
