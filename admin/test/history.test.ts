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

  it('filters by date range, group and agent with its own controls; rows and counts match Postgres', async () => {
    // A manager in Berlin: the date inputs are local days, so the expected set is computed on
    // Berlin days too (a UTC-only test would miss an off-by-one-day at midnight).
    const zone = 'Europe/Berlin';
    const context = await browser.newContext({
      baseURL: inject('admin').url,
      viewport: { width: 1360, height: 860 },
      timezoneId: zone,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const sql = postgres(inject('admin').dbUrl, { max: 1 });
    try {
      await signIn(page, 'manager@northwind.test');
      await page.goto('/history');
      await page.getByTestId('history-rows').waitFor();

      /** The ids the page lists (its first page) and the total it reports, after a search. */
      const shown = async () => ({
        total: await total(page),
        ids: new Set(
          await page
            .getByTestId('history-rows')
            .locator('a[href^="/history/"]')
            .evaluateAll((links) =>
              links.map((a) => (a.getAttribute('href') ?? '').replace('/history/', '')),
            ),
        ),
      });
      /** The same query straight against Postgres as the superuser: total and the newest 25 ids (ties by id, as the page). */
      const expected = async (where: postgres.PendingQuery<postgres.Row[]>) => {
        const rows = await sql<Array<{ id: string }>>`
          select id from public.conversations where org_id = ${NORTHWIND} and ${where}
          order by created_at desc, id desc`;
        return { total: rows.length, ids: new Set(rows.slice(0, 25).map((r) => r.id)) };
      };
      const search = async (urlPart: string) => {
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForURL(`**/history?${urlPart}`);
      };

      // Date range: 20 to 10 days ago, in the manager's days.
      const [range] = await sql<Array<{ from: string; to: string }>>`
        select to_char((now() at time zone ${zone})::date - 20, 'YYYY-MM-DD') as from,
               to_char((now() at time zone ${zone})::date - 10, 'YYYY-MM-DD') as to`;
      if (!range) throw new Error('Postgres returned no date range');
      const { from, to } = range;
      await page.getByLabel('From date').fill(from);
      await page.getByLabel('To date').fill(to);
      await search(`from=${from}&to=${to}`);
      const inRange = await expected(
        sql`(created_at at time zone ${zone})::date between ${from}::date and ${to}::date`,
      );
      // The seed spreads 160 chats over 30 days: a third of them is well above one page.
      expect(inRange.total).toBeGreaterThan(25);
      await expect.poll(shown).toEqual(inRange);
      await screenshot(page, 'history-filter-dates');

      // Group on top of the dates: Billing only.
      await page.getByLabel('Group').selectOption({ label: 'Billing' });
      const billing = '50000000-0000-4000-8000-000000000002';
      await search(`from=${from}&to=${to}&group=${billing}`);
      const billingInRange = await expected(
        sql`(created_at at time zone ${zone})::date between ${from}::date and ${to}::date and group_id = ${billing}`,
      );
      expect(billingInRange.total).toBeGreaterThan(0);
      expect(billingInRange.total).toBeLessThan(inRange.total);
      await expect.poll(shown).toEqual(billingInRange);
      expect(
        new Set(await page.locator('[data-testid=history-rows] td:nth-child(3)').allInnerTexts()),
      ).toEqual(new Set(['Billing']));
      await screenshot(page, 'history-filter-group');

      // Agent alone (dates and group cleared): every conversation Aiko was assigned.
      const aiko = '20000000-0000-4000-8000-000000000005';
      await page.getByLabel('From date').fill('');
      await page.getByLabel('To date').fill('');
      await page.getByLabel('Group').selectOption({ label: 'All groups' });
      await page.getByLabel('Agent').selectOption({ label: 'Aiko Tanaka' });
      await search(`agent=${aiko}`);
      const aikos = await expected(sql`assignee_id = ${aiko}`);
      expect(aikos.total).toBeGreaterThan(0);
      await expect.poll(shown).toEqual(aikos);
      expect(
        new Set(await page.locator('[data-testid=history-rows] td:nth-child(4)').allInnerTexts()),
      ).toEqual(new Set(['Aiko Tanaka']));
      await screenshot(page, 'history-filter-agent');
    } finally {
      await sql.end();
      await context.close();
    }
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
