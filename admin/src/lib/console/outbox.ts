/**
 * Messages the agent sent that the server has not acknowledged yet (PROTOCOL.md, Delivery
 * guarantees). Each keeps its clientMsgId for life, so a resend after a reconnect is idempotent:
 * the server answers a duplicate with the original seq. At most SEND_WINDOW are in flight on one
 * connection (the server refuses frames queued too deep behind a slow one); the rest wait.
 * An acked message stays listed until its `message` frame arrives, so the bubble never blinks.
 * Plain TypeScript (unit-tested without a browser); the console mirrors `items` into rune state
 * through `onChange`.
 */
import type { ClientFrame } from '@chat/shared';

export const SEND_WINDOW = 32;

export interface OutgoingMessage {
  conversationId: string;
  clientMsgId: string;
  body: string;
  note: boolean;
  attachmentIds: string[];
  /** queued: not sent on this connection yet; sending: sent, unanswered; acked: stored; failed: refused. */
  state: 'queued' | 'sending' | 'acked' | 'failed';
  error: string;
  createdAt: number;
}

/** Errors that pass: the message stays and goes again shortly (sends are idempotent). */
const PASSING = new Set(['rate_limited', 'internal']);

export class Outbox {
  /** Every message not yet seen back from the server, in send order. Replaced (never mutated) on change. */
  #items: OutgoingMessage[] = [];
  #counter = 0;
  #prefix = `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  constructor(private readonly onChange: (items: OutgoingMessage[]) => void = () => {}) {}

  get items(): OutgoingMessage[] {
    return this.#items;
  }

  #set(next: OutgoingMessage[]): void {
    this.#items = next;
    this.onChange(next);
  }

  /** Adds a message; `pump` sends it. Returns its clientMsgId. */
  add(input: Pick<OutgoingMessage, 'conversationId' | 'body' | 'note' | 'attachmentIds'>): string {
    const clientMsgId = `${this.#prefix}-${++this.#counter}`;
    this.#set([...this.items, { ...input, clientMsgId, state: 'queued', error: '', createdAt: Date.now() }]);
    return clientMsgId;
  }

  /** Sends queued messages in order while fewer than SEND_WINDOW are unanswered. */
  pump(send: (frame: ClientFrame) => boolean): void {
    let inFlight = this.items.filter((m) => m.state === 'sending').length;
    let changed = false;
    const next = this.items.map((m) => {
      if (m.state !== 'queued' || inFlight >= SEND_WINDOW) return m;
      const sent = send({
        type: 'message.send',
        ref: m.clientMsgId,
        conversationId: m.conversationId,
        clientMsgId: m.clientMsgId,
        body: m.body,
        ...(m.attachmentIds.length ? { attachmentIds: m.attachmentIds } : {}),
        ...(m.note ? { note: true } : {}),
      });
      if (!sent) return m;
      inFlight++;
      changed = true;
      return { ...m, state: 'sending' as const };
    });
    if (changed) this.#set(next);
  }

  /** The connection dropped: everything unanswered goes again (same clientMsgId) on the next one. */
  requeue(): void {
    if (this.items.some((m) => m.state === 'sending'))
      this.#set(this.items.map((m) => (m.state === 'sending' ? { ...m, state: 'queued' } : m)));
  }

  /** The server stored it. True if it was ours. */
  ack(clientMsgId: string): boolean {
    return this.#update(clientMsgId, (m) => ({ ...m, state: 'acked' }));
  }

  /** The server refused it (`error` frame with our ref). True if it was ours. */
  refuse(clientMsgId: string, code: string, message: string): boolean {
    return this.#update(clientMsgId, (m) =>
      PASSING.has(code) ? { ...m, state: 'queued' } : { ...m, state: 'failed', error: message },
    );
  }

  /** Its `message` frame arrived: the conversation shows it now. */
  delivered(clientMsgId: string): void {
    if (this.items.some((m) => m.clientMsgId === clientMsgId))
      this.#set(this.items.filter((m) => m.clientMsgId !== clientMsgId));
  }

  /** Try a failed one again (the user pressed retry). */
  retry(clientMsgId: string): void {
    this.#update(clientMsgId, (m) => ({ ...m, state: 'queued', error: '' }));
  }

  discard(clientMsgId: string): void {
    this.#set(this.items.filter((m) => m.clientMsgId !== clientMsgId));
  }

  #update(clientMsgId: string, change: (m: OutgoingMessage) => OutgoingMessage): boolean {
    const index = this.items.findIndex((m) => m.clientMsgId === clientMsgId);
    if (index < 0) return false;
    const next = [...this.items];
    next[index] = change(next[index] as OutgoingMessage);
    this.#set(next);
    return true;
  }
}
