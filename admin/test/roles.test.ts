import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, navLabels, newPage, screenshot, signIn } from './helpers/browser.ts';
import { ACME, NORTHWIND, serviceClient, signedInClient } from './helpers/supabase.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const MANAGEMENT = [
  '/manage/clients',
  '/manage/sites',
  '/manage/groups',
  '/manage/agents',
  '/manage/faqs',
  '/manage/settings',
];

describe('a client_viewer (viewer@acme.test)', () => {
  it("lands on history, sees only Acme Travel's chats and no management", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, 'viewer@acme.test');
    expect(new URL(page.url()).pathname).toBe('/history');
    expect(await navLabels(page)).toEqual(['History', 'Analytics']);
    await page.getByTestId('history-rows').waitFor();
    const clients = await page.getByTestId('row-client').allInnerTexts();
    expect(clients.length).toBeGreaterThan(0);
    expect(new Set(clients)).toEqual(new Set(['Acme Travel']));
    // No client filter to pick another client from.
    expect(await page.getByLabel('Client', { exact: true }).count()).toBe(0);
    const total = Number((await page.getByTestId('history-total').innerText()).split(' ')[0]);
    expect(total).toBeGreaterThan(0);
    await screenshot(page, 'history-client-viewer');

    for (const path of MANAGEMENT) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    }
    await page.goto('/console');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await context.close();
  });

  it('opens a transcript without internal notes', async () => {
    // A seeded Acme chat that has an internal note (not the newest row: other files' live chats
    // land on top of the history list, and one without a note would prove nothing).
    const { data: note, error } = await serviceClient()
      .from('messages')
      .select('conversation_id, body, conversations!inner(client_id)')
      .eq('sender_kind', 'note')
      .eq('client_msg_id', 'seed-4')
      .eq('conversations.client_id', ACME)
      .limit(1)
      .single();
    expect(error).toBeNull();
    const { data: first } = await serviceClient()
      .from('messages')
      .select('body')
      .eq('conversation_id', note?.conversation_id as string)
      .eq('client_msg_id', 'seed-1')
      .single();
    const { context, page } = await newPage(browser);
    await signIn(page, 'viewer@acme.test');
    await page.getByTestId('history-rows').waitFor();
    await page.goto(`/history/${note?.conversation_id}`);
    await page.getByTestId('transcript').waitFor();
    const text = await page.getByTestId('transcript').innerText();
    expect(text).toContain(first?.body as string);
    expect(text).toContain('An agent joined the chat');
    expect(text).not.toContain(note?.body as string);
    expect(text).not.toContain('Internal note');
    await screenshot(page, 'transcript-client-viewer');
    await context.close();
  });
});

describe('an agent (agent1@northwind.test)', () => {
  it('is offered no management pages and gets a 404 when opening one', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, 'agent1@northwind.test');
    expect(new URL(page.url()).pathname).toBe('/console');
    const labels = await navLabels(page);
    expect(labels).toEqual(['Console', 'History', 'Snippets']);
    for (const path of MANAGEMENT) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    }
    await screenshot(page, 'agent-management-404');
    await context.close();
  });

  it('cannot write management data even straight through the API (RLS)', async () => {
    const agent = await signedInClient('agent1@northwind.test');
    const site = await agent
      .from('sites')
      .insert({
        org_id: NORTHWIND,
        client_id: ACME,
        name: 'agent-made.test',
        allowed_domains: ['agent-made.test'],
      })
      .select();
    expect(site.error?.code).toBe('42501');
    const group = await agent.from('groups').update({ name: 'Hijacked' }).eq('org_id', NORTHWIND).select();
    expect(group.error).toBeNull();
    expect(group.data).toEqual([]);
  });
});
