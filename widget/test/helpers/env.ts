/**
 * One end-to-end environment per test file: a real chat server on a free port (against the
 * test stack's Postgres, mail into a temporary mailbox folder), the demo site pointing at it, and
 * headless Chromium. `stopChatServer` and `startChatServer` stop the server and start it again on
 * the same port, for the "server unreachable" test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import postgres from 'postgres';
import { inject } from 'vitest';
import { loadConfig } from '../../../chat-server/src/config.ts';
import { createLogger } from '../../../chat-server/src/logger.ts';
import { type ChatServer, createChatServer } from '../../../chat-server/src/server.ts';
import { type DemoServer, startDemoServer } from '../../demo/server.ts';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface E2eEnv {
  chat: ChatServer;
  demo: DemoServer;
  browser: Browser;
  /** The chat server's local mailbox (MAILBOX_DIR): offline replies and transcripts land here as .eml. */
  mailboxDir: string;
  /** Superuser SQL on the test stack (site settings, assertions on stored rows). */
  sql: postgres.Sql;
  stopChatServer(): Promise<void>;
  startChatServer(): Promise<void>;
  close(): Promise<void>;
}

export async function startE2eEnv(): Promise<E2eEnv> {
  const supabase = inject('supabase');
  const uploadDir = await mkdtemp(join(tmpdir(), 'widget-uploads-'));
  const mailboxDir = await mkdtemp(join(tmpdir(), 'widget-mailbox-'));
  const config = (port: number) =>
    loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: supabase.dbUrl,
      SUPABASE_URL: supabase.url,
      SUPABASE_JWT_SECRET: supabase.jwtSecret,
      UPLOAD_DIR: uploadDir,
      MAILBOX_DIR: mailboxDir,
      SHUTDOWN_GRACE_MS: '500',
      PRESENCE_GRACE_MS: '0',
      LOG_LEVEL: 'silent',
    });
  const log = createLogger(process.env.WIDGET_TEST_VERBOSE === '1' ? 'debug' : 'silent');
  let chat = await createChatServer(config(0), { log });
  const port = chat.port;
  const demo = await startDemoServer({ chatServerUrl: chat.url, testPages: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const sql = postgres(supabase.dbUrl, { max: 2, onnotice: () => {} });
  const env: E2eEnv = {
    chat,
    demo,
    browser,
    mailboxDir,
    sql,
    stopChatServer: () => chat.close(),
    async startChatServer() {
      chat = await createChatServer(config(port), { log });
      env.chat = chat;
    },
    async close() {
      await browser.close().catch(() => {});
      await demo.close();
      await chat.close();
      await sql.end({ timeout: 2 });
      await rm(uploadDir, { recursive: true, force: true });
      await rm(mailboxDir, { recursive: true, force: true });
    },
  };
  return env;
}
