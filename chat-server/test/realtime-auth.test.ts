/**
 * Connecting: version, token and Origin are checked before any connection state exists; each
 * failure completes the handshake and closes with its own code. Then `welcome` names who connected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInClient } from '../../supabase/tests/helpers/clients.ts';
import { readHandshake } from '../src/realtime/handshake.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import {
  ADMIN_ORIGIN,
  agentToken,
  GROUPS,
  ORG,
  SITE_ORIGIN,
  USERS,
  visitorSession,
} from './helpers/realtime-users.ts';
import { connect } from './helpers/ws-client.ts';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await server?.close();
});

describe('welcome', () => {
  it('greets a visitor with their identity, the heartbeat interval and the server clock', async () => {
    const visitor = await visitorSession(server.url);
    const client = await connect(server.url, visitor.token, { origin: SITE_ORIGIN });
    expect(client.ws.protocol).toBe('chat');
    const welcome = await client.next('welcome');
    expect(welcome.identity).toEqual({
      kind: 'visitor',
      visitorId: visitor.visitorId,
      siteId: '40000000-0000-4000-8000-000000000001',
      name: '',
      email: '',
    });
    expect(welcome.protocolVersion).toBe(1);
    expect(welcome.heartbeatIntervalMs).toBe(server.app.config.heartbeatIntervalMs);
    expect(Math.abs(Date.parse(welcome.serverTime) - Date.now())).toBeLessThan(5000);
    expect(client.received[0]?.type).toBe('welcome');
    await client.close();
  });

  it('greets an agent with org, role and groups from their membership', async () => {
    const client = await connect(server.url, agentToken(USERS.agent1), { origin: ADMIN_ORIGIN });
    const welcome = await client.next('welcome');
    expect(welcome.identity).toEqual({
      kind: 'agent',
      userId: USERS.agent1.id,
      orgId: ORG.northwind,
      role: 'agent',
      name: 'Tom Becker',
      groupIds: [GROUPS.bookings, GROUPS.billing].sort(),
    });
    await client.close();
  });

  it('accepts a real Supabase access token from signing in', async () => {
    const supabase = await signedInClient(USERS.viewer.email);
    const { data } = await supabase.auth.getSession();
    const token = data.session?.access_token as string;
    const client = await connect(server.url, token, { origin: ADMIN_ORIGIN });
    const welcome = await client.next('welcome');
    expect(welcome.identity).toMatchObject({ kind: 'agent', userId: USERS.viewer.id, role: 'client_viewer' });
    await client.close();
  });
});

describe('refused connections close with their code', () => {
  it('4010 for another protocol version, 4000 without one', async () => {
    const token = agentToken(USERS.agent1);
    const wrong = await connect(server.url, token, { origin: ADMIN_ORIGIN, version: '2' });
    expect((await wrong.closed).code).toBe(4010);
    const missing = await connect(server.url, token, { origin: ADMIN_ORIGIN, version: null });
    expect((await missing.closed).code).toBe(4000);
    expect(wrong.received).toEqual([]);
  });

  it('4003 for a missing or forged token, 4001 for an expired one', async () => {
    const none = await connect(server.url, '', { origin: ADMIN_ORIGIN, protocols: ['chat'] });
    expect((await none.closed).code).toBe(4003);
    const forged = await connect(server.url, `${agentToken(USERS.agent1).slice(0, -4)}AAAA`, {
      origin: ADMIN_ORIGIN,
    });
    expect((await forged.closed).code).toBe(4003);
    const garbage = await connect(server.url, 'not.a.jwt', { origin: ADMIN_ORIGIN });
    expect((await garbage.closed).code).toBe(4003);
    const expired = await connect(server.url, agentToken(USERS.agent1, -60), { origin: ADMIN_ORIGIN });
    expect((await expired.closed).code).toBe(4001);
    expect(expired.received).toEqual([]);
  });

  it('4004 for a visitor from a domain the site does not allow, and for an agent outside ADMIN_ORIGINS', async () => {
    const visitor = await visitorSession(server.url);
    const evil = await connect(server.url, visitor.token, { origin: 'https://evil.example' });
    expect((await evil.closed).code).toBe(4004);
    const noOrigin = await connect(server.url, visitor.token);
    expect((await noOrigin.closed).code).toBe(4004);
    const wildcard = await connect(server.url, visitor.token, { origin: 'https://www.acmetravel.test' });
    await wildcard.next('welcome');
    await wildcard.close();
    const agent = await connect(server.url, agentToken(USERS.agent1), { origin: 'https://evil.example' });
    expect((await agent.closed).code).toBe(4004);
  });

  it('4003 for a visitor token signed by someone else', async () => {
    const { default: jwt } = await import('jsonwebtoken');
    const token = jwt.sign(
      { org: ORG.northwind, client: 'x', site: 'y' },
      'another-secret-of-at-least-32-characters!!',
      {
        subject: crypto.randomUUID(),
        audience: 'chat-visitor',
        issuer: 'chat-server',
        expiresIn: 60,
      },
    );
    const client = await connect(server.url, token, { origin: SITE_ORIGIN });
    expect((await client.closed).code).toBe(4003);
  });
});

describe('token expiry while connected', () => {
  it('closes with 4001 when the agent token expires', async () => {
    const client = await connect(server.url, agentToken(USERS.agent2, 2), { origin: ADMIN_ORIGIN });
    await client.next('welcome');
    const started = Date.now();
    const { code } = await client.closed;
    expect(code).toBe(4001);
    expect(Date.now() - started).toBeLessThan(4000);
    // The server dropped the connection from its books, not only the client's side.
    const open = async () =>
      (await server.app.metrics.connections.get()).values.find((v) => v.labels.kind === 'agent')?.value;
    await expect.poll(open).toBe(0);
  });
});

describe('readHandshake', () => {
  it('reads the version and the bearer subprotocol', () => {
    expect(readHandshake('/v1/ws?v=1', 'chat, bearer.abc.def.ghi')).toEqual({
      ok: true,
      token: 'abc.def.ghi',
    });
    expect(readHandshake('/v1/ws?v=1', 'bearer.abc')).toMatchObject({ ok: false, code: 4000 });
    expect(readHandshake('/v1/ws?v=x', 'chat, bearer.abc')).toMatchObject({ ok: false, code: 4000 });
    expect(readHandshake('/v1/ws?v=7', 'chat, bearer.abc')).toMatchObject({ ok: false, code: 4010 });
    expect(readHandshake('/v1/ws?v=1', 'chat')).toMatchObject({ ok: false, code: 4003 });
  });
});
