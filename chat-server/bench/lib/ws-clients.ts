/**
 * The bench's client side: plain `ws` clients that offer the `chat` subprotocol with the token,
 * like the widget and the admin app do. No reconnects, no validation: the bench only counts.
 */
import { PROTOCOL_VERSION, WS_PATH, WS_SUBPROTOCOL } from '@chat/shared';
import WebSocket from 'ws';

export interface BenchSocket {
  readonly ws: WebSocket;
  send(frame: object): void;
  /** Replaces the frame handler (raw text, so hot paths can skip JSON.parse). */
  onText(handler: (text: string) => void): void;
  /** Resolves with the first frame whose `type` is one of `types` (parsed). */
  next(types: string[], timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

export function chatUrl(wsBase: string): string {
  return `${wsBase}${WS_PATH}?v=${PROTOCOL_VERSION}`;
}

/**
 * Opens one connection and resolves once it is open (and, with `welcome`, once the server's
 * welcome frame arrived, i.e. the connection is authenticated and registered).
 */
export function connect(
  url: string,
  opts: { token?: string; origin?: string; welcome?: boolean; timeoutMs?: number },
): Promise<BenchSocket> {
  const protocols = opts.token ? [WS_SUBPROTOCOL, `bearer.${opts.token}`] : [WS_SUBPROTOCOL];
  const ws = new WebSocket(url, protocols, { origin: opts.origin, perMessageDeflate: false });
  let handler: (text: string) => void = () => {};
  interface Waiter {
    types: string[];
    resolve: (f: Record<string, unknown>) => void;
    reject: (e: Error) => void;
  }
  const waiters: Waiter[] = [];
  ws.on('message', (data) => {
    const text = data.toString();
    if (waiters.length > 0) {
      const frame = JSON.parse(text) as Record<string, unknown>;
      const i = waiters.findIndex((w) => w.types.includes(frame.type as string));
      if (i >= 0) waiters.splice(i, 1)[0]?.resolve(frame);
    }
    handler(text);
  });
  ws.on('close', (code, reason) => {
    for (const w of waiters.splice(0)) {
      w.reject(new Error(`closed (${code} ${reason.toString()}) while waiting for ${w.types.join('/')}`));
    }
  });
  ws.on('error', () => {}); // surfaced through close / timeouts
  const socket: BenchSocket = {
    ws,
    send: (frame) => ws.send(JSON.stringify(frame)),
    onText: (h) => {
      handler = h;
    },
    next(types, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`no ${types.join('/')} frame within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter: Waiter = {
          types,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        waiters.push(waiter);
      });
    },
    close: () => ws.terminate(),
  };
  const ready = opts.welcome
    ? socket.next(['welcome'], opts.timeoutMs)
    : opened(ws, opts.timeoutMs ?? 15_000);
  return ready.then(
    () => socket,
    (error: unknown) => {
      ws.terminate();
      throw error;
    },
  );
}

function opened(ws: WebSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not open within ${timeoutMs} ms`)), timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`closed (${code}) before open`));
    });
  });
}

/** Opens `count` connections, `concurrency` at a time; `make(i)` opens the i-th. */
export async function connectMany(
  count: number,
  concurrency: number,
  make: (i: number) => Promise<BenchSocket>,
): Promise<BenchSocket[]> {
  const sockets: BenchSocket[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      sockets[i] = await make(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    for (const s of sockets) s?.close();
    throw error;
  }
  return sockets;
}
