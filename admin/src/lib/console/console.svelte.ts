/**
 * The agent console's state: the live feed, the queue and offers, the chats the agent is in, the
 * outbox, presence and notifications. The page renders from it; every action goes through it.
 *
 * Server frames are applied in one place (`#onFrame`); each kind touches only the rune state it
 * concerns, so a message in one of twenty chats re-renders that chat's row and, if open, one bubble.
 */
import type {
  ClientFrame,
  Conversation,
  Message,
  QueueEntry,
  ServerFrame,
  ServerFrameOf,
} from '@chat/shared';
import { CloseCode, TYPING_REFRESH_MS } from '@chat/shared';
import type { AgentAvailability } from '../data/agent-status.ts';
import { setMyStatus } from '../data/agent-status.ts';
import type { Snippet } from '../data/types.ts';
import { errorMessage } from '../supabase.ts';
import { type Changed, emptyChanged, mergeOffers, mergeQueues } from './catch-up.ts';
import { ChatState } from './chat.svelte.ts';
import type { Directory } from './directory.ts';
import type { ConsoleFeed, ConsoleSnapshot, OfferView } from './feed.ts';
import { Notifier } from './notifications.svelte.ts';
import { withFreshEntries } from './offer-entries.ts';
import { OfferPreview, previewEndedText } from './offer-preview.svelte.ts';
import { Outbox, type OutgoingMessage } from './outbox.ts';

export interface ConsoleInit {
  orgId: string;
  userId: string;
  userName: string;
  feed: ConsoleFeed;
  snapshot: ConsoleSnapshot;
  directory: Directory;
  snippets: Snippet[];
  /** Reads the snapshot and directory again (after a reconnect: see `#catchUp`). */
  reload(): Promise<{ snapshot: ConsoleSnapshot; directory: Directory }>;
}

export interface Toast {
  id: number;
  tone: 'info' | 'error';
  text: string;
}

/** `ChatState.ended` of a chat the server stopped showing this agent (RLS no longer allows it). */
export const NO_ACCESS = 'No access';

/** After a 4005 reconnect: the queues and chats shown may have changed under the agent's eyes. */
const ACCESS_CHANGED_TEXT = 'Your access changed; the console now shows what your current rights allow.';

/** How long an answer to a `ref` may take before the action is reported as failed. */
const REQUEST_TIMEOUT_MS = 15_000;

type Pending = {
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
};

export class ConsoleStore {
  readonly orgId: string;
  readonly userId: string;
  readonly userName: string;
  readonly feed: ConsoleFeed;
  readonly notifier = new Notifier();
  readonly directory: Directory;
  readonly snippets: Snippet[];

  status = $state<AgentAvailability>('offline');
  maxChats = $state(0);
  /** Queue entries by group (key '' for unrouted), as the last `queue` frame of each group said. */
  queueByGroup = $state.raw(new Map<string, QueueEntry[]>());
  readonly queue = $derived(
    [...this.queueByGroup.values()].flat().sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)),
  );
  offers = $state.raw<OfferView[]>([]);
  /**
   * The queue as the list shows it: without the chats offered to this agent right now. Their offer
   * card is where to take them (one chat, one place to act, as in Intercom's inbox); they come back
   * to the list when the offer is declined, expires or is revoked while the chat is still queued.
   */
  readonly claimable = $derived.by(() => {
    const offered = new Set(this.offers.map((o) => o.entry.conversationId));
    return this.queue.filter((e) => !offered.has(e.conversationId));
  });
  chats = $state.raw<ChatState[]>([]);
  activeId = $state<string | null>(null);
  /** An offered chat being read before answering (offer-preview.svelte.ts); shown instead of `active`. */
  preview = $state.raw<OfferPreview | null>(null);
  /** The previewed offer as it stands now (its card's entry may be refreshed), until it is answered. */
  readonly previewOffer = $derived.by(() => {
    const preview = this.preview;
    return preview && (this.offers.find((o) => o.offerId === preview.offerId) ?? preview.offer);
  });
  readonly active = $derived(this.chats.find((c) => c.id === this.activeId));
  pending = $state.raw<OutgoingMessage[]>([]);
  presence = $state.raw(new Map<string, AgentAvailability>());
  toasts = $state.raw<Toast[]>([]);
  /** Unread visitor messages across chats plus open offers: the title and nav badge. */
  readonly badge = $derived(this.chats.reduce((sum, c) => sum + c.unread, 0) + this.offers.length);

  readonly outbox = new Outbox((items) => (this.pending = items));
  #requests = new Map<string, Pending>();
  #refs = 0;
  #toastIds = 0;
  #unsubscribe: (() => void)[] = [];
  #typingSentAt = new Map<string, number>();
  #viewing: string | null = null;
  readonly #reload: ConsoleInit['reload'];
  /** The catch-up read in flight, and what live frames changed meanwhile (they win over it). */
  #catchUpRun = 0;
  #changed: Changed | undefined;

  constructor(init: ConsoleInit) {
    this.orgId = init.orgId;
    this.userId = init.userId;
    this.userName = init.userName;
    this.feed = init.feed;
    this.directory = init.directory;
    this.snippets = init.snippets;
    this.#reload = init.reload;
    this.status = init.directory.status;
    this.maxChats = init.directory.maxChats;
    this.presence = new Map(init.directory.colleagues.map((c) => [c.userId, c.status]));
    const byGroup = new Map<string, QueueEntry[]>();
    for (const entry of init.snapshot.queue) {
      const key = entry.groupId ?? '';
      byGroup.set(key, [...(byGroup.get(key) ?? []), entry]);
    }
    this.queueByGroup = byGroup;
    this.offers = init.snapshot.offers;
    this.chats = init.snapshot.mine.map(({ id, lastReadSeq }) => {
      const chat = new ChatState(id);
      chat.myReadSeq = lastReadSeq;
      return chat;
    });
    this.activeId = this.chats[0]?.id ?? null;
  }

  start(): void {
    this.#unsubscribe.push(
      this.feed.onOpen(() => this.#onOpen()),
      this.feed.onFrame((frame) => this.#onFrame(frame)),
    );
    this.feed.start();
  }

  stop(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.feed.stop();
    this.#catchUpRun++;
    this.#changed = undefined;
    this.preview?.dispose();
    this.preview = null;
    for (const chat of this.chats) chat.dispose();
    for (const pending of this.#requests.values()) clearTimeout(pending.timer);
    this.#requests.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Actions
  // ---------------------------------------------------------------------------------------------

  /** Availability and chat limit: over the socket (the server stores and announces it), else stored directly. */
  async setStatus(status: AgentAvailability, maxChats = this.maxChats): Promise<void> {
    const previous = { status: this.status, maxChats: this.maxChats };
    this.status = status;
    this.maxChats = Math.min(maxChats, this.directory.ceiling);
    if (this.feed.send({ type: 'presence.set', status, maxChats: this.maxChats })) return;
    try {
      await setMyStatus(this.orgId, this.userId, status);
    } catch (error) {
      this.status = previous.status;
      this.maxChats = previous.maxChats;
      this.toast('error', errorMessage(error));
    }
  }

  async claim(conversationId: string): Promise<void> {
    const answer = await this.#ask(
      { type: 'queue.claim', ref: this.#ref(), conversationId },
      'take this chat',
    );
    if (answer?.type === 'conversation') this.#joined(answer.conversation, true);
  }

  async accept(offer: OfferView): Promise<void> {
    this.offers = this.offers.filter((o) => o.offerId !== offer.offerId);
    this.#changed?.offersGone.add(offer.offerId);
    const preview = this.preview?.offerId === offer.offerId ? this.preview : null;
    if (preview) preview.accepting = true;
    const answer = await this.#ask(
      {
        type: 'offer.accept',
        ref: this.#ref(),
        offerId: offer.offerId,
        conversationId: offer.entry.conversationId,
      },
      'accept the chat',
    );
    if (answer?.type === 'conversation') this.#joined(answer.conversation, true);
    // Refused (expired, taken meanwhile): #ask said why; the preview has nothing left to show.
    else if (preview && this.preview === preview) this.closePreview();
  }

  async decline(offer: OfferView, reason = ''): Promise<void> {
    this.offers = this.offers.filter((o) => o.offerId !== offer.offerId);
    this.#changed?.offersGone.add(offer.offerId);
    if (this.preview?.offerId === offer.offerId) this.closePreview();
    await this.#ask(
      {
        type: 'offer.decline',
        ref: this.#ref(),
        offerId: offer.offerId,
        conversationId: offer.entry.conversationId,
        ...(reason ? { reason } : {}),
      },
      'decline the chat',
    );
  }

  select(id: string | null): void {
    // Opening a chat ends a preview; the offer card stays, to preview again or answer.
    if (this.preview) this.closePreview();
    this.activeId = id;
    const chat = this.active;
    if (chat) this.markRead(chat);
    this.#setViewing(id);
  }

  /**
   * Reads an offered conversation without joining it (offer-preview.svelte.ts): subscribes from the
   * start and shows it in place of the open chat, which stops counting as viewed meanwhile.
   */
  async openPreview(offer: OfferView): Promise<void> {
    if (this.preview?.offerId === offer.offerId) return;
    if (this.preview) this.closePreview();
    const preview = new OfferPreview(offer, () => {
      if (this.preview === preview) this.closePreview(previewEndedText('expired', offer.entry.visitor.name));
    });
    this.preview = preview;
    this.#setViewing(null);
    const answer = await this.#ask(
      {
        type: 'conversation.subscribe',
        ref: this.#ref(),
        conversationId: preview.conversationId,
        afterSeq: 0,
      },
      'preview the chat',
    );
    if (!answer && this.preview === preview) this.closePreview();
  }

  /** Ends the preview (unsubscribing), says why when it was not the agent's doing, and shows the open chat again. */
  closePreview(why = ''): void {
    const preview = this.preview;
    if (!preview) return;
    this.preview = null;
    preview.dispose();
    if (!this.chat(preview.conversationId))
      this.feed.send({ type: 'conversation.unsubscribe', conversationId: preview.conversationId });
    if (!this.activeId && this.chats[0]) this.select(this.chats[0].id);
    else this.#setViewing(this.activeId);
    if (why) this.toast('info', why);
  }

  /** Alt+↑ / Alt+↓: the previous or next chat, wrapping around. */
  selectRelative(step: 1 | -1): void {
    if (this.chats.length === 0) return;
    const index = this.chats.findIndex((c) => c.id === this.activeId);
    const next = this.chats[(index + step + this.chats.length) % this.chats.length];
    if (next) this.select(next.id);
  }

  markRead(chat: ChatState): void {
    const seq = chat.lastMessage?.seq ?? 0;
    if (seq <= chat.myReadSeq) return;
    chat.myReadSeq = seq;
    this.feed.send({ type: 'read', conversationId: chat.id, seq });
  }

  send(chat: ChatState, body: string, options: { note?: boolean; attachmentIds?: string[] } = {}): void {
    this.outbox.add({
      conversationId: chat.id,
      body,
      note: options.note ?? false,
      attachmentIds: options.attachmentIds ?? [],
    });
    this.outbox.pump((frame) => this.feed.send(frame));
    this.stopTyping(chat);
  }

  retry(clientMsgId: string): void {
    this.outbox.retry(clientMsgId);
    this.outbox.pump((frame) => this.feed.send(frame));
  }

  /** The agent typed in the composer: `typing on` at most every TYPING_REFRESH_MS. Notes are not announced. */
  typing(chat: ChatState): void {
    if (chat.noteMode) return;
    const last = this.#typingSentAt.get(chat.id) ?? 0;
    if (Date.now() - last < TYPING_REFRESH_MS) return;
    if (this.feed.send({ type: 'typing', conversationId: chat.id, on: true }))
      this.#typingSentAt.set(chat.id, Date.now());
  }

  stopTyping(chat: ChatState): void {
    if (!this.#typingSentAt.has(chat.id)) return;
    this.#typingSentAt.delete(chat.id);
    this.feed.send({ type: 'typing', conversationId: chat.id, on: false });
  }

  async transfer(
    chat: ChatState,
    to: { kind: 'agent'; userId: string } | { kind: 'group'; groupId: string },
    note: string,
  ): Promise<boolean> {
    const answer = await this.#ask(
      {
        type: 'conversation.transfer',
        ref: this.#ref(),
        conversationId: chat.id,
        to,
        ...(note ? { note } : {}),
      },
      'transfer the chat',
    );
    if (!answer) return false;
    this.toast(
      'info',
      to.kind === 'agent'
        ? 'Transfer offered: the chat stays with you until they accept.'
        : 'Chat sent back to the queue.',
    );
    return true;
  }

  async invite(chat: ChatState, userId: string, note: string): Promise<boolean> {
    const answer = await this.#ask(
      {
        type: 'conversation.invite',
        ref: this.#ref(),
        conversationId: chat.id,
        userId,
        ...(note ? { note } : {}),
      },
      'invite a colleague',
    );
    if (answer) this.toast('info', 'Invitation sent.');
    return Boolean(answer);
  }

  async leave(chat: ChatState): Promise<void> {
    if (
      await this.#ask(
        { type: 'conversation.leave', ref: this.#ref(), conversationId: chat.id },
        'leave the chat',
      )
    )
      this.dismiss(chat);
  }

  async close(chat: ChatState): Promise<void> {
    const answer = await this.#ask(
      { type: 'conversation.close', ref: this.#ref(), conversationId: chat.id },
      'close the chat',
    );
    if (answer?.type === 'conversation') chat.conversation = answer.conversation;
  }

  /** Removes an ended chat from the list. */
  dismiss(chat: ChatState): void {
    this.feed.send({ type: 'conversation.unsubscribe', conversationId: chat.id });
    chat.dispose();
    const index = this.chats.indexOf(chat);
    this.chats = this.chats.filter((c) => c !== chat);
    if (this.activeId !== chat.id) return;
    const next = this.chats[Math.min(index, this.chats.length - 1)]?.id ?? null;
    // Behind a preview, the next chat waits there unseen (it counts as viewed once the preview closes).
    if (this.preview) this.activeId = next;
    else this.select(next);
  }

  toast(tone: Toast['tone'], text: string): void {
    const id = ++this.#toastIds;
    this.toasts = [...this.toasts, { id, tone, text }].slice(-4);
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== id)), tone === 'error' ? 8000 : 4000);
  }

  chat(id: string): ChatState | undefined {
    return this.chats.find((c) => c.id === id);
  }

  // ---------------------------------------------------------------------------------------------
  // Frames
  // ---------------------------------------------------------------------------------------------

  /** Every (re)connect: announce availability, resubscribe each chat from its last seq, resend the outbox. */
  #onOpen(): void {
    if (this.feed.previousClose === CloseCode.ACCESS_CHANGED) this.toast('info', ACCESS_CHANGED_TEXT);
    if (this.status !== 'offline')
      this.feed.send({ type: 'presence.set', status: this.status, maxChats: this.maxChats });
    for (const chat of this.chats) this.#subscribe(chat);
    if (this.preview) this.#subscribe(this.preview.chat);
    if (this.#viewing) this.feed.send({ type: 'viewing', conversationId: this.#viewing, on: true });
    this.outbox.requeue();
    this.outbox.pump((frame) => this.feed.send(frame));
    // Answers to requests of the dropped connection will never come.
    for (const [ref, pending] of this.#requests) {
      clearTimeout(pending.timer);
      pending.reject(new Error('The connection was interrupted; try again.'));
      this.#requests.delete(ref);
    }
    void this.#catchUp();
  }

  /**
   * The server does not replay what it published while this console had no socket (between a
   * close, be it 4001, 4012 or a network drop, and this welcome; on the first welcome, since the
   * snapshot was read): an offer sent then would show only when the group's offer timeout offers
   * it again, a new queue entry or a colleague going offline not until something else changes.
   * Chats resume from their last seq above; offers, queues, colleagues' presence and chats that
   * became this agent's are read again from Supabase under the agent's RLS, as when the console
   * opened, and merged with the live frames that arrive meanwhile (catch-up.ts).
   */
  async #catchUp(): Promise<void> {
    const run = ++this.#catchUpRun;
    const changed = emptyChanged();
    this.#changed = changed;
    let read: Awaited<ReturnType<ConsoleInit['reload']>>;
    try {
      read = await this.#reload();
    } catch (error) {
      if (run === this.#catchUpRun)
        this.toast('error', `Could not refresh the queue and offers: ${errorMessage(error)}`);
      return;
    } finally {
      if (run === this.#catchUpRun) this.#changed = undefined;
    }
    // A newer welcome started a newer read, or the console closed.
    if (run !== this.#catchUpRun) return;
    const { snapshot, directory } = read;
    const { offers, added } = mergeOffers(this.offers, snapshot.offers, changed);
    this.offers = offers;
    for (const offer of added) this.#announceOffer(offer);
    const preview = this.preview;
    if (preview && !preview.accepting && !offers.some((o) => o.offerId === preview.offerId))
      this.closePreview(previewEndedText('gone', preview.offer.entry.visitor.name));
    const known = new Set(this.queue.map((e) => e.conversationId));
    this.queueByGroup = mergeQueues(this.queueByGroup, snapshot.queue, changed);
    this.#announceQueued(
      snapshot.queue.filter((e) => !changed.queues.has(e.groupId ?? '')),
      known,
    );
    const presence = new Map(this.presence);
    for (const c of directory.colleagues)
      if (!changed.presence.has(c.userId)) presence.set(c.userId, c.status);
    this.presence = presence;
    for (const { id, lastReadSeq } of snapshot.mine) {
      if (this.chat(id)) continue;
      const chat = new ChatState(id);
      chat.myReadSeq = lastReadSeq;
      this.chats = [...this.chats, chat];
      this.#subscribe(chat);
      if (!this.activeId && !this.preview) this.select(chat.id);
    }
  }

  #onFrame(frame: ServerFrame): void {
    if (frame.ref !== undefined && frame.type !== 'ack' && frame.type !== 'error') {
      const pending = this.#requests.get(frame.ref);
      if (pending) {
        this.#requests.delete(frame.ref);
        clearTimeout(pending.timer);
        pending.resolve(frame);
      }
    }
    switch (frame.type) {
      case 'sync':
        this.#onSync(frame);
        return;
      case 'message':
        this.#onMessage(frame.message);
        return;
      case 'ack':
        this.outbox.ack(frame.clientMsgId);
        this.outbox.pump((f) => this.feed.send(f));
        return;
      case 'conversation':
        this.#onConversation(frame.conversation);
        return;
      case 'queue':
        this.#onQueue(frame);
        return;
      case 'offer':
        this.#onOffer(frame);
        return;
      case 'offer.revoked':
        this.#onOfferRevoked(frame);
        return;
      case 'typing':
        this.#shown(frame.conversationId)?.typing(frame);
        return;
      case 'draft': {
        const chat = this.#shown(frame.conversationId);
        if (chat) chat.draft = frame.text;
        return;
      }
      case 'read': {
        const chat = this.chat(frame.conversationId);
        if (chat && frame.reader.kind === 'visitor')
          chat.visitorReadSeq = Math.max(chat.visitorReadSeq, frame.seq);
        return;
      }
      case 'page_view':
        this.#shown(frame.conversationId)?.pageView({
          url: frame.url,
          title: frame.title,
          at: frame.at,
        });
        return;
      case 'viewers': {
        const chat = this.#shown(frame.conversationId);
        if (chat) chat.viewers = frame.viewers.filter((v) => v.userId !== this.userId);
        return;
      }
      case 'presence':
        if (frame.userId === this.userId) this.status = frame.status;
        this.#changed?.presence.add(frame.userId);
        this.presence = new Map(this.presence).set(frame.userId, frame.status);
        return;
      case 'error':
        this.#onError(frame);
        return;
    }
  }

  #onSync(frame: ServerFrameOf<'sync'>): void {
    const chat = this.chat(frame.conversationId);
    if (!chat) {
      this.#previewSync(frame);
      return;
    }
    const first = !chat.loaded;
    const shown = chat.applySync(frame);
    this.#settleOutbox(shown);
    if (frame.hasMore) this.#subscribe(chat);
    else if (first && chat.myReadSeq === 0 && chat.id === this.activeId) this.markRead(chat);
    if (frame.conversation.status === 'closed' && !chat.ended) chat.ended = 'closed';
    // Readable again (re-added to the group, say): the server answered a resubscribe with the chat.
    else if (chat.ended === NO_ACCESS && frame.conversation.status !== 'closed') chat.ended = '';
  }

  #onMessage(message: Message): void {
    const chat = this.chat(message.conversationId);
    if (!chat) {
      // A preview shows what arrives, and nothing more: no read position, no notification.
      const preview = this.#previewOf(message.conversationId);
      if (preview?.receive(message).gap) this.#subscribe(preview);
      return;
    }
    const { shown, gap } = chat.receive(message);
    if (gap) this.#subscribe(chat);
    this.#settleOutbox(shown);
    const fromVisitor = shown.filter((m) => m.senderKind === 'visitor');
    if (fromVisitor.length === 0) return;
    const looking = chat.id === this.activeId && !this.preview && this.notifier.focused;
    if (looking) this.markRead(chat);
    else {
      const last = fromVisitor.at(-1) as Message;
      this.notifier.notify('message', last.senderName || 'Visitor', last.body || 'Sent a file', () =>
        this.select(chat.id),
      );
    }
  }

  /** Own messages shown (live or in a sync after a reconnect) leave the outbox. */
  #settleOutbox(shown: Message[]): void {
    for (const m of shown) if (m.senderId === this.userId) this.outbox.delivered(m.clientMsgId);
  }

  #onConversation(conversation: Conversation): void {
    const chat = this.chat(conversation.id);
    const mine =
      conversation.assignee?.userId === this.userId ||
      conversation.participants.some((p) => p.userId === this.userId);
    if (conversation.status !== 'queued') this.#dropFromQueue(conversation.id);
    const previewed = this.#previewOf(conversation.id);
    if (previewed && !mine) {
      previewed.conversation = conversation;
      // Closed while being read (its offers are revoked next): nothing is left to answer.
      if (conversation.status === 'closed')
        this.closePreview(previewEndedText('closed', conversation.visitor.name));
    }
    if (chat) {
      chat.conversation = conversation;
      if (conversation.status === 'closed') chat.ended = 'closed';
      else if (!mine) {
        // Transferred away (accepted by a colleague, or sent back to a queue): it is theirs now.
        const who = conversation.visitor.name || 'The visitor';
        this.toast(
          'info',
          conversation.assignee
            ? `${who} is now with ${conversation.assignee.name}.`
            : `${who} is back in the queue.`,
        );
        this.dismiss(chat);
      }
      return;
    }
    if (mine && (conversation.status === 'active' || conversation.status === 'offline'))
      this.#joined(conversation, false);
  }

  /** A chat became this agent's (claim, accepted offer, or assigned elsewhere in another tab). */
  #joined(conversation: Conversation, focus: boolean): void {
    this.#dropFromQueue(conversation.id);
    let chat = this.chat(conversation.id);
    if (!chat) {
      chat = this.#adoptPreview(conversation.id) ?? new ChatState(conversation.id);
      chat.conversation = conversation;
      this.chats = [...this.chats, chat];
      this.#subscribe(chat);
    }
    if (focus || (!this.activeId && !this.preview)) this.select(chat.id);
  }

  /** The previewed chat, if `conversationId` is it, becomes a chat of the console (accepted). */
  #adoptPreview(conversationId: string): ChatState | undefined {
    const preview = this.preview;
    if (preview?.conversationId !== conversationId) return undefined;
    this.preview = null;
    preview.dispose(true);
    return preview.chat;
  }

  /** The preview's chat when it is `conversationId` and not also one of the agent's chats. */
  #previewOf(conversationId: string): ChatState | undefined {
    const chat = this.preview?.chat;
    return chat?.id === conversationId && !this.chat(conversationId) ? chat : undefined;
  }

  /** A chat frames about its live signals go to: one of the agent's, or the preview's. */
  #shown(conversationId: string): ChatState | undefined {
    return this.chat(conversationId) ?? this.#previewOf(conversationId);
  }

  #previewSync(frame: ServerFrameOf<'sync'>): void {
    const chat = this.#previewOf(frame.conversationId);
    if (!chat) return;
    chat.applySync(frame);
    if (frame.hasMore) this.#subscribe(chat);
  }

  #onQueue(frame: ServerFrameOf<'queue'>): void {
    const known = new Set(this.queue.map((e) => e.conversationId));
    const next = new Map(this.queueByGroup);
    next.set(frame.groupId ?? '', frame.entries);
    this.queueByGroup = next;
    this.offers = withFreshEntries(this.offers, frame.entries);
    this.#changed?.queues.add(frame.groupId ?? '');
    this.#announceQueued(frame.entries, known);
  }

  /** A notification for each queued chat that was not in the queue (`known`) nor offered already. */
  #announceQueued(entries: QueueEntry[], known: ReadonlySet<string>): void {
    const offered = new Set(this.offers.map((o) => o.entry.conversationId));
    for (const entry of entries) {
      if (known.has(entry.conversationId) || offered.has(entry.conversationId)) continue;
      this.notifier.notify(
        'chat',
        `New chat: ${entry.visitor.name || 'Visitor'}`,
        entry.firstMessage || entry.topic,
      );
    }
  }

  #dropFromQueue(conversationId: string): void {
    let changed = false;
    const next = new Map<string, QueueEntry[]>();
    for (const [group, entries] of this.queueByGroup) {
      const kept = entries.filter((e) => e.conversationId !== conversationId);
      changed ||= kept.length !== entries.length;
      next.set(group, kept);
    }
    if (changed) this.queueByGroup = next;
  }

  #onOffer(frame: ServerFrameOf<'offer'>): void {
    const offer: OfferView = {
      offerId: frame.offerId,
      kind: frame.kind,
      expiresAt: frame.expiresAt,
      entry: frame.entry,
      note: frame.note ?? '',
      from: frame.from?.name ?? '',
    };
    this.offers = [...this.offers.filter((o) => o.offerId !== offer.offerId), offer];
    this.#changed?.offersArrived.add(offer.offerId);
    this.#announceOffer(offer);
  }

  #announceOffer(offer: OfferView): void {
    const who = offer.entry.visitor.name || 'Visitor';
    const title =
      offer.kind === 'consult' ? `${offer.from || 'A colleague'} asks for help` : `New chat: ${who}`;
    this.notifier.notify('chat', title, offer.note || offer.entry.firstMessage || offer.entry.topic);
  }

  #onOfferRevoked(frame: ServerFrameOf<'offer.revoked'>): void {
    const had = this.offers.some((o) => o.offerId === frame.offerId);
    this.#changed?.offersGone.add(frame.offerId);
    this.offers = this.offers.filter((o) => o.offerId !== frame.offerId);
    const preview = this.preview;
    if (preview?.offerId === frame.offerId && !preview.accepting)
      this.closePreview(previewEndedText(frame.reason, preview.offer.entry.visitor.name));
    else if (had && frame.reason === 'timeout')
      this.toast('info', 'An offered chat timed out and went to the next agent.');
  }

  #onError(frame: ServerFrameOf<'error'>): void {
    if (frame.ref !== undefined) {
      if (this.outbox.refuse(frame.ref, frame.code, frame.message)) {
        if (frame.code === 'rate_limited' || frame.code === 'internal')
          setTimeout(() => this.outbox.pump((f) => this.feed.send(f)), 500);
        else this.toast('error', `Message not sent: ${frame.message}`);
        return;
      }
      const pending = this.#requests.get(frame.ref);
      if (pending) {
        this.#requests.delete(frame.ref);
        clearTimeout(pending.timer);
        pending.reject(new Error(frame.message));
        return;
      }
    }
    if (frame.ref === undefined && frame.code === 'not_found' && frame.conversationId) {
      this.#accessEnded(frame.conversationId);
      return;
    }
    console.warn('console: chat server error', frame.code, frame.message);
  }

  /**
   * The server ended a subscription because RLS no longer lets this agent read the conversation
   * (PROTOCOL.md, error): the offer being previewed ended with no event that reached us (ran out,
   * withdrawn), or one of their chats left their reach. A preview closes, with its offer card (a
   * pending offer would still make it readable); a chat stays in the list, ended, so the agent
   * sees what happened to it instead of it vanishing. Anything else was already gone here.
   */
  #accessEnded(conversationId: string): void {
    const preview = this.preview;
    if (preview?.conversationId === conversationId && !this.chat(conversationId)) {
      // Accepting: the accept's own answer decides (it either joins the chat or says why not).
      if (preview.accepting) return;
      for (const offer of this.offers)
        if (offer.entry.conversationId === conversationId) this.#changed?.offersGone.add(offer.offerId);
      this.offers = this.offers.filter((o) => o.entry.conversationId !== conversationId);
      this.closePreview(previewEndedText('gone', preview.offer.entry.visitor.name));
      return;
    }
    const chat = this.chat(conversationId);
    if (chat && !chat.ended) {
      // No `typing off` either: the server would refuse it the same way.
      this.#typingSentAt.delete(chat.id);
      chat.ended = NO_ACCESS;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  #subscribe(chat: ChatState): void {
    this.feed.send({
      type: 'conversation.subscribe',
      conversationId: chat.id,
      afterSeq: chat.sequence.lastSeq,
    });
  }

  #setViewing(id: string | null): void {
    if (this.#viewing === id) return;
    if (this.#viewing) this.feed.send({ type: 'viewing', conversationId: this.#viewing, on: false });
    this.#viewing = id;
    if (id) this.feed.send({ type: 'viewing', conversationId: id, on: true });
  }

  #ref(): string {
    return `c${++this.#refs}`;
  }

  /** Sends a frame with a ref and waits for its answer; a refusal becomes a toast and `undefined`. */
  async #ask(frame: ClientFrame & { ref: string }, what: string): Promise<ServerFrame | undefined> {
    try {
      return await new Promise<ServerFrame>((resolve, reject) => {
        if (!this.feed.send(frame)) {
          reject(new Error('Not connected to the chat server; try again in a moment.'));
          return;
        }
        const timer = setTimeout(() => {
          this.#requests.delete(frame.ref);
          reject(new Error('The chat server did not answer in time.'));
        }, REQUEST_TIMEOUT_MS);
        this.#requests.set(frame.ref, { resolve, reject, timer });
      });
    } catch (error) {
      this.toast('error', `Could not ${what}: ${errorMessage(error)}`);
      return undefined;
    }
  }
}
