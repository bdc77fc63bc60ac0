/**
 * The console keeps within the agent's current rights while it stays open, end to end with the REAL
 * widget and chat server (whose ACCESS_RECHECK_MS is 1 s in this stack: helpers/chat-server.ts), on
 * rows of this file's own (helpers/consult-world.ts: group A with its own site, X its only agent, Y
 * in no group):
 * - X takes a visitor's chat and consults Y; Y previews it, then declines the consult on another
 *   device (a second console, signed in separately): the server sends the previewing console no
 *   `offer.revoked` for that (it was Y's own answer), only the unsolicited `not_found` that ends the
 *   preview's subscription, and that console closes the preview and its card, and says why;
 * - Maria (manager) takes X out of group A on the Team page while X's console lists a second
 *   visitor's queued chat of that group: the chat server closes X's socket with 4005, the console
 *   says calmly that X's access changed (not "Connection lost"), reconnects at once, and the chat is
 *   no longer in X's queue list while X's own chat stays; in the database only X's group membership
 *   changed;
 * - Arjun (admin) deactivates X: 4005, then the reconnect is refused with 4003 and the console
 *   stops with its sign-in-again text.
 * X's console sockets are routed through Playwright to read the server's close codes and, once, to
 * hold the reconnect's frames for a screenshot of the banner.
 */
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openConsole } from './helpers/agent-console.ts';
import { newPage, screenshot, signIn } from './helpers/browser.ts';
import { consult, consultFixture } from './helpers/consult-fixture.ts';
import { serviceClient } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

const GRETA = 'Greta Consulted';
const GRETA_FIRST = 'Can I still change the name on my Porto booking?';
const HUGO = 'Hugo Queued';
const HUGO_FIRST = 'Is the Algarve transfer included in my package?';
const ACCESS_CHANGED_BANNER = 'Your access changed; reconnecting…';
const ACCESS_CHANGED_TOAST = 'Your access changed; the console now shows what your current rights allow.';
const SIGN_IN_AGAIN =
  'Your session is no longer valid, or you are no longer a member of this organization. Sign in again.';
/** The seeded Northwind users (owner … agent3), whose group memberships must not move. */
const SEEDED = [1, 2, 3, 4, 5, 6].map((n) => `20000000-0000-4000-8000-00000000000${n}`);

/** One of X's console sockets as Playwright routes it. */
interface RoutedSocket {
  page: WebSocketRoute;
  /** The code the chat server closed it with (null while open, or when the page closed it). */
  serverCloseCode: number | null;
  /** Opened while `holding`: server frames wait in `held` until release(). */
  holdable: boolean;
  held: (string | Buffer)[];
}

/** Greta's chat (X's, consulted to Y) and Hugo's (queued in group A). */
let gretaChat = '';
let hugoChat = '';
const xSockets: RoutedSocket[] = [];
let holding = false;

/** Close codes a page may send itself (1000, 3000–4999); others close without a code. */
const pageCloseCode = (code: number | undefined) =>
  code === 1000 || (code !== undefined && code >= 3000 && code <= 4999) ? { code } : {};

async function routeConsoleSockets(context: BrowserContext): Promise<void> {
  await context.routeWebSocket(/\/v1\/ws/, (page) => {
    const server = page.connectToServer();
    const socket: RoutedSocket = { page, serverCloseCode: null, holdable: holding, held: [] };
    xSockets.push(socket);
    server.onMessage((message) => {
      if (socket.holdable && holding) socket.held.push(message);
      else page.send(message);
    });
    server.onClose((code, reason) => {
      socket.serverCloseCode = code ?? null;
      void page.close({ ...pageCloseCode(code), reason });
    });
    page.onClose((code, reason) => void server.close({ ...pageCloseCode(code), reason }));
  });
}

/** Lets the held sockets' frames through (the `welcome` first, as the server sent them). */
function release(): void {
  holding = false;
  for (const socket of xSockets) for (const message of socket.held.splice(0)) socket.page.send(message);
}

/**
 * Every text the connection banner showed, in order, kept by the page itself (a MutationObserver
 * from before the app starts): the banner of a quick reconnect is on screen for a moment only.
 */
function recordBanner(): void {
  const seen: string[] = [];
  (window as unknown as { bannerTexts: string[] }).bannerTexts = seen;
  new MutationObserver(() => {
    const text = document.querySelector('[data-testid=connection-banner]')?.textContent?.trim() ?? '';
    if (text && seen.at(-1) !== text) seen.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const bannerTexts = () =>
  stage.x.evaluate(() => (window as unknown as { bannerTexts: string[] }).bannerTexts);
const queueList = (page: Page) => page.getByRole('region', { name: 'Queue', exact: true });
const queued = (page: Page) => queueList(page).getByTestId('queue-entry').filter({ hasText: HUGO });
const feedStatus = (page: Page) => page.getByTestId('feed-status').getAttribute('data-status');
const toastTexts = (page: Page) => page.getByTestId('toast').allTextContents();

/** The rows a group change could touch, read with the service key. */
async function rowsAround(): Promise<Record<string, unknown>> {
  const service = serviceClient();
  const chats = [gretaChat, hugoChat];
  const [conversations, offers, participants, member, group, memberships] = await Promise.all([
    service
      .from('conversations')
      .select('id, status, group_id, assignee_id, queued_at')
      .in('id', chats)
      .order('queued_at'),
    service
      .from('conversation_offers')
      .select('id, user_id, status')
      .in('conversation_id', chats)
      .order('id'),
    service
      .from('conversation_participants')
      .select('conversation_id, user_id, left_at')
      .in('conversation_id', chats)
      .order('conversation_id'),
    service
      .from('org_members')
      .select('role, active, client_id, max_chats, display_name')
      .eq('user_id', stage.world.x.id)
      .single(),
    service
      .from('groups')
      .select('name, routing_mode, offer_timeout_seconds')
      .eq('id', stage.world.groupId)
      .single(),
    service
      .from('group_members')
      .select('group_id, user_id, max_chats')
      .in('user_id', [...SEEDED, stage.world.x.id])
      .order('group_id')
      .order('user_id'),
  ]);
  for (const r of [conversations, offers, participants, member, group, memberships])
    if (r.error) throw r.error;
  return {
    conversations: conversations.data,
    offers: offers.data,
    participants: participants.data,
    member: member.data,
    group: group.data,
    memberships: memberships.data,
  };
}

/** The id of the one conversation of group A's site from `visitor`. */
async function conversationOf(visitor: string): Promise<string> {
  const { data, error } = await serviceClient()
    .from('conversations')
    .select('id, visitor:visitors!inner(name)')
    .eq('site_id', stage.world.siteId)
    .eq('visitor.name', visitor)
    .single();
  if (error) throw error;
  return data.id;
}

/** Opens the Team page as `email` and selects X there. */
async function editX(email: string) {
  const { context, page } = await newPage(stage.browser);
  stage.contexts.push(context);
  await signIn(page, email);
  await page.goto('/manage/agents');
  await page.getByRole('row').filter({ hasText: stage.world.x.email }).click();
  return page;
}

// Time to preview: this group's offers wait two minutes. X's console is reloaded once its banner
// is recorded and its sockets routed.
const stage = consultFixture({
  offerTimeoutSeconds: 120,
  prepareX: async (page) => {
    await page.context().addInitScript(recordBanner);
    await routeConsoleSockets(page.context());
  },
});

describe('the console within the agent’s current rights', () => {
  test('a previewed consult declined on another device: the server’s not_found closes the preview and its card', async () => {
    const greta = await visitorPage(stage.browser, stage.contexts);
    await startWidgetChat(greta, GRETA, 'greta.consulted@example.com', GRETA_FIRST, stage.widgetPageUrl);
    const offered = stage.x.getByTestId('offer').filter({ hasText: GRETA });
    await offered.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect.poll(() => stage.x.getByTestId('conversation-title').textContent()).toBe(GRETA);
    gretaChat = await conversationOf(GRETA);

    await consult(stage.x, stage.world.y, 'Name changes on Porto bookings?');
    const card = stage.y.getByTestId('offer').filter({ hasText: GRETA });
    await card.getByRole('button', { name: 'Preview' }).click();
    const preview = stage.y.getByTestId('offer-preview');
    await expect.poll(() => preview.getByTestId('message').allTextContents()).toEqual([GRETA_FIRST]);
    const ySockets: unknown[] = [];
    stage.y.on('websocket', (ws) => ySockets.push(ws));

    // Y's other device: the same card, declined there.
    const other = await openConsole(stage.browser, stage.contexts, stage.world.y.email);
    await other
      .getByTestId('offer')
      .filter({ hasText: GRETA })
      .getByRole('button', { name: 'Decline', exact: true })
      .click();
    const declinedAt = Date.now();
    await expect.poll(() => other.getByTestId('offer').count()).toBe(0);

    await preview.waitFor({ state: 'detached', timeout: 10_000 });
    const closedAfterMs = Date.now() - declinedAt;
    expect(await toastTexts(stage.y)).toContain(
      `Preview closed: the chat with ${GRETA} is no longer offered to you.`,
    );
    expect(await card.count()).toBe(0);
    expect(await stage.y.getByTestId('chat-item').count()).toBe(0);
    await screenshot(stage.y, 'console-access-preview-declined-elsewhere');
    console.log(`preview closed ${closedAfterMs} ms after the decline on the other device`);
    expect(closedAfterMs).toBeLessThan(5_000);
    // The same socket all along: no reconnect did this.
    expect(ySockets).toEqual([]);
    expect(await feedStatus(stage.y)).toBe('open');
    const { data: offers, error } = await serviceClient()
      .from('conversation_offers')
      .select('kind, status')
      .eq('conversation_id', gretaChat)
      .eq('user_id', stage.world.y.id);
    if (error) throw error;
    expect(offers).toEqual([{ kind: 'consult', status: 'declined' }]);
  });

  test('removed from the group by a manager: 4005, a calm reconnect, the group’s chat leaves the queue list', async () => {
    // Agents pick in group A from now on, so Hugo's chat waits in the queue, not offered to X.
    const manual = await serviceClient()
      .from('groups')
      .update({ routing_mode: 'manual' })
      .eq('id', stage.world.groupId);
    if (manual.error) throw manual.error;
    const hugo = await visitorPage(stage.browser, stage.contexts);
    await startWidgetChat(hugo, HUGO, 'hugo.queued@example.com', HUGO_FIRST, stage.widgetPageUrl);
    await queued(stage.x).waitFor();
    hugoChat = await conversationOf(HUGO);
    expect(await feedStatus(stage.x)).toBe('open');
    const before = await rowsAround();
    expect(before.memberships).toContainEqual({
      group_id: stage.world.groupId,
      user_id: stage.world.x.id,
      max_chats: 3,
    });

    const maria = await editX('manager@northwind.test');
    const inGroup = maria.getByRole('checkbox', { name: stage.world.groupName, exact: true });
    expect(await inGroup.isChecked()).toBe(true);
    await inGroup.uncheck();
    holding = true;
    await maria.getByRole('button', { name: 'Save', exact: true }).click();
    await maria.getByText('Saved.').waitFor();
    const savedAt = Date.now();

    // The server closed X's socket for the changed membership; the console says so calmly while
    // the reconnect is held back here.
    const banner = stage.x.getByTestId('connection-banner');
    await banner.waitFor({ timeout: 10_000 });
    const closedAfterMs = Date.now() - savedAt;
    expect((await banner.textContent())?.trim()).toBe(ACCESS_CHANGED_BANNER);
    expect(xSockets[0]?.serverCloseCode).toBe(4005);
    await expect.poll(() => xSockets.length).toBe(2);
    expect(await feedStatus(stage.x)).toBe('reconnecting');
    await screenshot(stage.x, 'console-access-changed-reconnecting');

    release();
    await stage.x.locator('[data-testid=feed-status][data-status=open]').waitFor({ timeout: 10_000 });
    // Said once the new socket is welcomed (a toast, gone after 4 s).
    expect(await toastTexts(stage.x)).toContain(ACCESS_CHANGED_TOAST);
    await expect.poll(() => queued(stage.x).count(), { timeout: 10_000 }).toBe(0);
    const queueHeading = await queueList(stage.x).locator('h2').textContent();
    expect(queueHeading?.replace(/\s+/g, ' ').trim()).toBe('Queue 0');
    expect(await banner.count()).toBe(0);
    // X's own chat with Greta stays, open and writable.
    expect(await stage.x.getByTestId('conversation-title').textContent()).toBe(GRETA);
    expect(await stage.x.getByTestId('ended').count()).toBe(0);
    expect(await stage.x.locator('[data-composer]').isEnabled()).toBe(true);
    await screenshot(stage.x, 'console-access-changed-reconnected');
    console.log(`4005 banner ${closedAfterMs} ms after Save (the reconnect was then held for a screenshot)`);

    // One close (4005) and one new socket, which stays open; the banner never said "Connection lost".
    expect(await bannerTexts()).toEqual([ACCESS_CHANGED_BANNER]);
    await stage.x.waitForTimeout(2_500);
    expect(xSockets.map((s) => s.serverCloseCode)).toEqual([4005, null]);
    expect(await feedStatus(stage.x)).toBe('open');

    // In the database only X's membership of group A is gone.
    const after = await rowsAround();
    expect(after).toEqual({
      ...before,
      memberships: (before.memberships as { user_id: string }[]).filter(
        (m) => m.user_id !== stage.world.x.id,
      ),
    });
  });

  test('deactivated by an admin: 4005, the reconnect is refused (4003) and the console stops', async () => {
    const arjun = await editX('admin@northwind.test');
    await arjun.getByRole('checkbox', { name: /^Active/ }).uncheck();
    await arjun.getByRole('button', { name: 'Save', exact: true }).click();
    await arjun.getByText('Saved.').waitFor();

    await stage.x.locator('[data-testid=feed-status][data-status=stopped]').waitFor({ timeout: 15_000 });
    expect((await stage.x.getByTestId('connection-banner').textContent())?.trim()).toBe(SIGN_IN_AGAIN);
    expect(xSockets.map((s) => s.serverCloseCode)).toEqual([4005, 4005, 4003]);
    expect((await bannerTexts()).slice(-2)).toEqual([ACCESS_CHANGED_BANNER, SIGN_IN_AGAIN]);
    await screenshot(stage.x, 'console-access-deactivated');
    const { data } = await serviceClient()
      .from('org_members')
      .select('role, active')
      .eq('user_id', stage.world.x.id)
      .single();
    expect(data).toEqual({ role: 'agent', active: false });
  });
});
