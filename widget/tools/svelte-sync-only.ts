/**
 * Every template effect goes through Svelte's `flatten(blockers, sync, async, fn)`
 * (`internal/client/reactivity/async.js`), which carries the whole path for `await` in templates
 * and async script blockers: async deriveds, pending counts, context restore (~0.56 KB gzip of
 * widget.js). Only components compiled with `experimental.async` ever pass blockers or async
 * expressions, and those import Svelte's own `async_mode_flag` switch; the widget does not, so the
 * flag stays a constant `false` in the bundle. Svelte's fast path ("nothing async: call fn at
 * once") is taken when both lists are empty; this plugin also takes it when the flag is off, and
 * the minifier drops the rest. With `experimental.async` on, the flag is on and nothing changes.
 * If a Svelte upgrade rewrites that line, the build fails rather than silently keeping the bytes.
 */
import type { Plugin } from 'vite';

const ASYNC_MODULE = /\/svelte\/src\/internal\/client\/reactivity\/async\.js$/;
const FAST_PATH = 'if (async.length === 0 && pending.length === 0) {';

export function svelteSyncOnly(): Plugin {
  return {
    name: 'cw-svelte-sync-only',
    enforce: 'pre',
    transform(code, id) {
      if (!ASYNC_MODULE.test(id)) return null;
      if (!code.includes(FAST_PATH)) {
        throw new Error(`svelte-sync-only: ${id} no longer has flatten's fast path as expected`);
      }
      // The import goes on the first line, so the existing source map stays right (`map: null`).
      const patched =
        "import { async_mode_flag as cw_async_mode } from '../../flags/index.js'; " +
        code.replace(FAST_PATH, 'if (!cw_async_mode || (async.length === 0 && pending.length === 0)) {');
      return { code: patched, map: null };
    },
  };
}
