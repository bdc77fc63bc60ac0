/**
 * A visitor on the demo site chats with an agent connected over the real chat server: pre-chat
 * form, messages both ways, typing and draft preview, read receipts, safe links, a pasted
 * screenshot, page views, unread badge with sound and title, a reload and a second tab that
 * resume the conversation, then end and rate (checked in the database) and have the transcript
 * e-mailed (checked in the chat server's mailbox folder). No CSP violation anywhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Agent, connectAgent } from '../helpers/agent.ts';
import { type E2eEnv, startE2eEnv } from '../helpers/env.ts';
import { beeps, cspViolations, newVisitor, openPanel, screenshot } from '../helpers/page.ts';
import { alwaysOpen, setPresence } from '../helpers/site.ts';

let env: E2eEnv;
let agent: Agent;
let page: Page;
let conversationId = '';

beforeAll(async () => {
  env = await startE2eEnv();
  await alwaysOpen(env.sql);
  agent = await connectAgent(env.chat.url);
  await setPresence(agent, env.chat.url, 'online');
  page = await newVisitor(env.browser);
});

afterAll(async () => {
  await agent?.close();
  await env?.close();
});

const bubbles = () => page.locator('.cw-message .cw-bubble');

describe('chatting with an agent', () => {
  test('the launcher opens the pre-chat form with greeting, status and the site topics', async () => {
    await page.goto(`${env.demo.url}/`);
    await expect.poll(() => page.locator('.cw-launcher').getAttribute('aria-label')).toBe('Chat with us');
    await openPanel(page);
    await expect.poll(() => page.locator('.cw-status').textContent()).toContain('We are online');
    const topics = await page.locator('#cw-f-topic option').allTextContents();
    expect(topics).toEqual([
      'Choose a topic',
      'A new or existing booking',
      'Payments and refunds',
      'Website or app problem',
    ]);
    await expect
      .poll(() => page.locator('label[for="cw-f-booking_ref"]').textContent())
      .toContain('Booking reference');
    // Focus moved into the panel for keyboard users.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('cw-f-name');
    await screenshot(page, 'desktop-prechat');
  });

  test('starting a chat reaches the agent with the pre-chat answers and the first message', async () => {
    await page.fill('#cw-f-name', 'Ana Traveller');
    await page.fill('#cw-f-email', 'ana@example.com');
    await page.selectOption('#cw-f-topic', 'Payments and refunds');
    await page.fill('#cw-f-booking_ref', 'ACM-4821');
    await page.fill('#cw-f-message', 'Hello! I was charged twice for my Lisbon trip.');
    await page.getByRole('button', { name: 'Start chat' }).click();

    const started = await agent.next(
      'conversation',
      (f) => f.conversation.visitor.email === 'ana@example.com',
    );
    conversationId = started.conversation.id;
    expect(started.conversation.topic).toBe('Payments and refunds');
    agent.send({ type: 'conversation.subscribe', conversationId, afterSeq: 0, ref: 'sub1' });
    const sync = await agent.next('sync', (f) => f.ref === 'sub1');
    expect(sync.messages.map((m) => m.body)).toContain('Hello! I was charged twice for my Lisbon trip.');
    const visitor =
      await env.sql`select name, email, attributes from public.visitors where id = ${started.conversation.visitor.id}`;
    expect(visitor[0]).toMatchObject({ name: 'Ana Traveller', email: 'ana@example.com' });
    expect(JSON.stringify(visitor[0]?.attributes)).toContain('ACM-4821');

    await expect
      .poll(() => bubbles().last().textContent())
      .toBe('Hello! I was charged twice for my Lisbon trip.');
    await expect.poll(() => page.locator('.cw-receipt').last().textContent()).toContain('Sent');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('cw-composer-input');
  });

  test('while the chat waits, the status line shows the queue position and the expected wait', async () => {
    await expect
      .poll(() => page.locator('.cw-status').textContent())
      .toMatch(/You are (next|number \d+) in line/);
    expect(await page.locator('.cw-status').textContent()).toMatch(/Expected wait: about \d+ min/);
  });

  test('the visitor typing shows up for the agent as typing and a throttled draft', async () => {
    await page.locator('.cw-composer-input').pressSequentially('Can you ref', { delay: 40 });
    const typing = await agent.next('typing', (f) => f.conversationId === conversationId && f.on);
    expect(typing.from.kind).toBe('visitor');
    const draft = await agent.next('draft', (f) => f.text === 'Can you ref');
    expect(draft.conversationId).toBe(conversationId);
    // Throttled: far fewer draft frames than keystrokes.
    expect(agent.received.filter((f) => f.type === 'draft').length).toBeLessThan(11);
    await page.locator('.cw-composer-input').pressSequentially('und one of them?');
    await page.keyboard.press('Enter');
    await agent.next('message', (f) => f.message.body === 'Can you refund one of them?');
    await agent.next('typing', (f) => f.conversationId === conversationId && !f.on);
  });

  test('the agent typing, replying and reading show up in the widget; links are safe, HTML is text', async () => {
    agent.send({ type: 'typing', conversationId, on: true });
    await page.locator('.cw-typing').waitFor();
    expect(await page.locator('.cw-typing').textContent()).toContain('is typing');

    agent.send({
      type: 'message.send',
      conversationId,
      clientMsgId: 'a-1',
      body: 'Sure! Details: https://acmetravel.test/refunds?x=1. <b>Not bold</b> <img src=x onerror=alert(1)> javascript:alert(1)',
      ref: 'm1',
    });
    await agent.next('ack', (f) => f.ref === 'm1');
    await expect.poll(() => page.locator('.cw-theirs .cw-bubble').last().textContent()).toContain('Not bold');
    await expect.poll(() => page.locator('.cw-typing').count()).toBe(0);
    const reply = page.locator('.cw-theirs .cw-bubble').last();
    expect(await reply.locator('b, img').count()).toBe(0);
    const links = reply.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://acmetravel.test/refunds?x=1');
    expect(await links.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(await links.getAttribute('target')).toBe('_blank');
    expect(await page.locator('.cw-theirs .cw-sender').last().textContent()).not.toBe('');

    // The visitor saw it (panel open): the widget sent `read`, the agent is told.
    const read = await agent.next('read', (f) => f.reader.kind === 'visitor');
    expect(read.seq).toBeGreaterThanOrEqual(3);

    // The agent read the visitor's messages: receipt turns to "Read".
    const last =
      await env.sql`select max(seq) as seq from public.messages where conversation_id = ${conversationId}`;
    agent.send({ type: 'read', conversationId, seq: Number(last[0]?.seq) });
    await expect.poll(() => page.locator('.cw-receipt').last().textContent()).toContain('Read');
    await screenshot(page, 'desktop-conversation');
  });

  test('after an internal note the visitor still gets every reply, and never the note', async () => {
    agent.send({
      type: 'message.send',
      conversationId,
      clientMsgId: 'note-1',
      body: 'Internal: refund approved by billing',
      note: true,
      ref: 'n1',
    });
    await agent.next('ack', (f) => f.ref === 'n1');
    agent.send({
      type: 'message.send',
      conversationId,
      clientMsgId: 'a-after-note',
      body: 'Your refund is on its way.',
      ref: 'm-after-note',
    });
    await agent.next('ack', (f) => f.ref === 'm-after-note');
    await expect
      .poll(() => page.locator('.cw-theirs .cw-bubble').last().textContent())
      .toContain('Your refund is on its way.');
    agent.send({
      type: 'message.send',
      conversationId,
      clientMsgId: 'a-after-note-2',
      body: 'Anything else I can do?',
      ref: 'm-after-note-2',
    });
    await agent.next('ack', (f) => f.ref === 'm-after-note-2');
    await expect
      .poll(() => page.locator('.cw-theirs .cw-bubble').last().textContent())
      .toContain('Anything else I can do?');
    expect(await page.locator('.cw-root').textContent()).not.toContain('refund approved by billing');
  });

  test('a pasted screenshot uploads with a progress bar and shows as an image for both sides', async () => {
    await page.locator('.cw-composer-input').focus();
    await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 200;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#0e7490';
      ctx.fillRect(0, 0, 320, 200);
      ctx.fillStyle = '#fff';
      ctx.font = '28px sans-serif';
      ctx.fillText('Booking ACM-4821', 30, 110);
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'image.png', { type: 'image/png' }));
      const paste = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
      document.querySelector('.cw-composer-input')!.dispatchEvent(paste);
    });
    const sent = await agent.next('message', (f) => f.message.attachments.length === 1);
    expect(sent.message.attachments[0]).toMatchObject({ contentType: 'image/png' });
    const image = page.locator('.cw-mine .cw-image img').last();
    await image.waitFor();
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(320);
    expect(await page.locator('.cw-upload').count()).toBe(0);
  });

  test('a file dropped on the conversation uploads and reaches the agent', async () => {
    const dataTransfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['Booking ACM-4821\nTwo adults, Lisbon'], 'booking.txt', { type: 'text/plain' }));
      return dt;
    });
    const area = page.locator('.cw-conversation');
    await area.dispatchEvent('dragover', { dataTransfer });
    await area.dispatchEvent('drop', { dataTransfer });
    const received = await agent.next('message', (f) =>
      f.message.attachments.some((a) => a.fileName === 'booking.txt'),
    );
    expect(received.message.attachments[0]?.contentType).toMatch(/^text\/plain/);
    await expect.poll(() => page.locator('.cw-file').last().textContent()).toContain('booking.txt');
  });

  test('a file bigger than 10 MB is refused in the widget with a message', async () => {
    await page.locator('.cw-composer input[type=file]').setInputFiles({
      name: 'huge.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    await expect.poll(() => page.locator('.cw-upload-error').textContent()).toContain('huge.pdf');
  });

  test('emoji can be picked from the keyboard', async () => {
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await page.locator('.cw-emoji-item').first().waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.locator('.cw-composer-input').inputValue()).toBe('😃');
    await page.locator('.cw-composer-input').fill('');
  });

  test('page views are reported on load and on single-page navigation', async () => {
    await page.evaluate(() => history.pushState({}, '', '/checkout?step=2'));
    const pushed = await agent.next('page_view', (f) => f.url.endsWith('/checkout?step=2'));
    expect(pushed.conversationId).toBe(conversationId);
    await page.evaluate(() => {
      location.hash = 'destinations';
    });
    await agent.next('page_view', (f) => f.url.endsWith('#destinations'));
  });

  test('an agent reply while the panel is closed: badge, beep and title', async () => {
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.cw-panel').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('cw-launcher');
    const beepsBefore = await beeps(page);
    agent.send({ type: 'message.send', conversationId, clientMsgId: 'a-2', body: 'Refund issued!' });
    await expect.poll(() => page.locator('.cw-badge').textContent()).toBe('1');
    expect(await page.locator('.cw-launcher').getAttribute('aria-label')).toBe('Chat with us, 1 unread');
    await expect.poll(() => page.title(), { timeout: 5000 }).toMatch(/New message from/);
    expect(await beeps(page)).toBeGreaterThan(beepsBefore);
    await screenshot(page, 'desktop-unread');
    await openPanel(page);
    expect(await page.locator('.cw-badge').count()).toBe(0);
    await expect.poll(() => page.title()).toContain('Acme Travel');
  });

  test('a reload resumes the conversation, and a second tab follows it live', async () => {
    await page.goto(`${env.demo.url}/deals.html`);
    await openPanel(page);
    await expect.poll(() => bubbles().allTextContents()).toContain('Refund issued!');
    expect(await bubbles().allTextContents()).toContain('Hello! I was charged twice for my Lisbon trip.');

    const second = await page.context().newPage();
    await second.goto(`${env.demo.url}/`);
    await second.locator('.cw-launcher').click();
    await expect
      .poll(() => second.locator('.cw-message .cw-bubble').allTextContents())
      .toContain('Refund issued!');
    agent.send({ type: 'message.send', conversationId, clientMsgId: 'a-3', body: 'Anything else?' });
    for (const p of [page, second]) {
      await expect
        .poll(() => p.locator('.cw-message .cw-bubble').allTextContents())
        .toContain('Anything else?');
      // Shown once in each tab, never duplicated by the resume.
      expect(
        (await p.locator('.cw-message .cw-bubble').allTextContents()).filter((t) => t === 'Anything else?'),
      ).toHaveLength(1);
    }
    await second.close();
  });

  test('ending the chat asks for a rating, which is stored', async () => {
    await page.getByRole('button', { name: 'End chat' }).click();
    await page.getByRole('button', { name: 'Yes, end chat' }).click();
    await page.getByText('How was your chat?').waitFor();
    await page.getByRole('button', { name: '4 of 5' }).click();
    await page.locator('.cw-rating textarea').fill('Quick and kind, thank you');
    await screenshot(page, 'desktop-rating');
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thank you for your feedback!').waitFor();
    const rows =
      await env.sql`select status, rating, feedback from public.conversations where id = ${conversationId}`;
    expect(rows[0]).toMatchObject({ status: 'closed', rating: 4, feedback: 'Quick and kind, thank you' });
  });

  test('the transcript downloads as a text file with the conversation and without notes', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download transcript' }).first().click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^chat-\d{4}-\d{2}-\d{2}\.txt$/);
    const text = await readFile(await download.path(), 'utf8');
    expect(text).toContain('Hello! I was charged twice for my Lisbon trip.');
    expect(text).toContain('Your refund is on its way.');
    expect(text).not.toContain('refund approved by billing');
  });

  test('after the chat the visitor can have the transcript e-mailed (an .eml in the mailbox)', async () => {
    // Prefilled with the pre-chat email; the visitor may name another address.
    expect(await page.locator('#cw-mail-to').inputValue()).toBe('ana@example.com');
    await page.fill('#cw-mail-to', 'not-an-address');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('Enter your email so we can reply.').waitFor();
    await page.fill('#cw-mail-to', 'ana.trips@example.com');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('Transcript sent to ana.trips@example.com.').waitFor();
    await screenshot(page, 'desktop-ended-transcript');

    const emls = async () => (await readdir(env.mailboxDir)).filter((f) => f.endsWith('.eml'));
    await expect.poll(emls).toHaveLength(1);
    const files = await emls();
    // Quoted-printable soft line breaks would split long lines.
    const eml = (await readFile(join(env.mailboxDir, files[0]!), 'utf8')).replace(/=\r?\n/g, '');
    expect(eml).toMatch(/^To: ana\.trips@example\.com$/m);
    expect(eml).toContain('Hello! I was charged twice for my Lisbon trip.');
    const sent = await env.sql`
      select to_email from public.outbound_emails where conversation_id = ${conversationId} and kind = 'transcript'`;
    expect(sent.map((r) => r.to_email)).toEqual(['ana.trips@example.com']);

    await page.getByRole('button', { name: 'Start a new chat' }).click();
    await page.locator('#cw-f-message').waitFor();
  });

  test('nothing violated the Content-Security-Policy', async () => {
    expect(await cspViolations(page)).toEqual([]);
  });
});
