/**
 * Messaging over real sockets against the seeded database: start, reply, idempotent resends,
 * resume without gap or duplicate, who may read and write what, notes, close, rate, read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import {
  ADMIN_ORIGIN,
  agentToken,
  GROUPS,
  SITE_ORIGIN,
  USERS,
  visitorSession,
} from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
const open: TestClient[] = [];

let uploadDir: string;

beforeAll(async () => {
  uploadDir = await mkdtemp(join(tmpdir(), 'realtime-uploads-'));
  server = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000', UPLOAD_DIR: uploadDir });
  db = superuserSql();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.close();
  await db?.end();
  await rm(uploadDir, { recursive: true, force: true });
});

async function visitor(site = 'acme_travel_demo') {
  const session = await visitorSession(server.url, site);
  const client = await connect(server.url, session.token, { origin: SITE_ORIGIN });
  open.push(client);
  await client.next('welcome');
  return { ...session, client };
}

/** Uploads a text file into a conversation the way the widget does; returns the attachment id. */
async function uploadText(conversationId: string, token: string, text: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), 'notes.txt');
  const res = await fetch(`${server.url}/v1/conversations/${conversationId}/attachments`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${token}`, origin: SITE_ORIGIN },
  });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function agent(user: { id: string; email: string }) {
  const client = await connect(server.url, agentToken(user), { origin: ADMIN_ORIGIN });
  open.push(client);
  await client.next('welcome');
  return client;
}

let refs = 0;
const ref = () => `r${++refs}`;

/** A visitor's new conversation (Bookings unless another topic is given), with a first message. */
async function startChat(v: { client: TestClient }, topic = 'A new or existing booking') {
  const r = ref();
  v.client.send({
    type: 'conversation.start',
    ref: r,
    topic,
    name: 'Ana',
    firstMessage: { clientMsgId: `first-${r}`, body: 'Hello, I need help' },
  });
  const started = await v.client.next('conversation', (f) => f.ref === r);
  const ack = await v.client.next('ack', (f) => f.clientMsgId === `first-${r}`);
  return { id: started.conversation.id, conversation: started.conversation, ack };
}

async function subscribe(client: TestClient, conversationId: string, afterSeq = 0) {
  const r = ref();
  client.send({ type: 'conversation.subscribe', ref: r, conversationId, afterSeq });
  return Promise.race([
    client.next('sync', (f) => f.ref === r),
    client
      .next('error', (f) => f.ref === r)
      .then((e) => {
        throw new Error(`subscribe refused: ${e.code}`);
      }),
  ]);
}

async function refusal(client: TestClient, frame: Record<string, unknown>) {
  const r = ref();
  client.send({ ...frame, ref: r });
  return client.next('error', (f) => f.ref === r);
}

function send(client: TestClient, conversationId: string, clientMsgId: string, body: string, extra = {}) {
  const r = ref();
  client.send({ type: 'message.send', ref: r, conversationId, clientMsgId, body, ...extra });
  return client.next('ack', (f) => f.ref === r);
}

describe('a chat between a visitor and an agent', () => {
  it('starts in the topic group, reaches agent1 (Bookings), and both receive the reply', async () => {
    const agent1 = await agent(USERS.agent1);
    const v = await visitor();
    const chat = await startChat(v);
    expect(chat.conversation).toMatchObject({ status: 'queued', groupId: GROUPS.bookings });
    expect(chat.conversation.queuePosition).toBeGreaterThanOrEqual(1);
    expect(chat.conversation.visitor).toMatchObject({ id: v.visitorId, name: 'Ana' });
    expect(chat.ack).toMatchObject({ seq: 1, duplicate: false });

    // The org-wide "new chat" event reaches agents of the group.
    const announced = await agent1.next('conversation', (f) => f.conversation.id === chat.id);
    expect(announced.conversation.lastSeq).toBe(1);

    const sync = await subscribe(agent1, chat.id);
    expect(sync.messages.map((m) => [m.seq, m.senderKind, m.body, m.senderName])).toEqual([
      [1, 'visitor', 'Hello, I need help', 'Ana'],
    ]);
    expect(sync).toMatchObject({ lastSeq: 1, hasMore: false });

    const ack = await send(agent1, chat.id, 'a-1', 'Hi Ana, Tom here');
    expect(ack).toMatchObject({ seq: 2, duplicate: false });
    const atVisitor = await v.client.next('message', (f) => f.message.seq === 2);
    expect(atVisitor.message).toMatchObject({
      senderKind: 'agent',
      senderName: 'Tom Becker',
      body: 'Hi Ana, Tom here',
    });
    // The sender's own connection gets the message too (other tabs see it the same way).
    await agent1.next('message', (f) => f.message.seq === 2);

    await send(v.client, chat.id, 'v-2', 'Thanks!');
    const atAgent = await agent1.next('message', (f) => f.message.seq === 3);
    expect(atAgent.message.body).toBe('Thanks!');

    const [row] =
      await db`select first_response_at, last_seq from public.conversations where id = ${chat.id}`;
    expect(row?.first_response_at).toBeInstanceOf(Date);
    expect(Number(row?.last_seq)).toBe(3);
  });

  it('stores a resend once and answers it with the same ack; another body under that id is a conflict', async () => {
    const v = await visitor();
    const chat = await startChat(v);
    const first = await send(v.client, chat.id, 'dup-1', 'Same words');
    const again = await send(v.client, chat.id, 'dup-1', 'Same words');
    expect(again).toMatchObject({
      messageId: first.messageId,
      seq: first.seq,
      createdAt: first.createdAt,
      duplicate: true,
    });
    expect(first.duplicate).toBe(false);
    const rows =
      await db`select id from public.messages where conversation_id = ${chat.id} and client_msg_id = 'dup-1'`;
    expect(rows).toHaveLength(1);
    const conflict = await refusal(v.client, {
      type: 'message.send',
      conversationId: chat.id,
      clientMsgId: 'dup-1',
      body: 'Other words',
    });
    expect(conflict.code).toBe('conflict');
    // No seq was burnt by the duplicate or the conflict.
    const next = await send(v.client, chat.id, 'dup-2', 'Next');
    expect(next.seq).toBe(first.seq + 1);
  });

  it('resumes after a reconnect from lastSeq with no gap and no duplicate', async () => {
    const session = await visitorSession(server.url);
    let client = await connect(server.url, session.token, { origin: SITE_ORIGIN });
    await client.next('welcome');
    const chat = await startChat({ client });
    const agent1 = await agent(USERS.agent1);
    await subscribe(agent1, chat.id);
    await send(client, chat.id, 'v-a', 'one');
    await client.next('message', (f) => f.message.seq === 2);
    const lastSeq = 2;
    await client.close();

    // While the visitor is away: three agent messages.
    for (const n of [1, 2, 3]) await send(agent1, chat.id, `away-${n}`, `while you were away ${n}`);

    client = await connect(server.url, session.token, { origin: SITE_ORIGIN });
    open.push(client);
    await client.next('welcome');
    const sync = await subscribe(client, chat.id, lastSeq);
    expect(sync.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(sync.lastSeq).toBe(5);
    await send(agent1, chat.id, 'live-1', 'and live again');
    const live = await client.next('message');
    expect(live.message.seq).toBe(6);
    // Nothing the page already had came again live.
    expect(
      client.received.filter((f) => f.type === 'message').map((f) => f.type === 'message' && f.message.seq),
    ).toEqual([6]);
  });

  it('pages a long history with hasMore', async () => {
    const v = await visitor();
    const chat = await startChat(v);
    for (let i = 0; i < 5; i++) await send(v.client, chat.id, `p-${i}`, `page ${i}`);
    const r = ref();
    v.client.send({ type: 'conversation.subscribe', ref: r, conversationId: chat.id, afterSeq: 0, limit: 4 });
    const first = await v.client.next('sync', (f) => f.ref === r);
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(first.hasMore).toBe(true);
    const rest = await subscribe(v.client, chat.id, 4);
    expect(rest.messages.map((m) => m.seq)).toEqual([5, 6]);
    expect(rest.hasMore).toBe(false);
  });
});

describe('who may read and write a conversation', () => {
  it("a visitor cannot subscribe to or write another visitor's conversation, nor a made-up one", async () => {
    const owner = await visitor();
    const chat = await startChat(owner);
    const other = await visitor();
    expect(
      (await refusal(other.client, { type: 'conversation.subscribe', conversationId: chat.id, afterSeq: 0 }))
        .code,
    ).toBe('not_found');
    const write = await refusal(other.client, {
      type: 'message.send',
      conversationId: chat.id,
      clientMsgId: 'intrude',
      body: 'hi',
    });
    // The refusal names the conversation it is about (a client without refs can tell which).
    expect(write).toMatchObject({ code: 'not_found', conversationId: chat.id });
    const madeUp = await refusal(other.client, {
      type: 'conversation.subscribe',
      conversationId: crypto.randomUUID(),
      afterSeq: 0,
    });
    expect(madeUp).toMatchObject({ code: 'not_found', message: write.message });
    const rows =
      await db`select 1 from public.messages where conversation_id = ${chat.id} and client_msg_id = 'intrude'`;
    expect(rows).toHaveLength(0);
  });

  it('an agent of Contoso cannot join a Northwind conversation', async () => {
    const chat = await startChat(await visitor());
    const contoso = await agent(USERS.contosoAgent);
    expect(
      (await refusal(contoso, { type: 'conversation.subscribe', conversationId: chat.id, afterSeq: 0 })).code,
    ).toBe('not_found');
    expect(
      (
        await refusal(contoso, {
          type: 'message.send',
          conversationId: chat.id,
          clientMsgId: 'x',
          body: 'hi',
        })
      ).code,
    ).toBe('not_found');
    // Nor does the new-chat event reach another organization.
    expect(await contoso.none('conversation', 300, (f) => f.conversation.id === chat.id)).toBe(true);
  });

  it('agent3 (Technical only) cannot open a Bookings conversation; agent1 can; a Technical one is fine for agent3', async () => {
    const v = await visitor();
    const bookings = await startChat(v);
    const agent3 = await agent(USERS.agent3);
    expect(
      (await refusal(agent3, { type: 'conversation.subscribe', conversationId: bookings.id, afterSeq: 0 }))
        .code,
    ).toBe('not_found');
    const agent1 = await agent(USERS.agent1);
    await subscribe(agent1, bookings.id);
    const technical = await startChat(v, 'Website or app problem');
    expect(technical.conversation.groupId).toBe(GROUPS.technical);
    await subscribe(agent3, technical.id);
  });

  it('a client_viewer reads an Acme conversation but may not send, and never receives notes', async () => {
    const v = await visitor();
    const chat = await startChat(v);
    const manager = await agent(USERS.manager);
    await subscribe(manager, chat.id);
    await send(manager, chat.id, 'note-1', 'Internal: VIP customer', { note: true });
    await send(manager, chat.id, 'reply-1', 'Hello from the manager');

    const viewer = await agent(USERS.viewer);
    const sync = await subscribe(viewer, chat.id);
    expect(sync.messages.map((m) => m.senderKind)).toEqual(['visitor', 'agent']);
    const write = await refusal(viewer, {
      type: 'message.send',
      conversationId: chat.id,
      clientMsgId: 'cv',
      body: 'hi',
    });
    expect(write.code).toBe('forbidden');

    await send(manager, chat.id, 'note-2', 'Internal again', { note: true });
    await send(manager, chat.id, 'reply-2', 'Visible again');
    const live = await viewer.next('message', (f) => f.message.clientMsgId === 'reply-2');
    expect(live.message.seq).toBe(5);
    expect(viewer.received.some((f) => f.type === 'message' && f.message.senderKind === 'note')).toBe(false);

    // A Globex conversation is outside the viewer's client.
    const globex = await startChat(await visitor('globex_shop_demo'), 'Orders and payments');
    expect(
      (await refusal(viewer, { type: 'conversation.subscribe', conversationId: globex.id, afterSeq: 0 }))
        .code,
    ).toBe('not_found');
  });

  it('notes never reach the visitor, live or in sync; a visitor may not write one', async () => {
    const v = await visitor();
    const chat = await startChat(v);
    const agent1 = await agent(USERS.agent1);
    await subscribe(agent1, chat.id);
    const note = await send(agent1, chat.id, 'n-1', 'Whisper', { note: true });
    await send(agent1, chat.id, 'm-1', 'Out loud');
    const live = await v.client.next('message', (f) => f.message.clientMsgId === 'm-1');
    expect(live.message.seq).toBe(note.seq + 1);
    const atAgent = await agent1.next('message', (f) => f.message.clientMsgId === 'n-1');
    expect(atAgent.message.senderKind).toBe('note');
    const sync = await subscribe(v.client, chat.id, 0);
    expect(sync.messages.map((m) => m.clientMsgId)).not.toContain('n-1');
    expect(sync.lastSeq).toBe(note.seq + 1);
    expect(v.client.received.some((f) => f.type === 'message' && f.message.senderKind === 'note')).toBe(
      false,
    );
    const own = await refusal(v.client, {
      type: 'message.send',
      conversationId: chat.id,
      clientMsgId: 'vn',
      body: 'sneaky',
      note: true,
    });
    expect(own.code).toBe('forbidden');
  });

  it('refuses frames a kind of connection may never send with unauthorized', async () => {
    const v = await visitor();
    expect((await refusal(v.client, { type: 'presence.set', status: 'online' })).code).toBe('unauthorized');
    const agent1 = await agent(USERS.agent1);
    expect((await refusal(agent1, { type: 'conversation.start' })).code).toBe('unauthorized');
  });
});

describe('close, rate and read', () => {
  it('closes once, records it, refuses later messages, and takes a rating after close', async () => {
    const v = await visitor();
    const chat = await startChat(v);
    const agent1 = await agent(USERS.agent1);
    await subscribe(agent1, chat.id);

    const early = await refusal(v.client, { type: 'conversation.rate', conversationId: chat.id, rating: 5 });
    expect(early.code).toBe('conflict');

    const r = ref();
    v.client.send({ type: 'conversation.close', ref: r, conversationId: chat.id });
    const closed = await v.client.next('conversation', (f) => f.ref === r);
    expect(closed.conversation).toMatchObject({ status: 'closed', closedBy: 'visitor' });
    const atAgent = await agent1.next('conversation', (f) => f.conversation.status === 'closed');
    expect(atAgent.conversation.id).toBe(chat.id);
    const system = await agent1.next('message', (f) => f.message.senderKind === 'system');
    expect(system.message.payload).toMatchObject({ event: 'closed', by: 'visitor' });

    expect((await refusal(v.client, { type: 'conversation.close', conversationId: chat.id })).code).toBe(
      'conflict',
    );
    expect(
      (
        await refusal(agent1, {
          type: 'message.send',
          conversationId: chat.id,
          clientMsgId: 'late',
          body: 'hello?',
        })
      ).code,
    ).toBe('conflict');

    const rr = ref();
    v.client.send({
      type: 'conversation.rate',
      ref: rr,
      conversationId: chat.id,
      rating: 4,
      comment: 'Quick',
    });
    await v.client.next('ok', (f) => f.ref === rr);
    const rated = await agent1.next('conversation', (f) => f.conversation.rating === 4);
    expect(rated.conversation.id).toBe(chat.id);
    const [row] = await db`select rating, feedback, rated_at from public.conversations where id = ${chat.id}`;
    expect(row).toMatchObject({ rating: 4, feedback: 'Quick' });
  });

  it('persists the visitor read position (never backwards) and relays it to the agent', async () => {
    const v = await visitor();
    const chat = await startChat(v);
    const agent1 = await agent(USERS.agent1);
    await subscribe(agent1, chat.id);
    await send(agent1, chat.id, 'r-1', 'one');
    await send(agent1, chat.id, 'r-2', 'two');
    v.client.send({ type: 'read', conversationId: chat.id, seq: 3 });
    const read = await agent1.next('read');
    expect(read).toMatchObject({
      conversationId: chat.id,
      seq: 3,
      reader: { kind: 'visitor', id: v.visitorId },
    });
    const rr = ref();
    v.client.send({ type: 'read', ref: rr, conversationId: chat.id, seq: 1 });
    await v.client.next('ok', (f) => f.ref === rr);
    const [row] = await db`select visitor_read_seq from public.conversations where id = ${chat.id}`;
    expect(Number(row?.visitor_read_seq)).toBe(3);
  });
});

describe('attachments on messages', () => {
  it('binds uploaded files to the message, delivers them live and in sync, and never twice', async () => {
    const v = await visitor();
    const chat = await startChat(v);
    const agent1 = await agent(USERS.agent1);
    await subscribe(agent1, chat.id);
    const id = await uploadText(chat.id, v.token, 'my booking reference is A-1042\n');
    const ack = await send(v.client, chat.id, 'with-file', '', { attachmentIds: [id] });
    expect(ack.duplicate).toBe(false);
    const live = await agent1.next('message', (f) => f.message.clientMsgId === 'with-file');
    expect(live.message.attachments).toMatchObject([
      { id, fileName: 'notes.txt', contentType: 'text/plain; charset=utf-8' },
    ]);
    const download = await fetch(new URL(live.message.attachments[0]?.url as string, server.url));
    expect(await download.text()).toBe('my booking reference is A-1042\n');
    const sync = await subscribe(agent1, chat.id, ack.seq - 1);
    expect(sync.messages[0]?.attachments.map((a) => a.id)).toEqual([id]);
    // A file already sent cannot ride on another message; an unknown one neither.
    const reuse = await refusal(v.client, {
      type: 'message.send',
      conversationId: chat.id,
      clientMsgId: 'again',
      body: 'same file',
      attachmentIds: [id],
    });
    expect(reuse.code).toBe('not_found');
    const next = await send(v.client, chat.id, 'after-refusal', 'no seq was burnt');
    expect(next.seq).toBe(ack.seq + 1);
  });
});
