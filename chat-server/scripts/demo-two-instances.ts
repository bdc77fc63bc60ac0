/**
 * A scripted session across two chat-server instances sharing one Redis:
 *
 *   npx tsx chat-server/scripts/demo-two-instances.ts
 *
 * Starts a throwaway local stack (embedded Postgres with the demo data, in a temp dir), a
 * redis-server and instances A and B as separate processes. A visitor of the Acme Travel site
 * chats on A with agent1@northwind.test on B; mid-chat, A is killed with SIGKILL; the visitor's
 * client reconnects to B, resumes after its last seq and resends what was not acked. At the end
 * the database and both screens are checked: nothing lost, nothing twice. Exit code 1 otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@chat/shared';
import jwt from 'jsonwebtoken';
import postgres from 'postgres';
import { type LocalSupabase, startLocalSupabase } from '../../supabase/local/index.ts';
import { type InstanceProcess, startInstanceProcess } from '../test/helpers/instance-process.ts';
import { type RedisServer, startRedisServer } from '../test/helpers/redis-server.ts';
import { ResumingClient } from '../test/helpers/resuming-client.ts';

const SITE_KEY = 'acme_travel_demo';
const SITE_ORIGIN = 'http://localhost:3000';
const ADMIN_ORIGIN = 'http://localhost:5173';
const AGENT = {
  id: '20000000-0000-4000-8000-000000000004',
  email: 'agent1@northwind.test',
  name: 'Tom (agent1)',
};
const VISITOR_TOKEN_SECRET = 'demo-two-instances-visitor-secret-shared';

const say = (line: string) => process.stdout.write(`${line}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dataDir: string | undefined;
let stack: LocalSupabase | undefined;
let redis: RedisServer | undefined;
let db: postgres.Sql | undefined;
const instances: InstanceProcess[] = [];
const clients: ResumingClient[] = [];

async function cleanup(): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  await db?.end({ timeout: 2 }).catch(() => {});
  await redis?.stop();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

process.once('SIGINT', () => {
  say('\ninterrupted: stopping everything');
  cleanup().finally(() => process.exit(130));
});

async function main(): Promise<number> {
  say('Starting Postgres (demo data, temp dir) and redis-server…');
  dataDir = await mkdtemp(join(tmpdir(), 'chat-demo-'));
  stack = await startLocalSupabase({ dataDir, dbPort: 0, gatewayPort: 0, persistent: false, log: () => {} });
  redis = await startRedisServer();
  db = postgres(stack.dbUrl, { max: 2, onnotice: () => {} });

  const env = {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: stack.dbUrl,
    SUPABASE_JWT_SECRET: stack.jwtSecret,
    VISITOR_TOKEN_SECRET,
    REDIS_URL: redis.url,
    LOG_LEVEL: 'info',
  };
  const [a, b] = await Promise.all([
    startInstanceProcess({ label: 'A', env }),
    startInstanceProcess({ label: 'B', env }),
  ]);
  instances.push(a, b);
  say(`Instance A: ${a.url} (pid ${a.pid})`);
  say(`Instance B: ${b.url} (pid ${b.pid})`);
  say(`Redis:      ${redis.url}\n`);

  // The visitor gets a token from A's widget endpoint, like the widget on the Acme Travel site.
  const res = await fetch(`${a.url}/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: SITE_ORIGIN },
    body: JSON.stringify({ site: SITE_KEY }),
  });
  if (res.status !== 200) throw new Error(`widget session: HTTP ${res.status} ${await res.text()}`);
  const { token: visitorToken } = (await res.json()) as { token: string };
  // The agent holds a Supabase access token (signed with the stack's JWT secret, as Auth does).
  const agentToken = jwt.sign(
    { sub: AGENT.id, email: AGENT.email, role: 'authenticated', aud: 'authenticated' },
    stack.jwtSecret,
    { algorithm: 'HS256', expiresIn: 3600 },
  );

  const where = (c: ResumingClient) =>
    c.connectedUrl === a.url ? 'A' : c.connectedUrl === b.url ? 'B' : '-';
  const visitor = new ResumingClient({
    urls: [a.url, b.url],
    token: visitorToken,
    origin: SITE_ORIGIN,
    name: 'visitor',
    onConnect: (url) => say(`  [visitor] connected to ${url === a.url ? 'A' : 'B'}`),
    onShow: (m: Message) => {
      if (m.senderKind === 'agent') say(`  visitor on ${where(visitor)} sees #${m.seq} agent:   ${m.body}`);
    },
  });
  const agent = new ResumingClient({
    urls: [b.url],
    token: agentToken,
    origin: ADMIN_ORIGIN,
    name: 'agent',
    onConnect: (url) => say(`  [agent]   connected to ${url === a.url ? 'A' : 'B'}`),
    onShow: (m: Message) => {
      if (m.senderKind === 'visitor') say(`  agent on ${where(agent)} sees   #${m.seq} visitor: ${m.body}`);
    },
  });
  clients.push(visitor, agent);
  const conversationId = await visitor.startConversation();
  await agent.follow(conversationId);
  say(`  conversation ${conversationId}\n`);

  const exchange: Array<[ResumingClient, string]> = [
    [visitor, 'Hi! I booked a flight to Lisbon and need to change the date.'],
    [agent, 'Hello, this is Tom. Happy to help: what is your booking reference?'],
    [visitor, 'It is ACME-4821. Could I fly on the 14th instead of the 12th?'],
    [agent, 'Let me check availability for the 14th…'],
  ];
  for (const [who, text] of exchange) {
    who.send(text);
    const other = who === visitor ? agent : visitor;
    await other.until(() => other.shown.some((m) => m.body === text), 10_000, `"${text}"`);
    await pause(300);
  }

  say('\nThe visitor keeps typing; instance A is killed with SIGKILL in the middle of it.');
  for (let i = 1; i <= 8; i++) {
    visitor.send(`(message ${i} of 8) Also, can I add a checked bag?`);
    if (i === 4) {
      await pause(5);
      say(`  >>> kill -9 ${a.pid} (instance A)`);
      await a.kill('SIGKILL');
    }
    await pause(40);
  }
  await visitor.until(() => visitor.outbox.size === 0, 20_000, 'the visitor’s messages acked');
  const replyId = agent.send('Done: you fly on the 14th, with one checked bag. Anything else?');
  await agent.until(() => agent.acks.has(replyId), 10_000, 'the agent’s reply acked');
  const last = agent.acks.get(replyId)?.seq ?? 0;
  await visitor.until(() => visitor.lastSeq >= last, 10_000, 'the visitor to see everything');
  await agent.until(() => agent.lastSeq >= last, 10_000, 'the agent to see everything');

  // The check: every message sent by either side stored once, seq gap-free, each screen complete.
  const final = await db<{ seq: number; client_msg_id: string }[]>`
    select seq::int as seq, client_msg_id from public.messages
    where conversation_id = ${conversationId} order by seq`;
  const storedIds = final.map((r) => r.client_msg_id);
  const sentIds = [
    ...visitor.acks.keys(),
    ...agent.acks.keys(),
    ...visitor.outbox.keys(),
    ...agent.outbox.keys(),
  ];
  const lost =
    sentIds.filter((id) => !storedIds.includes(id)).length +
    [visitor, agent].reduce(
      (n, c) => n + final.filter((r) => !c.shown.some((m) => m.seq === r.seq)).length,
      0,
    );
  const duplicated =
    storedIds.length -
    new Set(storedIds).size +
    [visitor, agent].reduce((n, c) => n + c.shown.length - new Set(c.shown.map((m) => m.seq)).size, 0);
  const gapFree = final.every((r, i) => r.seq === i + 1);

  say('');
  say(`Visitor connections: ${visitor.connections.map((u) => (u === a.url ? 'A' : 'B')).join(' → ')}`);
  say(`Instance A exited with ${(await a.exited).signal}; B still serving (pid ${b.pid}).`);
  const resentStored = [...visitor.acks.values()].filter((ack) => ack.duplicate).length;
  say(`Resends that A had already stored (acked as duplicate by B): ${resentStored}`);
  say(`Seq gap-free: ${gapFree ? 'yes' : 'NO'}`);
  say(`messages stored: ${final.length}, lost: ${lost}, duplicated: ${duplicated}`);
  return lost === 0 && duplicated === 0 && gapFree ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  say(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanup();
}
process.exit(code);
