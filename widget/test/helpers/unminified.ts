/**
 * The widget built like the shipped one but not minified, comments left out: the mangle tests
 * read it to prove that the names the minifier renames are used only the way it expects.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWidget } from '../../demo/build.ts';

export async function buildUnminified(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'widget-unminified-'));
  try {
    await buildWidget({ outDir, minify: false, rolldownOptions: { output: { minify: false } } });
    return withoutComments(await readFile(join(outDir, 'widget.js'), 'utf8'));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Comments say "online" and "read" too; they are on lines of their own in Rolldown's output. */
function withoutComments(text: string): string {
  return text.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
}
