/**
 * A read-only look at an offered conversation before answering the offer (Intercom's "peek"): the
 * messages so far, internal notes included, and what arrives while the agent reads.
 *
 * It is a plain `conversation.subscribe` on the console's socket, which the chat server allows
 * because RLS does (`private.my_conversation_ids()` includes conversations with a pending,
 * unexpired offer to the agent) and which writes nothing: no participant row, no system line, no
 * `viewing` (only a `viewing` frame makes an agent a viewer), no read position (the console never
 * sends `read` for a preview). Accepting hands `chat` to the console as the normal chat; every other
 * end (declined, revoked, expired, another chat opened) unsubscribes.
 */

import { ChatState } from './chat.svelte.ts';
import type { OfferView } from './feed.ts';

/** A little after the offer's own expiry: the server's `offer.revoked` normally says it first. */
const EXPIRY_GRACE_MS = 1_500;

export class OfferPreview {
  /** The offer as it was when the preview opened (the card may vanish first, e.g. while accepting). */
  readonly offer: OfferView;
  readonly chat: ChatState;
  /** Accept was pressed and its answer is awaited. */
  accepting = $state(false);
  #expiry: ReturnType<typeof setTimeout>;

  constructor(offer: OfferView, onExpired: () => void) {
    this.offer = offer;
    this.chat = new ChatState(offer.entry.conversationId);
    const left = Date.parse(offer.expiresAt) - Date.now();
    this.#expiry = setTimeout(onExpired, Math.max(0, left) + EXPIRY_GRACE_MS);
  }

  get offerId(): string {
    return this.offer.offerId;
  }

  get conversationId(): string {
    return this.chat.id;
  }

  /** Stops the expiry timer; `keepChat` when the chat lives on as the accepted conversation. */
  dispose(keepChat = false): void {
    clearTimeout(this.#expiry);
    if (!keepChat) this.chat.dispose();
  }
}

/** Why a preview closed, as the console tells the agent; empty when the agent closed it. */
export function previewEndedText(
  reason: 'timeout' | 'taken' | 'cancelled' | 'expired' | 'gone' | 'closed',
  visitor: string,
): string {
  const who = visitor || 'the visitor';
  switch (reason) {
    case 'timeout':
    case 'expired':
      return `Preview closed: the offer for ${who} expired.`;
    case 'taken':
      return `Preview closed: the chat with ${who} was taken by someone else.`;
    case 'cancelled':
      return `Preview closed: the offer for ${who} was withdrawn.`;
    case 'closed':
      return `Preview closed: the chat with ${who} was closed.`;
    case 'gone':
      return `Preview closed: the chat with ${who} is no longer offered to you.`;
  }
}
