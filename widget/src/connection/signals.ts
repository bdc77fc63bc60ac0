/**
 * The visitor's live signals while composing: `typing` on (refreshed every TYPING_REFRESH_MS while
 * they type, off after a pause or on send) and the `draft` preview for agents, throttled to one
 * frame per DRAFT_THROTTLE_MS with the latest text always sent last.
 */
import { type ClientFrame, DRAFT_THROTTLE_MS, TYPING_REFRESH_MS } from '@chat/shared';

/** Typing stops being "on" this long after the last keystroke. */
const IDLE_MS = 4_000;

export class ComposerSignals {
  #typingSentAt = 0;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #draftTimer: ReturnType<typeof setTimeout> | undefined;
  #draftSentAt = 0;
  #draftText = '';
  #lastSentDraft = '';
  readonly #send: (frame: ClientFrame) => boolean;

  constructor(send: (frame: ClientFrame) => boolean) {
    this.#send = send;
  }

  input(conversationId: string, text: string): void {
    const now = Date.now();
    clearTimeout(this.#idle);
    if (text.trim()) {
      if (now - this.#typingSentAt >= TYPING_REFRESH_MS) {
        this.#send({ type: 'typing', conversationId, on: true });
        this.#typingSentAt = now;
      }
      this.#idle = setTimeout(() => this.#stopTyping(conversationId), IDLE_MS);
    } else {
      this.#stopTyping(conversationId);
    }
    this.#draft(conversationId, text);
  }

  /** A message went out: typing off, draft cleared at once. */
  sent(conversationId: string): void {
    clearTimeout(this.#idle);
    this.#stopTyping(conversationId);
    clearTimeout(this.#draftTimer);
    this.#draftTimer = undefined;
    this.#draftText = '';
    this.#flushDraft(conversationId);
  }

  #stopTyping(conversationId: string): void {
    if (this.#typingSentAt === 0) return;
    this.#typingSentAt = 0;
    this.#send({ type: 'typing', conversationId, on: false });
  }

  #draft(conversationId: string, text: string): void {
    this.#draftText = text.slice(0, 20_000);
    if (this.#draftTimer) return;
    const wait = Math.max(0, this.#draftSentAt + DRAFT_THROTTLE_MS - Date.now());
    this.#draftTimer = setTimeout(() => {
      this.#draftTimer = undefined;
      this.#flushDraft(conversationId);
    }, wait);
  }

  #flushDraft(conversationId: string): void {
    if (this.#draftText === this.#lastSentDraft) return;
    if (this.#send({ type: 'draft', conversationId, text: this.#draftText })) {
      this.#lastSentDraft = this.#draftText;
      this.#draftSentAt = Date.now();
    }
  }
}
