/**
 * Archiving a client in Chromium, the way a manager does it: archive from the list, the client
 * leaves the default list, "Show archived" finds it with its badge, History still offers it as a
 * filter, the chat server refuses its site's widget, restore brings it back, and deleting (offered
 * for archived clients only) asks for the name after saying how many sites and conversations go.
 * The client, its site and its one closed conversation are created here; the seeded Acme and
 * Globex are never archived (other files use them).
 */
import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { NORTHWIND } from './helpers/supabase.ts';

let browser: Browser;
let sql: postgres.Sql;
beforeAll(async () => {
  browser = await launchBrowser();
  sql = postgres(inject('admin').dbUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await browser?.close();
  await sql?.end();
});

const suffix = `${Date.now()}-${Math.floor(Math.random() * 1e4)}`;
const NAME = `Umbrella Travel ${suffix}`;
const SITE_KEY = `umbrella_${suffix.replace('-', '_')}`;

/** A site and one closed conversation for the client, as the widget and chat server would leave them. */
async function seedHistory(clientId: string): Promise<void> {
  const [site] = await sql<{ id: string }[]>`
    insert into public.sites (org_id, client_id, name, site_key, allowed_domains)
    values (${NORTHWIND}, ${clientId}, ${`umbrella-${suffix}.test`}, ${SITE_KEY}, ${['localhost']})
    returning id`;
  const [visitor] = await sql<{ id: string }[]>`
    insert into public.visitors (org_id, client_id, site_id, name)
    values (${NORTHWIND}, ${clientId}, ${site!.id}, 'Jill Valentine') returning id`;
  // Closed, so it never reaches a queue another test's agent is watching.
  await sql`
    insert into public.conversations (org_id, client_id, site_id, visitor_id, status, created_at, closed_at)
    values (${NORTHWIND}, ${clientId}, ${site!.id}, ${visitor!.id}, 'closed', now() - interval '1 hour', now())`;
}

const archivedAt = async (id: string) =>
  (await sql<{ archived_at: Date | null }[]>`select archived_at from public.clients where id = ${id}`)[0]
    ?.archived_at;

const widgetConfigStatus = async (): Promise<{ status: number; code?: string }> => {
  const res = await fetch(`${inject('admin').chatServerUrl}/v1/widget/config?site=${SITE_KEY}`);
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
};

const row = (page: Page) => page.getByRole('row', { name: NAME });

describe('archiving a client', () => {
  it('a manager archives a client, finds it under "Show archived", restores it, and deletes it after confirming', async () => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, 'manager@northwind.test');
      await page.goto('/manage/clients');
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByLabel('Name', { exact: true }).fill(NAME);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await row(page).waitFor();
      const [created] = await sql<{ id: string }[]>`select id from public.clients where name = ${NAME}`;
      const clientId = created!.id;
      await seedHistory(clientId);
      await page.reload();
      await row(page).getByRole('cell', { name: '1', exact: true }).waitFor();
      expect((await widgetConfigStatus()).status).toBe(200);

      // An active client is archived, not deleted: the row offers Archive and no Delete.
      expect(
        await row(page)
          .getByRole('button', { name: `Delete ${NAME}` })
          .count(),
      ).toBe(0);
      await page.getByRole('button', { name: `Archive ${NAME}` }).click();
      await page.getByRole('status').getByText(`${NAME} is archived`).waitFor();
      await row(page).waitFor({ state: 'detached' });
      expect(await archivedAt(clientId)).toBeInstanceOf(Date);
      // The seeded clients are still listed by default.
      await page.getByRole('cell', { name: 'Acme Travel', exact: true }).waitFor();
      await screenshot(page, 'clients-archived-hidden');

      // Its site takes no new chats.
      expect(await widgetConfigStatus()).toEqual({ status: 403, code: 'client_archived' });

      // The Sites page marks its site, and a new site cannot be given to an archived client.
      await page.goto('/manage/sites');
      await page
        .getByRole('row', { name: `umbrella-${suffix}.test` })
        .getByText('Client archived')
        .waitFor();
      await page.getByRole('button', { name: 'New site' }).click();
      expect(await page.getByLabel('Client').getByRole('option', { name: NAME }).count()).toBe(0);
      await page
        .getByLabel('Client')
        .getByRole('option', { name: 'Acme Travel' })
        .waitFor({ state: 'attached' });
      await screenshot(page, 'sites-client-archived');
      await page.goto('/manage/clients');
      await page.getByRole('cell', { name: 'Acme Travel', exact: true }).waitFor();

      await page.getByLabel('Show archived').check();
      await row(page).getByText('Archived', { exact: true }).waitFor();
      await row(page)
        .getByText(/^Since .* · sites take no new chats$/)
        .waitFor();
      await screenshot(page, 'clients-show-archived');

      // History still offers the archived client as a filter, marked, and finds its conversation.
      await page.goto('/history');
      const option = page.getByLabel('Client').getByRole('option', { name: `${NAME} (archived)` });
      await option.waitFor({ state: 'attached' });
      await page.getByLabel('Client').selectOption({ label: `${NAME} (archived)` });
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL((url) => url.searchParams.get('client') === clientId);
      await expect.poll(() => page.getByTestId('history-total').innerText()).toMatch(/^1 /);
      await screenshot(page, 'history-archived-client');

      // Restore: back in the default list, without the badge, and its site is open again.
      await page.goto('/manage/clients');
      await page.getByLabel('Show archived').check();
      await page.getByRole('button', { name: `Restore ${NAME}` }).click();
      await page.getByRole('status').getByText(`${NAME} is restored`).waitFor();
      await page.getByLabel('Show archived').uncheck();
      await row(page).waitFor();
      expect(await row(page).getByText('Archived', { exact: true }).count()).toBe(0);
      expect(await archivedAt(clientId)).toBeNull();
      expect((await widgetConfigStatus()).status).toBe(200);

      // Delete is offered once archived, and says what it destroys before it does.
      await page.getByRole('button', { name: `Archive ${NAME}` }).click();
      await page.getByLabel('Show archived').check();
      await page.getByRole('button', { name: `Delete ${NAME}` }).click();
      const dialog = page.getByRole('dialog', { name: `Delete ${NAME} permanently?` });
      await dialog.getByText('1 site', { exact: true }).waitFor();
      await expect
        .poll(() => dialog.getByTestId('conversation-count').innerText())
        .toBe('its 1 stored conversation');
      const confirm = dialog.getByRole('button', { name: 'Delete client and conversations' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel(`Type ${NAME} to confirm`).fill('Umbrella');
      expect(await confirm.isDisabled()).toBe(true);
      await screenshot(page, 'clients-delete-dialog');
      await dialog.getByLabel(`Type ${NAME} to confirm`).fill(NAME);
      await confirm.click();
      await page.getByRole('status').getByText(`${NAME} was deleted`).waitFor();
      await row(page).waitFor({ state: 'detached' });
      expect(await sql`select id from public.clients where id = ${clientId}`).toHaveLength(0);
      expect(await sql`select id from public.conversations where client_id = ${clientId}`).toHaveLength(0);
    } finally {
      await sql`delete from public.clients where name = ${NAME}`;
      await context.close();
    }
  });

  it('cancelling the delete dialog keeps the archived client', async () => {
    const name = `Tyrell ${suffix}`;
    const [client] = await sql<{ id: string }[]>`
      insert into public.clients (org_id, name, archived_at) values (${NORTHWIND}, ${name}, now()) returning id`;
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, 'manager@northwind.test');
      await page.goto('/manage/clients');
      // Hidden until asked for.
      await page.getByRole('cell', { name: 'Acme Travel', exact: true }).waitFor();
      expect(await page.getByRole('row', { name }).count()).toBe(0);
      await page.getByLabel('Show archived').check();
      await page.getByRole('button', { name: `Delete ${name}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('0 sites', { exact: true }).waitFor();
      await expect
        .poll(() => dialog.getByTestId('conversation-count').innerText())
        .toBe('no stored conversations');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('row', { name }).waitFor();
      expect(await sql`select id from public.clients where id = ${client!.id}`).toHaveLength(1);
    } finally {
      await sql`delete from public.clients where id = ${client!.id}`;
      await context.close();
    }
  });
});
