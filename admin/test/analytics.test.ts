import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** How many pixels of a canvas are drawn on (not transparent): a chart with data draws many. */
const DRAWN_PIXELS = (canvas: HTMLCanvasElement) => {
  const context = canvas.getContext('2d')!;
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) drawn++;
  return drawn;
};

describe('analytics', () => {
  it('renders the charts and figures from the seeded month for a manager', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'manager@northwind.test');
    await page.goto('/analytics');
    await page.getByTestId('chart').first().waitFor();
    const charts = page.getByTestId('chart');
    expect(await charts.count()).toBe(4);
    for (const canvas of await charts.all()) {
      expect(await canvas.evaluate(DRAWN_PIXELS)).toBeGreaterThan(2000);
    }
    const chats = await page.getByTestId('kpi-value').first().innerText();
    expect(Number(chats.replace(/\D/g, ''))).toBeGreaterThan(100);
    await page.getByRole('heading', { name: 'Most frequent visitor questions' }).waitFor();
    expect(await page.getByTestId('usage-table').getByRole('row').count()).toBeGreaterThan(2);
    await screenshot(page, 'analytics-manager');
    await context.close();
  });

  it('gives a client_viewer only their client, and no FAQ or group data', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'viewer@acme.test');
    await page.goto('/analytics');
    await page.getByTestId('chart').first().waitFor();
    const usage = await page.getByTestId('usage-table').innerText();
    expect(usage).toContain('Acme Travel');
    expect(usage).not.toContain('Globex');
    expect(await page.getByRole('heading', { name: 'Most-used FAQs' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'By group' }).count()).toBe(0);
    await screenshot(page, 'analytics-client-viewer');
    await context.close();
  });

  it('an agent gets a 404 on analytics', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'agent2@northwind.test');
    await page.goto('/analytics');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await context.close();
  });
});
