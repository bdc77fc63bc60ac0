/**
 * tools/svelte-mount-only.ts: the shipped bundle holds none of Svelte's hydration code, and a
 * build that does call `hydrate()` fails instead of shipping a runtime that cannot hydrate.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { describe, expect, test } from 'vitest';
import { WIDGET_ROOT } from '../demo/build.ts';
import { svelteMountOnly } from '../tools/svelte-mount-only.ts';

const ENTRY = '\0cw-entry';

/** Builds `code` as an IIFE with the plugin, minified like the widget; answers the bundle. */
async function buildEntry(code: string): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'widget-mount-only-'));
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production'; // as demo/build.ts: the runtime that ships
  try {
    await build({
      root: WIDGET_ROOT,
      configFile: false,
      logLevel: 'silent',
      mode: 'production',
      plugins: [
        svelteMountOnly(),
        {
          name: 'entry',
          resolveId: (id) => (id === ENTRY ? id : null),
          load: (id) => (id === ENTRY ? code : null),
        },
      ],
      build: {
        outDir,
        minify: 'oxc',
        rolldownOptions: { input: ENTRY, output: { format: 'iife', entryFileNames: 'probe.js' } },
      },
    });
    return await readFile(join(outDir, 'probe.js'), 'utf8');
  } finally {
    process.env.NODE_ENV = nodeEnv;
    await rm(outDir, { recursive: true, force: true });
  }
}

describe('the mount-only Svelte runtime', () => {
  test('widget.js holds no hydration code', async () => {
    const js = await readFile(join(WIDGET_ROOT, 'dist', 'widget.js'), 'utf8');
    expect(js).toContain('https://svelte.dev/e/'); // Svelte's runtime is there…
    expect(js).not.toContain('hydration_mismatch'); // …without its hydration walk
  });

  test('a mount-only build passes', async () => {
    const js = await buildEntry(`import { mount } from 'svelte'; window.probe = mount;`);
    expect(js).not.toContain('hydration_mismatch');
  });

  test('a build that calls hydrate() fails', async () => {
    await expect(buildEntry(`import { hydrate } from 'svelte'; window.probe = hydrate;`)).rejects.toThrow(
      /can still reach set_hydrating/,
    );
  });
});
