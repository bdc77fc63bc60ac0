/// <reference path="../../supabase/types/async-exit-hook.d.ts" />
/**
 * The admin tests get their own seeded Supabase stack (they create sites, FAQs and users) and their
 * own build of the app, served by adapter-node's `node build` on a free port, exactly as in production.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalSupabase } from '../../supabase/local/index.ts';
import { findFreePort } from '../../supabase/local/ports.ts';
import { buildAdmin, startAdmin } from './helpers/admin-process.ts';
import { buildWidget, startChatServer, startWidgetPage } from './helpers/chat-server.ts';

export interface ProvidedAdmin {
  url: string;
  supabaseUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  dbUrl: string;
  /** The real chat server the console connects to (it also serves widget.js / widget.css). */
  chatServerUrl: string;
  /** A page on http://localhost:<port> with the real widget installed (the Acme Travel site). */
  widgetPageUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    admin: ProvidedAdmin;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'admin-test-'));
  const verbose = process.env.SUPABASE_LOCAL_VERBOSE === '1';
  const log = verbose ? (line: string) => console.log(line) : () => {};
  const [stack] = await Promise.all([
    startLocalSupabase({ dataDir, dbPort: 0, gatewayPort: 0, persistent: false, seed: true, log }),
    // The build gets the secrets in its environment on purpose: build-secrets.test.ts then proves
    // that none of them ends up in the browser bundle.
    buildAdmin({
      SUPABASE_SERVICE_ROLE_KEY: 'service-key-must-not-leak',
      SUPABASE_JWT_SECRET: 'jwt-secret-must-not-leak',
    }),
    buildWidget(),
  ]);
  const port = await findFreePort();
  // The console's tests need the chat server; it allows the admin app's origin (ADMIN_ORIGINS).
  const chat = await startChatServer({
    dbUrl: stack.dbUrl,
    supabaseUrl: stack.url,
    jwtSecret: stack.jwtSecret,
    adminOrigins: [`http://127.0.0.1:${port}`],
    verbose,
  });
  const widgetPage = await startWidgetPage(chat.url);
  const admin = await startAdmin({
    port,
    env: {
      PUBLIC_SUPABASE_URL: stack.url,
      PUBLIC_SUPABASE_ANON_KEY: stack.anonKey,
      PUBLIC_WIDGET_BASE_URL: 'https://chat.example.test',
      PUBLIC_CHAT_SERVER_URL: chat.url,
      SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
    },
    log,
  });
  project.provide('admin', {
    url: admin.url,
    supabaseUrl: stack.url,
    anonKey: stack.anonKey,
    serviceRoleKey: stack.serviceRoleKey,
    jwtSecret: stack.jwtSecret,
    dbUrl: stack.dbUrl,
    chatServerUrl: chat.url,
    widgetPageUrl: widgetPage.url,
  });
  return async () => {
    await admin.stop();
    await widgetPage.stop();
    await chat.stop();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
