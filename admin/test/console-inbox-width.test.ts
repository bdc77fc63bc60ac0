/**
 * The console's inbox column at laptop widths, in Chromium: its header row (status toggle and
 * chat-limit selector) stays inside the column. At 1024 px the selector used to run past the
 * inbox's right edge, under the conversation column, which cut it off.
 * Signed in as a seeded agent whose status it only reads, never changes.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openConsole } from './helpers/agent-console.ts';
import { launchBrowser, screenshot } from './helpers/browser.ts';

let browser: Browser;
const contexts: BrowserContext[] = [];
let page: Page;

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const rect = await locator.boundingBox();
  if (!rect) throw new Error('not on screen');
  return rect;
}

/** Nothing lies on top of the element's centre: a click there reaches it. */
const uncovered = (locator: Locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return hit !== null && el.contains(hit);
  });

beforeAll(async () => {
  browser = await launchBrowser();
  page = await openConsole(browser, contexts, 'agent3@northwind.test');
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

describe('the inbox column', () => {
  for (const width of [1024, 1280, 1360])
    test(`at ${width} px the status toggle and the chat-limit selector lie within the inbox`, async () => {
      await page.setViewportSize({ width, height: 768 });
      const inbox = await box(page.getByRole('complementary', { name: 'Inbox' }));
      const limit = page.getByRole('combobox', { name: 'Max chats' });
      const parts = [
        limit,
        ...['Online', 'Away', 'Offline'].map((name) => page.getByRole('radio', { name })),
      ];
      for (const part of parts) {
        const rect = await box(part);
        expect(rect.x).toBeGreaterThanOrEqual(inbox.x);
        expect(rect.x + rect.width).toBeLessThanOrEqual(inbox.x + inbox.width);
        expect(await uncovered(part)).toBe(true);
        // Labels whole, not clipped by their own box.
        expect(await part.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      }
      // The selector still shows its value ("4 chats"), not a sliver of it.
      expect((await box(limit)).width).toBeGreaterThanOrEqual(60);
      await screenshot(page, `console-inbox-${width}`);
    });
});
