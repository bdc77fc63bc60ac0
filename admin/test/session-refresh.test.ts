/**
 * Silent session refresh in a real browser. This file starts a stack of its own whose Auth hands
 * out access tokens that live TOKEN_SECONDS (the shared stack's last an hour, as hosted), with the
 * admin app's build, a chat server and the widget page pointed at it. Then:
 * - Tom (agent1) stays on the console past several expiries: the chat server closes his WebSocket
 *   with 4001 at each `exp`, the console refreshes the session and reconnects by itself, his status
 *   stays Online, and a visitor's new chat is offered to him and answered afterwards;
 * - Maria (manager) leaves a page idle until her stored token has expired, then reads (History) and
 *   writes (a new client): supabase-js refreshes first (one refresh_token grant), nobody signs in.
 *
 * supabase-js refreshes a session whose token expires within EXPIRY_MARGIN (90 s) on every
 * getSession() and on its 30 s tick, so with 6 s tokens every request is preceded by a refresh when
 * needed; the chat server, not supabase-js, is what notices an expiry on an open WebSocket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalSupabase, startLocalSupabase } from '../../supabase/local/index.ts';
import { findFreePort } from '../../supabase/local/ports.ts';
import { type RunningAdmin, startAdmin } from './helpers/admin-process.ts';
import { launchBrowser, screenshot, signIn } from './helpers/browser.ts';
import { type RunningChatServer, startChatServer, startWidgetPage } from './helpers/chat-server.ts';
import { nodeClientOptions } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

/** Long enough for a page to load and a socket to open, short enough to see several expiries. */
const TOKEN_SECONDS = 6;
const TOM_ID = '20000000-0000-4000-8000-000000000004';

let dataDir = '';
let stack: LocalSupabase | undefined;
let chat: RunningChatServer | undefined;
let widgetPage: { url: string; stop(): Promise<void> } | undefined;
let admin: RunningAdmin | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

/** What the page's WebSockets to the chat server did: one entry per socket, its close code once closed. */
interface SocketRecord {
  opened: boolean;
  closeCode: number | null;
  /** performance.now() at creation and at close. */
  createdAt: number;
  closedAt: number | null;
}

/**
 * Listens (only listens) to every WebSocket the page opens to the chat server: the close code is
 * the one thing Playwright's own WebSocket events do not report.
 */
function recordChatSockets(): void {
  const log: SocketRecord[] = [];
  (window as unknown as { chatSockets: SocketRecord[] }).chatSockets = log;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (!String(url).includes('/v1/ws')) return;
      const record: SocketRecord = {
        opened: false,
        closeCode: null,
        createdAt: performance.now(),
        closedAt: null,
      };
      log.push(record);
      this.addEventListener('open', () => {
        record.opened = true;
      });
      this.addEventListener('close', (event) => {
        record.closeCode = event.code;
        record.closedAt = performance.now();
      });
    }
  };
}

async function signedInPage(email: string): Promise<{ page: Page; refreshes: Request[] }> {
  if (!browser || !admin) throw new Error('beforeAll did not finish');
  const context = await browser.newContext({ baseURL: admin.url, viewport: { width: 1360, height: 860 } });
  contexts.push(context);
  await context.addInitScript(recordChatSockets);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const refreshes: Request[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/auth/v1/token?grant_type=refresh_token')) refreshes.push(request);
  });
  await signIn(page, email);
  return { page, refreshes };
}

/** The session supabase-js keeps in localStorage (`sb-<host>-auth-token`). */
async function storedSession(page: Page): Promise<{ access_token: string; expires_at: number }> {
  const raw = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('sb-') && k.endsWith('-auth-token'));
    return key ? localStorage.getItem(key) : null;
  });
  if (!raw) throw new Error('No supabase-js session in localStorage');
  return JSON.parse(raw) as { access_token: string; expires_at: number };
}

const chatSockets = (page: Page) =>
  page.evaluate(() => (window as unknown as { chatSockets: SocketRecord[] }).chatSockets);

function service() {
  if (!stack) throw new Error('beforeAll did not finish');
  return createClient(stack.url, stack.serviceRoleKey, nodeClientOptions);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'admin-refresh-'));
  stack = await startLocalSupabase({
    dataDir,
    dbPort: 0,
    gatewayPort: 0,
    persistent: false,
    seed: true,
    jwtExpirySeconds: TOKEN_SECONDS,
    log: () => {},
  });
  const port = await findFreePort();
  chat = await startChatServer({
    dbUrl: stack.dbUrl,
    supabaseUrl: stack.url,
    jwtSecret: stack.jwtSecret,
    adminOrigins: [`http://127.0.0.1:${port}`],
  });
  widgetPage = await startWidgetPage(chat.url);
  // The build the global setup made; its env is read at run time, so it points at this stack.
  admin = await startAdmin({
    port,
    env: {
      PUBLIC_SUPABASE_URL: stack.url,
      PUBLIC_SUPABASE_ANON_KEY: stack.anonKey,
      PUBLIC_WIDGET_BASE_URL: chat.url,
      PUBLIC_CHAT_SERVER_URL: chat.url,
      SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
    },
  });
  // Always open, so the widget's availability depends only on Tom being online.
  const { error } = await service()
    .from('sites')
    .update({ business_hours: {} })
    .eq('site_key', 'acme_travel_demo');
  if (error) throw error;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await admin?.stop();
  await widgetPage?.stop();
  await chat?.stop();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('silent session refresh with short-lived access tokens', () => {
  let tom: Page;

  test('the stack really issues short tokens', async () => {
    const { page } = await signedInPage('agent1@northwind.test');
    tom = page;
    const session = await storedSession(tom);
    const lifetime = session.expires_at - Math.floor(Date.now() / 1000);
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(TOKEN_SECONDS);
  });

  test('the console is closed with 4001 at each expiry, refreshes and reconnects by itself; Tom stays online', async () => {
    await tom.goto('/console');
    await tom.locator('[data-testid=feed-status][data-status=open]').waitFor();
    await tom.getByRole('radio', { name: 'Online' }).click();
    await expect
      .poll(() => tom.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked'))
      .toBe('true');
    const first = await storedSession(tom);

    // Three expiries without touching the page.
    await expect
      .poll(async () => (await chatSockets(tom)).filter((s) => s.closeCode === 4001).length, {
        timeout: (TOKEN_SECONDS * 3 + 15) * 1000,
        interval: 500,
      })
      .toBeGreaterThanOrEqual(3);
    await tom.locator('[data-testid=feed-status][data-status=open]').waitFor();

    const sockets = await chatSockets(tom);
    // Every socket but the live one ended with 4001 (token expired), none with anything else.
    expect(sockets.slice(0, -1).map((s) => s.closeCode)).toEqual(sockets.slice(0, -1).map(() => 4001));
    expect(sockets.at(-1)).toMatchObject({ opened: true, closeCode: null });
    expect(sockets.every((s) => s.opened)).toBe(true);
    // Promptly: from each 4001 to the next socket (a session refresh in between), well under a second.
    const gaps = sockets.slice(1).map((s, i) => s.createdAt - (sockets[i]?.closedAt ?? Number.NaN));
    expect(Math.max(...gaps)).toBeLessThan(1000);
    console.log(`4001 → new socket: ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);

    // A new access token, valid now, and not the one he signed in with.
    const now = await storedSession(tom);
    expect(now.access_token).not.toBe(first.access_token);
    expect(now.expires_at).toBeGreaterThan(first.expires_at);
    expect(now.expires_at * 1000).toBeGreaterThan(Date.now() - 1000);

    // Still online, in the page and in the database the router reads.
    expect(await tom.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked')).toBe('true');
    const { data, error } = await service()
      .from('agent_status')
      .select('status')
      .eq('user_id', TOM_ID)
      .eq('org_id', '10000000-0000-4000-8000-000000000001')
      .single();
    expect(error).toBeNull();
    expect(data?.status).toBe('online');
    await screenshot(tom, 'session-refresh-console');
  }, 60_000);

  test("after the expiries a visitor's new chat is offered to Tom, and his answer reaches the visitor", async () => {
    if (!browser || !widgetPage) throw new Error('beforeAll did not finish');
    const closedBefore = (await chatSockets(tom)).filter((s) => s.closeCode === 4001).length;
    const visitor = await visitorPage(browser, contexts);
    await startWidgetChat(
      visitor,
      'Rita Refresh',
      'rita@example.com',
      'Is my refund on its way?',
      widgetPage.url,
    );
    const offer = tom.getByTestId('offer');
    // Usually within a second or two. An offer published in the ~50 ms between a 4001 and the next
    // welcome is not replayed to the console (it reads offers from Supabase only when it opens), so
    // it waits out the group's 30 s offer timeout and is offered again: allow for that.
    await offer.waitFor({ timeout: 45_000 });
    expect(await offer.textContent()).toContain('Is my refund on its way?');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Rita Refresh');

    // Let at least one more expiry pass with the chat open, then answer.
    await expect
      .poll(async () => (await chatSockets(tom)).filter((s) => s.closeCode === 4001).length, {
        timeout: (TOKEN_SECONDS + 15) * 1000,
        interval: 500,
      })
      .toBeGreaterThan(closedBefore);
    const composer = tom.locator('[data-composer]');
    await composer.fill('Yes, it left our bank this morning.');
    await composer.press('Enter');
    await expect
      .poll(() => visitor.locator('.cw-message .cw-bubble').allTextContents(), { timeout: 20_000 })
      .toContain('Yes, it left our bank this morning.');
    // And the visitor's next message reaches him over the current socket.
    await visitor.locator('.cw-composer-input').fill('Great, thank you!');
    await visitor.keyboard.press('Enter');
    await expect
      .poll(() => tom.getByTestId('message').last().textContent(), { timeout: 20_000 })
      .toContain('Great, thank you!');
    await screenshot(tom, 'session-refresh-chat');
  }, 90_000);

  test("Maria's page, idle past her token's expiry, reads and writes without signing in again", async () => {
    const { page: maria, refreshes } = await signedInPage('manager@northwind.test');
    await maria.goto('/manage/clients');
    await maria.getByRole('button', { name: 'New client' }).waitFor();
    const idle = await storedSession(maria);
    // Wait until the stored token is expired (the 30 s tick has not come round yet).
    await expect
      .poll(() => Date.now() > idle.expires_at * 1000 + 1000, {
        timeout: (TOKEN_SECONDS + 5) * 1000,
        interval: 250,
      })
      .toBe(true);
    expect((await storedSession(maria)).access_token).toBe(idle.access_token);
    const refreshesBefore = refreshes.length;

    // A read: History through the sidebar, rows from PostgREST.
    await maria.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
    await maria.getByTestId('history-rows').locator('tr').first().waitFor();
    expect(await maria.getByTestId('history-rows').locator('tr').count()).toBeGreaterThan(0);
    expect(refreshes.length).toBeGreaterThan(refreshesBefore);
    const after = await storedSession(maria);
    expect(after.access_token).not.toBe(idle.access_token);

    // Idle past that one too, then a write.
    await expect
      .poll(() => Date.now() > after.expires_at * 1000 + 1000, {
        timeout: (TOKEN_SECONDS + 5) * 1000,
        interval: 250,
      })
      .toBe(true);
    const name = `Refresh Travel ${Date.now()}`;
    await maria.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await maria.getByRole('button', { name: 'New client' }).click();
    await maria.getByLabel('Name').fill(name);
    await maria.getByRole('button', { name: 'Save', exact: true }).click();
    await maria.getByRole('cell', { name, exact: true }).waitFor();
    const { data, error } = await service().from('clients').select('org_id').eq('name', name).single();
    expect(error).toBeNull();
    expect(data?.org_id).toBe('10000000-0000-4000-8000-000000000001');
    expect((await storedSession(maria)).access_token).not.toBe(after.access_token);
    // Never sent back to the sign-in page.
    expect(new URL(maria.url()).pathname).toBe('/manage/clients');
  }, 60_000);
});
