/**
 * Proof that renaming the store members of tools/mangle-members.ts is safe. On an unminified
 * build, every occurrence of each name is a property access (`.name`), a getter or setter, or a
 * method definition; never a string, an object key or a variable (any of which could meet the
 * original spelling). And no name is one the outside world uses: a DOM or JavaScript built-in
 * property (TypeScript's lib files), a protocol field (shared/src/protocol), an HTTP answer's
 * field (src/api/types.ts) or a field stored in localStorage (persist.ts, outbox.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { WIDGET_ROOT } from '../demo/build.ts';
import { MANGLED_MEMBERS } from '../tools/mangle-members.ts';
import { buildUnminified } from './helpers/unminified.ts';

let code = '';

beforeAll(async () => {
  code = await buildUnminified();
});

const wordsOf = (text: string) => new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);

async function wordsOfFiles(dir: string, keep: (file: string) => boolean): Promise<Set<string>> {
  const words = new Set<string>();
  for (const file of (await readdir(dir)).filter(keep)) {
    for (const word of wordsOf(await readFile(join(dir, file), 'utf8'))) words.add(word);
  }
  return words;
}

describe('mangled store members', () => {
  test('are no name of the page, the protocol, the HTTP answers or stored data', async () => {
    const tsLib = dirname(createRequire(import.meta.url).resolve('typescript/lib/lib.dom.d.ts'));
    const platform = await wordsOfFiles(tsLib, (f) => /^lib\..*\.d\.ts$/.test(f));
    expect(platform.has('addEventListener'), 'the DOM lib was read').toBe(true);
    const outside = [
      platform,
      await wordsOfFiles(resolve(WIDGET_ROOT, '../shared/src/protocol'), (f) => f.endsWith('.ts')),
      await wordsOfFiles(join(WIDGET_ROOT, 'src/api'), (f) => f === 'types.ts'),
      await wordsOfFiles(join(WIDGET_ROOT, 'src/lib'), (f) => f === 'persist.ts'),
      await wordsOfFiles(join(WIDGET_ROOT, 'src/connection'), (f) => f === 'outbox.ts'),
    ];
    expect(MANGLED_MEMBERS.filter((name) => outside.some((words) => words.has(name)))).toEqual([]);
  });

  test('appear in the bundle only as properties, accessors and methods', () => {
    const misuses: string[] = [];
    for (const name of MANGLED_MEMBERS) {
      let uses = 0;
      for (const m of code.matchAll(new RegExp(`(?<![\\w$])${name}(?![\\w$])`, 'g'))) {
        const at = m.index;
        const lineStart = code.lastIndexOf('\n', at) + 1;
        const before = code.slice(lineStart, at);
        const after = code[at + name.length];
        const isMember =
          /(\.|#|\bget |\bset )$/.test(before) || // store.name, the private #name Svelte adds, accessors
          (/^\s*(async\s+)?$/.test(before) && after === '('); // a method definition
        if (isMember) uses++;
        else misuses.push(`${name}: …${code.slice(at - 60, at + name.length + 20).replace(/\s+/g, ' ')}…`);
      }
      // Defined and read at least once.
      expect(uses, name).toBeGreaterThanOrEqual(2);
    }
    expect(misuses).toEqual([]);
  });
});
