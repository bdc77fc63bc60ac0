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
  /**
   * Runs `send`, and frames it sends to this socket leave in one network write (a message's ack
   * and its echo to the sender: one syscall, and one wake-up of the reader, instead of two).
   * Optional: a socket without it sends each frame as it comes.
   */
  together?(send: () => void): void;
}

export const SOCKET_OPEN = 1;

/**
 * How a connection ended, as presence sees it. `left`: the peer said goodbye with a close frame
 * (the user closed the tab, navigated away, signed out). `lost`: anything else — the network
 * dropped (1006, no close frame), the peer crashed, or the server ended the connection itself
 * (heartbeat, shutdown, token expiry: the client will be back).
 */
export type Departure = 'left' | 'lost';

/**
 * WebSocket close codes (RFC 6455 §7.4.1) a peer sends when it leaves on purpose: 1000 normal
 * closure (the app's own close), 1001 going away (a browser closing the tab or leaving the page).
 * 1005 (a close frame without a code) is left out: the admin client sends it when it gives up on a
 * link it believes dead, and it reconnects right after.
 */
const DEPARTURE_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001]);

/** `code` is what the transport reported for a close the peer started, if any. */
export function departureOf(code: number | undefined): Departure {
  return code !== undefined && DEPARTURE_CLOSE_CODES.has(code) ? 'left' : 'lost';
}
