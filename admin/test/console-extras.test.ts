/**
 * The agent console's remaining points, in Chromium against the real stack and the REAL widget:
 * sound and desktop notifications for new chats and messages (observed on the real browser APIs,
 * then switched off in the settings UI), emoji in the composer, a file uploaded from the console
 * reaching the visitor, and a consult: Tom invites Aiko, who accepts and joins as a second agent.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { closeAllChats, gotoConsole, keepAcmeSiteOpen, setStatus } from './helpers/agent-console.ts';
import { launchBrowser, screenshot, signIn } from './helpers/browser.ts';
import { serviceClient } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

const AIKO_ID = '20000000-0000-4000-8000-000000000005';

let browser: Browser;
const contexts: BrowserContext[] = [];
let tom: Page;
let ana: Page;
let ben: Page;
let aiko: Page;
let anaConversation = '';
let benConversation = '';

/**
 * Runs in the console page before the app: the app keeps using the real Notification and
 * AudioContext, we only record each call on the way through (forwarding to the originals).
 */
function observeNotifications(): void {
  const seen = { notifications: [] as string[], oscillators: 0 };
  (window as unknown as { __seen: typeof seen }).__seen = seen;
  const Original = window.Notification;
  class Observed extends Original {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      // Recorded after the real constructor returned: the browser did create the notification.
      seen.notifications.push(title);
    }
    static override get permission(): NotificationPermission {
      return Original.permission;
    }
    static override requestPermission(): Promise<NotificationPermission> {
      return Original.requestPermission();
    }
  }
  window.Notification = Observed;
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    seen.oscillators++;
    return createOscillator.call(this);
  };
}

const seen = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __seen: { notifications: string[]; oscillators: number } }).__seen,
  );

/** A console in its own context; notifications granted so the desktop switch can be turned on. */
async function openConsole(email: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL: inject('admin').url,
    viewport: { width: 1360, height: 860 },
    permissions: ['notifications'],
  });
  contexts.push(context);
  await context.addInitScript(observeNotifications);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await signIn(page, email);
  return gotoConsole(page);
}

/** Sets a switch in the notification settings popover, through the UI the agent uses. */
async function setSwitch(page: Page, label: string, on: boolean): Promise<void> {
  const panel = page.getByRole('dialog', { name: 'Notifications' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Notification settings' }).click();
  const box = panel.getByRole('checkbox', { name: label });
  if ((await box.isChecked()) !== on) await box.click();
  await expect.poll(() => box.isChecked()).toBe(on);
}

async function acceptOffer(page: Page, visitor: string): Promise<string> {
  const offer = page.getByTestId('offer').filter({ hasText: visitor });
  await offer.waitFor();
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(() => page.getByTestId('conversation-title').textContent()).toBe(visitor);
  const item = page.getByTestId('chat-item').filter({ hasText: visitor });
  const id = (await item.first().getAttribute('data-conversation')) ?? '';
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

beforeAll(async () => {
  await keepAcmeSiteOpen(serviceClient());
  browser = await launchBrowser();
  tom = await openConsole('agent1@northwind.test');
  // Presence outlives a closed tab by a few heartbeats, so Aiko may still count as online after an
  // earlier file: set her offline explicitly, so the new chats here are offered to Tom.
  aiko = await openConsole('agent2@northwind.test');
  await setStatus(aiko, 'Offline');
  // An earlier file may have left Tom a chat (console.test.ts keeps Ben's open); with it, routing
  // did not offer Tom the chats here reliably, so start him with none.
  await closeAllChats(tom);
});

afterAll(async () => {
  // Leave both agents offline: the next file's chats must not be offered to a lingering presence.
  for (const page of [tom, aiko]) if (page) await setStatus(page, 'Offline').catch(() => {});
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

describe('console extras', () => {
  test('a new chat and a new message chime and show a desktop notification when enabled', async () => {
    await setStatus(tom, 'Online');
    await setSwitch(tom, 'Sound', true);
    await setSwitch(tom, 'Desktop notifications', true);
    await tom.getByRole('button', { name: 'Notification settings' }).click();
    expect(await tom.evaluate(() => Notification.permission)).toBe('granted');

    ana = await visitorPage(browser, contexts);
    await startWidgetChat(ana, 'Ana Chime', 'ana.chime@example.com', 'Hello, is my hotel booking confirmed?');
    await expect.poll(async () => (await seen(tom)).notifications).toContain('New chat: Ana Chime');
    expect((await seen(tom)).oscillators).toBeGreaterThan(0);
    anaConversation = await acceptOffer(tom, 'Ana Chime');

    // A second chat becomes the active one, so Ana's next message is news.
    ben = await visitorPage(browser, contexts);
    await startWidgetChat(ben, 'Ben Quiet', 'ben.quiet@example.com', 'Can I change my flight date?');
    benConversation = await acceptOffer(tom, 'Ben Quiet');
    const before = await seen(tom);
    await ana.locator('.cw-composer-input').fill('Any news about my booking?');
    await ana.keyboard.press('Enter');
    await expect.poll(async () => (await seen(tom)).notifications).toContain('Ana Chime');
    expect((await seen(tom)).oscillators).toBeGreaterThan(before.oscillators);
  });

  test('with sound and desktop notifications switched off, a new message gives neither', async () => {
    await setSwitch(tom, 'Sound', false);
    await setSwitch(tom, 'Desktop notifications', false);
    await screenshot(tom, 'console-notification-settings');
    await tom.getByRole('button', { name: 'Notification settings' }).click();
    const before = await seen(tom);
    const anaRow = tom.locator(`[data-conversation="${anaConversation}"]`);
    const unread = async () =>
      (await anaRow.getByTestId('unread').count())
        ? Number(await anaRow.getByTestId('unread').textContent())
        : 0;
    const unreadBefore = await unread();

    await ana.locator('.cw-composer-input').fill('Hello again?');
    await ana.keyboard.press('Enter');
    // The message did arrive (Ana's unread count grew) but made no sound and no notification.
    await expect.poll(unread).toBe(unreadBefore + 1);
    const after = await seen(tom);
    expect(after.notifications).toEqual(before.notifications);
    expect(after.oscillators).toBe(before.oscillators);
  });

  test('an emoji picked in the composer is inserted at the caret and reaches the visitor', async () => {
    await tom.locator(`[data-conversation="${anaConversation}"]`).click();
    await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe('Ana Chime');
    const composer = tom.locator('[data-composer]');
    await composer.fill('Confirmed ');
    await tom.getByRole('button', { name: 'Insert emoji' }).click();
    await tom.getByRole('listbox', { name: 'Emoji' }).getByRole('option', { name: '👍' }).click();
    await expect.poll(() => composer.inputValue()).toBe('Confirmed 👍');
    await composer.press('Enter');
    await expect
      .poll(() => ana.locator('.cw-message .cw-bubble').allTextContents())
      .toContainEqual(expect.stringContaining('Confirmed 👍'));
  });

  test('a file attached in the console composer is stored and reaches the visitor', async () => {
    const fileName = `booking-${Date.now()}.txt`;
    await tom.locator('input[type=file]').setInputFiles({
      name: fileName,
      mimeType: 'text/plain',
      buffer: Buffer.from('Booking AC-1234: confirmed.\n'),
    });
    await expect.poll(() => tom.getByTestId('upload').textContent()).toContain('ready');
    const composer = tom.locator('[data-composer]');
    await composer.fill('Here is your confirmation.');
    await composer.press('Enter');

    await expect.poll(() => ana.locator('.cw-file-name').allTextContents()).toContain(fileName);
    const { data, error } = await serviceClient()
      .from('attachments')
      .select('conversation_id, uploader_kind, message_id, size_bytes')
      .eq('file_name', fileName)
      .single();
    expect(error).toBeNull();
    expect(data?.conversation_id).toBe(anaConversation);
    expect(data?.uploader_kind).toBe('agent');
    expect(data?.message_id).not.toBeNull();
    expect(data?.size_bytes).toBe(28);
  });

  test('consult: Tom invites Aiko, who accepts and joins as a second agent', async () => {
    await setStatus(aiko, 'Online');

    await tom.getByRole('button', { name: 'Consult' }).click();
    const dialog = tom.getByRole('dialog', { name: 'Invite a colleague' });
    await dialog.locator('select[name=target]').selectOption(`agent:${AIKO_ID}`);
    await dialog.locator('textarea[name=note]').fill('Can you check the hotel allotment?');
    await dialog.getByRole('button', { name: 'Invite' }).click();

    const offer = aiko.getByTestId('offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('Consult request');
    expect(await offer.textContent()).toContain('Can you check the hotel allotment?');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => aiko.getByTestId('conversation-title').textContent()).toBe('Ana Chime');
    await screenshot(aiko, 'console-consult');

    await expect
      .poll(async () => {
        const { data } = await serviceClient()
          .from('conversation_participants')
          .select('user_id, role, left_at')
          .eq('conversation_id', anaConversation)
          .eq('user_id', AIKO_ID)
          .maybeSingle();
        return data;
      })
      .toEqual({ user_id: AIKO_ID, role: 'consultant', left_at: null });
    // Tom keeps the chat: he is still its assignee and it stays in his list.
    const { data: conversation } = await serviceClient()
      .from('conversations')
      .select('assignee_id')
      .eq('id', anaConversation)
      .single();
    expect(conversation?.assignee_id).toBe('20000000-0000-4000-8000-000000000004');
    expect(await tom.locator(`[data-conversation="${anaConversation}"]`).count()).toBe(1);
  });

  // Also leaves the shared stack clean: console.test.ts counts Tom's chats.
  test('Tom closes both chats; they are closed in the database', async () => {
    for (const visitor of ['Ana Chime', 'Ben Quiet']) {
      await tom.getByTestId('chat-item').filter({ hasText: visitor }).click();
      await expect.poll(() => tom.getByTestId('conversation-title').textContent()).toBe(visitor);
      await tom.getByRole('button', { name: 'Close', exact: true }).click();
      await expect.poll(() => tom.getByTestId('ended').textContent()).toBe('Closed');
    }
    const { data } = await serviceClient()
      .from('conversations')
      .select('status')
      .in('id', [anaConversation, benConversation]);
    expect(data?.map((c) => c.status)).toEqual(['closed', 'closed']);
  });
});
