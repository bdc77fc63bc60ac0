/**
 * Builds the widget to exactly two files: dist/widget.js (one IIFE, everything inlined) and
 * dist/widget.css (every rule, from src/styles). Components carry no <style> blocks: Svelte's
 * scoped styles add unprefixed `svelte-xxxx` classes, and a host page must be able to restyle
 * the widget through plain `cw-` classes and custom properties.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { mangledStringsPattern } from './tools/mangle-strings.ts';
import { svelteMountOnly } from './tools/svelte-mount-only.ts';
import { svelteSyncOnly } from './tools/svelte-sync-only.ts';

export default defineConfig({
  // The widget mounts, never hydrates, and has no `await` in templates: Svelte's hydration code and
  // its async template path leave the bundle (see the two plugins).
  plugins: [
    svelte({ compilerOptions: { css: 'external', discloseVersion: false } }),
    svelteMountOnly(),
    svelteSyncOnly(),
  ],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    cssCodeSplit: false,
    reportCompressedSize: false,
    // Oxc's minifier (the default), plus the i18n keys renamed: see tools/mangle-strings.ts.
    rolldownOptions: {
      // Every imported constant (Svelte's effect flags, our limits) written where it is used:
      // `e.f & 2048` compresses better than a one-letter name bound far away (−66 B gzip).
      optimization: { inlineConst: true },
      output: { minify: { mangleProps: { include: mangledStringsPattern() } } },
    },
    lib: {
      entry: 'src/main.ts',
      formats: ['iife'],
      name: 'ChatWidgetBundle',
      fileName: () => 'widget.js',
      cssFileName: 'widget',
    },
  },
});
