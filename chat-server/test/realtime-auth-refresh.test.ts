/**
 * auth.refresh over real sockets: a fresh access token moves the connection's expiry (no 4001 at
 * the old one, 4001 at the new one); another user's token, an expired or a garbage one is refused
 * with an error frame and changes nothing (still 4001 at the old expiry).
 */
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { ADMIN_ORIGIN, agentToken, SITE_ORIGIN, USERS, visitorSession } from './helpers/realtime-users.ts';
import { connect, type TestClient } from './helpers/ws-client.ts';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await server?.close();
});

const expOf = (token: string) => (jwt.decode(token) as { exp: number }).exp;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Token lifetimes: long enough that connecting and the first refresh surely happen before the
 * first expiry on a loaded CI machine (exp is in whole seconds, so "2 s" can be barely one).
 */
const BASE_SECONDS = 4;
/** The wheel ends sessions within a second of `exp`; the rest is slack for a busy event loop. */
const LATE_MS = 3000;

/** Resolves the close code if the connection closes within `ms`, else null. */
async function closedWithin(client: TestClient, ms: number): Promise<number | null> {
  return Promise.race([client.closed.then((c) => c.code), sleep(ms).then(() => null)]);
}

/** An agent connection whose token expires in `seconds`, past its welcome. */
async function agentWithExpiry(user: { id: string; email: string }, seconds: number) {
  const token = agentToken(user, seconds);
  const client = await connect(server.url, token, { origin: ADMIN_ORIGIN });
  await client.next('welcome');
  return { client, exp: expOf(token) };
}

describe('auth.refresh', () => {
  it('moves the expiry to the fresh token: not closed at the old exp, closed with 4001 at the new one', async () => {
    const { client, exp: oldExp } = await agentWithExpiry(USERS.agent3, BASE_SECONDS);
    const fresh = agentToken(USERS.agent3, BASE_SECONDS + 4);
    const newExp = expOf(fresh);
    client.send({ type: 'auth.refresh', ref: 'a1', token: fresh });
    expect(await client.next('ok', (f) => f.ref === 'a1')).toEqual({ type: 'ok', ref: 'a1' });

    // Past the old expiry (the wheel ends sessions up to a second after `exp`): still open…
    expect(await closedWithin(client, oldExp * 1000 + 1500 - Date.now())).toBeNull();
    client.send({ type: 'ping', ref: 'still-here' });
    await client.next('pong', (f) => f.ref === 'still-here');

    // …and, not refreshed again, closed at the new one.
    const { code } = await client.closed;
    const closedAt = Date.now();
    expect(code).toBe(4001);
    expect(closedAt).toBeGreaterThanOrEqual(newExp * 1000 - 50);
    expect(closedAt).toBeLessThan(newExp * 1000 + LATE_MS);
  }, 20_000);

  it('can be sent again and again: each refresh carries the connection on', async () => {
    const { client, exp } = await agentWithExpiry(USERS.manager, BASE_SECONDS);
    let lastExp = exp;
    for (let round = 1; round <= 2; round++) {
      // Outlives the wait below (until the previous exp + 1.2 s) by a safe margin, so the next
      // refresh always reaches a live connection.
      const fresh = agentToken(USERS.manager, BASE_SECONDS + 3);
      client.send({ type: 'auth.refresh', ref: `r${round}`, token: fresh });
      await client.next('ok', (f) => f.ref === `r${round}`);
      expect(await closedWithin(client, lastExp * 1000 + 1200 - Date.now())).toBeNull();
      lastExp = expOf(fresh);
    }
    expect((await client.closed).code).toBe(4001);
  }, 30_000);

  it("refuses another user's token with forbidden and keeps the old expiry", async () => {
    const { client, exp } = await agentWithExpiry(USERS.agent2, BASE_SECONDS);
    client.send({ type: 'auth.refresh', ref: 'x1', token: agentToken(USERS.agent1, 600) });
    const error = await client.next('error', (f) => f.ref === 'x1');
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('another user');
    // Another organization's user too.
    client.send({ type: 'auth.refresh', ref: 'x2', token: agentToken(USERS.contosoAgent, 600) });
    expect((await client.next('error', (f) => f.ref === 'x2')).code).toBe('forbidden');

    const { code } = await client.closed;
    expect(code).toBe(4001);
    expect(Date.now()).toBeLessThan(exp * 1000 + LATE_MS);
  }, 20_000);

  it('refuses an expired, forged or garbage token with invalid_token and keeps the old expiry', async () => {
    const { client, exp } = await agentWithExpiry(USERS.owner, BASE_SECONDS);
    const cases = {
      expired: agentToken(USERS.owner, -60),
      forged: `${agentToken(USERS.owner, 600).slice(0, -4)}AAAA`,
      garbage: 'not.a.jwt',
      // Signed with the project's secret, but not an access token for this API.
      otherAudience: jwt.sign(
        { sub: USERS.owner.id, role: 'authenticated', aud: 'someone-else' },
        inject('supabase').jwtSecret,
        { expiresIn: 600 },
      ),
    };
    for (const [name, token] of Object.entries(cases)) {
      client.send({ type: 'auth.refresh', ref: name, token });
      const error = await client.next('error', (f) => f.ref === name);
      expect(error.code, name).toBe('invalid_token');
    }
    // A malformed frame (no token) is an invalid_frame, like any other.
    client.send({ type: 'auth.refresh', ref: 'empty', token: '' });
    expect((await client.next('error', (f) => f.ref === 'empty')).code).toBe('invalid_frame');

    const { code } = await client.closed;
    expect(code).toBe(4001);
    expect(Date.now()).toBeLessThan(exp * 1000 + LATE_MS);
  }, 20_000);

  it('is not a visitor frame', async () => {
    const visitor = await visitorSession(server.url);
    const client = await connect(server.url, visitor.token, { origin: SITE_ORIGIN });
    await client.next('welcome');
    client.send({ type: 'auth.refresh', ref: 'v1', token: agentToken(USERS.agent1) });
    expect((await client.next('error', (f) => f.ref === 'v1')).code).toBe('unauthorized');
    await client.close();
  });
});
