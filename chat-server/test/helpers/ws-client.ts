/**
 * A small WebSocket test client over the real `ws` package: connect with a token and Origin the
 * way the widget and admin app do, send frames, and wait for the next frame of a type. Every frame
 * the server sends is checked against the protocol schemas (parseServerFrame), so a test fails
 * if the server ever sends something the protocol does not allow.
 */
import {
  PROTOCOL_VERSION,
  parseServerFrame,
  type ServerFrame,
  type ServerFrameOf,
  type ServerFrameType,
  WS_PATH,
} from '@chat/shared';
import WebSocket from 'ws';

export interface TestClient {
  readonly ws: WebSocket;
  /** Every valid frame received so far, in order. */
  readonly received: ServerFrame[];
  send(frame: object | string): void;
  /** The next not-yet-taken frame of `type` (matching `predicate`), waiting up to `timeoutMs`. */
  next<T extends ServerFrameType>(
    type: T,
    predicate?: (frame: ServerFrameOf<T>) => boolean,
    timeoutMs?: number,
  ): Promise<ServerFrameOf<T>>;
  /** Resolves true if no frame of `type` (matching) arrives within `ms`. */
  none<T extends ServerFrameType>(
    type: T,
    ms: number,
    predicate?: (frame: ServerFrameOf<T>) => boolean,
  ): Promise<boolean>;
  close(): Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface ConnectOptions {
  origin?: string;
  version?: string | null;
  /** Overrides the offered subprotocols entirely. */
  protocols?: string[];
  /** More query parameters after `v` (e.g. `org`). */
  query?: Record<string, string>;
  wsOptions?: WebSocket.ClientOptions;
}

export function wsUrl(httpUrl: string, version: string | null = String(PROTOCOL_VERSION)): string {
  const base = httpUrl.replace(/^http/, 'ws') + WS_PATH;
  return version === null ? base : `${base}?v=${version}`;
}

/** Opens a connection; resolves once the handshake completed (the server may still close it at once). */
export async function connect(
  httpUrl: string,
  token: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const protocols = options.protocols ?? ['chat', `bearer.${token}`];
  let url = wsUrl(httpUrl, options.version === undefined ? '1' : options.version);
  if (options.query) url += `${url.includes('?') ? '&' : '?'}${new URLSearchParams(options.query)}`;
  const ws = new WebSocket(url, protocols, {
    ...(options.origin ? { origin: options.origin } : {}),
    ...options.wsOptions,
  });
  const received: ServerFrame[] = [];
  const invalid: string[] = [];
  const untaken: ServerFrame[] = [];
  const waiters = new Set<{ match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }>();

  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('message', (data) => {
    const parsed = parseServerFrame(data.toString());
    if (!parsed.ok) {
      invalid.push(`${parsed.message}: ${data.toString().slice(0, 300)}`);
      return;
    }
    received.push(parsed.frame);
    for (const w of waiters) {
      if (w.match(parsed.frame)) {
        waiters.delete(w);
        w.resolve(parsed.frame);
        return;
      }
    }
    untaken.push(parsed.frame);
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
    );
    ws.once('error', reject);
  });

  const client: TestClient = {
    ws,
    received,
    send(frame) {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    next(type, predicate, timeoutMs = 5000) {
      if (invalid.length > 0)
        return Promise.reject(new Error(`server sent invalid frames:\n${invalid.join('\n')}`));
      const match = (f: ServerFrame) => f.type === type && (!predicate || predicate(f as never));
      const index = untaken.findIndex(match);
      if (index >= 0) return Promise.resolve(untaken.splice(index, 1)[0] as never);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (f: ServerFrame) => (clearTimeout(timer), resolve(f as never)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.map((f) => f.type).join(', ');
          reject(new Error(`no "${type}" frame within ${timeoutMs} ms (received: ${seen || 'nothing'})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async none(type, ms, predicate) {
      try {
        await client.next(type, predicate, ms);
        return false;
      } catch {
        return true;
      }
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close(1000);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      if ((ws.readyState as number) !== WebSocket.CLOSED) ws.terminate();
    },
    closed,
  };
  return client;
}
