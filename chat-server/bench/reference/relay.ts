/**
 * Reference for latency and fan-out: the least a multi-instance relay with durable messages can
 * do. Bare `ws` + ioredis (separate publisher and subscriber, one channel per conversation, one
 * PUBLISH per message) + one Postgres INSERT per message, in the same order as our server:
 * persist, ack the sender, publish; every instance delivers to its local subscribers, sender
 * included. No validation, auth, rate limits, idempotency or batching.
 *
 * REF_TABLE chooses the INSERT: `minimal` (default) into bench_ref.messages, a table with only a
 * primary key; `messages` into the product's own public.messages, the same row our server stores
 * (its indexes, full-text index, foreign key and seq trigger included; the conversation's org and
 * visitor are read once at subscribe time). The second is "the bare relay plus one insert" of the
 * same message; the first is the floor.
 *
 * Frames (a subset of ours, so the same load client drives both):
 *   → { type: 'conversation.subscribe', ref, conversationId }   ← { type: 'sync', ref }
 *   → { type: 'message.send', ref, conversationId, clientMsgId, body }
 *   ← { type: 'ack', ref, clientMsgId, messageId }   ← { type: 'message', message: {…} }
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_TRANSPORT_PAYLOAD_BYTES, WS_SUBPROTOCOL } from '@chat/shared';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { type WebSocket, WebSocketServer } from 'ws';

const redisUrl = process.env.REDIS_URL ?? '';
const sql = postgres(process.env.DATABASE_URL ?? '', {
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  onnotice: () => {},
});
const pub = new Redis(redisUrl);
const sub = new Redis(redisUrl);
const local = new Map<string, Set<WebSocket>>();
const sameTable = process.env.REF_TABLE === 'messages';
/** conversation id → what an insert into public.messages needs besides the frame. */
const owners = new Map<string, { orgId: string; visitorId: string }>();

sub.on('message', (channel: string, payload: string) => {
  const sockets = local.get(channel.slice('ref:conv:'.length));
  if (!sockets) return;
  const text = `{"type":"message","message":${payload}}`;
  for (const ws of sockets) ws.send(text);
});

async function onFrame(ws: WebSocket, joined: Set<string>, frame: Record<string, string>): Promise<void> {
  if (frame.type === 'conversation.subscribe') {
    const id = frame.conversationId as string;
    let sockets = local.get(id);
    if (!sockets) {
      sockets = new Set();
      local.set(id, sockets);
      await sub.subscribe(`ref:conv:${id}`);
    }
    sockets.add(ws);
    joined.add(id);
    if (sameTable && !owners.has(id)) {
      const [owner] = await sql<{ org_id: string; visitor_id: string }[]>`
        select org_id, visitor_id from public.conversations where id = ${id}`;
      if (owner) owners.set(id, { orgId: owner.org_id, visitorId: owner.visitor_id });
    }
    ws.send(JSON.stringify({ type: 'sync', ref: frame.ref, conversationId: id }));
  } else if (frame.type === 'message.send') {
    const owner = owners.get(frame.conversationId as string);
    const [row] =
      sameTable && owner
        ? await sql<{ id: string; created_at: Date }[]>`
            insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body)
            values (${owner.orgId}, ${frame.conversationId as string}, ${frame.clientMsgId as string},
                    'visitor', ${owner.visitorId}, ${frame.body as string})
            returning id, created_at`
        : await sql<{ id: string; created_at: Date }[]>`
            insert into bench_ref.messages (conversation_id, client_msg_id, body)
            values (${frame.conversationId as string}, ${frame.clientMsgId as string}, ${frame.body as string})
            returning id, created_at`;
    const message = {
      id: row?.id,
      conversationId: frame.conversationId,
      clientMsgId: frame.clientMsgId,
      body: frame.body,
      createdAt: row?.created_at.toISOString(),
    };
    ws.send(
      JSON.stringify({ type: 'ack', ref: frame.ref, clientMsgId: frame.clientMsgId, messageId: row?.id }),
    );
    await pub.publish(`ref:conv:${frame.conversationId}`, JSON.stringify(message));
  }
}

const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  maxPayload: MAX_TRANSPORT_PAYLOAD_BYTES,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
});
const server = createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    const joined = new Set<string>();
    ws.on('message', (data) => {
      onFrame(ws, joined, JSON.parse(data.toString())).catch((error: unknown) =>
        process.stderr.write(`relay: ${String(error)}\n`),
      );
    });
    ws.on('close', () => {
      for (const id of joined) local.get(id)?.delete(ws);
    });
    ws.on('error', () => {});
  });
});

await sql`select 1`;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ msg: 'reference listening', url: `http://127.0.0.1:${port}` })}\n`,
  );
});
process.on('SIGTERM', () => {
  server.close();
  Promise.allSettled([pub.quit(), sub.quit(), sql.end({ timeout: 1 })]).then(() => process.exit(0));
});
