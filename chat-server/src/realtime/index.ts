/**
 * The realtime side of the server: WebSocket upgrades, connections and the frame handlers.
 * server.ts hands it upgrade requests; it never sees HTTP routes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppContext } from '../context.ts';

export interface Realtime {
  /** Takes over an HTTP upgrade on WS_PATH (auth, origin and version checks included). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open connections on this instance. */
  connectionCount(): number;
  /** Shutdown: tell every client to reconnect elsewhere (4012), wait up to `graceMs` for them to go. */
  drain(graceMs: number): Promise<void>;
  /** Stops timers and subscriptions. After drain(). */
  close(): Promise<void>;
}

// Placeholder until the realtime core lands: upgrades are refused with 501.
export function createRealtime(_app: AppContext): Realtime {
  return {
    handleUpgrade(_req, socket) {
      socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    },
    connectionCount: () => 0,
    drain: async () => {},
    close: async () => {},
  };
}
