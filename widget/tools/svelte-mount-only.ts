/**
 * The widget only ever `mount`s (into a fresh div); it never `hydrate`s server-rendered HTML. Svelte
 * guards all its hydration code with one flag, `hydrating` in `internal/client/dom/hydration.js`,
 * "so it can be treeshaken out if the user doesn't use the `hydrate` method" (Svelte checks that
 * with Rollup). Rolldown keeps it: the flag is a `let` written by `set_hydrating`, which stays
 * reachable from the blocks (`each`, `if`, attributes) that restore it while hydrating. Making the
 * flag a constant `false` lets the minifier drop every hydration branch: ~1.2 KB gzip of widget.js.
 *
 * Safe as long as nothing calls `hydrate()`: `set_hydrating(true)` then throws instead of
 * hydrating half-way, and a minified build fails if any call of it survived (the bundle would
 * still hold its message). If a Svelte upgrade renames the flag, the
 * transform fails the build rather than silently keeping the bytes.
 */
import type { Plugin } from 'vite';

const HYDRATION_MODULE = /\/svelte\/src\/internal\/client\/dom\/hydration\.js$/;
const FLAG = 'export let hydrating = false;';
const SETTER = /(export function set_hydrating\(value\) \{\s*)hydrating = value;/;
const HYDRATE_REFUSED = 'cw: this build cannot hydrate';

export function svelteMountOnly(): Plugin {
  return {
    name: 'cw-svelte-mount-only',
    enforce: 'pre',
    transform(code, id) {
      if (!HYDRATION_MODULE.test(id)) return null;
      if (!code.includes(FLAG) || !SETTER.test(code)) {
        throw new Error(`svelte-mount-only: ${id} no longer declares the hydrating flag as expected`);
      }
      // Same lines as before, so the existing source map stays right (`map: null`).
      const patched = code
        .replace(FLAG, 'export const hydrating = false;')
        .replace(SETTER, `$1if (value) throw new Error(${JSON.stringify(HYDRATE_REFUSED)});`);
      return { code: patched, map: null };
    },
    generateBundle(output, bundle) {
      // Unminified builds (test/mangle-strings.test.ts) keep the dead branches, calls included.
      if (!output.minify) return;
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk' && file.code.includes(HYDRATE_REFUSED)) {
          throw new Error(
            `svelte-mount-only: ${file.fileName} can still reach set_hydrating (hydrate() used?)`,
          );
        }
      }
    },
  };
}
