/**
 * A chat client that survives losing its server, with the algorithm PROTOCOL.md prescribes (the
 * widget implements the same one): an outbox of unacked messages keyed by clientMsgId; `lastSeq`,
 * the highest seq received with no gap below it; on reconnect (to the next URL when the current
 * one refuses, as a load balancer would do), subscribe with `afterSeq: lastSeq`, then resend the
 * outbox with the same clientMsgIds. Messages at or below lastSeq are dropped, a gap triggers a
 * re-subscribe, so `shown` never has a hole or a duplicate.
 *
 * It also records what a test needs to judge that: every raw `message` arrival (`arrivals`), acks,
 * and each connection it made. No vitest here, so the demo script uses it too.
 */
import { type Message, PROTOCOL_VERSION, parseServerFrame, type ServerFrame, WS_PATH } from '@chat/shared';
import WebSocket from 'ws';

export interface ResumingClientOptions {
  /** Server base URLs (http://…) tried in order; after a failure the next one is tried. */
  urls: string[];
  token: string;
  origin: string;
  /** clientMsgId prefix, so two clients never collide. */
  name: string;
  /** Called with every message shown (in seq order), for demos. */
  onShow?: (message: Message) => void;
  /** Called on every (re)connection, with the URL. */
  onConnect?: (url: string, attempt: number) => void;
}

/** Unanswered sends per connection; below the server's queue limit (100 frames). */
const SEND_WINDOW = 32;

export interface Ack {
  seq: number;
  duplicate: boolean;
}

export class ResumingClient {
  /** Messages shown to the user, in seq order: no gap, no duplicate. */
  readonly shown: Message[] = [];
  /** Every `message` frame that arrived (before dedupe), by seq. */
  readonly arrivals: number[] = [];
  /** clientMsgId → ack, for this client's own messages. */
  readonly acks = new Map<string, Ack>();
  /** Messages sent but not yet acked, in send order. */
  readonly outbox = new Map<string, string>();
  /** Every URL connected to, in order. */
  readonly connections: string[] = [];
  readonly errors: ServerFrame[] = [];
  conversationId: string | undefined;
  lastSeq = 0;

  private ws: WebSocket | undefined;
  private urlIndex = 0;
  private counter = 0;
  private stopped = false;
  /** True once the current connection is resumed: new sends go out directly. */
  private live = false;
  /** Sent on the current connection and not yet answered (at most SEND_WINDOW). */
  private inFlight = new Set<string>();
  /** Sends refused for a passing reason (rate_limited, internal) and retried. */
  retries = 0;
  private ahead = new Map<number, Message>();
  private waiters = new Set<() => void>();
  private reconnecting: Promise<void> | undefined;

  constructor(private readonly opts: ResumingClientOptions) {}

  get connectedUrl(): string | undefined {
    return this.ws?.readyState === WebSocket.OPEN ? this.connections.at(-1) : undefined;
  }

  /** Connects (trying each URL in turn) and, as a visitor, starts a conversation. */
  async startConversation(firstBody?: string): Promise<string> {
    await this.connect();
    const ws = this.ws as WebSocket;
    const answer = this.nextFrame(ws, (f) => f.type === 'conversation' || f.type === 'error');
    ws.send(JSON.stringify({ type: 'conversation.start', ref: 'start' }));
    const frame = await answer;
    if (frame.type !== 'conversation')
      throw new Error(`conversation.start refused: ${JSON.stringify(frame)}`);
    this.conversationId = frame.conversation.id;
    if (firstBody !== undefined) this.send(firstBody);
    return this.conversationId;
  }

  /** Connects and follows an existing conversation (an agent, or a visitor resuming). */
  async follow(conversationId: string): Promise<void> {
    this.conversationId = conversationId;
    await this.connect();
  }

  /** Queues a message in the outbox and sends it now if connected. Returns its clientMsgId. */
  send(body: string): string {
    const clientMsgId = `${this.opts.name}-${++this.counter}`;
    this.outbox.set(clientMsgId, body);
    this.pump();
    return clientMsgId;
  }

  /** Resolves when `test()` holds, re-checked on every frame and reconnect; rejects after `timeoutMs`. */
  async until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.opts.name}: timed out waiting for ${what} (${this.describe()})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 200));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** State for failure messages. */
  describe(): string {
    const errors = this.errors.map((e) => (e.type === 'error' ? `${e.code}: ${e.message}` : e.type));
    return (
      `connections ${JSON.stringify(this.connections)}, live ${this.live}, lastSeq ${this.lastSeq}, ` +
      `outbox ${this.outbox.size}, acks ${this.acks.size}, shown ${this.shown.length}, ` +
      `errors ${JSON.stringify(errors.slice(0, 5))}`
    );
  }

  async close(): Promise<void> {
    this.stopped = true;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close(1000);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    ws.terminate();
  }

  /**
   * Sends outbox messages in order, keeping at most SEND_WINDOW unanswered: after a reconnect the
   * whole outbox goes again, and a server refuses frames queued too deep behind a slow one.
   */
  private pump(): void {
    const ws = this.ws;
    if (!this.live || ws?.readyState !== WebSocket.OPEN || !this.conversationId) return;
    for (const [clientMsgId, body] of this.outbox) {
      if (this.inFlight.size >= SEND_WINDOW) return;
      if (this.inFlight.has(clientMsgId)) continue;
      this.inFlight.add(clientMsgId);
      ws.send(
        JSON.stringify({
          type: 'message.send',
          ref: clientMsgId,
          conversationId: this.conversationId,
          clientMsgId,
          body,
        }),
      );
    }
  }

  /** One connection attempt per URL in turn, with a short pause between rounds, until one welcomes us. */
  private async connect(): Promise<void> {
    const { urls } = this.opts;
    for (let attempt = 1; !this.stopped; attempt++) {
      const url = urls[this.urlIndex % urls.length] as string;
      try {
        await this.open(url, attempt);
        return;
      } catch {
        this.urlIndex++;
        if (attempt % urls.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        if (attempt > 100) throw new Error(`${this.opts.name}: cannot connect to any of ${urls.join(', ')}`);
      }
    }
  }

  private async open(url: string, attempt: number): Promise<void> {
    const ws = new WebSocket(
      `${url.replace(/^http/, 'ws')}${WS_PATH}?v=${PROTOCOL_VERSION}`,
      ['chat', `bearer.${this.opts.token}`],
      { origin: this.opts.origin },
    );
    ws.on('error', () => {});
    // Applied from the first frame on (the welcome is ignored there), so none can slip by.
    ws.on('message', (data) => this.onFrame(data.toString()));
    await this.nextFrame(ws, (f) => f.type === 'welcome');
    this.ws = ws;
    this.connections.push(url);
    this.opts.onConnect?.(url, attempt);
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.live = false;
      this.inFlight.clear();
      if (!this.stopped) this.reconnect();
    });
    if (this.conversationId) {
      // Resume: subscribe after lastSeq (the server goes live before reading the page, so nothing
      // falls in between), then resend the whole outbox with the same clientMsgIds.
      await this.subscribe(ws);
    }
    this.inFlight.clear();
    this.live = true;
    this.pump();
  }

  private reconnect(): void {
    this.reconnecting ??= this.connect()
      .catch(() => {})
      .finally(() => {
        this.reconnecting = undefined;
        this.wake();
      });
  }

  private async subscribe(ws: WebSocket): Promise<void> {
    let hasMore = true;
    while (hasMore) {
      const ref = `sub-${++this.counter}`;
      const answer = this.nextFrame(ws, (f) => (f.type === 'sync' || f.type === 'error') && f.ref === ref);
      ws.send(
        JSON.stringify({
          type: 'conversation.subscribe',
          ref,
          conversationId: this.conversationId,
          afterSeq: this.lastSeq,
        }),
      );
      const frame = await answer;
      if (frame.type !== 'sync') throw new Error(`subscribe refused: ${JSON.stringify(frame)}`);
      hasMore = frame.hasMore;
    }
  }

  /** Frames are applied in onFrame (sync included); this only waits for one to arrive. */
  private nextFrame(
    ws: WebSocket,
    match: (f: ServerFrame) => boolean,
    timeoutMs = 10_000,
  ): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData) => {
        const parsed = parseServerFrame(data.toString());
        if (parsed.ok && match(parsed.frame)) finish(() => resolve(parsed.frame));
      };
      const onClose = () => finish(() => reject(new Error('closed')));
      const timer = setTimeout(() => finish(() => reject(new Error('timed out'))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        ws.off('message', onMessage);
        ws.off('close', onClose);
        settle();
      };
      ws.on('message', onMessage);
      ws.once('close', onClose);
    });
  }

  private onFrame(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.errors.push({
        type: 'error',
        code: 'internal',
        message: `invalid server frame: ${parsed.message}`,
      });
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ack':
        this.outbox.delete(frame.clientMsgId);
        this.inFlight.delete(frame.clientMsgId);
        this.acks.set(frame.clientMsgId, { seq: frame.seq, duplicate: frame.duplicate });
        this.pump();
        break;
      case 'message':
        this.arrivals.push(frame.message.seq);
        this.receive(frame.message);
        break;
      case 'sync':
        for (const m of frame.messages) this.receive(m);
        // Seqs hidden from this reader (notes) are covered by the page too.
        if (!frame.hasMore && frame.lastSeq > this.lastSeq && this.ahead.size === 0)
          this.lastSeq = frame.lastSeq;
        break;
      case 'error':
        if (frame.ref !== undefined && this.inFlight.delete(frame.ref)) {
          if (frame.code === 'rate_limited' || frame.code === 'internal') {
            // Passing: the message stays in the outbox and goes again shortly (sends are idempotent).
            this.retries++;
            setTimeout(() => this.pump(), 250);
            break;
          }
          this.outbox.delete(frame.ref); // refused for good (conflict, forbidden…): shown as failed
        }
        this.errors.push(frame);
        break;
    }
    this.wake();
  }

  /** The seq rule: drop what we have, show the next one, hold what is ahead and ask for the gap. */
  private receive(message: Message): void {
    if (message.seq <= this.lastSeq || this.ahead.has(message.seq)) return;
    if (message.seq > this.lastSeq + 1) {
      this.ahead.set(message.seq, message);
      if (this.ws && this.live) this.subscribe(this.ws).catch(() => {});
      return;
    }
    this.show(message);
    for (let next = this.ahead.get(this.lastSeq + 1); next; next = this.ahead.get(this.lastSeq + 1)) {
      this.ahead.delete(next.seq);
      this.show(next);
    }
  }

  private show(message: Message): void {
    this.lastSeq = message.seq;
    this.shown.push(message);
    this.opts.onShow?.(message);
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      w();
    }
  }
}
