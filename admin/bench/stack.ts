/**
 * A throwaway environment for the console benchmarks (and for working on the console by hand):
 * a seeded local Supabase, the real chat server, the widget host page, and the admin app, either
 * its adapter-node build (`mode: 'build'`, what the render bench measures) or the Vite dev server.
 *
 *   npx tsx admin/bench/stack.ts [dev|build]    # prints the URLs, Ctrl+C stops everything
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalSupabase } from '../../supabase/local/index.ts';
import { findFreePort } from '../../supabase/local/ports.ts';
import { lineLogger, stopChild } from '../../supabase/local/processes.ts';
import { ADMIN_DIR, buildAdmin, startAdmin } from '../test/helpers/admin-process.ts';
import { startChatServer, startWidgetPage } from '../test/helpers/chat-server.ts';

export interface BenchStack {
  adminUrl: string;
  chatUrl: string;
  widgetPageUrl: string;
  supabaseUrl: string;
  anonKey: string;
  dbUrl: string;
  jwtSecret: string;
  stop(): Promise<void>;
}

export async function startBenchStack(
  mode: 'dev' | 'build',
  options: { adminPort?: number } = {},
): Promise<BenchStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'admin-bench-'));
  const stack = await startLocalSupabase({
    dataDir,
    dbPort: 0,
    gatewayPort: 0,
    persistent: false,
    seed: true,
    log: () => {},
  });
  const port = options.adminPort ?? (await findFreePort());
  const adminUrl = `http://127.0.0.1:${port}`;
  const chat = await startChatServer({
    dbUrl: stack.dbUrl,
    supabaseUrl: stack.url,
    jwtSecret: stack.jwtSecret,
    adminOrigins: [adminUrl, `http://localhost:${port}`],
  });
  const widgetPage = await startWidgetPage(chat.url);
  const env = {
    PUBLIC_SUPABASE_URL: stack.url,
    PUBLIC_SUPABASE_ANON_KEY: stack.anonKey,
    PUBLIC_CHAT_SERVER_URL: chat.url,
    PUBLIC_WIDGET_BASE_URL: chat.url,
    SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
  };
  let stopAdmin: () => Promise<void>;
  if (mode === 'build') {
    await buildAdmin();
    const admin = await startAdmin({ port, env });
    stopAdmin = admin.stop;
  } else {
    const vite = resolve(ADMIN_DIR, '..', 'node_modules', 'vite', 'bin', 'vite.js');
    const child = spawn(
      process.execPath,
      [vite, 'dev', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
      {
        cwd: ADMIN_DIR,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = lineLogger('admin', (line) => console.log(line));
    child.stdout.on('data', output.write);
    child.stderr.on('data', output.write);
    stopAdmin = () => stopChild(child, 'SIGTERM', 5000);
  }
  return {
    adminUrl,
    chatUrl: chat.url,
    widgetPageUrl: widgetPage.url,
    supabaseUrl: stack.url,
    anonKey: stack.anonKey,
    dbUrl: stack.dbUrl,
    jwtSecret: stack.jwtSecret,
    async stop() {
      await stopAdmin();
      await widgetPage.stop();
      await chat.stop();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mode = process.argv[2] === 'build' ? 'build' : 'dev';
  const running = await startBenchStack(mode, { adminPort: Number(process.env.ADMIN_PORT) || undefined });
  const { stop, ...urls } = running;
  console.log(JSON.stringify(urls, null, 2));
  const quit = async () => {
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
}
