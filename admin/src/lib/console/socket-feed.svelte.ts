/**
 * The live connection to the chat server. One WebSocket per console, authenticated with the
 * agent's Supabase access token as the `bearer.<token>` subprotocol (PROTOCOL.md, Connecting).
 *
 * It heals itself the way each close code asks (`reconnectPolicy` in @chat/shared): 4001 → refresh
 * the session and reconnect; service restart / slow consumer → reconnect at once with jitter;
 * network loss and server errors → exponential backoff; 4003/4010/4014 → stop and say why.
 * An app-level `ping` every `heartbeatIntervalMs` detects a dead link browsers do not report
 * (two missed `pong`s → reconnect). What to resend after a reconnect is the caller's business
 * (`onOpen`): the console resubscribes its chats from their last seq and resends its outbox.
 */
import {
  type ClientFrame,
  PROTOCOL_VERSION,
  parseServerFrame,
  reconnectPolicy,
  type ServerFrame,
  type ServerFrameOf,
  WS_PATH,
} from '@chat/shared';
import type { ConsoleFeed, FeedStatus } from './feed.ts';

export interface SocketFeedOptions {
  /** Chat server base URL (http[s]://…). */
  baseUrl: string;
  /** The current access token; `refresh` true after a 4001 (get a new one from Auth first). */
  token(refresh: boolean): Promise<string>;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** PROTOCOL.md: back off at least 10 s after being closed for rate limiting. */
const RATE_LIMITED_MIN_MS = 10_000;

const STOP_REASONS: Record<number, string> = {
  4000: 'The console could not connect (bad handshake). Reload the page.',
  4003: 'Your session is no longer valid. Sign in again.',
  4004: 'This admin origin is not allowed by the chat server (ADMIN_ORIGINS).',
  4010: 'The chat server speaks a newer protocol. Reload the page.',
  4014: 'The console was opened in another tab; this one is paused.',
};

export class SocketFeed implements ConsoleFeed {
  #status = $state<FeedStatus>('connecting');
  #problem = $state('');
  #ws: WebSocket | undefined;
  #frameHandlers = new Set<(frame: ServerFrame) => void>();
  #openHandlers = new Set<(welcome: ServerFrameOf<'welcome'>) => void>();
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #missedPongs = 0;
  #stopped = true;
  #pingCounter = 0;

  constructor(private readonly options: SocketFeedOptions) {}

  get status() {
    return this.#status;
  }
  get problem() {
    return this.#problem;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    window.addEventListener('online', this.#onOnline);
    void this.#connect(false);
  }

  stop(): void {
    this.#stopped = true;
    window.removeEventListener('online', this.#onOnline);
    clearTimeout(this.#retryTimer);
    this.#stopHeartbeat();
    this.#ws?.close(1000);
    this.#ws = undefined;
    this.#status = 'stopped';
  }

  send(frame: ClientFrame): boolean {
    const ws = this.#ws;
    if (this.#status !== 'open' || ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  onFrame(handler: (frame: ServerFrame) => void): () => void {
    this.#frameHandlers.add(handler);
    return () => this.#frameHandlers.delete(handler);
  }

  onOpen(handler: (welcome: ServerFrameOf<'welcome'>) => void): () => void {
    this.#openHandlers.add(handler);
    return () => this.#openHandlers.delete(handler);
  }

  /** The browser says the network is back: do not wait out the backoff. */
  #onOnline = () => {
    if (this.#status === 'reconnecting') {
      clearTimeout(this.#retryTimer);
      void this.#connect(false);
    }
  };

  async #connect(refreshToken: boolean): Promise<void> {
    if (this.#stopped) return;
    let token: string;
    try {
      token = await this.options.token(refreshToken);
    } catch (error) {
      this.#problem = `Could not renew your session: ${error instanceof Error ? error.message : String(error)}`;
      this.#schedule('backoff', 0);
      return;
    }
    if (this.#stopped) return;
    const url = `${this.options.baseUrl.replace(/^http/, 'ws')}${WS_PATH}?v=${PROTOCOL_VERSION}`;
    const ws = new WebSocket(url, ['chat', `bearer.${token}`]);
    this.#ws = ws;
    ws.onmessage = (event) => this.#onMessage(ws, event.data);
    ws.onclose = (event) => this.#onClose(ws, event.code);
  }

  #onMessage(ws: WebSocket, data: unknown): void {
    if (ws !== this.#ws || typeof data !== 'string') return;
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      // A frame this client cannot read is a bug on one side; say so and keep the connection.
      console.warn('console: unreadable frame from the chat server:', parsed.message);
      return;
    }
    const frame = parsed.frame;
    this.#missedPongs = 0;
    if (frame.type === 'welcome') {
      this.#attempt = 0;
      this.#status = 'open';
      this.#problem = '';
      this.#startHeartbeat(frame.heartbeatIntervalMs);
      for (const handler of this.#openHandlers) handler(frame);
      return;
    }
    if (frame.type === 'pong') return;
    for (const handler of this.#frameHandlers) handler(frame);
  }

  #onClose(ws: WebSocket, code: number): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    this.#stopHeartbeat();
    if (this.#stopped) return;
    const policy = reconnectPolicy(code);
    if (policy === 'never') {
      this.#status = 'stopped';
      this.#problem = STOP_REASONS[code] ?? `The chat server closed the connection (${code}).`;
      return;
    }
    this.#problem = policy === 'refresh_token' ? '' : `Connection lost (${code}); reconnecting…`;
    this.#schedule(policy, code);
  }

  #schedule(policy: 'now' | 'refresh_token' | 'backoff', code: number): void {
    this.#status = 'reconnecting';
    const attempt = this.#attempt++;
    let delay: number;
    if (policy === 'refresh_token') delay = 0;
    else if (policy === 'now') delay = Math.random() * 500;
    else {
      delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      if (code === 4029) delay = Math.max(delay, RATE_LIMITED_MIN_MS);
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connect(policy === 'refresh_token'), delay);
  }

  #startHeartbeat(intervalMs: number): void {
    this.#stopHeartbeat();
    this.#missedPongs = 0;
    this.#heartbeat = setInterval(() => {
      // Any frame counts as a sign of life (reset in #onMessage); two silent intervals = dead link.
      if (++this.#missedPongs > 2) {
        const ws = this.#ws;
        if (ws) {
          // Not waiting for a close handshake a dead link will never finish.
          ws.onclose = null;
          ws.close();
          this.#onClose(ws, 1006);
        }
        return;
      }
      this.send({ type: 'ping', ref: `p${++this.#pingCounter}` });
    }, intervalMs);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
