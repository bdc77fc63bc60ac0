/**
 * One WebSocket to the chat server that keeps itself up: it reconnects after a close according
 * to `closePolicy(code)` (at once, after a fresh token, with backoff, or never), detects a
 * dead link with app-level pings (browsers hide WebSocket pings) and reconnects when the browser
 * comes back online or the tab becomes visible. What to do after each (re)connect — subscribe
 * again, resend the outbox — belongs to the caller's `ready` handler.
 */
import {
  type ClientFrame,
  PROTOCOL_VERSION,
  type ServerFrame,
  WS_PATH,
  WS_SUBPROTOCOL,
  WS_TOKEN_SUBPROTOCOL_PREFIX,
} from '@chat/shared';
import { closePolicy } from './close-policy.ts';

/** open: welcomed; waiting: between attempts; failed: will not retry (told why in `detail`). */
export type LinkState = 'connecting' | 'open' | 'waiting' | 'failed';

export interface LinkHandlers {
  frame(frame: ServerFrame): void;
  /** The welcome arrived: the link is usable. */
  ready(): void;
  state(state: LinkState, closeCode?: number): void;
  /** A new token after 4001 (expired) or 4003 (refused); null gives up. */
  renewToken(reason: 'expired' | 'unauthorized'): Promise<string | null>;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

export class Link {
  #ws: WebSocket | null = null;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #missedPongs = 0;
  #renewedAfterRefusal = false;
  readonly #url: string;
  #token: string;
  readonly #on: LinkHandlers;

  constructor(server: string, token: string, handlers: LinkHandlers) {
    this.#url = `${server.replace(/^http/, 'ws')}${WS_PATH}?v=${PROTOCOL_VERSION}`;
    this.#token = token;
    this.#on = handlers;
    addEventListener('online', this.#wake);
    document.addEventListener('visibilitychange', this.#wake);
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN && this.#welcomed;
  }
  #welcomed = false;

  start(): void {
    this.#connect();
  }

  /** Sends when the link is up; returns false otherwise (the caller keeps it for after `ready`). */
  send(frame: ClientFrame): boolean {
    if (!this.open) return false;
    this.#ws?.send(JSON.stringify(frame));
    return true;
  }

  /** The network came back or the tab is visible again: do not sit out the rest of a backoff. */
  #wake = () => {
    if (document.visibilityState === 'hidden') return;
    if (this.#ws === null && this.#retry !== undefined) {
      clearTimeout(this.#retry);
      this.#retry = undefined;
      this.#connect();
    }
  };

  #connect(): void {
    this.#retry = undefined;
    this.#on.state('connecting');
    const ws = new WebSocket(this.#url, [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + this.#token]);
    this.#ws = ws;
    ws.onmessage = (e) => {
      const frame = decode(e.data);
      if (!frame) return;
      if (frame.type === 'welcome') {
        this.#welcomed = true;
        this.#attempt = 0;
        this.#renewedAfterRefusal = false;
        this.#startHeartbeat(frame.heartbeatIntervalMs);
        this.#on.state('open');
        this.#on.ready();
      } else if (frame.type === 'pong') {
        this.#missedPongs = 0;
      }
      this.#on.frame(frame);
    };
    ws.onclose = (e) => {
      if (this.#ws === ws) this.#lost(e.code);
    };
  }

  #startHeartbeat(intervalMs: number): void {
    clearInterval(this.#heartbeat);
    this.#missedPongs = 0;
    this.#heartbeat = setInterval(() => {
      // Two pings unanswered: the link is dead even if the browser has not noticed.
      if (this.#missedPongs >= 2) return this.#lost(1006);
      this.#missedPongs++;
      this.send({ type: 'ping' });
    }, intervalMs);
  }

  #drop(): void {
    clearInterval(this.#heartbeat);
    this.#welcomed = false;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onmessage = ws.onclose = null;
      if (ws.readyState <= WebSocket.OPEN) ws.close(1000);
    }
  }

  async #lost(code: number): Promise<void> {
    this.#drop();
    const policy = closePolicy(code);
    if (policy === 'never' && !(code === 4003 && !this.#renewedAfterRefusal)) {
      this.#on.state('failed', code);
      return;
    }
    if (policy === 'refresh_token' || code === 4003) {
      // 4003: the stored visitor is gone; one fresh session is worth a try.
      if (code === 4003) this.#renewedAfterRefusal = true;
      const token = await this.#on.renewToken(code === 4003 ? 'unauthorized' : 'expired').catch(() => null);
      if (token) {
        this.#token = token;
        return this.#connect();
      }
    }
    this.#on.state('waiting', code);
    const delay =
      policy === 'now'
        ? 100 + Math.random() * 400
        : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
    this.#retry = setTimeout(() => this.#connect(), code === 4029 ? Math.max(delay, 10_000) : delay);
  }
}

/**
 * The server is trusted for the fields (it validates what it stores), and the store's switch
 * ignores types it does not handle. That is what `decodeServerFrame` checks too, without its
 * error texts and type table (~160 bytes gzip the size budget cannot spare).
 */
function decode(data: unknown): ServerFrame | null {
  try {
    const frame = JSON.parse(String(data)) as ServerFrame | null;
    return typeof frame?.type === 'string' ? frame : null;
  } catch {
    return null;
  }
}
