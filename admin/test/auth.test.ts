import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { serviceClient, signedInClient } from './helpers/supabase.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('signing in and out', () => {
  it('says so when the password is wrong, and stays on the sign-in page', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/login');
    await page.getByLabel('Email').fill('manager@northwind.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Wrong email or password');
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login-wrong-password');
    await context.close();
  });

  it('signs a manager in to the console, keeps the session on reload, and signs out', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, 'manager@northwind.test');
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await page.getByTestId('current-user').innerText()).toBe('Maria Lopez');
    await page.reload();
    await page.getByTestId('current-user').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console');
    await screenshot(page, 'console-manager');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    // Signed out for real: protected pages send us back to the sign-in page.
    await page.goto('/history');
    await page.waitForURL('**/login?next=%2Fhistory');
    await context.close();
  });

  it('sends people who are not signed in to /login, and back where they were going after', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/manage/groups');
    await page.waitForURL('**/login?next=%2Fmanage%2Fgroups');
    await page.getByLabel('Email').fill('admin@northwind.test');
    await page.getByLabel('Password').fill('chat-demo-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/manage/groups');
    await page.getByRole('heading', { name: 'Groups' }).waitFor();
    await context.close();
  });
});

describe('invitations', () => {
  it('an admin invites an agent, who accepts, sets a password and signs in with it', async () => {
    const email = `new-agent-${Date.now()}@northwind.test`;
    const { context, page } = await newPage(browser);
    await signIn(page, 'admin@northwind.test');
    await page.goto('/manage/agents');
    await page.getByRole('button', { name: 'Invite' }).click();
    const form = page.locator('form[action="?/invite"]');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Name').fill('Nina New');
    await form.getByLabel('Role').selectOption('agent');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await expect
      .poll(() => page.getByRole('status').allInnerTexts())
      .toContainEqual(`Invitation sent to ${email}.`);
    await page.getByRole('cell', { name: email }).first().waitFor();
    await screenshot(page, 'team-invited');
    await context.close();

    // The stand-in logs the mail instead of sending it; the Auth admin API gives us the same link.
    const { data, error } = await serviceClient().auth.admin.generateLink({
      type: 'invite',
      email,
      options: { redirectTo: `${new URL(page.url()).origin}/auth/callback` },
    });
    expect(error).toBeNull();
    const link = data.properties?.action_link ?? '';
    expect(link).toContain('/verify');

    const invitee = await newPage(browser);
    await invitee.page.goto(link);
    await invitee.page.waitForURL('**/welcome?type=invite');
    await invitee.page.getByText('Northwind Support').waitFor();
    await screenshot(invitee.page, 'welcome-invite');
    await invitee.page.getByLabel('New password').fill('a-fresh-password-1');
    await invitee.page.getByLabel('Repeat password').fill('a-fresh-password-1');
    await invitee.page.getByRole('button', { name: 'Save password and continue' }).click();
    await invitee.page.waitForURL('**/console');
    expect(await invitee.page.getByTestId('current-user').innerText()).toBe('Nina New');
    await invitee.context.close();

    // The new password works, from a fresh browser and through the API.
    const again = await newPage(browser);
    await signIn(again.page, email, 'a-fresh-password-1');
    expect(new URL(again.page.url()).pathname).toBe('/console');
    await again.context.close();
    const client = await signedInClient(email, 'a-fresh-password-1');
    const { data: me } = await client.from('org_members').select('role').eq('email', email).single();
    expect(me?.role).toBe('agent');
  });

  it('refuses an invitation from a manager (only owners and admins invite)', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, 'manager@northwind.test');
    await page.goto('/manage/agents');
    // The button is not offered to managers …
    expect(await page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    // … and the server action refuses them even when posted directly with their token.
    const token = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.endsWith('-auth-token'));
      return key ? (JSON.parse(localStorage.getItem(key) ?? '{}').access_token as string) : '';
    });
    expect(token).not.toBe('');
    const status = await page.evaluate(async (accessToken) => {
      const body = new FormData();
      body.set('access_token', accessToken);
      body.set('org_id', '10000000-0000-4000-8000-000000000001');
      body.set('email', 'sneaky@northwind.test');
      body.set('role', 'agent');
      const response = await fetch('/manage/agents?/invite', {
        method: 'POST',
        body,
        headers: { 'x-sveltekit-action': 'true' },
      });
      return (await response.json()) as { type: string; status: number; data: string };
    }, token);
    expect(status.type).toBe('failure');
    expect(status.status).toBe(403);
    const { data } = await serviceClient().auth.admin.listUsers();
    expect(data.users.some((u) => u.email === 'sneaky@northwind.test')).toBe(false);
    await context.close();
  });
});
