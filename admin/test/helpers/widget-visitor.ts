/** The visitor side of the console tests: the real widget on its host page, in a context of its own. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, inject } from 'vitest';

/** A fresh browser context for one visitor; pushed onto `contexts` so the file closes it. */
export async function visitorPage(browser: Browser, contexts: BrowserContext[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 780 }, locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/**
 * Opens the widget, waits until agents show online, and starts a Payments chat with a first message.
 * `pageUrl`: the host page, by default the global setup's (a file with a stack of its own passes its own).
 */
export async function startWidgetChat(
  page: Page,
  name: string,
  email: string,
  message: string,
  pageUrl = inject('admin').widgetPageUrl,
): Promise<void> {
  await page.goto(pageUrl);
  await page.locator('.cw-launcher').click();
  await expect.poll(() => page.locator('.cw-status').textContent(), { timeout: 15_000 }).toContain('online');
  await page.fill('#cw-f-name', name);
  await page.fill('#cw-f-email', email);
  await page.selectOption('#cw-f-topic', 'Payments and refunds');
  await page.fill('#cw-f-message', message);
  await page.getByRole('button', { name: 'Start chat' }).click();
}
