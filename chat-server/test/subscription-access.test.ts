/**
 * A live subscription ends when RLS stops letting its agent read the conversation
 * (src/realtime/subscription-access.ts), on real sockets against the real stack:
 *   - a transfer to a group the follower is not in ends their subscription at once;
 *   - declining a consult offer ends the preview it allowed;
 *   - a consult offer that runs out ends the preview when the routing sweep revokes it;
 * each time with a not_found error naming the conversation and no message after it, while a
 * manager following the same chat keeps getting everything. Subscribing again is refused with an
 * error that names the conversation as well as the frame's ref, on the same connection or a new one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { createWorld, dropWorld, type World } from './helpers/routing-world.ts';
import { claimedChat, worldAgent } from './helpers/world-chats.ts';
import type { TestClient } from './helpers/ws-client.ts';

let db: ReturnType<typeof superuserSql>;
let world: World;
/** No routing sweep during a test (60 s): only the frames the test sends change anything. */
let onEvents: ChatServer;
/** Sweeps routing every 250 ms: offers run out on time. */
let onSweep: ChatServer;
const open: TestClient[] = [];

beforeAll(async () => {
  db = superuserSql();
  world = await createWorld(db, {
    groups: [
      { name: 'Front', mode: 'manual' },
      { name: 'Billing', mode: 'manual' },
    ],
    agents: [
      { name: 'Fay', memberships: [{ group: 'Front' }] },
      { name: 'Gus', memberships: [{ group: 'Front' }] },
      { name: 'Hal', memberships: [{ group: 'Billing' }] },
      { name: 'Mia', role: 'manager', memberships: [] },
    ],
    site: { defaultGroup: 'Front' },
  });
  [onEvents, onSweep] = await Promise.all([
    startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000' }),
    startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000', ROUTING_SWEEP_MS: '250' }),
  ]);
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([onEvents?.close(), onSweep?.close()]);
  if (world) await dropWorld(db, world);
  await db?.end();
});

let n = 0;
const ref = () => `r${++n}`;

const agent = (server: ChatServer, name: string) => worldAgent(server, world, name, open);
/** A visitor's chat in Front, claimed by `owner`; the visitor's client can say more. */
const frontChat = (server: ChatServer, owner: TestClient) =>
  claimedChat(server, world, owner, open, 'Where is my parcel?');

async function subscribe(client: TestClient, conversationId: string) {
  const r = ref();
  client.send({ type: 'conversation.subscribe', ref: r, conversationId, afterSeq: 0 });
  return client.next('sync', (f) => f.ref === r);
}

/**
 * A Front chat of Fay's (followed by Mia, the manager, and by Fay if `fayFollows`) on which Fay
 * consults Hal (Billing only), who previews it: RLS lets him read it while the offer is pending.
 */
async function previewedConsult(server: ChatServer, fayFollows: boolean) {
  const [fay, hal, mia] = (await Promise.all(['Fay', 'Hal', 'Mia'].map((a) => agent(server, a)))) as [
    TestClient & { userId: string },
    TestClient & { userId: string },
    TestClient & { userId: string },
  ];
  const chat = await frontChat(server, fay);
  if (fayFollows) await subscribe(fay, chat.conversationId);
  await subscribe(mia, chat.conversationId);
  fay.send({
    type: 'conversation.invite',
    ref: ref(),
    conversationId: chat.conversationId,
    userId: hal.userId,
  });
  const offer = await hal.next('offer', (f) => f.entry.conversationId === chat.conversationId);
  const preview = await subscribe(hal, chat.conversationId);
  return { fay, hal, mia, chat, offer, preview };
}

/** The unsolicited error that ends a subscription. */
const ended = (client: TestClient, conversationId: string, timeoutMs = 5000) =>
  client.next('error', (f) => f.conversationId === conversationId && f.ref === undefined, timeoutMs);

/** Subscribes and returns the refusal: `not_found` with the frame's ref and the conversation. */
async function refusedSubscribe(client: TestClient, conversationId: string) {
  const r = ref();
  client.send({ type: 'conversation.subscribe', ref: r, conversationId, afterSeq: 0 });
  const error = await client.next('error', (f) => f.ref === r);
  expect(error).toMatchObject({ code: 'not_found', ref: r, conversationId });
  expect(client.received.some((f) => f.type === 'sync' && f.ref === r)).toBe(false);
}

/**
 * The visitor says `body`; the manager (still allowed) gets it, the dropped follower does not, and
 * a new subscribe of theirs is refused like an unknown id.
 */
async function cutOff(
  chat: { conversationId: string; say: (body: string) => Promise<void> },
  manager: TestClient,
  dropped: TestClient,
  body: string,
) {
  const isIt = (f: { message: { body: string } }) => f.message.body === body;
  const silent = dropped.none('message', 1500, isIt);
  await chat.say(body);
  await manager.next('message', isIt);
  expect(await silent).toBe(true);
  await refusedSubscribe(dropped, chat.conversationId);
}

describe('subscriptions end with access', () => {
  it('a transfer to another group ends the subscription of a follower outside it, at once', async () => {
    const [fay, gus, mia] = await Promise.all(['Fay', 'Gus', 'Mia'].map((a) => agent(onEvents, a)));
    const chat = await frontChat(onEvents, fay as TestClient);
    await subscribe(gus as TestClient, chat.conversationId);
    await subscribe(mia as TestClient, chat.conversationId);
    // Gus (Front, not in the chat) follows it and gets its messages while it is Front's.
    await chat.say('Still waiting');
    await gus?.next('message', (f) => f.message.body === 'Still waiting');

    const t = ref();
    fay?.send({
      type: 'conversation.transfer',
      ref: t,
      conversationId: chat.conversationId,
      to: { kind: 'group', groupId: world.groups.Billing },
    });
    await fay?.next('conversation', (f) => f.ref === t);
    const error = await ended(gus as TestClient, chat.conversationId);
    expect(error).toMatchObject({ code: 'not_found', message: 'You can no longer see this conversation' });
    await cutOff(chat, mia as TestClient, gus as TestClient, 'Hello, Billing?');
  });

  it('declining a consult ends the preview the offer allowed', async () => {
    const { hal, mia, chat, offer, preview } = await previewedConsult(onEvents, false);
    expect(preview.messages.some((m) => m.body === 'Where is my parcel?')).toBe(true);

    const d = ref();
    hal.send({
      type: 'offer.decline',
      ref: d,
      offerId: offer.offerId,
      conversationId: chat.conversationId,
    });
    expect(await ended(hal, chat.conversationId)).toMatchObject({ code: 'not_found' });
    await cutOff(chat, mia, hal, 'Anyone there?');
  });

  it('a consult offer that runs out ends the preview when the sweep revokes it; other followers are untouched', async () => {
    const { fay, hal, mia, chat, offer } = await previewedConsult(onSweep, true);
    // Its time runs out (moved back, rather than waiting the 30 s of Front's offer timeout): the
    // sweep revokes it and tells Hal (offer.revoked), which rechecks his subscription.
    await db`update public.conversation_offers set expires_at = now() - interval '1 second'
      where id = ${offer.offerId as string}`;
    await hal.next('offer.revoked', (f) => f.offerId === offer.offerId);
    expect(await ended(hal, chat.conversationId)).toMatchObject({ code: 'not_found' });
    await cutOff(chat, mia, hal, 'Hello again');
    // Fay, the assignee, still follows the chat.
    await fay.next('message', (f) => f.message.body === 'Hello again');
    expect(fay.received.some((f) => f.type === 'error' && f.conversationId === chat.conversationId)).toBe(
      false,
    );
  });

  it('a refused subscribe after a reconnect names the conversation, so the client knows which chat it lost', async () => {
    const { hal, chat, offer } = await previewedConsult(onEvents, false);
    hal.send({
      type: 'offer.decline',
      ref: ref(),
      offerId: offer.offerId,
      conversationId: chat.conversationId,
    });
    await ended(hal, chat.conversationId);
    await hal.close();
    // A new connection of Hal's resubscribes what it had open, as a console does after a reconnect.
    const again = await agent(onEvents, 'Hal');
    await refusedSubscribe(again, chat.conversationId);
    // An id that was never his is refused the same way (ids cannot be probed either way).
    const other = await frontChat(onEvents, (await agent(onEvents, 'Gus')) as TestClient);
    await refusedSubscribe(again, other.conversationId);
  });
});
