/**
 * Where the bytes of widget.js go: builds with a source map (to a temp dir), attributes every
 * mapped piece of the minified bundle to a part of the source, and prints each part's minified
 * size and its marginal gzip cost (the bundle's gzip size minus the size without that part).
 * Marginal costs overlap, so they add up to more than the total. Run: npx tsx widget/bench/bundle-cost.ts
 * (source-map-js comes with Vite's toolchain.)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SourceMapConsumer } from 'source-map-js';
import { buildWidget } from '../demo/build.ts';

const PARTS: [string, RegExp][] = [
  ['Svelte 5 runtime', /node_modules\/svelte\//],
  ['German strings', /\/i18n\/de\.ts$/],
  ['English strings + picker', /\/i18n\//],
  ['ChatStore', /store\.svelte\.ts$/],
  ['link: socket, outbox, timeline, signals', /\/connection\//],
  ['components', /\/ui\//],
  ['HTTP: config, session, upload', /\/api\//],
  ['lib, boot, JS API', /\/(lib|boot)\/|main\.ts$|chat-api\.ts$/],
  ['@chat/shared', /\/shared\//],
];
const partOf = (source: string | null) =>
  PARTS.find(([, re]) => source && re.test(source))?.[0] ?? 'templates, accessors (unmapped)';

const outDir = await mkdtemp(join(tmpdir(), 'widget-cost-'));
try {
  await buildWidget({ outDir, sourcemap: true });
  const js = (await readFile(join(outDir, 'widget.js'), 'utf8')).replace(/\n\/\/# sourceMappingURL=.*$/, '');
  const map = new SourceMapConsumer(JSON.parse(await readFile(join(outDir, 'widget.js.map'), 'utf8')));
  const lines = js.split('\n');
  const mappings: { line: number; column: number; source: string | null }[] = [];
  map.eachMapping((m) =>
    mappings.push({ line: m.generatedLine, column: m.generatedColumn, source: m.source }),
  );
  mappings.sort((a, b) => a.line - b.line || a.column - b.column);
  const pieces = mappings.map((m, i) => {
    const next = mappings[i + 1];
    const line = lines[m.line - 1] ?? '';
    return {
      part: partOf(m.source),
      text: line.slice(m.column, next?.line === m.line ? next.column : line.length),
    };
  });
  const gzip = (text: string) => gzipSync(text, { level: 9 }).length;
  const total = gzip(js);
  console.log(`widget.js: ${js.length} B minified, ${total} B gzip\n`);
  console.log(`${'part'.padEnd(42)}${'minified'.padStart(10)}${'gzip'.padStart(8)}`);
  const parts = [...new Set(pieces.map((p) => p.part))];
  const rows = parts.map((part) => ({
    part,
    raw: pieces.filter((p) => p.part === part).reduce((n, p) => n + p.text.length, 0),
    gzip:
      total -
      gzip(
        pieces
          .filter((p) => p.part !== part)
          .map((p) => p.text)
          .join(''),
      ),
  }));
  for (const r of rows.sort((a, b) => b.gzip - a.gzip)) {
    console.log(`${r.part.padEnd(42)}${String(r.raw).padStart(10)}${String(r.gzip).padStart(8)}`);
  }
} finally {
  await rm(outDir, { recursive: true, force: true });
}
