/**
 * Builds the widget to exactly two files: dist/widget.js (one IIFE, everything inlined) and
 * dist/widget.css (every rule, from src/styles). Components carry no <style> blocks: Svelte's
 * scoped styles add unprefixed `svelte-xxxx` classes, and a host page must be able to restyle
 * the widget through plain `cw-` classes and custom properties.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { MANGLED_MEMBERS } from './tools/mangle-members.ts';
import { mangledStringKeys } from './tools/mangle-strings.ts';
import { svelteMountOnly } from './tools/svelte-mount-only.ts';
import { svelteSyncOnly } from './tools/svelte-sync-only.ts';

/** What the minifier renames: i18n keys and store members (see the two tools). */
const MANGLED_PROPS = new RegExp(`^(${[...mangledStringKeys(), ...MANGLED_MEMBERS].join('|')})$`);

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
    // Oxc's minifier (the default), plus the property names above renamed.
    rolldownOptions: {
      // Every imported constant (Svelte's effect flags, our limits) written where it is used:
      // `e.f & 2048` compresses better than a one-letter name bound far away (−66 B gzip).
      optimization: { inlineConst: true },
      output: { minify: { mangleProps: { include: MANGLED_PROPS } } },
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
