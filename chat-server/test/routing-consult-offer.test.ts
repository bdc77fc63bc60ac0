/**
 * A consult offer lasts the offer timeout of the conversation's group, like new-chat and transfer
 * offers (src/routing/transfer.ts), over real sockets against the real stack: the consultant's
 * offer runs out when the group says, a changed setting holds for the next invitation, and only a
 * conversation without a group falls back to 60 s. The consultant's own groups play no part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { createWorld, dropWorld, type World } from './helpers/routing-world.ts';
import { claimedChat as claimedWorldChat, worldAgent } from './helpers/world-chats.ts';
import type { TestClient } from './helpers/ws-client.ts';

const FRONT_SECONDS = 6;

let db: ReturnType<typeof superuserSql>;
let world: World;
let server: ChatServer;
const open: TestClient[] = [];

beforeAll(async () => {
  db = superuserSql();
  world = await createWorld(db, {
    groups: [
      { name: 'Front', mode: 'manual', offerTimeoutSeconds: FRONT_SECONDS },
      { name: 'Billing', mode: 'manual', offerTimeoutSeconds: 40 },
    ],
    agents: [
      { name: 'Fay', memberships: [{ group: 'Front' }] },
      { name: 'Hal', memberships: [{ group: 'Billing' }] },
    ],
    site: { defaultGroup: 'Front' },
  });
  // Sweeps routing every 250 ms, so an offer that runs out is revoked on time.
  server = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000', ROUTING_SWEEP_MS: '250' });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.close();
  if (world) await dropWorld(db, world);
  await db?.end();
});

let n = 0;
const ref = () => `r${++n}`;

const agent = (name: string) => worldAgent(server, world, name, open);
const claimedChat = async (owner: TestClient) =>
  (await claimedWorldChat(server, world, owner, open)).conversationId;

/** Fay invites Hal to consult; the offer Hal gets and how long it lasts as stored. */
async function consult(fay: TestClient, hal: TestClient & { userId: string }, conversationId: string) {
  const i = ref();
  fay.send({
    type: 'conversation.invite',
    ref: i,
    conversationId,
    userId: hal.userId,
    note: 'A second look?',
  });
  await fay.next('ok', (f) => f.ref === i);
  const offer = await hal.next('offer', (f) => f.entry.conversationId === conversationId);
  expect(offer.kind).toBe('consult');
  const [row] = await db<{ seconds: number; kind: string }[]>`
    select extract(epoch from expires_at - created_at)::float8 as seconds, kind
    from public.conversation_offers where id = ${offer.offerId}`;
  expect(row?.kind).toBe('consult');
  return { offer, seconds: row?.seconds };
}

describe('consult offer timeout', () => {
  it("lasts the conversation's group's offer timeout and runs out then (offer.revoked timeout)", async () => {
    const [fay, hal] = await Promise.all([agent('Fay'), agent('Hal')]);
    const conversationId = await claimedChat(fay);
    const { offer, seconds } = await consult(fay, hal, conversationId);
    const received = Date.now();
    // Front's 6 s, not Hal's Billing (40 s) nor the old fixed 60 s.
    expect(seconds).toBeCloseTo(FRONT_SECONDS, 3);
    const left = Date.parse(offer.expiresAt) - received;
    expect(left).toBeGreaterThan((FRONT_SECONDS - 2) * 1000);
    expect(left).toBeLessThanOrEqual(FRONT_SECONDS * 1000);

    const revoked = await hal.next('offer.revoked', (f) => f.offerId === offer.offerId, 15_000);
    expect(revoked.reason).toBe('timeout');
    const after = Date.now() - received;
    expect(after).toBeGreaterThan((FRONT_SECONDS - 2) * 1000);
    expect(after).toBeLessThan((FRONT_SECONDS + 4) * 1000);
    const [row] = await db<{ status: string }[]>`
      select status from public.conversation_offers where id = ${offer.offerId}`;
    expect(row?.status).toBe('expired');
  }, 30_000);

  it('follows a changed group setting at the next invitation; a conversation without a group gets 60 s', async () => {
    const [fay, hal] = await Promise.all([agent('Fay'), agent('Hal')]);
    const front = world.groups.Front as string;
    await db`update public.groups set offer_timeout_seconds = 45 where id = ${front}`;
    try {
      const first = await claimedChat(fay);
      expect((await consult(fay, hal, first)).seconds).toBeCloseTo(45, 3);

      const second = await claimedChat(fay);
      await db`update public.conversations set group_id = null where id = ${second}`;
      expect((await consult(fay, hal, second)).seconds).toBeCloseTo(60, 3);
    } finally {
      await db`update public.groups set offer_timeout_seconds = ${FRONT_SECONDS} where id = ${front}`;
    }
  });
});
