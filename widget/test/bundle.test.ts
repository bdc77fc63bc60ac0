/**
 * The built files (global-setup builds them): exactly widget.js and widget.css, within the size
 * budget (gzip: 30 KB of JS, 5 KB of CSS, 1 KB = 1,000 bytes), with no secrets and no eval.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { WIDGET_ROOT } from '../demo/build.ts';

const DIST = join(WIDGET_ROOT, 'dist');
const JS_BUDGET = 30_000;
const CSS_BUDGET = 5_000;

const gzipSize = async (file: string) => gzipSync(await readFile(join(DIST, file)), { level: 9 }).length;

describe('the build', () => {
  test('is exactly two files', async () => {
    expect((await readdir(DIST)).sort()).toEqual(['widget.css', 'widget.js']);
  });

  test(`widget.js is at most ${JS_BUDGET} bytes gzip`, async () => {
    const size = await gzipSize('widget.js');
    console.log(`widget.js: ${size} bytes gzip`);
    expect(size).toBeLessThanOrEqual(JS_BUDGET);
  });

  test(`widget.css is at most ${CSS_BUDGET} bytes gzip`, async () => {
    const size = await gzipSize('widget.css');
    console.log(`widget.css: ${size} bytes gzip`);
    expect(size).toBeLessThanOrEqual(CSS_BUDGET);
  });
});

describe('what the bundle must not contain', () => {
  const SECRET_PATTERNS: [string, RegExp][] = [
    ['a JWT', /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./],
    ['the Supabase service role', /service_role/i],
    ['a secret or API key name', /(secret|api[_-]?key|password|private[_-]?key)\s*[:=]/i],
    ['a Supabase JWT secret', /super-secret-jwt-token/],
    ['a PEM key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ['a postgres URL', /postgres(ql)?:\/\//],
  ];

  for (const [name, pattern] of SECRET_PATTERNS) {
    test(`no ${name}`, async () => {
      for (const file of ['widget.js', 'widget.css']) {
        expect(pattern.test(await readFile(join(DIST, file), 'utf8')), `${file} matches ${pattern}`).toBe(
          false,
        );
      }
    });
  }

  test('no eval or Function constructor (strict CSP without unsafe-eval)', async () => {
    const js = await readFile(join(DIST, 'widget.js'), 'utf8');
    expect(js).not.toMatch(/\beval\(|new Function\(/);
  });

  test('every CSS rule is scoped under .cw-root and every class is cw- prefixed', async () => {
    const css = await readFile(join(DIST, 'widget.css'), 'utf8');
    const withoutAtRules = css.replace(/@keyframes[^{]+\{(?:[^{}]*\{[^}]*\})*[^}]*\}/g, '');
    const selectors = [...withoutAtRules.matchAll(/(?:^|})\s*([^{}@]+)\{/g)]
      .flatMap((m) => m[1]!.split(/,(?![^(]*\))/))
      .map((s) => s.trim())
      .filter((s) => s && !/^(from|to|\d+%)$/.test(s));
    expect(selectors.length).toBeGreaterThan(50);
    for (const s of selectors) expect(s, s).toMatch(/^\.cw-root/);
    for (const cls of css.match(/\.[a-z][\w-]*/gi) ?? []) {
      if (!/^\.\d/.test(cls)) expect(cls, cls).toMatch(/^\.cw-/);
    }
  });
});
