/**
 * The agent side of the end-to-end tests: a Node WebSocket client over the real `ws` package,
 * signed in as a seeded agent with a Supabase-style access token (HS256, the stack's secret), the
 * way the admin app connects. It can wait for frames and send any client frame.
 */
import {
  type ClientFrame,
  PROTOCOL_VERSION,
  type ServerFrame,
  WS_PATH,
  WS_SUBPROTOCOL,
  WS_TOKEN_SUBPROTOCOL_PREFIX,
} from '@chat/shared';
import jwt from 'jsonwebtoken';
import { inject } from 'vitest';
import WebSocket from 'ws';

/** agent1@northwind.test: in the Bookings group, which is acme_travel_demo's default group. */
export const AGENT1 = { id: '20000000-0000-4000-8000-000000000004', email: 'agent1@northwind.test' };
/** The admin app's origin (the chat server's default ADMIN_ORIGINS). */
const ADMIN_ORIGIN = 'http://localhost:5173';

export interface Agent {
  received: ServerFrame[];
  send(frame: ClientFrame): void;
  next<T extends ServerFrame['type']>(
    type: T,
    match?: (frame: Extract<ServerFrame, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ServerFrame, { type: T }>>;
  close(): Promise<void>;
}

export async function connectAgent(serverUrl: string, user = AGENT1): Promise<Agent> {
  const { jwtSecret } = inject('supabase');
  const now = Math.floor(Date.now() / 1000);
  const token = jwt.sign(
    {
      sub: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: user.email,
      iat: now,
      exp: now + 3600,
    },
    jwtSecret,
    { algorithm: 'HS256' },
  );
  const ws = new WebSocket(
    `${serverUrl.replace(/^http/, 'ws')}${WS_PATH}?v=${PROTOCOL_VERSION}`,
    [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + token],
    { origin: ADMIN_ORIGIN },
  );
  const received: ServerFrame[] = [];
  const taken = new Set<ServerFrame>();
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)) as ServerFrame);
    for (const wake of waiters) wake();
  });
  const agent: Agent = {
    received,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next(type, match, timeoutMs = 10_000) {
      type F = Extract<ServerFrame, { type: typeof type }>;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find((f) => !taken.has(f) && f.type === type && (!match || match(f as F))) as
            | F
            | undefined;
          if (!found) return false;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`agent: no "${type}" frame within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () =>
      new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(1000);
      }),
  };
  await agent.next('welcome');
  return agent;
}
