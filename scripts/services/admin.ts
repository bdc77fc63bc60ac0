/**
 * The admin app as an `npm start` service: the Vite dev server (hot reload) on http://localhost:5173,
 * pointed at the stack started before it. The browser gets only PUBLIC_ values; the service-role key
 * is a private server env, read by src/lib/server through $env/dynamic/private.
 * ADMIN_PORT moves it; ADMIN_MODE=build serves the adapter-node build (`npm run build -w admin` first).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForegroundService } from '../../supabase/local/foreground.ts';
import { describeExit, lineLogger, stopChild, waitForExit } from '../../supabase/local/processes.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ADMIN_DIR = join(ROOT, 'admin');
const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

export function adminService(env: NodeJS.ProcessEnv = process.env): ForegroundService {
  return {
    name: 'admin app',
    async start(stackEnv) {
      const port = Number(env.ADMIN_PORT || 5173);
      const served = env.ADMIN_MODE === 'build';
      if (served && !existsSync(join(ADMIN_DIR, 'build', 'index.js'))) {
        throw new Error('ADMIN_MODE=build needs a build: run `npm run build -w admin` first.');
      }
      const url = `http://localhost:${port}`;
      const chatServer = stackEnv.CHAT_SERVER_URL ?? 'http://127.0.0.1:8787';
      const child = spawn(
        process.execPath,
        served ? ['build'] : [VITE, 'dev', '--port', String(port), '--strictPort', '--host', 'localhost'],
        {
          cwd: ADMIN_DIR,
          env: {
            ...process.env,
            PUBLIC_SUPABASE_URL: stackEnv.SUPABASE_URL ?? '',
            PUBLIC_SUPABASE_ANON_KEY: stackEnv.SUPABASE_ANON_KEY ?? '',
            PUBLIC_CHAT_SERVER_URL: chatServer,
            PUBLIC_WIDGET_BASE_URL: env.PUBLIC_WIDGET_BASE_URL || chatServer,
            SUPABASE_SERVICE_ROLE_KEY: stackEnv.SUPABASE_SERVICE_ROLE_KEY ?? '',
            ...(served ? { PORT: String(port), HOST: 'localhost', ORIGIN: url } : {}),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const output = lineLogger('admin', (line) => console.log(line));
      child.stdout.on('data', output.write);
      child.stderr.on('data', output.write);
      const exit = waitForExit(child);
      await waitUntilServing(url, exit, output.recent);
      let stopping = false;
      return {
        banner: [
          '',
          'Admin app',
          `  ${url}  (sign in with a demo login above; ${served ? 'adapter-node build' : 'Vite dev server'})`,
        ],
        env: { ADMIN_URL: url },
        stop: async () => {
          stopping = true;
          await stopChild(child, 'SIGTERM', 5000);
        },
        exited: exit.then((how) =>
          stopping ? new Promise<Error>(() => {}) : new Error(`the admin app exited (${describeExit(how)})`),
        ),
      };
    },
  };
}

async function waitUntilServing(url: string, exit: Promise<unknown>, recent: () => string): Promise<void> {
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the admin app stopped while starting:\n${recent()}`);
    try {
      if ((await fetch(`${url}/login`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
  throw new Error(`the admin app did not answer on ${url} within 60 s:\n${recent()}`);
}
