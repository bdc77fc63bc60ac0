/**
 * Proof that renaming the i18n keys in the minified bundle is safe (tools/mangle-strings.ts): in
 * an unminified build of the same modules, every mangled key appears only as `t.KEY` (the strings
 * object) or as a key of the English and German objects. Any other occurrence (another object's
 * property, a string, a destructured name) fails the test, naming where it was found; such a key
 * belongs in NOT_MANGLED.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { en } from '../src/i18n/en.ts';
import { mangledStringKeys, NOT_MANGLED } from '../tools/mangle-strings.ts';
import { buildUnminified } from './helpers/unminified.ts';

let code = '';

beforeAll(async () => {
  code = await buildUnminified();
});

/** Where `var NAME = { … }` is in the bundle (braces balance: `${…}` in templates pairs up too). */
function objectLiteral(name: string): { start: number; end: number } {
  const start = code.search(new RegExp(`\\bvar ${name} = \\{`));
  expect(start, `var ${name} = { in the bundle`).toBeGreaterThan(-1);
  let depth = 0;
  for (let i = code.indexOf('{', start); i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return { start, end: i };
  }
  throw new Error(`var ${name} = { is not closed`);
}

describe('mangled i18n keys', () => {
  test('cover every key but the listed exceptions', () => {
    expect(mangledStringKeys().length).toBe(Object.keys(en).length - NOT_MANGLED.size);
  });

  test('appear in the bundle only as t.KEY or as keys of the en and de objects', () => {
    const binding = /\bvar (\w+) = pickStrings\(/.exec(code)?.[1];
    expect(binding, 'the strings binding').toBeTruthy();
    const objects = [objectLiteral('en'), objectLiteral('de')];
    const misuses: string[] = [];
    for (const key of mangledStringKeys()) {
      let uses = 0;
      for (const m of code.matchAll(new RegExp(`(?<![\\w$])${key}(?![\\w$])`, 'g'))) {
        const at = m.index;
        // Inside the en and de objects: a key, or a word of a string (text, not a property).
        const inStrings = objects.some((o) => at > o.start && at < o.end);
        const viaBinding = code.slice(at - binding!.length - 1, at) === `${binding}.`;
        if (inStrings || viaBinding) {
          uses++;
          continue;
        }
        misuses.push(`${key}: …${code.slice(at - 60, at + key.length + 20).replace(/\s+/g, ' ')}…`);
      }
      // Defined in both languages and read at least once.
      expect(uses, key).toBeGreaterThanOrEqual(3);
    }
    expect(misuses).toEqual([]);
  });
});
