/**
 * An archived client's sites take no new chats: the widget's config and session calls answer 403
 * `client_archived`, and a visitor token issued before the archiving cannot start a conversation
 * over the WebSocket. A seeded site keeps working beside it, and restoring the client reopens its
 * site. The client and site are created here (never the seeded Acme/Globex, which other files use).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { GROUPS, ORG, SITE_ORIGIN, visitorSession } from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

const SEEDED_KEY = 'acme_travel_demo';
const suffix = randomUUID().slice(0, 8);
const SITE_KEY = `archived_${suffix}`;

let server: ChatServer;
let db: ReturnType<typeof superuserSql>;
let clientId: string;
let siteId: string;
const sockets: TestClient[] = [];

beforeAll(async () => {
  server = await startChatServer();
  db = superuserSql();
  const [client] = await db<{ id: string }[]>`
    insert into public.clients (org_id, name) values (${ORG.northwind}, ${`Archive test ${suffix}`})
    returning id`;
  clientId = client!.id;
  const [site] = await db<{ id: string }[]>`
    insert into public.sites (org_id, client_id, name, site_key, allowed_domains, default_group_id)
    values (${ORG.northwind}, ${clientId}, ${`archive-${suffix}.test`}, ${SITE_KEY}, ${['localhost']}, ${GROUPS.bookings})
    returning id`;
  siteId = site!.id;
});

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await server?.close();
  // Cascades to the site, its visitors and conversations.
  if (clientId) await db`delete from public.clients where id = ${clientId}`;
  await db?.end();
});

const setArchived = (archived: boolean) =>
  db`update public.clients set archived_at = ${archived ? new Date() : null} where id = ${clientId}`;

function getConfig(key: string, origin: string | null = SITE_ORIGIN) {
  return fetch(`${server.url}/v1/widget/config?site=${key}`, { headers: origin ? { origin } : {} });
}

function postSession(key: string, origin = SITE_ORIGIN) {
  return fetch(`${server.url}/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ site: key }),
  });
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe('a site of an archived client', () => {
  it('is served while its client is active', async () => {
    await setArchived(false);
    expect((await getConfig(SITE_KEY)).status).toBe(200);
    expect((await postSession(SITE_KEY)).status).toBe(200);
  });

  it('refuses the widget config with 403 client_archived, readable by the allowed page', async () => {
    await setArchived(true);
    const res = await getConfig(SITE_KEY);
    expect(res.status).toBe(403);
    // The client's own page gets CORS headers, so the widget can read why it is refused.
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
    const error = await errorOf(res);
    expect(error.code).toBe('client_archived');
    expect(error.message).toContain(SITE_KEY);
    expect(error.message).toMatch(/archived client/);
    // Without an Origin (curl, a monitoring probe) the answer is the same.
    expect((await errorOf(await getConfig(SITE_KEY, null))).code).toBe('client_archived');
  });

  it('refuses a new visitor session with 403 client_archived', async () => {
    await setArchived(true);
    const visitors = () => db`select id from public.visitors where site_id = ${siteId}`;
    const before = (await visitors()).length;
    const res = await postSession(SITE_KEY);
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
    expect((await errorOf(res)).code).toBe('client_archived');
    expect(await visitors()).toHaveLength(before);
  });

  it('still answers forbidden_origin first for a page that is not one of its domains', async () => {
    await setArchived(true);
    const res = await postSession(SITE_KEY, 'https://elsewhere.test');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await errorOf(res)).code).toBe('forbidden_origin');
  });

  it('keeps a seeded site of an active client working beside it', async () => {
    await setArchived(true);
    expect((await getConfig(SEEDED_KEY)).status).toBe(200);
    const res = await postSession(SEEDED_KEY);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token: string }).token).toMatch(/^ey/);
  });

  it('refuses conversation.start from a visitor token issued before the archiving', async () => {
    await setArchived(false);
    const { token } = await visitorSession(server.url, SITE_KEY);
    await setArchived(true);
    const socket = await connect(server.url, token, { origin: SITE_ORIGIN });
    sockets.push(socket);
    await socket.next('welcome');
    socket.send({
      type: 'conversation.start',
      ref: 'start-1',
      firstMessage: { clientMsgId: `m-${suffix}`, body: 'Hello?' },
    });
    const error = await socket.next('error', (f) => f.ref === 'start-1');
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/archived/);
    const rows = await db`select id from public.conversations where site_id = ${siteId}`;
    expect(rows).toHaveLength(0);
  });

  it('takes chats again once the client is restored', async () => {
    await setArchived(false);
    expect((await getConfig(SITE_KEY)).status).toBe(200);
    const { token } = await visitorSession(server.url, SITE_KEY);
    const socket = await connect(server.url, token, { origin: SITE_ORIGIN });
    sockets.push(socket);
    await socket.next('welcome');
    socket.send({ type: 'conversation.start', ref: 'start-2' });
    const started = await socket.next('conversation', (f) => f.ref === 'start-2');
    expect(started.conversation.status).toBe('queued');
    const rows = await db`select id from public.conversations where site_id = ${siteId}`;
    expect(rows).toHaveLength(1);
  });
});
