/**
 * The real chat server for the console tests, in the setup process (createChatServer), against the
 * test stack's Postgres, allowing the admin app's origin. It serves the built widget itself
 * (widget.js / widget.css from widget/dist), so the visitor page below loads the real widget.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeExit, lineLogger, waitForExit } from '../../../supabase/local/processes.ts';
import { ADMIN_DIR } from './admin-process.ts';

export const WIDGET_DIST = resolve(ADMIN_DIR, '..', 'widget', 'dist');

/** The few chat-server exports used here (see the dynamic imports in startChatServer). */
interface ChatServerModules {
  config: { loadConfig(env: Record<string, string>): unknown };
  logger: { createLogger(level: string): unknown };
  server: {
    createChatServer(
      config: unknown,
      options: { log: unknown },
    ): Promise<{ url: string; close(): Promise<void> }>;
  };
}

export interface RunningChatServer {
  url: string;
  stop(): Promise<void>;
}

/** `npm run build -w widget` → widget/dist (what the chat server serves as /widget.js). */
export async function buildWidget(): Promise<void> {
  const child = spawn('npm', ['run', 'build', '-w', 'widget', '--silent'], {
    cwd: resolve(ADMIN_DIR, '..'),
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = lineLogger('widget build', () => {});
  child.stdout.on('data', output.write);
  child.stderr.on('data', output.write);
  const exit = await waitForExit(child);
  if (exit.code !== 0)
    throw new Error(`Building the widget failed (${describeExit(exit)}):\n${output.recent(30)}`);
}

export async function startChatServer(options: {
  dbUrl: string;
  supabaseUrl: string;
  jwtSecret: string;
  adminOrigins: string[];
  verbose?: boolean;
}): Promise<RunningChatServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'admin-chat-'));
  // Imported by path at run time: type-checking the chat server's sources under the admin app's
  // tsconfig (DOM lib) reports conflicts in its Node code that its own tsconfig does not have.
  const chatServer = resolve(ADMIN_DIR, '..', 'chat-server', 'src');
  const { loadConfig } = (await import(`${chatServer}/config.ts`)) as ChatServerModules['config'];
  const { createLogger } = (await import(`${chatServer}/logger.ts`)) as ChatServerModules['logger'];
  const { createChatServer } = (await import(`${chatServer}/server.ts`)) as ChatServerModules['server'];
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: options.dbUrl,
    SUPABASE_URL: options.supabaseUrl,
    SUPABASE_JWT_SECRET: options.jwtSecret,
    ADMIN_ORIGINS: options.adminOrigins.join(','),
    WIDGET_DIST_DIR: WIDGET_DIST,
    UPLOAD_DIR: join(dataDir, 'uploads'),
    MAILBOX_DIR: join(dataDir, 'mailbox'),
    SHUTDOWN_GRACE_MS: '500',
    PRESENCE_GRACE_MS: '0',
    ROUTING_SWEEP_MS: '500',
    // Memberships and subscriptions rechecked every second (30 s in production), so a test sees a
    // manager's group change close the agent's socket (4005) within a few seconds.
    ACCESS_RECHECK_MS: '1000',
    LOG_LEVEL: options.verbose ? 'info' : 'silent',
  });
  const chat = await createChatServer(config, { log: createLogger(options.verbose ? 'info' : 'silent') });
  return {
    url: chat.url,
    stop: async () => {
      await chat.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A host page with the real widget installed by its two lines, on http://localhost:<port> (the
 * seeded Acme Travel site allows localhost; the admin app runs on 127.0.0.1, another origin).
 * `siteKey`: another site's widget (a test's own site, whose topics route to its own group).
 */
export async function startWidgetPage(
  chatServerUrl: string,
  siteKey = 'acme_travel_demo',
): Promise<{ url: string; stop(): Promise<void> }> {
  const html = (path: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Acme Travel · ${path === '/' ? 'Home' : path.slice(1)}</title>
    <link rel="stylesheet" href="${chatServerUrl}/widget.css" />
    <script src="${chatServerUrl}/widget.js" data-site="${siteKey}" data-server="${chatServerUrl}" defer></script>
  </head>
  <body style="font-family: system-ui; margin: 40px">
    <h1>Acme Travel</h1>
    <p>Trips to Lisbon, Porto and the Algarve. <a href="/checkout">Checkout</a></p>
  </body>
</html>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(path));
  });
  await new Promise<void>((done) => server.listen(0, 'localhost', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
