/**
 * The agent side of the console tests: opening a console, the status toggle, closing a chat or every leftover one,
 * an always-open site.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { newPage, signIn } from './browser.ts';
import { serviceClient } from './supabase.ts';

/** Signs `email` in on a page of its own (pushed onto `contexts`) and waits for the live feed. */
export async function openConsole(
  browser: Browser,
  contexts: BrowserContext[],
  email: string,
): Promise<Page> {
  const { context, page } = await newPage(browser);
  contexts.push(context);
  await signIn(page, email);
  return gotoConsole(page);
}

/** Opens the console on a signed-in page and waits until its WebSocket feed is open. */
export async function gotoConsole(page: Page): Promise<Page> {
  await page.goto('/console');
  await page.locator('[data-testid=feed-status][data-status=open]').waitFor();
  return page;
}

/** Sets the agent's status with the toggle and waits for it to show (usable in hooks too). */
export async function setStatus(page: Page, status: 'Online' | 'Offline'): Promise<void> {
  await page.getByRole('radio', { name: status }).click();
  // A Playwright wait rather than expect.poll: this also runs in beforeAll/afterAll.
  await page.getByRole('radio', { name: status, checked: true }).waitFor();
}

/** Closes every chat in the page's list, through the UI (the confirm dialog accepted). */
export async function closeAllChats(page: Page): Promise<void> {
  page.on('dialog', (d) => void d.accept().catch(() => {}));
  // Give the console's first snapshot of its chats a moment to arrive.
  await page.waitForTimeout(1_000);
  const ids = await page
    .getByTestId('chat-item')
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-conversation') ?? ''));
  for (const id of ids) {
    await page.locator(`[data-conversation="${id}"]`).click();
    if (await page.getByTestId('ended').count()) continue;
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByTestId('ended').waitFor();
  }
}

/**
 * Closes the chat open on `page` the way an agent does (Close, then OK in the confirmation) and
 * checks it ended: "Closed" on screen and status closed in the database.
 */
export async function closeChat(page: Page, conversationId: string): Promise<void> {
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect.poll(() => page.getByTestId('ended').textContent()).toBe('Closed');
  const { data } = await serviceClient()
    .from('conversations')
    .select('status')
    .eq('id', conversationId)
    .single();
  expect(data?.status).toBe('closed');
}

/** Always open, so the widget's availability depends only on agents being online (not on the clock). */
export async function keepAcmeSiteOpen(service: SupabaseClient): Promise<void> {
  const { error } = await service
    .from('sites')
    .update({ business_hours: {} })
    .eq('site_key', 'acme_travel_demo');
  if (error) throw error;
}
