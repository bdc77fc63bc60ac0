/**
 * The agent workflow over real sockets: transfer to an agent and to a group (the note reaches the
 * next agent, never the visitor), consult (a second agent joins, reads the history, leaves),
 * offline message → agent reply by e-mail (.eml in the mailbox + outbound_emails), transcript by
 * e-mail, idle warning and idle close, visitor left, and rating after close.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, visitorSession } from './helpers/realtime-users.ts';
import { createWorld, dropWorld, type World } from './helpers/routing-world.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
let world: World;
let mailbox: string;
const open: TestClient[] = [];
const VISITOR_LEFT_GRACE_MS = 20_000;

beforeAll(async () => {
  db = superuserSql();
  mailbox = await mkdtemp(join(tmpdir(), 'routing-mailbox-'));
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
    site: { idleWarningMinutes: 1, idleCloseMinutes: 2, defaultGroup: 'Front' },
  });
  server = await startChatServer({
    WIDGET_SESSION_RATE_LIMIT: '1000',
    ROUTING_SWEEP_MS: '250',
    // Shorter than every other test server's (60 s default): only this server sees our visitor
    // as gone (a server of another file that swept it would publish visitor_left on its own
    // pub/sub, and Fay would never get it). Long enough for a connected visitor's stamps.
    VISITOR_LEFT_GRACE_MS: String(VISITOR_LEFT_GRACE_MS),
    MAILBOX_DIR: mailbox,
  });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.close();
  await dropWorld(db, world);
  await db?.end();
  await rm(mailbox, { recursive: true, force: true });
});

async function agent(name: string) {
  const a = world.agents[name] as { id: string; email: string };
  const client = await connect(server.url, agentToken(a), { origin: ADMIN_ORIGIN });
  open.push(client);
  await client.next('welcome');
  client.send({ type: 'presence.set', ref: `p-${name}`, status: 'online' });
  await client.next('ok', (f) => f.ref === `p-${name}`);
  return Object.assign(client, { userId: a.id });
}

let n = 0;
const ref = () => `r${++n}`;

async function visitor() {
  const session = await visitorSession(server.url, world.siteKey);
  const client = await connect(server.url, session.token, { origin: SITE_ORIGIN });
  open.push(client);
  await client.next('welcome');
  return { client, visitorId: session.visitorId };
}

/** A visitor's chat in Front, claimed by `owner`. */
async function assignedChat(owner: TestClient, email = '') {
  const v = await visitor();
  const r = ref();
  v.client.send({
    type: 'conversation.start',
    ref: r,
    name: 'Vic',
    ...(email ? { email } : {}),
    firstMessage: { clientMsgId: `v-${r}`, body: 'My order never arrived' },
  });
  const conversationId = (await v.client.next('conversation', (f) => f.ref === r)).conversation.id;
  const c = ref();
  owner.send({ type: 'queue.claim', ref: c, conversationId });
  await owner.next('conversation', (f) => f.ref === c);
  return { ...v, conversationId };
}

async function subscribeAll(client: TestClient, conversationId: string) {
  const r = ref();
  client.send({ type: 'conversation.subscribe', ref: r, conversationId, afterSeq: 0 });
  return client.next('sync', (f) => f.ref === r);
}

describe('transfer', () => {
  it('to an agent: the target gets an offer with the note, takes over, and the visitor never sees the note', async () => {
    const fay = await agent('Fay');
    const gus = await agent('Gus');
    const chat = await assignedChat(fay);
    const t = ref();
    fay.send({
      type: 'conversation.transfer',
      ref: t,
      conversationId: chat.conversationId,
      to: { kind: 'agent', userId: gus.userId },
      note: 'Order 881 is lost, please refund',
    });
    await fay.next('conversation', (f) => f.ref === t);
    const offer = await gus.next('offer', (f) => f.entry.conversationId === chat.conversationId);
    expect(offer).toMatchObject({ kind: 'assignment', note: 'Order 881 is lost, please refund' });
    expect(offer.from?.userId).toBe(fay.userId);
    const a = ref();
    gus.send({ type: 'offer.accept', ref: a, offerId: offer.offerId, conversationId: chat.conversationId });
    const taken = await gus.next('conversation', (f) => f.ref === a);
    expect(taken.conversation.assignee?.userId).toBe(gus.userId);
    expect(taken.conversation.participants.map((p) => p.userId)).toEqual([gus.userId]);

    // The next agent reads the note in the history; the visitor's history has no note at all.
    const agentView = await subscribeAll(gus, chat.conversationId);
    expect(agentView.messages.some((m) => m.senderKind === 'note' && m.body.includes('Order 881'))).toBe(
      true,
    );
    expect(agentView.messages.some((m) => m.payload.event === 'transferred')).toBe(true);
    const visitorView = await subscribeAll(chat.client, chat.conversationId);
    expect(visitorView.messages.some((m) => m.senderKind === 'note')).toBe(false);
    expect(visitorView.messages.some((m) => m.body.includes('Order 881'))).toBe(false);
    expect(visitorView.messages.some((m) => m.payload.event === 'transferred')).toBe(true);
  });

  it('to a group: back in that group’s queue, the previous agent leaves, the note waits for the next agent', async () => {
    const fay = await agent('Fay');
    const hal = await agent('Hal');
    const chat = await assignedChat(fay);
    const t = ref();
    fay.send({
      type: 'conversation.transfer',
      ref: t,
      conversationId: chat.conversationId,
      to: { kind: 'group', groupId: world.groups.Billing },
      note: 'Needs an invoice correction',
    });
    const after = await fay.next('conversation', (f) => f.ref === t);
    expect(after.conversation).toMatchObject({
      status: 'queued',
      groupId: world.groups.Billing,
      assignee: null,
    });
    expect(after.conversation.participants).toEqual([]);
    // Hal (Billing) sees it in his queue and takes it; he reads the note.
    await hal.next('queue', (f) => f.entries.some((e) => e.conversationId === chat.conversationId));
    const c = ref();
    hal.send({ type: 'queue.claim', ref: c, conversationId: chat.conversationId });
    expect((await hal.next('conversation', (f) => f.ref === c)).conversation.assignee?.userId).toBe(
      hal.userId,
    );
    const view = await subscribeAll(hal, chat.conversationId);
    expect(
      view.messages.some((m) => m.senderKind === 'note' && m.body === 'Needs an invoice correction'),
    ).toBe(true);
    const visitorView = await subscribeAll(chat.client, chat.conversationId);
    expect(visitorView.messages.some((m) => m.senderKind === 'note')).toBe(false);
  });
});

describe('consult', () => {
  it('a manager joins as a consultant, reads the history and whispers, then leaves', async () => {
    const fay = await agent('Fay');
    const mia = await agent('Mia');
    const chat = await assignedChat(fay);
    const i = ref();
    fay.send({
      type: 'conversation.invite',
      ref: i,
      conversationId: chat.conversationId,
      userId: mia.userId,
      note: 'Refund policy?',
    });
    await fay.next('ok', (f) => f.ref === i);
    const offer = await mia.next('offer', (f) => f.entry.conversationId === chat.conversationId);
    expect(offer).toMatchObject({ kind: 'consult', note: 'Refund policy?' });
    const a = ref();
    mia.send({ type: 'offer.accept', ref: a, offerId: offer.offerId, conversationId: chat.conversationId });
    const joined = await mia.next('conversation', (f) => f.ref === a);
    expect(joined.conversation.participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: fay.userId, role: 'assignee' }),
        expect.objectContaining({ userId: mia.userId, role: 'consultant' }),
      ]),
    );
    expect(joined.conversation.assignee?.userId).toBe(fay.userId);
    const history = await subscribeAll(mia, chat.conversationId);
    expect(history.messages.some((m) => m.body === 'My order never arrived')).toBe(true);

    // Whisper: a note from the consultant reaches Fay, not the visitor.
    await subscribeAll(fay, chat.conversationId);
    const w = ref();
    mia.send({
      type: 'message.send',
      ref: w,
      conversationId: chat.conversationId,
      clientMsgId: 'whisper-1',
      body: 'Full refund is fine',
      note: true,
    });
    await mia.next('ack', (f) => f.ref === w);
    await fay.next('message', (f) => f.message.clientMsgId === 'whisper-1');
    expect(await chat.client.none('message', 400, (f) => f.message.clientMsgId === 'whisper-1')).toBe(true);

    const l = ref();
    mia.send({ type: 'conversation.leave', ref: l, conversationId: chat.conversationId });
    await mia.next('ok', (f) => f.ref === l);
    const left = await chat.client.next('message', (f) => f.message.payload.event === 'agent_left');
    expect(left.message.senderKind).toBe('system');
    const state = await fay.next('conversation', (f) => f.conversation.participants.length === 1);
    expect(state.conversation.participants[0]?.userId).toBe(fay.userId);
    // Leaving twice is a conflict.
    const l2 = ref();
    mia.send({ type: 'conversation.leave', ref: l2, conversationId: chat.conversationId });
    expect((await mia.next('error', (f) => f.ref === l2)).code).toBe('conflict');
  });
});

describe('offline messages and e-mail', () => {
  async function mails(): Promise<string[]> {
    const names = (await readdir(mailbox)).filter((x) => x.endsWith('.eml'));
    return Promise.all(names.map((x) => readFile(join(mailbox, x), 'utf8')));
  }

  it('stores an offline message in the follow-up queue; the agent’s reply is e-mailed once', async () => {
    const fay = await agent('Fay');
    const v = await visitor();
    const r = ref();
    v.client.send({
      type: 'offline.message',
      ref: r,
      name: 'Olga',
      email: 'olga@example.test',
      message: { clientMsgId: 'off-1', body: 'Can I change my booking date?' },
    });
    const stored = await v.client.next('conversation', (f) => f.ref === r);
    expect(stored.conversation.status).toBe('offline');
    await v.client.next('ack', (f) => f.clientMsgId === 'off-1');
    // Agents see it arrive (the follow-up queue is the offline conversations).
    await fay.next(
      'conversation',
      (f) => f.conversation.id === stored.conversation.id && f.conversation.status === 'offline',
    );

    await subscribeAll(fay, stored.conversation.id);
    const reply = {
      type: 'message.send',
      conversationId: stored.conversation.id,
      clientMsgId: 'reply-1',
      body: 'Yes: open My trips and pick a new date.',
    };
    fay.send({ ...reply, ref: 'rep1' });
    await fay.next('ack', (f) => f.ref === 'rep1');
    fay.send({ ...reply, ref: 'rep2' }); // a resend: same ack, no second e-mail
    expect((await fay.next('ack', (f) => f.ref === 'rep2')).duplicate).toBe(true);

    // The e-mail goes out after the ack (and a resend's ack need not wait for it): wait for it.
    const emailRows = () =>
      db`select kind, to_email, status, subject, body_text, message_id from public.outbound_emails
      where conversation_id = ${stored.conversation.id}`;
    await expect.poll(async () => (await emailRows()).map((r) => r.status)).toEqual(['sent']);
    const rows = await emailRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'offline_reply', to_email: 'olga@example.test', status: 'sent' });
    expect(rows[0]?.message_id).not.toBeNull();
    const eml = (await mails()).filter((m) => m.includes('olga@example.test'));
    expect(eml).toHaveLength(1);
    expect(eml[0]).toContain('Yes: open My trips and pick a new date.');
    expect(eml[0]).toMatch(/^Subject: Re: your message to routing-/m);

    // The dev listing shows it.
    const listing = (await (await fetch(`${server.url}/dev/mailbox`)).json()) as {
      messages: { to: string }[];
    };
    expect(listing.messages.some((m) => m.to.includes('olga@example.test'))).toBe(true);
  });

  it('refuses an offline message without a valid e-mail', async () => {
    const v = await visitor();
    v.client.send({
      type: 'offline.message',
      ref: 'bad',
      name: 'X',
      email: 'not-an-email',
      message: { clientMsgId: 'x', body: 'hi' },
    });
    const error = await v.client.next('error', (f) => f.ref === 'bad');
    expect(error.code).toBe('invalid_frame');
    expect(error.message).toContain('field "email"');
  });

  it('e-mails the transcript (no internal notes) to the visitor, at most 3 times', async () => {
    const fay = await agent('Fay');
    const chat = await assignedChat(fay, 'tina@example.test');
    fay.send({
      type: 'message.send',
      ref: 'n1',
      conversationId: chat.conversationId,
      clientMsgId: 'secret',
      body: 'Internal: VIP customer',
      note: true,
    });
    await fay.next('ack', (f) => f.ref === 'n1');
    fay.send({
      type: 'message.send',
      ref: 'n2',
      conversationId: chat.conversationId,
      clientMsgId: 'ans',
      body: 'It ships tomorrow',
    });
    await fay.next('ack', (f) => f.ref === 'n2');
    for (let i = 0; i < 3; i++) {
      chat.client.send({
        type: 'conversation.transcript',
        ref: `t${i}`,
        conversationId: chat.conversationId,
      });
      await chat.client.next('ok', (f) => f.ref === `t${i}`);
    }
    chat.client.send({ type: 'conversation.transcript', ref: 't3', conversationId: chat.conversationId });
    expect((await chat.client.next('error', (f) => f.ref === 't3')).code).toBe('conflict');
    const transcript = (await mails()).find(
      (m) => m.includes('tina@example.test') && m.includes('transcript'),
    );
    expect(transcript).toBeDefined();
    expect(transcript).toContain('It ships tomorrow');
    expect(transcript).toContain('My order never arrived');
    expect(transcript).not.toContain('VIP customer');
    const [row] = await db`select count(*)::int as n from public.outbound_emails
      where conversation_id = ${chat.conversationId} and kind = 'transcript' and status = 'sent'`;
    expect(row?.n).toBe(3);
  });
});

describe('idle chats, departed visitors, closing and rating', () => {
  // The idle sweep uses only the site's settings, so any chat server sweeping the shared database
  // (another test file's, with its own pub/sub) may be the one that warns or closes this chat.
  // The tests thus wait for the database, then read the system lines the way a visitor who missed
  // a frame does (subscribe from a seq); the live push of a sweep's line is covered by the
  // visitor-left test, which only this server can sweep.

  /** Polls the chat's row until `done` holds (whichever instance's sweep acted). */
  async function until(conversationId: string, done: (c: postgres.Row) => boolean) {
    const read = async () =>
      (
        await db`select status, closed_by, idle_warned_at, last_message_at, visitor_left_at
        from public.conversations where id = ${conversationId}`
      )[0] as postgres.Row;
    await expect.poll(async () => done(await read()), { timeout: 10_000, interval: 100 }).toBe(true);
    return read();
  }

  /** The conversation's system line `event` as the visitor's history shows it. */
  async function systemLine(client: TestClient, conversationId: string, event: string) {
    const history = await subscribeAll(client, conversationId);
    const line = history.messages.find((m) => m.payload.event === event);
    expect(line, `${event} line`).toBeDefined();
    return line as NonNullable<typeof line>;
  }

  it('warns an idle chat, then closes it (system messages), and the visitor rates it', async () => {
    const fay = await agent('Fay');
    const chat = await assignedChat(fay);
    // Site idle settings: warning after 1 minute, close after 2. Move the chat's clock back.
    await db`update public.conversations set last_message_at = now() - interval '90 seconds'
      where id = ${chat.conversationId}`;
    const w = await until(chat.conversationId, (c) => c.idle_warned_at instanceof Date);
    expect(w.status).toBe('active');
    const warning = await systemLine(chat.client, chat.conversationId, 'idle_warning');
    expect(warning.senderKind).toBe('system');
    expect(warning.body).toContain('will close in 1 minute');
    // A minute passes without a message (moved back again): closed by the system.
    await db`update public.conversations set idle_warned_at = idle_warned_at - interval '70 seconds',
      last_message_at = last_message_at - interval '70 seconds' where id = ${chat.conversationId}`;
    const closed = await until(chat.conversationId, (c) => c.status === 'closed');
    expect(closed.closed_by).toBe('system');
    const line = await systemLine(chat.client, chat.conversationId, 'closed');
    expect(line.senderKind).toBe('system');

    chat.client.send({
      type: 'conversation.rate',
      ref: 'rate',
      conversationId: chat.conversationId,
      rating: 5,
      comment: 'Great',
    });
    await chat.client.next('ok', (f) => f.ref === 'rate');
    const [r] = await db`select rating, feedback from public.conversations where id = ${chat.conversationId}`;
    expect(r).toMatchObject({ rating: 5, feedback: 'Great' });
  });

  it('a new message after the warning keeps the chat open', async () => {
    const fay = await agent('Fay');
    const chat = await assignedChat(fay);
    await db`update public.conversations set last_message_at = now() - interval '90 seconds' where id = ${chat.conversationId}`;
    await until(chat.conversationId, (c) => c.idle_warned_at instanceof Date);
    chat.client.send({
      type: 'message.send',
      ref: 'still',
      conversationId: chat.conversationId,
      clientMsgId: 'still-here',
      body: 'Still here!',
    });
    await chat.client.next('ack', (f) => f.ref === 'still');
    await db`update public.conversations set idle_warned_at = idle_warned_at - interval '70 seconds' where id = ${chat.conversationId}`;
    // Three sweeps' time (250 ms each): the chat must stay open. A slow machine can only make this
    // pass without a sweep having looked, never fail it.
    await new Promise((r) => setTimeout(r, 800));
    const [c] = await db`select status from public.conversations where id = ${chat.conversationId}`;
    expect(c?.status).toBe('active');
  });

  it('records that the visitor left once their last connection is gone past the grace', async () => {
    const fay = await agent('Fay');
    const chat = await assignedChat(fay);
    await subscribeAll(fay, chat.conversationId);
    await chat.client.close();
    // The grace has passed for this server only (other servers wait 60 s): move the stamp back.
    await db`update public.visitors set last_seen_at = now() - make_interval(secs => ${(VISITOR_LEFT_GRACE_MS + 10_000) / 1000})
      where id = ${chat.visitorId}`;
    const left = await fay.next('message', (f) => f.message.payload.event === 'visitor_left', 5000);
    expect(left.message.senderKind).toBe('system');
    const [c] =
      await db`select status, visitor_left_at from public.conversations where id = ${chat.conversationId}`;
    expect(c?.status).toBe('active');
    expect(c?.visitor_left_at).toBeInstanceOf(Date);
  });
});
