/**
 * Sockets in a routing world (helpers/routing-world.ts): an agent's console connection, and a
 * visitor's chat in the site's default group that an agent has claimed. `open` collects every
 * client, so the file closes them all in afterAll.
 */
import type { ChatServer } from '../../src/server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, visitorSession } from './realtime-users.ts';
import type { World } from './routing-world.ts';
import { connect, type TestClient } from './ws-client.ts';

export type WorldAgent = TestClient & { userId: string };

let n = 0;
/** A frame ref unique in this test process. */
export const nextRef = (): string => `w${++n}`;

/** Agent `name` of the world, connected and welcomed. */
export async function worldAgent(
  server: ChatServer,
  world: World,
  name: string,
  open: TestClient[],
): Promise<WorldAgent> {
  const a = world.agents[name] as { id: string; email: string };
  const client = await connect(server.url, agentToken(a), { origin: ADMIN_ORIGIN });
  open.push(client);
  await client.next('welcome');
  return Object.assign(client, { userId: a.id });
}

/**
 * A visitor (Vic) starts a chat with `firstBody` on the world's site, and `owner` claims it from
 * the queue. `say` sends one more visitor message and waits for its ack.
 */
export async function claimedChat(
  server: ChatServer,
  world: World,
  owner: TestClient,
  open: TestClient[],
  firstBody = 'Can someone help?',
): Promise<{ conversationId: string; say(body: string): Promise<void> }> {
  const session = await visitorSession(server.url, world.siteKey);
  const visitor = await connect(server.url, session.token, { origin: SITE_ORIGIN });
  open.push(visitor);
  await visitor.next('welcome');
  const r = nextRef();
  visitor.send({
    type: 'conversation.start',
    ref: r,
    name: 'Vic',
    firstMessage: { clientMsgId: `v-${r}`, body: firstBody },
  });
  const conversationId = (await visitor.next('conversation', (f) => f.ref === r)).conversation.id;
  const c = nextRef();
  owner.send({ type: 'queue.claim', ref: c, conversationId });
  await owner.next('conversation', (f) => f.ref === c);
  const say = async (body: string) => {
    const m = nextRef();
    visitor.send({ type: 'message.send', ref: m, conversationId, clientMsgId: `v-${m}`, body });
    await visitor.next('ack', (f) => f.ref === m);
  };
  return { conversationId, say };
}
