/**
 * When nobody can answer and when the server cannot be reached: the offline-message form (and a
 * queued chat nobody is online to take turned into an offline message), the
 * error state while the chat server is down and the recovery once it is back, and an invisible
 * reconnect mid-chat that resends the unacked message exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Agent, connectAgent } from '../helpers/agent.ts';
import { type E2eEnv, startE2eEnv } from '../helpers/env.ts';
import { cspViolations, newVisitor, openPanel, screenshot } from '../helpers/page.ts';
import { alwaysOpen, setPresence } from '../helpers/site.ts';

let env: E2eEnv;
let agent: Agent;

beforeAll(async () => {
  env = await startE2eEnv();
  await alwaysOpen(env.sql);
  agent = await connectAgent(env.chat.url);
});

afterAll(async () => {
  await agent?.close();
  await env?.close();
});

describe('nobody available', () => {
  test('with no agent online the visitor gets the offline form, and the message is stored', async () => {
    await setPresence(agent, env.chat.url, 'offline');
    const page = await newVisitor(env.browser);
    await page.goto(`${env.demo.url}/`);
    await openPanel(page);
    await page.getByText('Leave us a message').waitFor();
    expect(await page.locator('.cw-status').textContent()).toContain('We are away right now');
    expect(await page.locator('#cw-f-topic').count()).toBe(0);

    // The email is required for the reply.
    await page.fill('#cw-f-message', 'Can I bring my bike on the Lisbon flight?');
    await page.getByRole('button', { name: 'Send message' }).click();
    expect(await page.locator('#cw-f-email-e').textContent()).toContain('email');
    expect(await page.locator('#cw-f-email').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'desktop-offline-form');

    await page.fill('#cw-f-name', 'Ben');
    await page.fill('#cw-f-email', 'ben@example.com');
    await page.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => page.locator('.cw-offline-note').textContent()).toContain('ben@example.com');
    await expect
      .poll(() => page.locator('.cw-mine .cw-bubble').last().textContent())
      .toBe('Can I bring my bike on the Lisbon flight?');

    // Stored through offline.message: an offline conversation in the follow-up queue, with the
    // page and language the visitor wrote from.
    const stored = () => env.sql`
      select c.status, c.start_url, c.language, v.name, v.email, m.body, m.sender_kind
      from public.conversations c
      join public.visitors v on v.id = c.visitor_id
      join public.messages m on m.conversation_id = c.id
      where v.email = 'ben@example.com'`;
    // The bubble shows before the ack; the row is there once the message is acked.
    await expect.poll(() => page.locator('.cw-pending').count()).toBe(0);
    expect(await stored()).toEqual([
      {
        status: 'offline',
        start_url: `${env.demo.url}/`,
        language: 'en-US',
        name: 'Ben',
        email: 'ben@example.com',
        body: 'Can I bring my bike on the Lisbon flight?',
        sender_kind: 'visitor',
      },
    ]);
    expect(await page.locator('.cw-status').textContent()).toContain('we reply by email');
    expect(await cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  test('a queued chat nobody can take is offered the offline form and becomes an offline message', async () => {
    // Online, but only in Bookings and Billing: nobody serves "Website or app problem" (Technical).
    await setPresence(agent, env.chat.url, 'online');
    const page = await newVisitor(env.browser);
    await page.goto(`${env.demo.url}/deals.html`);
    await openPanel(page);
    await page.fill('#cw-f-name', 'Cleo');
    await page.fill('#cw-f-email', 'cleo@example.com');
    await page.selectOption('#cw-f-topic', 'Website or app problem');
    await page.fill('#cw-f-message', 'The app crashes at checkout.');
    await page.getByRole('button', { name: 'Start chat' }).click();

    await page.getByText('Nobody is online to take your chat right now.').waitFor();
    await screenshot(page, 'desktop-queued-nobody-online');
    const [queued] = await env.sql`
      select c.id, c.status, c.start_url, c.language from public.conversations c
      join public.visitors v on v.id = c.visitor_id where v.email = 'cleo@example.com'`;
    expect(queued).toMatchObject({
      status: 'queued',
      start_url: `${env.demo.url}/deals.html`,
      language: 'en-US',
    });

    // "Keep waiting" goes back to the chat; the offer stays.
    await page.getByRole('button', { name: 'Leave us a message' }).click();
    await page.getByRole('button', { name: 'Keep waiting' }).click();
    await page.getByRole('button', { name: 'Leave us a message' }).click();
    expect(await page.locator('#cw-f-email').inputValue()).toBe('cleo@example.com');
    expect(await page.locator('#cw-f-topic').count()).toBe(0);
    await page.fill('#cw-f-message', 'Please email me when it is fixed.');
    await page.getByRole('button', { name: 'Send message' }).click();

    await expect.poll(() => page.locator('.cw-offline-note').textContent()).toContain('cleo@example.com');
    await expect
      .poll(() => page.locator('.cw-mine .cw-bubble').allTextContents())
      .toEqual(['The app crashes at checkout.', 'Please email me when it is fixed.']);
    expect(await page.locator('.cw-confirm').count()).toBe(0);
    // The same conversation, now an offline message holding both messages.
    const rows = await env.sql`
      select c.id, c.status, m.body from public.conversations c
      join public.visitors v on v.id = c.visitor_id
      join public.messages m on m.conversation_id = c.id and m.sender_kind = 'visitor'
      where v.email = 'cleo@example.com' order by m.seq`;
    expect(rows.map((r) => [r.id, r.status, r.body])).toEqual([
      [queued!.id, 'offline', 'The app crashes at checkout.'],
      [queued!.id, 'offline', 'Please email me when it is fixed.'],
    ]);
    expect(await cspViolations(page)).toEqual([]);
    await page.context().close();
  });
});

describe('server unreachable', () => {
  test('the widget shows the error state while the chat server is down, then recovers', async () => {
    await setPresence(agent, env.chat.url, 'online');
    await agent.close();
    await env.stopChatServer();
    const page = await newVisitor(env.browser);
    await page.goto(`${env.demo.url}/`);
    // The launcher is there at once: the page never depends on the chat server being up.
    await openPanel(page);
    await page.getByText('Cannot reach the chat').waitFor();
    await screenshot(page, 'desktop-unreachable');

    // "Try again" at once: the widget's own backoff retry is seconds away by now, and would
    // otherwise race the click (the button goes away when that retry succeeds first).
    await env.startChatServer();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#cw-f-message').waitFor();
    expect(await page.locator('.cw-notice').count()).toBe(0);
    await page.context().close();
    agent = await connectAgent(env.chat.url);
    await setPresence(agent, env.chat.url, 'online');
  });

  test('mid-chat, a server restart is invisible and the unacked message is resent exactly once', async () => {
    const page = await newVisitor(env.browser);
    await page.goto(`${env.demo.url}/`);
    await openPanel(page);
    await page.fill('#cw-f-message', 'Is the 8:15 train on time?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const started = await agent.next('conversation', (f) => f.conversation.status !== 'closed');
    const conversationId = started.conversation.id;
    await expect.poll(() => page.locator('.cw-receipt').last().textContent()).toContain('Sent');

    await agent.close();
    await env.stopChatServer();
    // Typed while the server is down: shown as sending, kept in the outbox.
    await page.locator('.cw-composer-input').fill('Hello? Still there?');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.cw-pending .cw-receipt').textContent()).toBe('Sending…');
    await page.locator('.cw-banner').waitFor({ timeout: 10_000 });
    expect(await page.locator('.cw-banner').textContent()).toBe('Reconnecting…');

    await env.startChatServer();
    await expect.poll(() => page.locator('.cw-pending').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.locator('.cw-banner').count()).toBe(0);
    const rows = await env.sql`
      select body from public.messages where conversation_id = ${conversationId} and sender_kind = 'visitor' order by seq`;
    expect(rows.map((r) => r.body)).toEqual(['Is the 8:15 train on time?', 'Hello? Still there?']);
    const shown = await page.locator('.cw-mine .cw-bubble').allTextContents();
    expect(shown).toEqual(['Is the 8:15 train on time?', 'Hello? Still there?']);
    agent = await connectAgent(env.chat.url);
    await page.context().close();
  });
});
