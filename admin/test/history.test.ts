import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { NORTHWIND, signedInClient } from './helpers/supabase.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function total(page: Page): Promise<number> {
  const text = await page.getByTestId('history-total').innerText();
  return Number(text.split(' ')[0]);
}

describe('history search', () => {
  it('filters by words, client and rating, and the counts match the database', async () => {
    const manager = await signedInClient('manager@northwind.test');
    const { page, context } = await newPage(browser);
    await signIn(page, 'manager@northwind.test');
    await page.goto('/history');
    await page.getByTestId('history-rows').waitFor();
    const { count: all } = await manager
      .from('conversations')
      .select('id', { count: 'exact', head: true })
      .eq('org_id', NORTHWIND);
    expect(await total(page)).toBe(all);

    // Full-text: "spinning" only appears in the checkout question (Globex, Technical).
    await page.getByLabel('Search messages').fill('spinning');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/history?q=spinning');
    // The expected set straight from Postgres as the superuser, without the app's RPC.
    const sql = postgres(inject('admin').dbUrl, { max: 1 });
    const matches = await sql<Array<{ conversation_id: string }>>`
      select distinct conversation_id from public.messages
      where org_id = ${NORTHWIND} and body ilike '%spinning%'`;
    await sql.end();
    const expected = matches.length;
    expect(expected).toBeGreaterThan(0);
    await expect.poll(() => total(page)).toBe(expected);
    expect(new Set(await page.getByTestId('row-client').allInnerTexts())).toEqual(new Set(['Globex Shop']));

    // Add a rating filter on top.
    await page.getByLabel('Rating').selectOption('5');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/history?q=spinning&rating=5');
    const { count: fiveStars } = await manager
      .from('conversations')
      .select('id', { count: 'exact', head: true })
      .in(
        'id',
        matches.map((m) => m.conversation_id),
      )
      .eq('rating', 5);
    await expect.poll(() => total(page)).toBe(fiveStars);
    await screenshot(page, 'history-search');

    // Client filter alone, and words that match nothing.
    await page.goto('/history?client=30000000-0000-4000-8000-000000000001');
    const { count: acme } = await manager
      .from('conversations')
      .select('id', { count: 'exact', head: true })
      .eq('client_id', '30000000-0000-4000-8000-000000000001');
    await expect.poll(() => total(page)).toBe(acme);
    await page.goto('/history?q=zebracornflakes');
    await page.getByText('No conversations found').waitFor();
    await context.close();
  });

  it('exports the search as CSV', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'manager@northwind.test');
    await page.goto('/history?q=spinning');
    await page.getByTestId('history-rows').waitFor();
    const shown = await total(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('history-export').click(),
    ]);
    const { readFile } = await import('node:fs/promises');
    const csv = (await readFile((await download.path())!, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toMatch(/^started_at,client,group,topic,agent,visitor/);
    expect(csv.length - 1).toBe(shown);
    await context.close();
  });
});
