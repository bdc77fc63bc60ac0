/**
 * The minimal socket the realtime core talks to. Only ws-upgrade.ts knows `ws`; tests can drive the
 * core with any object of this shape.
 */
export interface ChatSocket {
  /** 1 = open; anything else means frames are no longer delivered. */
  readonly readyState: number;
  /** Bytes queued but not yet handed to the network: how far behind this reader is. */
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  /** Drops the connection without a close handshake (dead or hostile peers). */
  terminate(): void;
  /** A transport-level ping; the transport reports the pong to the connection (heartbeats). */
  ping(): void;
}

export const SOCKET_OPEN = 1;
