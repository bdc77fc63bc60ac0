/**
 * The organization switcher, driven in Chromium by a user of our own who belongs to both seeded
 * firms with different roles: manager at Northwind Support, agent (Appointments group) at Contoso
 * Care. Switching changes the organization name, the role, the navigation the role gets, and the
 * data (clients, history) to the other firm's only; the choice survives a reload and switching back
 * restores the first. The console's WebSocket names the selected organization (`?org=`), so its
 * welcome, presence and offers are that firm's: going online at Contoso, a visitor of Contoso's
 * Fabrikam site (the real widget) is offered live. Demo users are not touched: the user and their
 * rows are deleted afterwards.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser, navLabels, newPage, screenshot, signIn } from './helpers/browser.ts';
import { NORTHWIND, serviceClient } from './helpers/supabase.ts';

const CONTOSO = '10000000-0000-4000-8000-000000000002';
const APPOINTMENTS = '50000000-0000-4000-8000-000000000004';
const NORTHWIND_CLIENTS = ['Acme Travel', 'Globex Shop'];
const CONTOSO_CLIENTS = ['Fabrikam Health'];
const MANAGER_NAV = [
  'Console',
  'History',
  'Analytics',
  'Snippets',
  'Clients',
  'Sites',
  'Groups',
  'Team',
  'FAQs',
  'Organization',
];
const AGENT_NAV = ['Console', 'History', 'Snippets'];

const email = `two-firms-${Date.now()}@example.test`;
const password = 'two-firms-pass-1';
let userId = '';
let browser: Browser;
let context: BrowserContext;
let page: Page;
const visitorContexts: BrowserContext[] = [];
const hostPages: Server[] = [];

/** Each `welcome` the console's sockets received, with the URL the socket was opened with. */
const welcomes: { url: string; identity: { orgId?: string; role?: string; name?: string } }[] = [];
const lastWelcome = () => welcomes.at(-1);

/** Records the console's welcome frames (PROTOCOL.md: the first frame names who connected). */
function captureWelcomes(p: Page): void {
  p.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const frame = JSON.parse(payload) as { type: string; identity?: (typeof welcomes)[number]['identity'] };
      if (frame.type === 'welcome' && frame.identity)
        welcomes.push({ url: ws.url(), identity: frame.identity });
    });
  });
}

/**
 * A visitor of Contoso's Fabrikam Health site with the real widget, installed by its two lines on a
 * host page of our own on http://localhost:<port> (the seeded site allows localhost). A real server,
 * not a routed page: Chromium lets only a page on a local address load the widget from 127.0.0.1.
 */
async function startFabrikamChat(name: string, message: string): Promise<void> {
  const chat = inject('admin').chatServerUrl;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fabrikam Health</title>
    <link rel="stylesheet" href="${chat}/widget.css">
    <script src="${chat}/widget.js" data-site="fabrikam_health_demo" data-server="${chat}" defer></script>
    </head><body><h1>Fabrikam Health</h1></body></html>`;
  const host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((done) => host.listen(0, 'localhost', done));
  hostPages.push(host);
  const visitor = await browser.newContext({ viewport: { width: 1100, height: 780 }, locale: 'en-US' });
  visitorContexts.push(visitor);
  const v = await visitor.newPage();
  v.setDefaultTimeout(15_000);
  await v.goto(`http://localhost:${(host.address() as AddressInfo).port}/`);
  await v.locator('.cw-launcher').click();
  await expect.poll(() => v.locator('.cw-status').textContent(), { timeout: 15_000 }).toContain('online');
  await v.fill('#cw-f-name', name);
  await v.fill('#cw-f-message', message);
  await v.getByRole('button', { name: 'Start chat' }).click();
}

/** Client names in the History table (each row names its client). */
async function historyClients(): Promise<string[]> {
  await page.goto('/history');
  await page.getByTestId('history-total').waitFor();
  return [...new Set((await page.getByTestId('row-client').allInnerTexts()).map((t) => t.trim()))].sort();
}

async function switchTo(orgName: string): Promise<void> {
  await page.getByLabel('Switch organization').selectOption({ label: orgName });
  await expect.poll(() => page.getByTestId('org-name').textContent()).toBe(orgName);
  await page.waitForURL((url) => url.pathname === '/console');
}

beforeAll(async () => {
  const service = serviceClient();
  const { data, error } = await service.auth.admin.createUser({
    email,
    password,
    email_confirm: true,
    user_metadata: { full_name: 'Morgan Two-Firms' },
  });
  if (error) throw error;
  userId = data.user.id;
  // Two inserts, so Northwind's membership is the older one (the default organization).
  for (const member of [
    { org_id: NORTHWIND, role: 'manager' },
    { org_id: CONTOSO, role: 'agent' },
  ]) {
    const inserted = await service
      .from('org_members')
      .insert({ ...member, user_id: userId, display_name: 'Morgan Two-Firms', email, max_chats: 3 });
    if (inserted.error) throw inserted.error;
  }
  const grouped = await service
    .from('group_members')
    .insert({ org_id: CONTOSO, group_id: APPOINTMENTS, user_id: userId, max_chats: 3 });
  if (grouped.error) throw grouped.error;
  browser = await launchBrowser();
  ({ context, page } = await newPage(browser));
  captureWelcomes(page);
});

afterAll(async () => {
  for (const visitor of visitorContexts) await visitor.close().catch(() => {});
  for (const host of hostPages) host.close();
  await context?.close();
  await browser?.close();
  if (userId) {
    const service = serviceClient();
    await service.from('group_members').delete().eq('user_id', userId);
    await service.from('agent_status').delete().eq('user_id', userId);
    await service.from('org_members').delete().eq('user_id', userId);
    await service.auth.admin.deleteUser(userId);
  }
});

describe('the organization switcher', () => {
  test('signed in, the older membership is current: Northwind as a manager, with its clients and history only', async () => {
    await signIn(page, email, password);
    expect(await page.getByTestId('org-name').textContent()).toBe('Northwind Support');
    expect(await navLabels(page)).toEqual(MANAGER_NAV);
    await page.getByText('Manager', { exact: true }).waitFor();

    await page.goto('/manage/clients');
    for (const name of NORTHWIND_CLIENTS) await page.getByRole('cell', { name, exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: 'Fabrikam Health', exact: true }).count()).toBe(0);

    const clients = await historyClients();
    expect(clients.length).toBeGreaterThan(0);
    expect(clients.every((c) => NORTHWIND_CLIENTS.includes(c))).toBe(true);
    await screenshot(page, 'org-switcher-northwind');
  });

  test('switching to Contoso from the console shows Contoso as an agent: its own console, nav, history; no management', async () => {
    await page.goto('/console');
    await page.locator('[data-testid=feed-status][data-status=open]').waitFor();
    // The Northwind console's socket asked for Northwind and was welcomed as its manager.
    await expect.poll(() => lastWelcome()?.identity).toMatchObject({ orgId: NORTHWIND, role: 'manager' });
    expect(new URL(lastWelcome()?.url ?? 'ws://x').searchParams.get('org')).toBe(NORTHWIND);
    // The switcher offers exactly the two memberships.
    const options = await page.getByLabel('Switch organization').locator('option').allInnerTexts();
    expect(options.sort()).toEqual(['Contoso Care', 'Northwind Support']);

    // Watches every DOM change during the switch: under Contoso's name, nothing of Northwind's
    // console (its client names, or its closed feed) may be on screen, not even for one frame.
    await page.evaluate(
      ({ northwind }) => {
        const seen: string[] = [];
        (window as unknown as { mixed: string[] }).mixed = seen;
        new MutationObserver(() => {
          if (document.querySelector('[data-testid=org-name]')?.textContent !== 'Contoso Care') return;
          const main = document.querySelector('main');
          const text = main?.textContent ?? '';
          for (const name of northwind) if (text.includes(name)) seen.push(name);
          if (main?.querySelector('[data-testid=feed-status][data-status=stopped]'))
            seen.push('closed console');
        }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      },
      { northwind: NORTHWIND_CLIENTS },
    );
    await switchTo('Contoso Care');
    expect(await navLabels(page)).toEqual(AGENT_NAV);
    await page.getByText('Agent', { exact: true }).waitFor();
    // The console running is Contoso's (connected), not the closed Northwind one.
    await page.locator('[data-testid=feed-status][data-status=open]').waitFor();
    await screenshot(page, 'org-switcher-contoso-console');
    expect(await page.evaluate(() => (window as unknown as { mixed: string[] }).mixed)).toEqual([]);
    // …and so is its socket: a new one, for Contoso, welcomed as Contoso's agent.
    await expect
      .poll(() => lastWelcome()?.identity)
      .toMatchObject({ orgId: CONTOSO, role: 'agent', name: 'Morgan Two-Firms' });
    expect(new URL(lastWelcome()?.url ?? 'ws://x').searchParams.get('org')).toBe(CONTOSO);

    const clients = await historyClients();
    expect(clients).toEqual(CONTOSO_CLIENTS);
    // An agent's 404 for management, although the same user manages Northwind.
    await page.goto('/manage/clients');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Acme Travel', exact: true }).count()).toBe(0);
  });

  test("at Contoso the console is live for Contoso: going online there, a Fabrikam visitor's chat is offered", async () => {
    await page.goto('/console');
    await page.locator('[data-testid=feed-status][data-status=open]').waitFor();
    await page.getByRole('radio', { name: 'Online' }).click();
    await expect
      .poll(() => page.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked'))
      .toBe('true');
    // Presence went to the Contoso membership (what routing reads), not the Northwind one.
    const service = serviceClient();
    await expect
      .poll(async () => {
        const { data } = await service.from('agent_status').select('org_id, status').eq('user_id', userId);
        return Object.fromEntries((data ?? []).map((r) => [r.org_id, r.status]));
      })
      .toMatchObject({ [CONTOSO]: 'online' });
    const { data: northwindStatus } = await service
      .from('agent_status')
      .select('status')
      .eq('user_id', userId)
      .eq('org_id', NORTHWIND);
    expect(northwindStatus?.[0]?.status ?? 'offline').toBe('offline');

    await startFabrikamChat('Fiona Patient', 'Can I move my appointment to Friday?');
    const offer = page.getByTestId('offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('Fiona Patient');
    expect(await offer.textContent()).toContain('move my appointment to Friday');
    await screenshot(page, 'org-switcher-contoso-offer');
    // Back to offline, so no other chat is routed to this test user.
    await page.getByRole('radio', { name: 'Offline' }).click();
    await expect
      .poll(() => page.getByRole('radio', { name: 'Offline' }).getAttribute('aria-checked'))
      .toBe('true');
  });

  test('the choice survives a reload', async () => {
    await page.goto('/history');
    await page.reload();
    await page.getByTestId('history-total').waitFor();
    expect(await page.getByTestId('org-name').textContent()).toBe('Contoso Care');
    expect(await navLabels(page)).toEqual(AGENT_NAV);
    expect(await historyClients()).toEqual(CONTOSO_CLIENTS);
  });

  test('the seeded demo user of both firms (lead@contoso.test) gets the switcher too', async () => {
    const demo = await newPage(browser);
    try {
      await signIn(demo.page, 'lead@contoso.test');
      const options = await demo.page.getByLabel('Switch organization').locator('option').allInnerTexts();
      expect(options.sort()).toEqual(['Contoso Care', 'Northwind Support']);
      await screenshot(demo.page, 'org-switcher-demo-user');
    } finally {
      await demo.context.close();
    }
  });

  test('switching back restores Northwind: manager navigation and Northwind data, nothing of Contoso', async () => {
    await switchTo('Northwind Support');
    expect(await navLabels(page)).toEqual(MANAGER_NAV);
    await page.getByText('Manager', { exact: true }).waitFor();
    const clients = await historyClients();
    expect(clients.length).toBeGreaterThan(0);
    expect(clients.every((c) => NORTHWIND_CLIENTS.includes(c))).toBe(true);
    await page.goto('/manage/clients');
    await page.getByRole('cell', { name: 'Acme Travel', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: 'Fabrikam Health', exact: true }).count()).toBe(0);
    await page.reload();
    await page.getByRole('cell', { name: 'Acme Travel', exact: true }).waitFor();
    expect(await page.getByTestId('org-name').textContent()).toBe('Northwind Support');
    await screenshot(page, 'org-switcher-back');
    // The console opened after switching back is Northwind's again.
    await page.goto('/console');
    await page.locator('[data-testid=feed-status][data-status=open]').waitFor();
    await expect.poll(() => lastWelcome()?.identity).toMatchObject({ orgId: NORTHWIND, role: 'manager' });
    expect(new URL(lastWelcome()?.url ?? 'ws://x').searchParams.get('org')).toBe(NORTHWIND);
  });
});
