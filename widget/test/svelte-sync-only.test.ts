/**
 * tools/svelte-sync-only.ts: the shipped bundle holds none of Svelte's async template path, and a
 * component compiled with `experimental.async` (which switches Svelte's async_mode_flag on) keeps it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';
import { describe, expect, test } from 'vitest';
import { WIDGET_ROOT } from '../demo/build.ts';
import { svelteSyncOnly } from '../tools/svelte-sync-only.ts';

/** Thrown only by async_derived, which only the async path of flatten() reaches. */
const ASYNC_PATH_MARK = 'async_derived_orphan';

/** Builds a component with `await` in its template, with experimental.async on; answers the bundle. */
async function buildAsyncProbe(): Promise<string> {
  // Inside the widget (test-results/ is gitignored) so that `svelte` resolves from node_modules.
  const parent = join(WIDGET_ROOT, 'test-results');
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'async-probe-'));
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await writeFile(join(dir, 'Probe.svelte'), '<p>{await Promise.resolve("ready")}</p>\n');
    await writeFile(
      join(dir, 'main.js'),
      `import { mount } from 'svelte'; import Probe from './Probe.svelte'; mount(Probe, { target: document.body });\n`,
    );
    await build({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      mode: 'production',
      plugins: [svelte({ compilerOptions: { experimental: { async: true } } }), svelteSyncOnly()],
      build: {
        outDir: join(dir, 'dist'),
        minify: 'oxc',
        rolldownOptions: {
          input: join(dir, 'main.js'),
          output: { format: 'iife', entryFileNames: 'probe.js' },
        },
      },
    });
    return await readFile(join(dir, 'dist', 'probe.js'), 'utf8');
  } finally {
    process.env.NODE_ENV = nodeEnv;
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the sync-only Svelte runtime', () => {
  test("widget.js holds no code of Svelte's async template path", async () => {
    const js = await readFile(join(WIDGET_ROOT, 'dist', 'widget.js'), 'utf8');
    expect(js).toContain('https://svelte.dev/e/'); // Svelte's runtime is there…
    expect(js).not.toContain(ASYNC_PATH_MARK); // …without async deriveds
  });

  test('a component compiled with experimental.async keeps the async path', async () => {
    expect(await buildAsyncProbe()).toContain(ASYNC_PATH_MARK);
  });
});
