/**
 * A consult to a colleague OUTSIDE the chat's group, end to end in Chromium with the REAL widget,
 * on rows of this file's own (helpers/consult-world.ts): a visitor's chat goes to X (group A), X
 * consults Y (in no group). Until Y accepts, only the pending offer lets Y read that conversation
 * (private.my_conversation_ids, migration 20261121001900_offered_conversations_readable.sql):
 * - a console opened after the offer reads it back from Supabase, naming X, and after a reload
 *   still does; Y reads the transcript in History; declined, the card is gone and so is the
 *   conversation (History, the transcript page and supabase-js as Y find nothing);
 * - invited again while the console is open, Y gets the card live, accepts, sees the conversation
 *   and writes to it (an internal note X sees, a reply the visitor sees, never the note).
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { closeChat, gotoConsole } from './helpers/agent-console.ts';
import { newPage, screenshot, signIn } from './helpers/browser.ts';
import { type ConsultStage, consult, consultFixture } from './helpers/consult-fixture.ts';
import { serviceClient, signedInClient } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

const VISITOR = 'Vera Outside';
/** The visitor's first message; its rare word is what Y searches History for. */
const FIRST = 'My refund for the Zanzibar trip never arrived';
const X_REPLY = 'Let me check that refund for you.';
const Y_NOTE = 'Refunds for Zanzibar go through the partner desk, two days.';
const Y_REPLY = 'Hello Vera, I work on partner refunds: yours is on its way.';

let vera: Page;
let conversationId = '';
/** Types of every frame Y's console sockets received (an offer read back never came as a frame). */
const yFrames: { type: string; kind?: string; from?: { name: string } }[] = [];

const offerCard = (page: Page) => page.getByTestId('offer').filter({ hasText: VISITOR });

/** Y's offers for the conversation, as stored. */
async function offersToY(): Promise<{ kind: string; status: string; offered_by: string }[]> {
  const { data, error } = await serviceClient()
    .from('conversation_offers')
    .select('kind, status, offered_by, created_at')
    .eq('conversation_id', conversationId)
    .eq('user_id', stage.world.y.id)
    .order('created_at');
  if (error) throw error;
  return data.map(({ kind, status, offered_by }) => ({ kind, status, offered_by }));
}

/** What Y's own JWT reads of the conversation through PostgREST: its status and message bodies. */
async function readAsY(): Promise<{ conversations: string[]; messages: string[] }> {
  const db = await signedInClient(stage.world.y.email, stage.world.y.password);
  const [conversations, messages] = await Promise.all([
    db.from('conversations').select('status').eq('id', conversationId),
    db.from('messages').select('body').eq('conversation_id', conversationId).order('seq'),
  ]);
  if (conversations.error) throw conversations.error;
  if (messages.error) throw messages.error;
  return {
    conversations: conversations.data.map((c) => c.status as string),
    messages: messages.data.map((m) => m.body as string),
  };
}

/** Y looks the conversation up in History, in a tab of its own, by a word the visitor wrote. */
async function searchHistoryAsY(history: Page): Promise<void> {
  await history.goto('/history');
  await history.getByLabel('Search messages').fill('Zanzibar');
  await history.getByRole('button', { name: 'Search' }).click();
  await history.waitForURL((url) => url.searchParams.get('q') === 'Zanzibar');
}

/** Y starts signed in on History, with no console open: the first consult finds Y away. */
async function openYOnHistory({ browser, contexts, world }: Omit<ConsultStage, 'y'>): Promise<Page> {
  const { context, page } = await newPage(browser);
  contexts.push(context);
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      try {
        yFrames.push(JSON.parse(String(payload)));
      } catch {
        yFrames.push({ type: 'unreadable' });
      }
    });
  });
  // Signed in (which opens the home page, the console) and then on History.
  await signIn(page, world.y.email);
  await page.goto('/history');
  await page.getByRole('heading', { name: 'No conversations found' }).waitFor();
  return page;
}

// A consult offer lasts the chat's group's offer timeout: long enough here for Y to open the
// console, search History, read the transcript and reload while it is pending.
const stage = consultFixture({ openY: openYOnHistory, offerTimeoutSeconds: 120 });

describe('a consult to a colleague outside the group', () => {
  test('the visitor’s chat in group A goes to X, and they exchange a message', async () => {
    vera = await visitorPage(stage.browser, stage.contexts);
    await startWidgetChat(vera, VISITOR, 'vera.outside@example.com', FIRST, stage.widgetPageUrl);
    const offer = offerCard(stage.x);
    await offer.waitFor();
    expect(await offer.textContent()).toContain(stage.world.groupName);
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => stage.x.getByTestId('conversation-title').textContent()).toBe(VISITOR);
    conversationId =
      (await stage.x
        .getByTestId('chat-item')
        .filter({ hasText: VISITOR })
        .getAttribute('data-conversation')) ?? '';
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    await stage.x.getByTestId('message').filter({ hasText: FIRST }).waitFor();

    const composer = stage.x.locator('[data-composer]');
    await composer.fill(X_REPLY);
    await composer.press('Enter');
    await expect
      .poll(() => vera.locator('.cw-message .cw-bubble').allTextContents())
      .toContainEqual(expect.stringContaining(X_REPLY));

    const { data } = await serviceClient()
      .from('conversations')
      .select('group_id, assignee_id, status')
      .eq('id', conversationId)
      .single();
    expect(data).toEqual({ group_id: stage.world.groupId, assignee_id: stage.world.x.id, status: 'active' });
    // Y, in no group and not in the chat, cannot read it yet.
    expect(await readAsY()).toEqual({ conversations: [], messages: [] });
  });

  test('a consult made before Y opens the console is read back naming X, survives a reload, and once declined Y can read nothing', async () => {
    await consult(stage.x, stage.world.y, 'Do partner refunds work differently?');
    expect(await offersToY()).toEqual([{ kind: 'consult', status: 'pending', offered_by: stage.world.x.id }]);
    // The pending offer alone lets Y read the conversation and its messages.
    const readable = await readAsY();
    expect(readable.conversations).toEqual(['active']);
    expect(readable.messages).toEqual(expect.arrayContaining([FIRST, X_REPLY]));

    // Y opens the console only now: the card comes from Supabase, not from a frame.
    yFrames.length = 0;
    await gotoConsole(stage.y);
    const card = offerCard(stage.y);
    await card.waitFor();
    expect(await card.textContent()).toContain(`Consult request from ${stage.world.x.name}`);
    expect(await card.textContent()).toContain('Do partner refunds work differently?');
    expect(await card.textContent()).toContain(FIRST);
    expect(yFrames.some((f) => f.type === 'offer')).toBe(false);
    await screenshot(stage.y, 'console-consult-outside-group-card');

    // Before answering, Y reads the whole conversation in History (another tab).
    const history = await stage.y.context().newPage();
    await searchHistoryAsY(history);
    await history.getByTestId('history-rows').getByRole('link', { name: VISITOR }).click();
    const transcript = history.getByTestId('transcript');
    await transcript.getByText(FIRST).waitFor();
    await transcript.getByText(X_REPLY).waitFor();

    // Reloaded, the console reads the offer back again: still there, still naming X.
    await gotoConsole(stage.y);
    await card.waitFor();
    expect(await card.textContent()).toContain(`Consult request from ${stage.world.x.name}`);

    await card.getByRole('button', { name: 'Decline' }).click();
    await expect.poll(() => stage.y.getByTestId('offer').count()).toBe(0);
    await expect
      .poll(offersToY)
      .toEqual([{ kind: 'consult', status: 'declined', offered_by: stage.world.x.id }]);
    expect(await readAsY()).toEqual({ conversations: [], messages: [] });
    // Nor does the UI show it any more: not in History, not as a transcript, not after a reload.
    await searchHistoryAsY(history);
    await history.getByRole('heading', { name: 'No conversations found' }).waitFor();
    expect(await history.getByTestId('history-rows').count()).toBe(0);
    await history.goto(`/history/${conversationId}`);
    await history.getByText('Conversation not found').waitFor();
    await history.close();
    await gotoConsole(stage.y);
    expect(await stage.y.getByTestId('offer').count()).toBe(0);
    expect(await stage.y.getByTestId('chat-item').count()).toBe(0);
  });

  test('invited again with the console open, Y gets the card live, accepts, and writes to the chat', async () => {
    await consult(stage.x, stage.world.y, 'Second try: can you take a look now?');
    const card = offerCard(stage.y);
    await card.waitFor();
    expect(await card.textContent()).toContain(`Consult request from ${stage.world.x.name}`);
    expect(yFrames.find((f) => f.type === 'offer')).toMatchObject({
      kind: 'consult',
      from: { name: stage.world.x.name },
    });
    await screenshot(stage.y, 'console-consult-outside-group-live-card');

    await card.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => stage.y.getByTestId('conversation-title').textContent()).toBe(VISITOR);
    await stage.y.getByTestId('message').filter({ hasText: FIRST }).waitFor();
    await stage.y.getByTestId('message').filter({ hasText: X_REPLY }).waitFor();
    expect(await stage.y.getByTestId('offer').count()).toBe(0);
    await expect
      .poll(async () => {
        const { data } = await serviceClient()
          .from('conversation_participants')
          .select('role, left_at')
          .eq('conversation_id', conversationId)
          .eq('user_id', stage.world.y.id)
          .maybeSingle();
        return data;
      })
      .toEqual({ role: 'consultant', left_at: null });

    // A whisper to X first, then a reply to the visitor.
    await stage.y.getByRole('button', { name: 'Internal note' }).click();
    const note = stage.y.getByRole('textbox', { name: 'Internal note' });
    await note.fill(Y_NOTE);
    await note.press('Enter');
    await stage.x.getByTestId('note').filter({ hasText: Y_NOTE }).waitFor();
    await stage.y.getByRole('button', { name: 'Internal note' }).click();
    const composer = stage.y.locator('[data-composer]');
    await composer.fill(Y_REPLY);
    await composer.press('Enter');
    await stage.x.getByTestId('message').filter({ hasText: Y_REPLY }).waitFor();
    await screenshot(stage.x, 'console-consult-outside-group-asker');
    await expect
      .poll(() => vera.locator('.cw-message .cw-bubble').allTextContents())
      .toContainEqual(expect.stringContaining(Y_REPLY));
    // The note went out before the reply, and the visitor never got it.
    expect((await vera.locator('.cw-root').textContent()) ?? '').not.toContain(Y_NOTE);
    // The name is shown whole, not cut to "Ver…" by a consultant's row of actions (with a label
    // on Leave, once the conversation lists Y as its consultant).
    expect(
      await stage.y.getByTestId('conversation-title').evaluate((h) => h.scrollWidth <= h.clientWidth),
    ).toBe(true);
    await screenshot(stage.y, 'console-consult-outside-group-accepted');

    // X keeps the chat; Y is in it as a consultant.
    const { data } = await serviceClient()
      .from('conversations')
      .select('assignee_id')
      .eq('id', conversationId)
      .single();
    expect(data?.assignee_id).toBe(stage.world.x.id);
  });

  test('X closes the chat; Y sees it closed', async () => {
    await stage.x.getByTestId('chat-item').filter({ hasText: VISITOR }).click();
    await closeChat(stage.x, conversationId);
    await expect.poll(() => stage.y.getByTestId('ended').textContent()).toBe('Closed');
  });
});
