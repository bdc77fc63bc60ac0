// Bundles the server into one ESM file, dist/server.mjs, with every dependency inlined, so the
// production image needs only Node and that file. The Dockerfile runs exactly `npm run build`.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/server.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  minifySyntax: true,
  legalComments: 'linked',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  // Optional native speed-ups of ws; the pure-JS paths are used when they are absent.
  external: ['bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});
