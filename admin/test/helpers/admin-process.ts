/** Builds the admin app and runs its adapter-node server, for tests and `npm start`. */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeExit, lineLogger, stopChild, waitForExit } from '../../../supabase/local/processes.ts';

export const ADMIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VITE = resolve(ADMIN_DIR, '..', 'node_modules', 'vite', 'bin', 'vite.js');

/** `vite build` → admin/build (server + client) and admin/.svelte-kit/output. */
export async function buildAdmin(env: Record<string, string> = {}): Promise<void> {
  const child = spawn(process.execPath, [VITE, 'build', '--logLevel', 'warn'], {
    cwd: ADMIN_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = lineLogger('admin build', () => {});
  child.stdout.on('data', output.write);
  child.stderr.on('data', output.write);
  const exit = await waitForExit(child);
  if (exit.code !== 0)
    throw new Error(`Building the admin app failed (${describeExit(exit)}):\n${output.recent(30)}`);
}

export interface RunningAdmin {
  url: string;
  pid: number;
  stop(): Promise<void>;
  exited: Promise<Error>;
}

/** `node build` on 127.0.0.1:`port`; resolves once it answers HTTP. */
export async function startAdmin(options: {
  port: number;
  env: Record<string, string>;
  log?: (line: string) => void;
}): Promise<RunningAdmin> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, ['build'], {
    cwd: ADMIN_DIR,
    // ORIGIN: adapter-node checks form posts (the invite action) against it.
    env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1', ORIGIN: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = lineLogger('admin', options.log ?? (() => {}));
  child.stdout.on('data', output.write);
  child.stderr.on('data', output.write);
  let stopping = false;
  const exited = waitForExit(child).then(
    (exit) => new Error(`the admin server exited (${describeExit(exit)})`),
  );

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The admin server did not start:\n${output.recent()}`);
    try {
      const response = await fetch(`${url}/login`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stopChild(child, 'SIGTERM');
      throw new Error(`The admin server did not answer on ${url} within 20 s:\n${output.recent()}`);
    }
    await new Promise((wait) => setTimeout(wait, 150));
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      stopping = true;
      await stopChild(child, 'SIGTERM', 5000);
    },
    exited: exited.then((error) => (stopping ? new Promise<Error>(() => {}) : error)),
  };
}
