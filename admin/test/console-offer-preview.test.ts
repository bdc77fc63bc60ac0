/**
 * Preview on an offer card, end to end in Chromium with the REAL widget, on rows of this file's own
 * (helpers/consult-world.ts: group A with its own site, X its only agent, Y in no group):
 * - a visitor's chat offered to X: Preview shows the visitor's messages so far and one sent while
 *   X reads, read-only (Accept/Decline where the composer was); X has not joined (no participant
 *   row, no join line, still queued, no `viewing`/`read`/`typing` frame sent for it); Accept makes it
 *   X's normal chat;
 * - X writes an internal note and consults Y (the "Invitation sent." toast stays clear of X's
 *   composer); Y previews and reads the note; Decline closes the preview, and then Y can read
 *   nothing of the conversation; X closing the chat while Y previews a second consult closes the
 *   preview, and Y's console says why.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { closeChat } from './helpers/agent-console.ts';
import { screenshot } from './helpers/browser.ts';
import { consult, consultFixture } from './helpers/consult-fixture.ts';
import { serviceClient, signedInClient } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

const VISITOR = 'Petra Preview';
const FIRST = 'I was charged twice for the Lisbon hotel';
const SECOND = 'Both charges are from yesterday evening.';
const LIVE = 'Here is the booking number: LIS-4471.';
const X_REPLY = 'Thanks Petra, I am looking at both charges now.';
const X_NOTE = 'Looks like a duplicate capture by the Lisbon partner.';
/** X's note to Y with the consult. */
const INVITATION = 'Have you seen double charges from Lisbon?';

let petra: Page;
let conversationId = '';
/** Frames X's and Y's consoles sent, with the conversation they name. */
const sent: Record<'x' | 'y', { type: string; conversationId?: string }[]> = { x: [], y: [] };

function recordSent(page: Page, into: { type: string; conversationId?: string }[]): void {
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      try {
        into.push(JSON.parse(String(payload)));
      } catch {
        into.push({ type: 'unreadable' });
      }
    });
  });
}

const offerCard = (page: Page) => page.getByTestId('offer').filter({ hasText: VISITOR });
const previewOf = (page: Page) => page.getByTestId('offer-preview');
const bodies = (area: Locator, kind: 'message' | 'note') => area.getByTestId(kind).allTextContents();

/** The widget's composer: type and send a message as the visitor. */
async function visitorSays(text: string): Promise<void> {
  await petra.locator('.cw-composer-input').fill(text);
  await petra.keyboard.press('Enter');
  await expect
    .poll(() => petra.locator('.cw-message .cw-bubble').allTextContents())
    .toContainEqual(expect.stringContaining(text));
}

/** What the database holds about `userId` in the conversation: participant rows and join lines. */
async function traces(userId: string): Promise<{ participants: number; joined: number }> {
  const service = serviceClient();
  const [participants, joined] = await Promise.all([
    service
      .from('conversation_participants')
      .select('user_id')
      .eq('conversation_id', conversationId)
      .eq('user_id', userId),
    service
      .from('messages')
      .select('seq')
      .eq('conversation_id', conversationId)
      .eq('sender_kind', 'system')
      .eq('payload->>event', 'agent_joined')
      .eq('payload->>userId', userId),
  ]);
  if (participants.error) throw participants.error;
  if (joined.error) throw joined.error;
  return { participants: participants.data.length, joined: joined.data.length };
}

/** Frames that would make the reader visible or change state: viewing, read positions, typing. */
const sideEffects = (frames: { type: string; conversationId?: string }[]) =>
  frames.filter((f) => f.conversationId === conversationId && ['viewing', 'read', 'typing'].includes(f.type));

/** What Y's own JWT reads of the conversation through PostgREST. */
async function readAsY(): Promise<{ conversations: number; messages: number }> {
  const db = await signedInClient(stage.world.y.email, stage.world.y.password);
  const [conversations, messages] = await Promise.all([
    db.from('conversations').select('id').eq('id', conversationId),
    db.from('messages').select('seq').eq('conversation_id', conversationId),
  ]);
  if (conversations.error) throw conversations.error;
  if (messages.error) throw messages.error;
  return { conversations: conversations.data.length, messages: messages.data.length };
}

const overlaps = (a: DOMRectLike, b: DOMRectLike) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
type DOMRectLike = { x: number; y: number; width: number; height: number };

async function box(locator: Locator): Promise<DOMRectLike> {
  const rect = await locator.boundingBox();
  if (!rect) throw new Error('not on screen');
  return rect;
}

/** The preview's Accept and Decline are inside the window and nothing covers them. */
async function answerButtonsShown(page: Page): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 0, height: 0 };
  for (const name of ['Accept', 'Decline']) {
    const button = previewOf(page).getByRole('button', { name, exact: true });
    const rect = await box(button);
    expect(rect.x + rect.width).toBeLessThanOrEqual(viewport.width);
    expect(rect.y + rect.height).toBeLessThanOrEqual(viewport.height);
    // The element at the button's centre is the button (or its text): nothing lies on top of it.
    const onTop = await button.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return hit !== null && el.contains(hit);
    });
    expect(onTop).toBe(true);
  }
}

// Time to read: this group's offers wait two minutes (consult offers always wait 60 s). The
// consoles are reloaded once their sent frames are recorded.
const stage = consultFixture({
  offerTimeoutSeconds: 120,
  prepareX: (page) => recordSent(page, sent.x),
  prepareY: (page) => recordSent(page, sent.y),
});

describe('previewing an offered chat', () => {
  test('X previews a new chat: the visitor’s messages so far and live, without joining; Accept makes it the chat', async () => {
    petra = await visitorPage(stage.browser, stage.contexts);
    await startWidgetChat(petra, VISITOR, 'petra.preview@example.com', FIRST, stage.widgetPageUrl);
    const card = offerCard(stage.x);
    await card.waitFor();
    await visitorSays(SECOND);

    const previewButton = card.getByRole('button', { name: 'Preview' });
    expect(await previewButton.getAttribute('aria-pressed')).toBe('false');
    // By keyboard: focus the card's Preview button and press Enter.
    await previewButton.focus();
    await stage.x.keyboard.press('Enter');
    const preview = previewOf(stage.x);
    await preview.waitFor();
    expect(await previewButton.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => bodies(preview, 'message')).toEqual([FIRST, SECOND]);
    expect(await preview.getByTestId('preview-title').textContent()).toBe(VISITOR);
    // Focus moved to what opened, and there is no composer, only the offer's answer.
    expect(await stage.x.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'preview-title',
    );
    expect(await stage.x.locator('[data-composer]').count()).toBe(0);
    const { data: row } = await serviceClient()
      .from('conversations')
      .select('id')
      .eq('site_id', stage.world.siteId)
      .single();
    conversationId = row?.id ?? '';
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);

    // The visitor writes while X reads: it arrives in the preview.
    await visitorSays(LIVE);
    await expect.poll(() => bodies(preview, 'message')).toEqual([FIRST, SECOND, LIVE]);

    // X has not joined: no participant row, no join line, still queued and unassigned, the offer
    // still pending; X's console sent no viewing, read or typing frame for it; the visitor sees
    // nobody joined.
    expect(await traces(stage.world.x.id)).toEqual({ participants: 0, joined: 0 });
    const { data: conversation } = await serviceClient()
      .from('conversations')
      .select('status, assignee_id')
      .eq('id', conversationId)
      .single();
    expect(conversation).toEqual({ status: 'queued', assignee_id: null });
    const { data: offers } = await serviceClient()
      .from('conversation_offers')
      .select('status')
      .eq('conversation_id', conversationId)
      .eq('user_id', stage.world.x.id);
    expect(offers).toEqual([{ status: 'pending' }]);
    expect(
      sent.x.some((f) => f.type === 'conversation.subscribe' && f.conversationId === conversationId),
    ).toBe(true);
    expect(sideEffects(sent.x)).toEqual([]);
    expect(await petra.locator('.cw-root').textContent()).not.toContain('joined');

    await answerButtonsShown(stage.x);
    await screenshot(stage.x, 'console-offer-preview-new-chat');
    await stage.x.setViewportSize({ width: 1024, height: 768 });
    await answerButtonsShown(stage.x);
    expect(await preview.getByTestId('preview-title').evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(
      true,
    );
    // The card's three buttons keep their labels whole in the narrower inbox.
    for (const name of ['Accept', 'Preview', 'Decline'])
      expect(
        await card
          .getByRole('button', { name, exact: true })
          .evaluate((b) => b.scrollWidth <= b.clientWidth && b.getBoundingClientRect().width >= 56),
      ).toBe(true);
    await screenshot(stage.x, 'console-offer-preview-new-chat-1024');
    await stage.x.setViewportSize({ width: 1360, height: 850 });

    await preview.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect.poll(() => stage.x.getByTestId('conversation-title').textContent()).toBe(VISITOR);
    expect(await previewOf(stage.x).count()).toBe(0);
    expect(await stage.x.getByTestId('offer').count()).toBe(0);
    await expect
      .poll(() => bodies(stage.x.getByTestId('messages'), 'message'))
      .toEqual([FIRST, SECOND, LIVE]);
    await expect.poll(() => traces(stage.world.x.id)).toEqual({ participants: 1, joined: 1 });
    const composer = stage.x.locator('[data-composer]');
    await composer.fill(X_REPLY);
    await composer.press('Enter');
    await expect
      .poll(() => petra.locator('.cw-message .cw-bubble').allTextContents())
      .toContainEqual(expect.stringContaining(X_REPLY));
  });

  test('Y previews a consult and reads X’s internal note; Decline closes it and Y can read nothing', async () => {
    await stage.x.getByRole('button', { name: 'Internal note' }).click();
    const note = stage.x.getByRole('textbox', { name: 'Internal note' });
    await note.fill(X_NOTE);
    await note.press('Enter');
    await stage.x.getByTestId('note').filter({ hasText: X_NOTE }).waitFor();
    await stage.x.getByRole('button', { name: 'Internal note' }).click();

    await consult(stage.x, stage.world.y, INVITATION);
    // The toast confirms, above X's composer, never over it.
    const toast = stage.x.getByTestId('toast').filter({ hasText: 'Invitation sent.' });
    await toast.waitFor();
    const toastBox = await box(toast);
    for (const part of [
      stage.x.locator('[data-composer]'),
      stage.x.getByRole('button', { name: 'Send', exact: true }),
    ])
      expect(overlaps(toastBox, await box(part))).toBe(false);
    await screenshot(stage.x, 'console-offer-preview-invitation-toast');

    const card = offerCard(stage.y);
    await card.waitFor();
    expect(await card.textContent()).toContain(`Consult request from ${stage.world.x.name}`);
    await card.getByRole('button', { name: 'Preview' }).click();
    const preview = previewOf(stage.y);
    await preview.waitFor();
    // X's note, and the invitation's own note (the consult request is an internal note too).
    await expect
      .poll(() => bodies(preview, 'note'))
      .toEqual([
        expect.stringContaining(X_NOTE),
        expect.stringContaining(`Invited ${stage.world.y.name}: ${INVITATION}`),
      ]);
    expect(await bodies(preview, 'message')).toEqual(
      expect.arrayContaining([FIRST, SECOND, LIVE, X_REPLY].map((t) => expect.stringContaining(t))),
    );
    // The invitation's note shows once in the preview, in the transcript where X wrote it; the
    // footer names the request without quoting it again (the card in the inbox quotes it).
    const footer = preview.locator('footer[aria-label="Answer the offer"]');
    expect(await footer.textContent()).toContain(`Consult request from ${stage.world.x.name}`);
    expect(await footer.textContent()).not.toContain(INVITATION);
    expect((await preview.textContent())?.split(INVITATION)).toHaveLength(2);
    expect(await card.textContent()).toContain(INVITATION);
    expect(await traces(stage.world.y.id)).toEqual({ participants: 0, joined: 0 });
    expect(sideEffects(sent.y)).toEqual([]);
    // X's console lists no viewer: previewing is not viewing.
    expect(await stage.x.getByTestId('conversation-title').locator('..').textContent()).not.toContain(
      'viewing',
    );
    await answerButtonsShown(stage.y);
    await screenshot(stage.y, 'console-offer-preview-consult');
    // The visitor never got the note.
    expect(await petra.locator('.cw-root').textContent()).not.toContain(X_NOTE);

    await preview.getByRole('button', { name: 'Decline', exact: true }).click();
    await expect.poll(() => previewOf(stage.y).count()).toBe(0);
    await expect.poll(() => stage.y.getByTestId('offer').count()).toBe(0);
    expect(await stage.y.getByTestId('chat-item').count()).toBe(0);
    // The console unsubscribed, and Y's JWT no longer reads the conversation.
    expect(
      sent.y.some((f) => f.type === 'conversation.unsubscribe' && f.conversationId === conversationId),
    ).toBe(true);
    await expect.poll(readAsY).toEqual({ conversations: 0, messages: 0 });
    expect(await traces(stage.world.y.id)).toEqual({ participants: 0, joined: 0 });
  });

  test('the chat closes while Y previews a second consult: the preview closes and the console says why, in the live region it had all along', async () => {
    await consult(stage.x, stage.world.y, 'Quick look, if you have a moment?');
    const card = offerCard(stage.y);
    await card.waitFor();
    await card.getByRole('button', { name: 'Preview' }).click();
    const preview = previewOf(stage.y);
    await preview.waitFor();
    await expect.poll(() => bodies(preview, 'note')).toContainEqual(expect.stringContaining(X_NOTE));
    // Escape closes the preview and leaves the card; Preview again reopens it.
    await stage.y.keyboard.press('Escape');
    await expect.poll(() => previewOf(stage.y).count()).toBe(0);
    await card.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(() => bodies(previewOf(stage.y), 'note'))
      .toContainEqual(expect.stringContaining(X_NOTE));

    // The console's one live region, held across the switch from the preview to no chat (the
    // toast is made in that same moment; a region made with it may not be announced). SvelteKit's
    // route announcer is the page's other region.
    const liveRegions = stage.y.locator('[aria-live]:not(#svelte-announcer)');
    expect(await liveRegions.count()).toBe(1);
    const region = await liveRegions.elementHandle();

    await closeChat(stage.x, conversationId);
    await expect.poll(() => previewOf(stage.y).count()).toBe(0);
    const closedText = `Preview closed: the chat with ${VISITOR} was closed.`;
    const toast = stage.y.getByTestId('toast').filter({ hasText: closedText });
    await toast.waitFor();
    expect(
      await region?.evaluate(
        (el) => el.isConnected && el === document.querySelector('[aria-live]:not(#svelte-announcer)'),
      ),
    ).toBe(true);
    expect(await region?.textContent()).toContain(closedText);
    expect(await liveRegions.count()).toBe(1);
    // The toast on screen is not a second region (it would read the text twice, or not at all).
    expect(await toast.evaluate((el) => el.closest('[aria-live], [role=status], [role=alert]'))).toBe(null);
    await expect.poll(() => stage.y.getByTestId('offer').count()).toBe(0);
    await screenshot(stage.y, 'console-offer-preview-closed');
    await expect.poll(readAsY).toEqual({ conversations: 0, messages: 0 });
    expect(await traces(stage.world.y.id)).toEqual({ participants: 0, joined: 0 });
    expect(sideEffects(sent.y)).toEqual([]);
  });
});
