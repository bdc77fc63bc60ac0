import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { signedInClient } from './helpers/supabase.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('a manager setting up a site', () => {
  it('creates a site, edits domains, colour and hours, saves, and copies the install snippet', async () => {
    const name = `help-${Date.now()}.acme.test`;
    const { context, page } = await newPage(browser, { clipboard: true });
    await signIn(page, 'manager@northwind.test');
    await page.goto('/manage/sites');
    await page.getByRole('button', { name: 'New site' }).click();
    await page.getByLabel('Client').selectOption({ label: 'Acme Travel' });
    await page.getByLabel('Site name').fill(name);
    await page.getByLabel('Allowed domains').fill('https://help.acme.test/path, *.acme.test');
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.waitForURL(/\/manage\/sites\/[0-9a-f-]{36}$/);

    // A bad domain is refused with a message, a good one is added.
    await page.getByLabel('Domain to allow').fill('not a domain');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('is not a host name').waitFor();
    await page.getByLabel('Domain to allow').fill('localhost');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    expect(
      await page.getByRole('list', { name: 'Allowed domains' }).getByRole('listitem').allInnerTexts(),
    ).toEqual(['help.acme.test', '*.acme.test', 'localhost']);

    await page.getByLabel('Widget colour').fill('#e11d48');
    await page.getByLabel('Title', { exact: true }).fill('Acme help');
    await page.getByLabel('Saturday').check();
    await page.getByRole('button', { name: 'Add greeting' }).click();
    await page.getByLabel('Greeting text').fill('Hello from the test!');
    // The preview follows the colour live.
    const launcherColour = await page
      .getByTestId('widget-preview')
      .locator('div')
      .last()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(launcherColour).toBe('rgb(225, 29, 72)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();

    await page.getByTestId('copy-snippet').click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const siteKey = /data-site="([^"]+)"/.exec(copied)?.[1] ?? '';
    expect(copied).toBe(
      `<link rel="stylesheet" href="https://chat.example.test/widget.css">\n<script src="https://chat.example.test/widget.js" data-site="${siteKey}" defer></script>`,
    );
    await screenshot(page, 'site-editor');

    // What was saved is what the database holds, read back as the manager.
    const manager = await signedInClient('manager@northwind.test');
    const { data } = await manager.from('sites').select('*').eq('site_key', siteKey).single();
    expect(data.name).toBe(name);
    expect(data.allowed_domains).toEqual(['help.acme.test', '*.acme.test', 'localhost']);
    expect(data.widget_settings.color).toBe('#e11d48');
    expect(data.widget_settings.title).toBe('Acme help');
    expect(data.business_hours.sat).toEqual([{ open: '09:00', close: '17:00' }]);
    expect(data.greetings).toEqual([{ from: '00:00', to: '24:00', text: 'Hello from the test!' }]);

    await page.goto('/manage/sites');
    await page.getByRole('link', { name }).waitFor();
    await screenshot(page, 'sites-list');
    await context.close();
  });
});
