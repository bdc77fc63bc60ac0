/**
 * The agent console end to end, in Chromium against the real stack: the REAL widget on a localhost
 * page (a second browser context) starts a chat; Tom (agent1) gets the offer with its countdown,
 * accepts, sees the visitor's live draft, answers with a snippet typed by shortcut and with a FAQ
 * suggestion (its use counted in the database), writes an internal note, switches chats by keyboard,
 * transfers to Aiko (agent2, a third context) with a note; Aiko accepts and closes. The visitor saw
 * every reply and never the note.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeChat, keepAcmeSiteOpen, openConsole as openAgentConsole } from './helpers/agent-console.ts';
import { launchBrowser, screenshot } from './helpers/browser.ts';
import { serviceClient } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

const SNIPPET_REF =
  'Could you please send me your booking or order reference? It is in your confirmation email.';
const NOTE = 'VIP traveller: refund approved by finance';

let browser: Browser;
const contexts: BrowserContext[] = [];
let tom: Page;
let aiko: Page;
let ana: Page;
let ben: Page;
let conversationId = '';

const openConsole = (email: string) => openAgentConsole(browser, contexts, email);

const visitorBubbles = (page: Page) => page.locator('.cw-message .cw-bubble').allTextContents();

beforeAll(async () => {
  await keepAcmeSiteOpen(serviceClient());
  browser = await launchBrowser();
  tom = await openConsole('agent1@northwind.test');
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

describe('the agent console', () => {
  test('going online, Tom is offered the widget chat with a preview and a countdown', async () => {
    await tom.getByRole('radio', { name: 'Online' }).click();
    await expect
      .poll(() => tom.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked'))
      .toBe('true');
    ana = await visitorPage(browser, contexts);
    await startWidgetChat(
      ana,
      'Ana Traveller',
      'ana@example.com',
      'Hello! I was charged twice for my Lisbon trip.',
    );

    const offer = tom.getByTestId('offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('Ana Traveller');
    // The first message can reach the card a moment after it appears (offer-entries.ts).
    await expect.poll(() => offer.textContent()).toContain('charged twice for my Lisbon trip');
    const seconds = Number((await tom.getByTestId('offer-countdown').textContent())?.replace('s', ''));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(30);
    // Title badge while the tab is focused.
    await expect.poll(() => tom.title()).toMatch(/^\(1\) Console/);
    await screenshot(tom, 'console-offer');

    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Ana Traveller');
    await expect
      .poll(() => tom.getByTestId('message').first().textContent())
      .toContain('Hello! I was charged twice for my Lisbon trip.');
    conversationId = (await tom.getByTestId('chat-item').first().getAttribute('data-conversation')) ?? '';
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    // The visitor panel: current page and browser from the widget session.
    await expect.poll(() => tom.getByTestId('current-page').textContent()).toContain('Acme Travel');
    expect(await tom.getByTestId('browser').textContent()).toMatch(/Chrome \d+/);
  });

  test("Tom sees the visitor's live draft while they type", async () => {
    await ana.locator('.cw-composer-input').pressSequentially('Can you refund one of th', { delay: 30 });
    await expect
      .poll(() => tom.getByTestId('visitor-draft').textContent())
      .toContain('Can you refund one of th');
    await screenshot(tom, 'console-draft');
    await ana.locator('.cw-composer-input').pressSequentially('em?');
    await ana.keyboard.press('Enter');
    await expect
      .poll(() => tom.getByTestId('message').last().textContent())
      .toContain('Can you refund one of them?');
    await expect.poll(() => tom.getByTestId('visitor-draft').count()).toBe(0);
  });

  test('a snippet typed by shortcut (/ref, then Tab) reaches the visitor', async () => {
    const composer = tom.locator('[data-composer]');
    await composer.click();
    await composer.pressSequentially('/re');
    const menu = tom.getByTestId('snippet-menu');
    await menu.waitFor();
    expect(await menu.textContent()).toContain('/ref');
    await composer.pressSequentially('f');
    await tom.keyboard.press('Tab');
    expect(await composer.inputValue()).toBe(SNIPPET_REF);
    await tom.keyboard.press('Enter');
    await expect.poll(() => visitorBubbles(ana)).toContain(SNIPPET_REF);
  });

  test('one click on a FAQ suggestion inserts its answer; the use is counted', async () => {
    const suggestion = tom.getByTestId('faq-suggestion').filter({ hasText: 'I was charged twice' });
    await suggestion.waitFor();
    const { data: before } = await serviceClient()
      .from('faqs')
      .select('id, answer, use_count')
      .eq('question', 'I was charged twice. What do I do?')
      .single();
    await suggestion.click();
    const composer = tom.locator('[data-composer]');
    expect(await composer.inputValue()).toBe(before?.answer);
    await expect
      .poll(async () => {
        const { data } = await serviceClient().from('faqs').select('use_count').eq('id', before?.id).single();
        return data?.use_count;
      })
      .toBe((before?.use_count ?? 0) + 1);
    await composer.press('Enter');
    await expect.poll(() => visitorBubbles(ana)).toContain(before?.answer);
    await screenshot(tom, 'console-conversation');
  });

  test('an internal note is shown to agents, marked, and never sent to the visitor', async () => {
    await tom.getByRole('button', { name: 'Internal note' }).click();
    const composer = tom.getByRole('textbox', { name: 'Internal note' });
    await composer.fill(NOTE);
    await composer.press('Enter');
    await expect.poll(() => tom.getByTestId('note').last().textContent()).toContain(NOTE);
    await tom.getByRole('button', { name: 'Internal note' }).click();
    // Stored with sender kind note.
    const { data } = await serviceClient()
      .from('messages')
      .select('sender_kind')
      .eq('conversation_id', conversationId)
      .eq('body', NOTE)
      .single();
    expect(data?.sender_kind).toBe('note');
  });

  test('a second chat: unread count, and Alt+↑/↓ switches between chats', async () => {
    ben = await visitorPage(browser, contexts);
    await startWidgetChat(
      ben,
      'Ben Voyager',
      'ben@example.com',
      'Hi, my invoice is missing the company name.',
    );
    const offer = tom.getByTestId('offer');
    await offer.waitFor();
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Ben Voyager');
    expect(await tom.getByTestId('chat-item').count()).toBe(2);

    // Ana writes while Tom looks at Ben's chat: Ana's row shows 1 unread and the title counts it.
    await ana.locator('.cw-composer-input').fill('Thank you! How long does it take?');
    await ana.keyboard.press('Enter');
    const anaRow = tom.locator(`[data-conversation="${conversationId}"]`);
    await expect.poll(() => anaRow.getByTestId('unread').textContent()).toBe('1');
    await expect.poll(() => tom.title()).toMatch(/^\(1\) Console/);
    await screenshot(tom, 'console-two-chats');

    await tom.locator('[data-composer]').focus();
    await tom.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Ana Traveller');
    await expect.poll(() => anaRow.getByTestId('unread').count()).toBe(0);
    await tom.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Ben Voyager');
    await tom.keyboard.press('Alt+1');
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Ana Traveller');
  });

  test('Tom transfers Ana to Aiko with a note; Aiko accepts and sees the history with the notes', async () => {
    aiko = await openConsole('agent2@northwind.test');
    await aiko.getByRole('radio', { name: 'Online' }).click();
    await expect
      .poll(() => aiko.getByRole('radio', { name: 'Online' }).getAttribute('aria-checked'))
      .toBe('true');

    await tom.getByRole('button', { name: 'Transfer' }).click();
    const dialog = tom.getByRole('dialog', { name: 'Transfer the chat' });
    await dialog.locator('select[name=target]').selectOption('agent:20000000-0000-4000-8000-000000000005');
    await dialog.locator('textarea[name=note]').fill('Please finish the refund for Ana');
    await screenshot(tom, 'console-transfer');
    await dialog.getByRole('button', { name: 'Transfer' }).click();

    const offer = aiko.getByTestId('offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('Transfer from Tom Becker');
    expect(await offer.textContent()).toContain('Please finish the refund for Ana');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => aiko.getByTestId('conversation-title').textContent()).toBe('Ana Traveller');
    await expect
      .poll(() => aiko.getByTestId('note').allTextContents())
      .toEqual(
        expect.arrayContaining([
          expect.stringContaining(NOTE),
          expect.stringContaining('Please finish the refund'),
        ]),
      );
    // The chat left Tom's list; Ben's stays.
    await expect.poll(() => tom.locator(`[data-conversation="${conversationId}"]`).count()).toBe(0);
    expect(await tom.getByTestId('chat-item').count()).toBe(1);
    await screenshot(aiko, 'console-after-transfer');
  });

  test('Aiko answers and closes; the visitor saw the replies and never a note', async () => {
    const reply = 'Hi Ana, Aiko here: the duplicate charge is refunded.';
    const composer = aiko.locator('[data-composer]');
    await composer.fill(reply);
    await composer.press('Enter');
    await expect.poll(() => aiko.getByTestId('message').last().textContent()).toContain(reply);
    const { data: stored } = await serviceClient()
      .from('messages')
      .select('sender_kind, sender_id')
      .eq('conversation_id', conversationId)
      .eq('body', reply)
      .single();
    expect(stored).toEqual({ sender_kind: 'agent', sender_id: '20000000-0000-4000-8000-000000000005' });

    // What the visitor's widget shows: every reply, including Aiko's after the notes, never a note.
    await expect.poll(async () => (await visitorBubbles(ana)).join('\n')).toContain(reply);
    const seen = (await visitorBubbles(ana)).join('\n');
    expect(seen).toContain(SNIPPET_REF);
    expect(seen).toContain('A second charge is usually a pending authorisation');
    expect(seen).not.toContain(NOTE);
    expect(seen).not.toContain('Please finish the refund');
    expect(await ana.content()).not.toContain(NOTE);
    await screenshot(ana, 'console-visitor-view');

    await closeChat(aiko, conversationId);
    await ana.locator('.cw-rating').waitFor();

    await screenshot(aiko, 'console-closed');
  });
});
