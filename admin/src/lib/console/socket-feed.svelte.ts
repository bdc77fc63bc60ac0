/**
 * The live connection to the chat server. One WebSocket per console, authenticated with the
 * agent's Supabase access token as the `bearer.<token>` subprotocol, in the organization the
 * switcher has selected (`?org=`; switching closes this console and opens the other one's; see
 * PROTOCOL.md, Connecting).
 *
 * It keeps its token fresh without reconnecting: each token supabase-js refreshes goes to the server
 * in `auth.refresh`, which moves the connection's expiry (and a timer shortly before expiry asks
 * supabase-js for a fresh one, in case its own refresh has not run yet). Otherwise it heals itself
 * the way each close code asks (`reconnectPolicy` in @chat/shared): 4001 (the fallback when a
 * refresh failed) → refresh the session and reconnect; service restart / slow consumer → reconnect at once with jitter;
 * network loss and server errors → exponential backoff; 4003/4010/4014 → stop and say why.
 * 4005 (the agent's role, client or groups changed) reconnects at once like a restart, but says so
 * calmly: the new connection carries the current rights (or is refused with 4003, which stops).
 * An app-level `ping` every `heartbeatIntervalMs` detects a dead link browsers do not report
 * (two missed `pong`s → reconnect). What to resend after a reconnect is the caller's business
 * (`onOpen`): the console resubscribes its chats from their last seq and resends its outbox.
 */
import {
  type ClientFrame,
  CloseCode,
  PROTOCOL_VERSION,
  parseServerFrame,
  reconnectPolicy,
  type ServerFrame,
  type ServerFrameOf,
  WS_PATH,
} from '@chat/shared';
import type { ConsoleFeed, FeedStatus } from './feed.ts';
import { jwtExpiry } from './jwt-expiry.ts';

export interface SocketFeedOptions {
  /** Chat server base URL (http[s]://…). */
  baseUrl: string;
  /**
   * The organization this console works in (`org` in the URL): a user of several organizations
   * gets that membership's queues, offers and presence, not the first one they joined.
   */
  orgId: string;
  /** The current access token; `refresh` true after a 4001 (get a new one from Auth first). */
  token(refresh: boolean): Promise<string>;
  /** Calls back with each token the session refreshes to; returns the unsubscribe function. */
  watchToken?(onToken: (token: string) => void): () => void;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** PROTOCOL.md: back off at least 10 s after being closed for rate limiting. */
const RATE_LIMITED_MIN_MS = 10_000;
/**
 * How long before the connection's token expires to ask for a fresh one ourselves: a quarter of
 * its remaining life, between 1 s and 30 s (supabase-js refreshes 90 s ahead on its own 30 s tick,
 * so with hour-long tokens this is only a backstop).
 */
const RENEW_LEAD_MIN_MS = 1_000;
const RENEW_LEAD_MAX_MS = 30_000;

const STOP_REASONS: Record<number, string> = {
  4000: 'The console could not connect (bad handshake). Reload the page.',
  4003: 'Your session is no longer valid, or you are no longer a member of this organization. Sign in again.',
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
  /** The token the server holds this connection to (the one it opened with, or the last accepted refresh). */
  #token = '';
  /** The token the socket being opened was offered. */
  #connectingToken = '';
  /** An `auth.refresh` waiting for its answer. */
  #renewing: { ref: string; token: string } | undefined;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Server clock minus ours (from `welcome`), so expiry is timed by the server's clock. */
  #skewMs = 0;
  #unwatchToken: (() => void) | undefined;
  /** The close code that ended the previous connection (null until one has closed). */
  #previousClose: number | null = null;

  constructor(private readonly options: SocketFeedOptions) {}

  get status() {
    return this.#status;
  }
  get problem() {
    return this.#problem;
  }
  get previousClose() {
    return this.#previousClose;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    window.addEventListener('online', this.#onOnline);
    this.#unwatchToken = this.options.watchToken?.((token) => this.#renew(token));
    void this.#connect(false);
  }

  stop(): void {
    this.#stopped = true;
    window.removeEventListener('online', this.#onOnline);
    this.#unwatchToken?.();
    this.#unwatchToken = undefined;
    this.#clearRenewal();
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
    const query = new URLSearchParams({ v: String(PROTOCOL_VERSION), org: this.options.orgId });
    const url = `${this.options.baseUrl.replace(/^http/, 'ws')}${WS_PATH}?${query}`;
    const ws = new WebSocket(url, ['chat', `bearer.${token}`]);
    this.#ws = ws;
    this.#connectingToken = token;
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
      this.#token = this.#connectingToken;
      const serverTime = Date.parse(frame.serverTime);
      this.#skewMs = Number.isFinite(serverTime) ? serverTime - Date.now() : 0;
      this.#scheduleRenewal();
      for (const handler of this.#openHandlers) handler(frame);
      return;
    }
    if (frame.type === 'pong') return;
    if ((frame.type === 'ok' || frame.type === 'error') && frame.ref && frame.ref === this.#renewing?.ref) {
      this.#renewed(frame);
      return;
    }
    for (const handler of this.#frameHandlers) handler(frame);
  }

  #onClose(ws: WebSocket, code: number): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    this.#stopHeartbeat();
    this.#clearRenewal();
    if (this.#stopped) return;
    this.#previousClose = code;
    const policy = reconnectPolicy(code);
    if (policy === 'never') {
      this.#status = 'stopped';
      this.#problem = STOP_REASONS[code] ?? `The chat server closed the connection (${code}).`;
      return;
    }
    this.#problem = policy === 'refresh_token' ? '' : droppedText(code);
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

  /** Moves the open connection to `token` if it outlives the current one (auth.refresh). */
  #renew(token: string): void {
    if (this.#status !== 'open' || token === this.#token || token === this.#renewing?.token) return;
    const exp = jwtExpiry(token);
    if (exp === null || exp <= (jwtExpiry(this.#token) ?? 0)) return;
    const ref = `auth-${++this.#pingCounter}`;
    if (this.send({ type: 'auth.refresh', ref, token })) this.#renewing = { ref, token };
  }

  #renewed(answer: ServerFrameOf<'ok'> | ServerFrameOf<'error'>): void {
    const token = this.#renewing?.token ?? '';
    this.#renewing = undefined;
    if (answer.type === 'ok') {
      this.#token = token;
      this.#scheduleRenewal();
      return;
    }
    // Nothing else to do: the server closes with 4001 at the current token's expiry, and the
    // reconnect after it signs in with a fresh session.
    console.warn('console: the chat server refused the refreshed token:', answer.code, answer.message);
  }

  /** A backstop before the current token expires: ask the session for a fresh token (getSession refreshes one about to expire). */
  #scheduleRenewal(): void {
    clearTimeout(this.#renewTimer);
    const exp = jwtExpiry(this.#token);
    if (exp === null) return;
    const remaining = exp * 1000 - (Date.now() + this.#skewMs);
    const lead = Math.min(RENEW_LEAD_MAX_MS, Math.max(RENEW_LEAD_MIN_MS, remaining / 4));
    this.#renewTimer = setTimeout(
      () => {
        this.options.token(false).then(
          (token) => this.#renew(token),
          (error: unknown) => console.warn('console: could not get a fresh token before expiry:', error),
        );
      },
      Math.max(0, remaining - lead),
    );
  }

  #clearRenewal(): void {
    clearTimeout(this.#renewTimer);
    this.#renewTimer = undefined;
    this.#renewing = undefined;
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

/**
 * The banner while reconnecting. A changed membership is routine (a manager moved the agent between
 * groups), not a fault, so it is not reported as a lost connection.
 */
function droppedText(code: number): string {
  if (code === CloseCode.ACCESS_CHANGED) return 'Your access changed; reconnecting…';
  return `Connection lost (${code}); reconnecting…`;
}
