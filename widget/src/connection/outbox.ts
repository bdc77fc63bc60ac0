/**
 * Messages sent but not yet acked. Each keeps its clientMsgId, so resending after a reconnect, or
 * after a reload (the outbox is kept in localStorage), gives the server's idempotent ack instead
 * of a second message.
 */
import type { Attachment } from '@chat/shared';

export interface PendingMessage {
  conversationId: string;
  clientMsgId: string;
  body: string;
  attachmentIds: string[];
  /** For showing the message before the server echoes it. */
  attachments: Attachment[];
  createdAt: string;
}

export class Outbox {
  readonly #key: string;
  #items: PendingMessage[];

  constructor(site: string) {
    this.#key = `cw:${site}:outbox`;
    this.#items = this.#load();
  }

  get items(): readonly PendingMessage[] {
    return this.#items;
  }

  add(item: PendingMessage): void {
    this.#items = [...this.#items, item];
    this.#save();
  }

  /** Removes an acked (or echoed) message; true if it was pending. */
  remove(clientMsgId: string): boolean {
    const before = this.#items.length;
    this.#items = this.#items.filter((m) => m.clientMsgId !== clientMsgId);
    if (this.#items.length === before) return false;
    this.#save();
    return true;
  }

  /** Drops messages of conversations that are gone (closed elsewhere, another visitor). */
  keepOnly(conversationId: string | null): void {
    this.#items = this.#items.filter((m) => m.conversationId === conversationId);
    this.#save();
  }

  #load(): PendingMessage[] {
    try {
      const parsed = JSON.parse(localStorage.getItem(this.#key) ?? '[]') as unknown;
      return Array.isArray(parsed) ? (parsed as PendingMessage[]) : [];
    } catch {
      return [];
    }
  }

  #save(): void {
    try {
      if (this.#items.length === 0) localStorage.removeItem(this.#key);
      else localStorage.setItem(this.#key, JSON.stringify(this.#items));
    } catch {
      // Storage blocked: the outbox still lives in memory for this page.
    }
  }
}
