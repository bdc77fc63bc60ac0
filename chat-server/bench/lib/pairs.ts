/**
 * Visitor/agent pairs for the latency and fan-out parts: each pair is one conversation with its
 * visitor connected to instance A and its agent watching from instance B.
 *
 * Ours: real visitors (rows + signed tokens) start real conversations with `conversation.start`;
 * agents connect with Supabase-shaped tokens and `conversation.subscribe`. Reference: the same
 * sockets and subscriptions on the relay, with made-up conversation ids (it has no conversations).
 */
import { randomUUID } from 'node:crypto';
import {
  ADMIN_ORIGIN,
  agentToken,
  createConversations,
  createVisitors,
  VISITOR_ORIGIN,
  visitorToken,
} from './fixtures.ts';
import type { BenchStack } from './stack.ts';
import { type BenchSocket, chatUrl, connect, connectMany } from './ws-clients.ts';

export interface Pair {
  conversationId: string;
  visitor: BenchSocket;
  agent: BenchSocket;
}

/**
 * ours: our server. reference: the bare relay inserting into a minimal table (conversation ids
 * made up). reference-table: the bare relay inserting into public.messages, so its
 * conversations must exist (created here with SQL, status active).
 */
export type Flavor = 'ours' | 'reference' | 'reference-table';

/** A visitor on `a` per conversation. Ours starts the conversation; the references subscribe. */
export async function openVisitors(
  flavor: Flavor,
  stack: BenchStack,
  aWsBase: string,
  count: number,
  label: string,
): Promise<Array<{ conversationId: string; visitor: BenchSocket }>> {
  if (flavor !== 'ours') {
    const ids =
      flavor === 'reference-table' ? await createConversations(stack.admin, count, label) : undefined;
    const sockets = await connectMany(count, 50, () => connect(chatUrl(aWsBase), {}));
    return Promise.all(
      sockets.map(async (visitor, i) => {
        const conversationId = ids?.[i] ?? randomUUID();
        await subscribe(visitor, conversationId);
        return { conversationId, visitor };
      }),
    );
  }
  const ids = await createVisitors(stack.admin, count, label);
  const sockets = await connectMany(count, 50, (i) =>
    connect(chatUrl(aWsBase), {
      token: visitorToken(ids[i] as string),
      origin: VISITOR_ORIGIN,
      welcome: true,
    }),
  );
  const started = await Promise.all(
    sockets.map(async (visitor) => {
      const answer = visitor.next(['conversation', 'error']);
      visitor.send({ type: 'conversation.start', ref: 'start', name: label });
      const frame = await answer;
      if (frame.type !== 'conversation')
        throw new Error(`conversation.start refused: ${JSON.stringify(frame)}`);
      return { conversationId: (frame.conversation as { id: string }).id, visitor };
    }),
  );
  // Chats in progress, as in the references, not a queue: a new chat waits in its group's queue
  // and is offered to the bench's agent (agent1, six chats at most), so left queued, a hundred
  // of them keep routing busy with offers, timeouts and queue-position pushes during the
  // measurement — work the references never do. (The routing bench measures that separately.)
  const conversationIds = started.map((s) => s.conversationId);
  await stack.admin`
    update public.conversation_offers set status = 'revoked', responded_at = now()
    where conversation_id = any(${conversationIds}::uuid[]) and status = 'pending'`;
  await stack.admin`
    update public.conversations set status = 'active' where id = any(${conversationIds}::uuid[])`;
  return started;
}

/** Closes what a run opened, so the next run does not inherit open chats. */
export async function closeConversations(stack: BenchStack, pairs: Pair[]): Promise<void> {
  const ids = [...new Set(pairs.map((p) => p.conversationId))];
  await stack.admin`
    update public.conversations set status = 'closed', closed_at = now(), closed_by = 'system'
    where id = any(${ids}::uuid[]) and status <> 'closed'`;
}

/** `count` agent connections on `wsBase`, each subscribed to `conversationIds[i % length]`. */
export async function openAgents(
  flavor: Flavor,
  stack: BenchStack,
  wsBase: string,
  conversationIds: string[],
  count: number,
): Promise<BenchSocket[]> {
  const token = flavor === 'ours' ? agentToken(stack.jwtSecret) : undefined;
  const sockets = await connectMany(count, 50, () =>
    connect(chatUrl(wsBase), { token, origin: ADMIN_ORIGIN, welcome: flavor === 'ours' }),
  );
  await Promise.all(
    sockets.map((s, i) => subscribe(s, conversationIds[i % conversationIds.length] as string)),
  );
  return sockets;
}

export async function subscribe(socket: BenchSocket, conversationId: string): Promise<void> {
  const answer = socket.next(['sync', 'error']);
  socket.send({ type: 'conversation.subscribe', ref: 'sub', conversationId, afterSeq: 0 });
  const frame = await answer;
  if (frame.type !== 'sync') throw new Error(`subscribe refused: ${JSON.stringify(frame)}`);
}

export async function openPairs(
  flavor: Flavor,
  stack: BenchStack,
  a: string,
  b: string,
  count: number,
  label: string,
): Promise<Pair[]> {
  const visitors = await openVisitors(flavor, stack, a, count, label);
  const agents = await openAgents(
    flavor,
    stack,
    b,
    visitors.map((v) => v.conversationId),
    count,
  );
  return visitors.map((v, i) => ({ ...v, agent: agents[i] as BenchSocket }));
}

export function closeAll(sockets: Iterable<BenchSocket | undefined>): void {
  for (const s of sockets) s?.close();
}
