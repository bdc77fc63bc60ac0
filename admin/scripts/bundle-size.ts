/**
 * gzip size of the JavaScript a browser downloads to open each route from a cold cache: the SvelteKit
 * runtime entries, the route's layouts and page, and every chunk they import statically.
 * Run after a build: `npx tsx admin/scripts/bundle-size.ts`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ADMIN = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT = join(ADMIN, '.svelte-kit', 'output', 'client');

interface Chunk {
  file: string;
  imports?: string[];
}
const vite = JSON.parse(readFileSync(join(CLIENT, '.vite', 'manifest.json'), 'utf8')) as Record<
  string,
  Chunk
>;
const { manifest } = (await import(
  pathToFileURL(join(ADMIN, '.svelte-kit', 'output', 'server', 'manifest.js')).href
)) as {
  manifest: {
    _: { routes: Array<{ id: string; page: { layouts: Array<number | undefined>; leaf: number } | null }> };
  };
};

function closure(keys: string[], seen = new Set<string>()): Set<string> {
  for (const key of keys) {
    const chunk = vite[key];
    if (!chunk || seen.has(chunk.file)) continue;
    seen.add(chunk.file);
    closure(chunk.imports ?? [], seen);
  }
  return seen;
}

const entries = Object.keys(vite).filter(
  (key) => key.endsWith('kit/src/runtime/client/entry.js') || key.endsWith('client-optimized/app.js'),
);
const node = (index: number) => `.svelte-kit/generated/client-optimized/nodes/${index}.js`;
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

const rows = manifest._.routes
  .filter((route) => route.page)
  .map((route) => {
    const nodes = [...route.page!.layouts.filter((n): n is number => n !== undefined), route.page!.leaf].map(
      node,
    );
    let raw = 0;
    let gzip = 0;
    for (const file of closure([...entries, ...nodes])) {
      const bytes = readFileSync(join(CLIENT, file));
      raw += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    return { route: route.id, raw, gzip };
  })
  .sort((a, b) => a.route.localeCompare(b.route));

console.log('| route | JS (KB) | JS gzip (KB) |\n| --- | ---: | ---: |');
for (const row of rows) console.log(`| \`${row.route}\` | ${kb(row.raw)} | ${kb(row.gzip)} |`);
