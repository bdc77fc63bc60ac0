/**
 * A transcript with an attachment, in Chromium against the real stack. The seed has no attachments,
 * so the test makes one the real way: a visitor in the REAL widget starts a chat, Aiko (agent2)
 * accepts it in the console, the visitor uploads a picture through the chat server (the widget's
 * file picker), Aiko answers and closes. Then a manager finds the chat in History, reads the
 * transcript and opens the picture: its signed URL from the chat server must serve the same bytes.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeChat, keepAcmeSiteOpen, openConsole, setStatus } from './helpers/agent-console.ts';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { serviceClient } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

/** A real 1×1 PNG: the chat server sniffs the type from the bytes, so it must be one. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** One word no seeded message has, to find this chat with the History search. */
const WORD = `boardingpass${Date.now()}`;
const FILE_NAME = `${WORD}.png`;
const REPLY = 'Thanks, your boarding pass is fine: gate B12.';

let browser: Browser;
const contexts: BrowserContext[] = [];
let aiko: Page;
let conversationId = '';

beforeAll(async () => {
  await keepAcmeSiteOpen(serviceClient());
  browser = await launchBrowser();
  aiko = await openConsole(browser, contexts, 'agent2@northwind.test');
});

afterAll(async () => {
  // Leave Aiko offline: the next file's chats must not be offered to a lingering presence.
  if (aiko) await setStatus(aiko, 'Offline').catch(() => {});
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

describe('history transcript', () => {
  test('a visitor uploads a picture through the widget in a chat Aiko answers and closes', async () => {
    await setStatus(aiko, 'Online');
    const visitor = await visitorPage(browser, contexts);
    await startWidgetChat(visitor, 'Pia Passenger', 'pia@example.com', `Here is my ${WORD}, is it valid?`);
    const offer = aiko.getByTestId('offer').filter({ hasText: 'Pia Passenger' });
    await offer.waitFor();
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => aiko.getByTestId('conversation-title').textContent()).toBe('Pia Passenger');
    conversationId =
      (await aiko
        .getByTestId('chat-item')
        .filter({ hasText: 'Pia Passenger' })
        .getAttribute('data-conversation')) ?? '';
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);

    // The widget's own file picker: uploaded to the chat server, then sent as a message.
    await visitor.locator('#cw-file').setInputFiles({ name: FILE_NAME, mimeType: 'image/png', buffer: PNG });
    await expect
      .poll(async () => {
        const { data } = await serviceClient()
          .from('attachments')
          .select('conversation_id, uploader_kind, message_id, content_type, size_bytes')
          .eq('file_name', FILE_NAME)
          .maybeSingle();
        return data;
      })
      .toEqual({
        conversation_id: conversationId,
        uploader_kind: 'visitor',
        message_id: expect.any(String),
        content_type: 'image/png',
        size_bytes: PNG.length,
      });

    const composer = aiko.locator('[data-composer]');
    await composer.fill(REPLY);
    await composer.press('Enter');
    await expect.poll(() => aiko.getByTestId('message').last().textContent()).toContain(REPLY);
    await closeChat(aiko, conversationId);
  });

  test('a manager finds it in History, reads the transcript and opens the picture by its signed URL', async () => {
    const { context, page } = await newPage(browser);
    contexts.push(context);
    await signIn(page, 'manager@northwind.test');
    await page.goto('/history');
    await page.getByLabel('Search messages').fill(WORD);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`**/history?q=${WORD}`);
    const row = page.getByTestId('history-rows').getByRole('link', { name: 'Pia Passenger' });
    await expect.poll(() => row.count()).toBe(1);
    await row.click();
    await page.waitForURL(`**/history/${conversationId}`);

    const transcript = page.getByTestId('transcript');
    await expect.poll(() => transcript.textContent()).toContain(`Here is my ${WORD}, is it valid?`);
    expect(await transcript.textContent()).toContain(REPLY);
    expect(await transcript.textContent()).toContain('Aiko Tanaka');
    // Two bubbles with text (Pia's question, Aiko's reply); the picture's message has none.
    expect(await transcript.locator('li div.rounded-2xl').count()).toBe(2);
    const file = transcript.getByRole('button', { name: new RegExp(FILE_NAME) });
    expect(await file.textContent()).toContain('1 KB');
    await screenshot(page, 'history-transcript');

    // The click asks the chat server for a signed URL and opens it in a new tab: that tab's
    // response must carry exactly the uploaded bytes, as a PNG.
    const [popup, response] = await Promise.all([
      context.waitForEvent('page'),
      context.waitForEvent('response', (r) => r.url().includes(`/v1/files/`)),
      file.click(),
    ]);
    expect(response.status(), `${response.url()} ${await response.text()}`).toBe(200);
    expect(response.headers()['content-type']).toBe('image/png');
    expect(Buffer.compare(await response.body(), PNG)).toBe(0);
    expect(new URL(response.url()).searchParams.get('sig')).toBeTruthy();
    await popup.waitForLoadState();
    expect(popup.url()).toBe(response.url());
    await screenshot(popup, 'history-transcript-attachment');

    // Without its signature the same link is refused: the URL itself is the credential.
    const unsigned = new URL(response.url());
    unsigned.searchParams.delete('sig');
    expect((await popup.goto(unsigned.toString()))?.status()).toBe(403);
  });
});
