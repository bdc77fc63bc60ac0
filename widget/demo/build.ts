/** Builds the widget with Vite's API (used by `npm start`, the test setup and the bench). */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const WIDGET_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

export async function buildWidget(): Promise<void> {
  await build({ root: WIDGET_ROOT, configFile: resolve(WIDGET_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
