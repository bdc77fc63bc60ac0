import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { NORTHWIND, signedInClient } from './helpers/supabase.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('FAQs as CSV', () => {
  it('imports a CSV (reporting bad rows), then exports every FAQ including the imported ones', async () => {
    const stamp = Date.now();
    const csv = [
      'question,answer,tags,client',
      `"Do you ship to Norway ${stamp}?","Yes, in 3-5 days, with tracking.",shipping|europe,Globex Shop`,
      `"Is there a student discount ${stamp}?","=10% with a valid student card",,`,
      ',an answer without a question,,',
      `"Unknown client ${stamp}?",answer,,Initech`,
    ].join('\n');
    const { context, page } = await newPage(browser);
    await signIn(page, 'manager@northwind.test');
    await page.goto('/manage/faqs');
    await page
      .getByTestId('faq-import')
      .setInputFiles({ name: 'faqs.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const notice = page.getByRole('alert');
    await expect.poll(() => notice.innerText()).toContain('Imported 2 FAQs; skipped 2');
    expect(await notice.innerText()).toContain('no client named "Initech"');
    await page.getByLabel('Filter FAQs').fill(String(stamp));
    expect(await page.getByTestId('faq-rows').getByRole('row').count()).toBe(2);
    await screenshot(page, 'faqs-imported');

    const manager = await signedInClient('manager@northwind.test');
    const { data: imported } = await manager
      .from('faqs')
      .select('question, answer, tags, client_id')
      .eq('org_id', NORTHWIND)
      .like('question', `%${stamp}%`)
      .order('question');
    expect(imported).toEqual([
      {
        question: `Do you ship to Norway ${stamp}?`,
        answer: 'Yes, in 3-5 days, with tracking.',
        tags: ['shipping', 'europe'],
        client_id: '30000000-0000-4000-8000-000000000002',
      },
      {
        question: `Is there a student discount ${stamp}?`,
        answer: '=10% with a valid student card',
        tags: [],
        client_id: null,
      },
    ]);

    await page.getByLabel('Filter FAQs').fill('');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('faq-export').click(),
    ]);
    const exported = await readFile((await download.path())!, 'utf8');
    const { count } = await manager
      .from('faqs')
      .select('id', { count: 'exact', head: true })
      .eq('org_id', NORTHWIND);
    const lines = exported
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('question,answer,tags,client');
    expect(lines.length - 1).toBe(count);
    expect(exported).toContain(
      `Do you ship to Norway ${stamp}?,"Yes, in 3-5 days, with tracking.",shipping|europe,Globex Shop`,
    );
    // A formula-looking answer is neutralised for spreadsheets, and comes back unchanged on import.
    expect(exported).toContain(`Is there a student discount ${stamp}?,"'=10% with a valid student card",,`);
    await context.close();
  });
});
