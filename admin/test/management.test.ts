/**
 * Management pages driven in Chromium: clients, groups, organization settings, snippets, team, and
 * the forgot-password request. Each test acts through the UI, then reads the database so the
 * assertion can fail, and removes the rows it created.
 */
import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { NORTHWIND, serviceClient, signedInClient } from './helpers/supabase.ts';

let browser: Browser;
let sql: postgres.Sql;
beforeAll(async () => {
  browser = await launchBrowser();
  sql = postgres(inject('admin').dbUrl, { max: 1 });
});
afterAll(async () => {
  await browser?.close();
  await sql?.end();
});

const unique = (prefix: string) => `${prefix} ${Date.now()}-${Math.floor(Math.random() * 1e4)}`;

/** The pages ask `confirm()` before deleting; the user says yes. */
function acceptDialogs(page: Page) {
  page.on('dialog', (dialog) => void dialog.accept());
}

describe('clients', () => {
  it('a manager creates, renames and deletes a client', async () => {
    const name = unique('Initech');
    const renamed = `${name} Ltd`;
    const { context, page } = await newPage(browser);
    acceptDialogs(page);
    try {
      await signIn(page, 'manager@northwind.test');
      await page.goto('/manage/clients');
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Contact email').fill('support@initech.test');
      await page.getByLabel('Notes for agents').fill('Be nice to Milton.');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('cell', { name, exact: true }).waitFor();
      const [created] = await sql`select id, contact_email, notes from public.clients where name = ${name}`;
      expect(created?.contact_email).toBe('support@initech.test');
      expect(created?.notes).toBe('Be nice to Milton.');

      await page.getByRole('row', { name }).getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Name').fill(renamed);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('cell', { name: renamed, exact: true }).waitFor();
      const [after] = await sql`select name from public.clients where id = ${created?.id}`;
      expect(after?.name).toBe(renamed);
      await screenshot(page, 'clients-renamed');

      // Delete is offered for archived clients only, behind a dialog that asks for the name
      // (clients-archive.test.ts covers archiving itself).
      await page.getByRole('button', { name: `Archive ${renamed}` }).click();
      await page.getByLabel('Show archived').check();
      await page.getByRole('button', { name: `Delete ${renamed}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(`Type ${renamed} to confirm`).fill(renamed);
      await dialog.getByRole('button', { name: 'Delete client and conversations' }).click();
      // While the modal dialog is open the table is outside the accessibility tree, so "the cell
      // is gone" alone could pass before the delete ran: wait for the dialog to close and for the
      // row to leave the list, and poll the database.
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('cell', { name: renamed, exact: true }).waitFor({ state: 'detached' });
      await expect
        .poll(async () => (await sql`select id from public.clients where id = ${created?.id}`).length)
        .toBe(0);
    } finally {
      await sql`delete from public.clients where name in (${name}, ${renamed})`;
      await context.close();
    }
  });
});

describe('groups', () => {
  it('a manager creates a group with routing mode and offer timeout, edits it and deletes it', async () => {
    const name = unique('Loyalty');
    const { context, page } = await newPage(browser);
    acceptDialogs(page);
    try {
      await signIn(page, 'manager@northwind.test');
      await page.goto('/manage/groups');
      await page.getByRole('button', { name: 'New group' }).click();
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Description').fill('Frequent flyers');
      await page.getByLabel('Routing').selectOption('manual');
      await page.getByLabel('Offer timeout (seconds)').fill('45');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const row = page.getByRole('row', { name });
      await row.getByText('Agents pick').waitFor();
      const [created] =
        await sql`select id, description, routing_mode, offer_timeout_seconds from public.groups where name = ${name}`;
      expect(created).toMatchObject({
        description: 'Frequent flyers',
        routing_mode: 'manual',
        offer_timeout_seconds: 45,
      });

      await row.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Routing').selectOption('auto');
      await page.getByLabel('Offer timeout (seconds)').fill('20');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await row.getByText('Automatic').waitFor();
      const [edited] =
        await sql`select routing_mode, offer_timeout_seconds from public.groups where id = ${created?.id}`;
      expect(edited).toMatchObject({ routing_mode: 'auto', offer_timeout_seconds: 20 });
      await screenshot(page, 'groups-edited');

      await row.getByRole('button', { name: 'Edit' }).click();
      await page.getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });
      expect(await sql`select id from public.groups where id = ${created?.id}`).toHaveLength(0);
    } finally {
      await sql`delete from public.groups where name = ${name}`;
      await context.close();
    }
  });
});

describe('organization settings', () => {
  it('an admin renames the organization and sees it saved', async () => {
    const [org] = await sql<
      { name: string }[]
    >`select name from public.organizations where id = ${NORTHWIND}`;
    if (!org) throw new Error('The seeded Northwind organization is missing');
    const original = org.name;
    const renamed = unique('Northwind Care');
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, 'admin@northwind.test');
      await page.goto('/manage/settings');
      await page.getByLabel('Default time zone for new sites').waitFor();
      // One control per label: the time-zone list no longer answers to "Name" through its options.
      expect(await page.getByLabel('Name').count()).toBe(1);
      // The stored default time zone is shown, even when Intl does not list it (UTC).
      const [stored] = await sql<{ zone: string }[]>`
        select coalesce(settings ->> 'defaultTimeZone', 'UTC') as zone from public.organizations where id = ${NORTHWIND}`;
      expect(await page.getByLabel('Default time zone for new sites').inputValue()).toBe(stored?.zone);
      await screenshot(page, 'organization-settings');
      await page.getByLabel('Organization name').fill(renamed);
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Saved.').waitFor();
      const [after] = await sql`select name from public.organizations where id = ${NORTHWIND}`;
      expect(after?.name).toBe(renamed);
      // Still there after a reload: read back from the database, not the form's state.
      await page.reload();
      await expect.poll(() => page.getByLabel('Organization name').inputValue()).toBe(renamed);
    } finally {
      await sql`update public.organizations set name = ${original} where id = ${NORTHWIND}`;
      await context.close();
    }
  });
});

describe('snippets', () => {
  it('an agent keeps a personal snippet, a manager shares one, and the agent cannot edit the shared one', async () => {
    const personal = `mine-${Date.now()}`;
    const shared = `team-${Date.now()}`;
    const agent = await newPage(browser);
    const manager = await newPage(browser);
    try {
      await signIn(agent.page, 'agent1@northwind.test');
      await agent.page.goto('/snippets');
      await agent.page.getByRole('button', { name: 'New snippet' }).click();
      // Agents are not offered the org-wide switch.
      expect(await agent.page.getByLabel('Share with the whole team').count()).toBe(0);
      await agent.page.getByLabel('Shortcut').fill(`/${personal}`);
      await agent.page.getByLabel('Title').fill('My sign-off');
      await agent.page.getByLabel('Reply').fill('Have a lovely trip!');
      await agent.page.getByRole('button', { name: 'Save', exact: true }).click();
      await agent.page.getByRole('row', { name: personal }).getByText('Personal', { exact: true }).waitFor();
      const [mine] = await sql`
        select s.owner_id, s.body from public.snippets s where s.shortcut = ${personal}`;
      const [agentUser] = await sql`select id from auth.users where email = 'agent1@northwind.test'`;
      expect(mine).toMatchObject({ owner_id: agentUser?.id, body: 'Have a lovely trip!' });

      await signIn(manager.page, 'manager@northwind.test');
      await manager.page.goto('/snippets');
      await manager.page.getByRole('button', { name: 'New snippet' }).click();
      await manager.page.getByLabel('Shortcut').fill(shared);
      await manager.page.getByLabel('Title').fill('Refund policy');
      await manager.page.getByLabel('Reply').fill('Refunds take 5 to 7 working days.');
      await manager.page.getByLabel('Share with the whole team').check();
      await manager.page.getByRole('button', { name: 'Save', exact: true }).click();
      await manager.page.getByRole('row', { name: shared }).getByText('Team', { exact: true }).waitFor();
      const [team] = await sql`select owner_id from public.snippets where shortcut = ${shared}`;
      expect(team).toBeDefined();
      expect(team?.owner_id).toBeNull();

      // The agent sees the shared snippet but is offered no Edit for it; their own keeps its Edit.
      await agent.page.reload();
      const sharedRow = agent.page.getByRole('row', { name: shared });
      await sharedRow.getByText('Team', { exact: true }).waitFor();
      expect(await sharedRow.getByRole('button', { name: 'Edit' }).count()).toBe(0);
      expect(
        await agent.page.getByRole('row', { name: personal }).getByRole('button', { name: 'Edit' }).count(),
      ).toBe(1);
      await screenshot(agent.page, 'snippets-agent');
      // And RLS agrees: the agent's own update of the shared snippet changes nothing.
      const client = await signedInClient('agent1@northwind.test');
      const { data } = await client
        .from('snippets')
        .update({ body: 'hijacked' })
        .eq('shortcut', shared)
        .select('id');
      expect(data ?? []).toHaveLength(0);
      const [still] = await sql`select body from public.snippets where shortcut = ${shared}`;
      expect(still?.body).toBe('Refunds take 5 to 7 working days.');
    } finally {
      await sql`delete from public.snippets where shortcut in (${personal}, ${shared})`;
      await agent.context.close();
      await manager.context.close();
    }
  });
});

describe('team', () => {
  it('an admin changes an agent’s role, places them in a group, and deactivates them', async () => {
    // A member of our own, so the seeded agents stay as other suites expect them.
    const email = `temp-agent-${Date.now()}@northwind.test`;
    const password = 'temp-agent-pass-1';
    const service = serviceClient();
    const { data: created, error } = await service.auth.admin.createUser({
      email,
      password,
      email_confirm: true,
    });
    expect(error).toBeNull();
    const userId = created.user?.id ?? '';
    await sql`
      insert into public.org_members (org_id, user_id, role, display_name, email, max_chats)
      values (${NORTHWIND}, ${userId}, 'agent', 'Temp Agent', ${email}, 5)`;
    const { context, page } = await newPage(browser);
    try {
      // Signed in before the change: this session must stop reading data once deactivated.
      const theirSession = await signedInClient(email, password);
      const before = await theirSession.from('groups').select('id');
      expect(before.data?.length ?? 0).toBeGreaterThan(0);

      await signIn(page, 'admin@northwind.test');
      await page.goto('/manage/agents');
      await page.getByRole('row', { name: email }).click();
      await page.getByLabel('Role').selectOption('manager');
      await page.locator('input[name="max_chats"]').fill('7');
      await page.getByRole('checkbox', { name: 'Billing' }).check();
      await page.getByLabel('Max chats in Billing').fill('2');
      await page.getByLabel('Skills in Billing').fill('refunds, invoices');
      await page.getByLabel('Languages in Billing').fill('en, pt');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved.').waitFor();
      await page.getByRole('row', { name: email }).getByText('Billing').waitFor();
      await screenshot(page, 'team-member-saved');

      const [member] = await sql`
        select role, max_chats, active from public.org_members where org_id = ${NORTHWIND} and user_id = ${userId}`;
      expect(member).toMatchObject({ role: 'manager', max_chats: 7, active: true });
      const [placed] = await sql`
        select gm.max_chats, gm.skills, gm.languages from public.group_members gm
        join public.groups g on g.id = gm.group_id
        where gm.user_id = ${userId} and g.name = 'Billing' and g.org_id = ${NORTHWIND}`;
      expect(placed).toMatchObject({
        max_chats: 2,
        skills: ['refunds', 'invoices'],
        languages: ['en', 'pt'],
      });

      // Deactivate.
      await page.getByRole('checkbox', { name: /^Active/ }).uncheck();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('row', { name: email }).getByText('Deactivated').waitFor();
      const [inactive] = await sql`
        select active from public.org_members where org_id = ${NORTHWIND} and user_id = ${userId}`;
      expect(inactive?.active).toBe(false);

      // Their existing session now reads nothing, and neither does a fresh one.
      const after = await theirSession.from('groups').select('id');
      expect(after.data ?? []).toHaveLength(0);
      const fresh = await signedInClient(email, password);
      expect((await fresh.from('conversations').select('id')).data ?? []).toHaveLength(0);
      expect((await fresh.from('clients').select('id')).data ?? []).toHaveLength(0);
    } finally {
      await sql`delete from public.group_members where user_id = ${userId}`;
      await sql`delete from public.org_members where user_id = ${userId}`;
      await service.auth.admin.deleteUser(userId);
      await context.close();
    }
  });
});

describe('forgot password', () => {
  it('confirms the request and issues a recovery link for the account', async () => {
    const email = 'agent2@northwind.test';
    const [before] = await sql<{ recovery_sent_at: Date | null }[]>`
      select recovery_sent_at from auth.users where email = ${email}`;
    const sentBefore = before?.recovery_sent_at;
    const { context, page } = await newPage(browser);
    try {
      await page.goto('/login');
      await page.getByRole('link', { name: /forgot/i }).click();
      await page.waitForURL('**/forgot-password');
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await page.getByText(`If an account exists for ${email}, a reset link is on its way.`).waitFor();
      await screenshot(page, 'forgot-password-sent');
      // The stand-in logs the mail; what it logs is backed by this stored one-time token.
      const [user] =
        await sql`select recovery_token, recovery_sent_at from auth.users where email = ${email}`;
      expect(user?.recovery_token).toMatch(/^[0-9a-f]{20,}$/);
      expect(user?.recovery_sent_at).not.toBeNull();
      if (sentBefore) expect(user?.recovery_sent_at.getTime()).toBeGreaterThan(sentBefore.getTime());
    } finally {
      await context.close();
    }
  });
});
