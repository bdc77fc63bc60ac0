import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';

describe('chat server HTTP basics', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers /healthz with the instance id', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', instance: server.app.instanceId });
  });

  it('is ready when Postgres answers and pub/sub is connected', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { postgres: true, pubsub: true } });
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await res.text()).toContain('chat_connections');
  });

  it('answers unknown routes with a JSON 404 and wrong methods with 405 and Allow', async () => {
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No such route' } });
    const wrong = await fetch(`${server.url}/healthz`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('runs its queries as the chat_server role, not as the login user', async () => {
    const [row] = await server.app.sql<{ current_user: string }[]>`select current_user`;
    expect(row?.current_user).toBe('chat_server');
  });
});

describe('config', () => {
  it('names every invalid variable', () => {
    const load = () => loadConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty' });
    expect(load).toThrowError(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(load).toThrowError(/PORT: /);
  });

  it('refuses to run in production with the local development secrets', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@y/z' })).toThrowError(
      ConfigError,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@y/z' })).toThrowError(
      /SUPABASE_JWT_SECRET.*VISITOR_TOKEN_SECRET/,
    );
  });
});

describe('shutdown', () => {
  it('refuses WebSocket upgrades with 503 once closing, and closes Postgres last', async () => {
    const server = await startChatServer();
    const closing = server.close();
    const res = await fetch(`${server.url}/v1/ws?v=1`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    }).catch((error: unknown) => error);
    await closing;
    // Either the 503 arrived, or the listener was already gone: never a successful upgrade.
    if (res instanceof Response) expect(res.status).toBe(503);
    else expect(res).toBeInstanceOf(Error);
    await expect(server.app.sql`select 1`).rejects.toThrow();
  });
});
