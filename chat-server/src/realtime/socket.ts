/**
 * The minimal socket the realtime core talks to. Only ws-upgrade.ts knows `ws`; tests can drive the
 * core with any object of this shape.
 */
export interface ChatSocket {
  /** 1 = open; anything else means frames are no longer delivered. */
  readonly readyState: number;
  /** Bytes queued but not yet handed to the network: how far behind this reader is. */
  readonly bufferedAmount: number;
  /** A Buffer is UTF-8 text too (a frame encoded once for many recipients); both go out as text frames. */
  send(data: string | Buffer): void;
  close(code: number, reason: string): void;
  /** Drops the connection without a close handshake (dead or hostile peers). */
  terminate(): void;
  /** A transport-level ping; the transport reports the pong to the connection (heartbeats). */
  ping(): void;
}

export const SOCKET_OPEN = 1;
