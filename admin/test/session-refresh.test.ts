/**
 * Silent session refresh in a real browser. This file starts a stack of its own whose Auth hands
 * out access tokens that live TOKEN_SECONDS (the shared stack's last an hour, as hosted), with the
 * admin app's build, a chat server and the widget page pointed at it. Then:
 * - Tom (agent1) stays on the console past several expiries on ONE WebSocket: each refreshed token
 *   goes to the chat server in `auth.refresh`, so it never closes with 4001; his status stays
 *   Online, and a visitor's new chat is offered to him at once and answered;
 * - an offer made while his console had no working socket (server frames lost, then the page side
 *   cut with 4012) is on screen right after the reconnect, read back from Supabase, long before the
 *   group's 30 s offer timeout would offer it again;
 * - with `auth.refresh` frames dropped, 4001 is still the fallback: closed at expiry, reconnected;
 * - Maria (manager) leaves a page idle until her stored token has expired, then reads (History) and
 *   writes (a new client): supabase-js refreshes first (one refresh_token grant), nobody signs in.
 *
 * supabase-js refreshes a session whose token expires within EXPIRY_MARGIN (90 s) on every
 * getSession() and on its 30 s tick, so with 10 s tokens every request is preceded by a refresh when
 * needed; the console's own timer shortly before expiry calls getSession() between those ticks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import type { Browser, BrowserContext, Page, Request, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalSupabase, startLocalSupabase } from '../../supabase/local/index.ts';
import { findFreePort } from '../../supabase/local/ports.ts';
import { type RunningAdmin, startAdmin } from './helpers/admin-process.ts';
import { keepAcmeSiteOpen } from './helpers/agent-console.ts';
import { launchBrowser, screenshot, signIn } from './helpers/browser.ts';
import { type RunningChatServer, startChatServer, startWidgetPage } from './helpers/chat-server.ts';
import { nodeClientOptions } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

/** Long enough for a page to load and a socket to open, short enough to see several expiries. */
const TOKEN_SECONDS = 10;
const TOM_ID = '20000000-0000-4000-8000-000000000004';
const NORTHWIND = '10000000-0000-4000-8000-000000000001';
/** The seeded groups' offer timeout: an offer missed in a gap would otherwise come back after it. */
const OFFER_TIMEOUT_MS = 30_000;

let dataDir = '';
let stack: LocalSupabase | undefined;
let chat: RunningChatServer | undefined;
let widgetPage: { url: string; stop(): Promise<void> } | undefined;
let admin: RunningAdmin | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

/** A frame as the routes below see it: its type and ref, the token of an auth.refresh, when. */
interface SeenFrame {
  type: string;
  ref?: string;
  token?: string;
  at: number;
}

/**
 * One of Tom's WebSockets to the chat server, routed through Playwright (the page's socket and the
 * real one to the server), so a test can count sockets and frames, drop frames, or cut the page off.
 */
interface RoutedSocket {
  page: WebSocketRoute;
  server: WebSocketRoute;
  /** The bearer token it opened with. */
  token: string;
  /** Server frames are no longer passed to the page (a link that silently stopped delivering). */
  blackhole: boolean;
  sent: SeenFrame[];
  received: SeenFrame[];
  serverCloseCode: number | null;
}

const tomSockets: RoutedSocket[] = [];
/** Drop the page's auth.refresh frames (the server never sees them): the 4001 fallback. */
let dropAuthRefresh = false;

function seen(message: string | Buffer): SeenFrame {
  try {
    const frame = JSON.parse(String(message)) as { type?: unknown; ref?: unknown; token?: unknown };
    return {
      type: String(frame.type),
      ...(typeof frame.ref === 'string' ? { ref: frame.ref } : {}),
      ...(typeof frame.token === 'string' ? { token: frame.token } : {}),
      at: Date.now(),
    };
  } catch {
    return { type: 'unreadable', at: Date.now() };
  }
}

/** Close codes a page may send itself (1000, 3000–4999); others close without a code. */
const pageCloseCode = (code: number | undefined) =>
  code === 1000 || (code !== undefined && code >= 3000 && code <= 4999) ? { code } : {};

async function routeChatSockets(context: BrowserContext): Promise<void> {
  await context.routeWebSocket(/\/v1\/ws/, (page) => {
    const server = page.connectToServer();
    const bearer = page.protocols().find((p) => p.startsWith('bearer.')) ?? '';
    const socket: RoutedSocket = {
      page,
      server,
      token: bearer.slice('bearer.'.length),
      blackhole: false,
      sent: [],
      received: [],
      serverCloseCode: null,
    };
    tomSockets.push(socket);
    page.onMessage((message) => {
      const frame = seen(message);
      if (dropAuthRefresh && frame.type === 'auth.refresh') return;
      socket.sent.push(frame);
      server.send(message);
    });
    server.onMessage((message) => {
      socket.received.push(seen(message));
      if (!socket.blackhole) page.send(message);
    });
    server.onClose((code, reason) => {
      socket.serverCloseCode = code ?? null;
      void page.close({ ...pageCloseCode(code), reason });
    });
    page.onClose((code, reason) => {
      // A cut-off page side leaves the server's socket open, as a dead link does until heartbeats.
      if (!socket.blackhole) void server.close({ ...pageCloseCode(code), reason });
    });
  });
}

/** `exp` of a JWT, unverified. */
function expOf(token: string): number {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number }).exp;
}

/** auth.refresh frames the server answered `ok`, on any of Tom's sockets. */
function acceptedRefreshes(sockets = tomSockets): SeenFrame[] {
  return sockets.flatMap((socket) =>
    socket.sent.filter(
      (f) => f.type === 'auth.refresh' && socket.received.some((r) => r.type === 'ok' && r.ref === f.ref),
    ),
  );
}

async function signedInPage(
  email: string,
  options: { routeSockets?: boolean } = {},
): Promise<{ page: Page; refreshes: Request[] }> {
  if (!browser || !admin) throw new Error('beforeAll did not finish');
  const context = await browser.newContext({ baseURL: admin.url, viewport: { width: 1360, height: 860 } });
  contexts.push(context);
  if (options.routeSockets) await routeChatSockets(context);
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
  await keepAcmeSiteOpen(service());
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
  /** The socket of the console page (sign-in's own landing page had one before it). */
  let consoleSocket: RoutedSocket;
  let socketCount = 0;

  test('the stack really issues short tokens', async () => {
    const { page } = await signedInPage('agent1@northwind.test', { routeSockets: true });
    tom = page;
    const session = await storedSession(tom);
    const lifetime = session.expires_at - Math.floor(Date.now() / 1000);
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(TOKEN_SECONDS);
  });

  test('the console stays on one socket across several token refreshes (auth.refresh, never 4001); Tom stays online', async () => {
    await tom.goto('/console');
    await tom.locator('[data-testid=feed-status][data-status=open]').waitFor();
    await tom.getByRole('radio', { name: 'Online' }).click();
    await expect
      .poll(() => tom.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked'))
      .toBe('true');
    const first = await storedSession(tom);
    consoleSocket = tomSockets.at(-1) as RoutedSocket;
    socketCount = tomSockets.length;
    const socket = consoleSocket;

    // Past the expiry of the token the socket opened with, and two whole token lifetimes more,
    // without touching the page.
    const until = (expOf(socket.token) + 2 * TOKEN_SECONDS) * 1000 + 1500;
    await expect
      .poll(() => Date.now() > until, { timeout: (TOKEN_SECONDS * 3 + 5) * 1000, interval: 500 })
      .toBe(true);
    expect(acceptedRefreshes([socket]).length).toBeGreaterThanOrEqual(3);
    await tom.locator('[data-testid=feed-status][data-status=open]').waitFor();

    // Still the one socket, never closed, no error answers; each new token outlives the last.
    expect(tomSockets).toHaveLength(socketCount);
    expect(socket.serverCloseCode).toBeNull();
    expect(socket.received.filter((f) => f.type === 'error')).toEqual([]);
    const accepted = acceptedRefreshes([socket]);
    const exps = [socket.token, ...accepted.map((f) => f.token ?? '')].map(expOf);
    for (let i = 1; i < exps.length; i++) expect(exps[i]).toBeGreaterThan(exps[i - 1] as number);
    // Sent before the token in force expired (the server allows up to a second past `exp`).
    const margins = accepted.map((f, i) => (exps[i] as number) * 1000 - f.at);
    expect(Math.min(...margins)).toBeGreaterThan(-1000);
    console.log(`auth.refresh sent ${margins.map((m) => m.toFixed(0)).join(', ')} ms before expiry`);

    // A new access token, valid now, and not the one he signed in with.
    const now = await storedSession(tom);
    expect(now.access_token).not.toBe(first.access_token);
    expect(now.expires_at).toBeGreaterThan(first.expires_at);

    // Still online, in the page and in the database the router reads.
    expect(await tom.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked')).toBe('true');
    const { data, error } = await service()
      .from('agent_status')
      .select('status')
      .eq('user_id', TOM_ID)
      .eq('org_id', NORTHWIND)
      .single();
    expect(error).toBeNull();
    expect(data?.status).toBe('online');
    await screenshot(tom, 'session-refresh-console');
  }, 60_000);

  test("after the refreshes a visitor's new chat is offered to Tom at once, and his answer reaches the visitor", async () => {
    if (!browser || !widgetPage) throw new Error('beforeAll did not finish');
    const visitor = await visitorPage(browser, contexts);
    await startWidgetChat(
      visitor,
      'Rita Refresh',
      'rita@example.com',
      'Is my refund on its way?',
      widgetPage.url,
    );
    const offer = tom.getByTestId('offer');
    await offer.waitFor({ timeout: 10_000 });
    // The first message can reach the card a moment after it appears (offer-entries.ts).
    await expect.poll(() => offer.textContent()).toContain('Is my refund on its way?');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Rita Refresh');

    // Let at least one more refresh pass with the chat open, then answer.
    const refreshed = acceptedRefreshes([consoleSocket]).length;
    await expect
      .poll(() => acceptedRefreshes([consoleSocket]).length, {
        timeout: (TOKEN_SECONDS + 15) * 1000,
        interval: 500,
      })
      .toBeGreaterThan(refreshed);
    const composer = tom.locator('[data-composer]');
    await composer.fill('Yes, it left our bank this morning.');
    await composer.press('Enter');
    await expect
      .poll(() => visitor.locator('.cw-message .cw-bubble').allTextContents(), { timeout: 20_000 })
      .toContain('Yes, it left our bank this morning.');
    // And the visitor's next message reaches him over the same socket.
    await visitor.locator('.cw-composer-input').fill('Great, thank you!');
    await visitor.keyboard.press('Enter');
    await expect
      .poll(() => tom.getByTestId('message').last().textContent(), { timeout: 20_000 })
      .toContain('Great, thank you!');
    expect(tomSockets).toHaveLength(socketCount);
    expect(consoleSocket.serverCloseCode).toBeNull();
    await screenshot(tom, 'session-refresh-chat');
  }, 90_000);

  test('an offer made while the console had no working socket is shown right after the reconnect', async () => {
    if (!browser || !widgetPage) throw new Error('beforeAll did not finish');
    const lost = tomSockets.at(-1) as RoutedSocket;
    const socketsBefore = tomSockets.length;
    // The link stops delivering: the server still thinks Tom is connected (and offers him chats).
    lost.blackhole = true;
    const startedAt = new Date(Date.now() - 1000).toISOString();
    const visitor = await visitorPage(browser, contexts);
    await startWidgetChat(
      visitor,
      'Gabriel Gap',
      'gabriel@example.com',
      'Did my refund go out?',
      widgetPage.url,
    );
    const pendingOffer = async () => {
      const { data, error } = await service()
        .from('conversation_offers')
        .select('id, conversation_id, created_at, expires_at')
        .eq('user_id', TOM_ID)
        .eq('status', 'pending')
        .gte('created_at', startedAt);
      if (error) throw error;
      return data[0];
    };
    await expect.poll(pendingOffer, { timeout: 15_000 }).toBeTruthy();
    const offer = (await pendingOffer()) as { id: string; conversation_id: string; created_at: string };
    expect(lost.received.some((f) => f.type === 'offer')).toBe(true);
    expect(await tom.getByTestId('offer').count()).toBe(0);

    // Cut the page side off as a restarting server would (4012); the console reconnects.
    const cutAt = Date.now();
    await lost.page.close({ code: 4012, reason: 'service_restart' });
    await tom.getByTestId('offer').filter({ hasText: 'Did my refund go out?' }).waitFor({ timeout: 10_000 });
    const shownAfterMs = Date.now() - cutAt;
    console.log(`offer missed in the gap shown ${shownAfterMs} ms after the reconnect began`);
    expect(tomSockets.length).toBe(socketsBefore + 1);
    expect(tomSockets.at(-1)?.received.some((f) => f.type === 'welcome')).toBe(true);
    // The new socket never carried it: it came from the catch-up read, not a re-offer.
    expect(tomSockets.at(-1)?.received.some((f) => f.type === 'offer')).toBe(false);
    expect(shownAfterMs).toBeLessThan(5_000);
    expect(Date.now() - Date.parse(offer.created_at)).toBeLessThan(OFFER_TIMEOUT_MS);
    const { data: offers, error } = await service()
      .from('conversation_offers')
      .select('id, status')
      .eq('conversation_id', offer.conversation_id);
    expect(error).toBeNull();
    expect(offers).toEqual([{ id: offer.id, status: 'pending' }]);

    await screenshot(tom, 'session-refresh-gap-offer');
    // The dead link's server side goes now (Tom has his new connection), and he takes the chat.
    await lost.server.close({ code: 1000 });
    await tom.getByTestId('offer').getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Gabriel Gap');
  }, 60_000);

  test('when auth.refresh does not get through, 4001 is still the fallback: closed at expiry, reconnected', async () => {
    const before = tomSockets.length;
    dropAuthRefresh = true;
    try {
      await expect
        .poll(() => tomSockets.slice(before - 1).some((s) => s.serverCloseCode === 4001), {
          timeout: (TOKEN_SECONDS + 10) * 1000,
          interval: 250,
        })
        .toBe(true);
      await expect
        .poll(
          () => tomSockets.length > before && tomSockets.at(-1)?.received.some((f) => f.type === 'welcome'),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);
      await tom.locator('[data-testid=feed-status][data-status=open]').waitFor();
    } finally {
      dropAuthRefresh = false;
    }
    // Refreshing works again on the new socket.
    const fresh = tomSockets.at(-1) as RoutedSocket;
    await expect
      .poll(() => acceptedRefreshes([fresh]).length, { timeout: (TOKEN_SECONDS + 10) * 1000 })
      .toBeGreaterThan(0);
    expect(await tom.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked')).toBe('true');
  }, 60_000);

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
