/**
 * The widget's state and everything that changes it: site config, visitor session, the live link,
 * the conversation timeline, unacked messages, uploads, unread count. Components read the rune
 * fields and call the methods; they never touch the socket.
 */
import type { Actor, Attachment, ClientFrame, Conversation, Message, ServerFrame } from '@chat/shared';
import { fetchConfig } from '../api/config.ts';
import { ApiError } from '../api/http.ts';
import { openSession } from '../api/session.ts';
import type { WidgetConfig } from '../api/types.ts';
import { uploadFile } from '../api/upload.ts';
import { t } from '../i18n/index.ts';
import { randomId } from '../lib/ids.ts';
import { beep, blinkTitle } from '../lib/notify.ts';
import { PersistedState } from '../lib/persist.ts';
import { Outbox, type PendingMessage } from './outbox.ts';
import { ComposerSignals } from './signals.ts';
import { Link, type LinkState } from './socket.ts';
import { emptyTimeline, mergeMessages, type Timeline } from './timeline.ts';

export type View = 'loading' | 'unreachable' | 'failed' | 'prechat' | 'offline' | 'chat' | 'rating' | 'ended';

export interface StartInput {
  name: string;
  email: string;
  topic: string;
  fields: Record<string, string>;
  message: string;
  /** Sent through the offline form (`offline.message`): the reply goes by email. */
  offline: boolean;
}

/** The "email me the transcript" request after a chat: sending, sent, or the server's refusal. */
export type TranscriptMail = { state: 'sending' | 'sent'; to: string } | { state: 'error'; error: string };

export interface Upload {
  id: string;
  name: string;
  progress: number;
  error: string | null;
}

export type WidgetEvent = 'open' | 'close' | 'message' | 'unread' | 'ready' | 'conversation';

const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const TYPING_TIMEOUT_MS = 6_000;
/** Short drops stay invisible: the banner only shows when a reconnect takes longer than this. */
const RECONNECT_BANNER_DELAY_MS = 2_500;

export class ChatStore {
  config = $state.raw<WidgetConfig | null>(null);
  /** The server could not be reached yet (network down, server stopped); we keep retrying. */
  unreachable = $state(false);
  /** A permanent refusal (unknown site, origin not allowed): the reason for developers. */
  failed = $state<string | null>(null);
  isOpen = $state(false);
  /** True while a reconnect takes long enough to tell the visitor. */
  reconnecting = $state(false);
  conversation = $state.raw<Conversation | null>(null);
  timeline = $state.raw<Timeline>(emptyTimeline());
  pending = $state.raw<readonly PendingMessage[]>([]);
  agentTyping = $state.raw<Actor | null>(null);
  agentReadSeq = $state(0);
  unread = $state(0);
  uploads = $state.raw<Upload[]>([]);
  offlineEmail = $state<string | null>(null);
  rated = $state(false);
  starting = $state(false);
  startError = $state<string | null>(null);
  visitor = $state.raw({ name: '', email: '' });
  /** The composer's text, kept here so it survives minimizing the panel. */
  draft = $state('');
  confirmingEnd = $state(false);
  /** The visitor chose to leave a message instead of waiting in a queue nobody is serving. */
  leavingMessage = $state(false);
  transcriptMail = $state.raw<TranscriptMail | null>(null);

  view: View = $derived.by(() => {
    if (this.failed) return 'failed';
    if (!this.config) return this.unreachable ? 'unreachable' : 'loading';
    const c = this.conversation;
    if (c && c.status !== 'closed') return this.leavingMessage && c.status === 'queued' ? 'offline' : 'chat';
    if (c) return this.rated ? 'ended' : 'rating';
    return this.config.available ? 'prechat' : 'offline';
  });

  readonly #server: string;
  readonly #persist: PersistedState;
  readonly #outbox: Outbox;
  readonly #listeners = new Map<WidgetEvent, Set<(data?: unknown) => void>>();
  #token: string | null = null;
  #link: Link | null = null;
  #syncing = false;
  #sentReadSeq = 0;
  #startRef: string | null = null;
  #startFrame: ClientFrame | null = null;
  #pendingStartMessage: PendingMessage | null = null;
  #rateRef: string | null = null;
  #transcriptRef: string | null = null;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #bannerTimer: ReturnType<typeof setTimeout> | undefined;
  #stopBlink: (() => void) | null = null;
  #lastPage: { url: string; title: string } | null = null;
  /** The current page has not reached the server yet (the link was down when it changed). */
  #pageUnsent = false;
  #configLoadedAt = 0;
  #wakeInit: (() => void) | null = null;
  readonly signals: ComposerSignals;

  constructor(
    server: string,
    readonly site: string,
    readonly locale: string,
  ) {
    this.#server = server;
    this.#persist = new PersistedState(site);
    this.#outbox = new Outbox(site);
    this.pending = this.#outbox.items;
    this.offlineEmail = this.#persist.read().offlineEmail ?? null;
    this.signals = new ComposerSignals((frame) => this.#send(frame));
  }

  get server(): string {
    return this.#server;
  }

  // ---------------------------------------------------------------------------------------------
  // Start-up: config and session (retried while the server is unreachable), then the link.
  // ---------------------------------------------------------------------------------------------

  async init(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [config, session] = await Promise.all([
          fetchConfig(this.#server, this.site),
          openSession(this.#server, this.site, this.#persist.read().token ?? null),
        ]);
        this.config = config;
        this.#configLoadedAt = Date.now();
        this.unreachable = false;
        this.#token = session.token;
        this.#knownVisitor(session.visitor);
        const stored = this.#persist.read();
        const conversationId = session.openConversationId;
        if (stored.conversationId && stored.conversationId !== conversationId) {
          this.#persist.write({ offlineEmail: undefined });
          this.offlineEmail = null;
        }
        this.#persist.write({ token: session.token, conversationId: conversationId ?? undefined });
        this.#outbox.keepOnly(conversationId);
        this.pending = this.#outbox.items;
        if (conversationId) this.#adopt(conversationId);
        break;
      } catch (error) {
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
          this.failed = `${error.code}: ${error.message}`;
          console.error(`[chat widget] ${error.message}`);
          return;
        }
        this.unreachable = true;
        await new Promise<void>((resolve) => {
          this.#wakeInit = resolve;
          setTimeout(
            resolve,
            Math.min(15_000, 1000 * 2 ** Math.min(attempt, 4)) * (0.7 + Math.random() * 0.3),
          );
        });
        this.#wakeInit = null;
      }
    }
    this.#persist.watch((state) => this.#onOtherTab(state.conversationId ?? null));
    this.#connect();
    this.#emit('ready');
  }

  /** The visitor pressed "Try again" while the server was unreachable. */
  retryNow(): void {
    this.#wakeInit?.();
  }

  /** The site config can change (agents come online): refresh it when the panel opens. */
  async refreshConfig(): Promise<void> {
    if (!this.config || Date.now() - this.#configLoadedAt < 30_000) return;
    try {
      this.config = await fetchConfig(this.#server, this.site);
      this.#configLoadedAt = Date.now();
    } catch {
      // Keep the old one; the link's own retries show connection trouble.
    }
  }

  #connect(): void {
    if (!this.#token) return;
    this.#link = new Link(this.#server, this.#token, {
      frame: (frame) => this.#onFrame(frame),
      ready: () => this.#onReady(),
      state: (state) => this.#onLinkState(state),
      renewToken: async (reason) => {
        const stored = reason === 'expired' ? (this.#persist.read().token ?? null) : null;
        const session = await openSession(this.#server, this.site, stored);
        this.#token = session.token;
        this.#persist.write({ token: session.token });
        return session.token;
      },
    });
    this.#link.start();
  }

  #onLinkState(state: LinkState): void {
    clearTimeout(this.#bannerTimer);
    if (state === 'open') this.reconnecting = false;
    else if (state === 'failed') this.failed = 'connection refused';
    else this.#bannerTimer = setTimeout(() => (this.reconnecting = true), RECONNECT_BANNER_DELAY_MS);
  }

  /** Welcomed (first connect or reconnect): catch up, then resend what was not acked. */
  #onReady(): void {
    const c = this.conversation;
    if (c) this.#subscribe(c.id);
    // After the subscribe: turning a queued chat into an offline message names it.
    if (this.#startFrame) this.#send(this.#startFrame);
    for (const m of this.#outbox.items) this.#sendMessageFrame(m);
    if (this.#lastPage && this.#pageUnsent) this.reportPage(this.#lastPage.url, this.#lastPage.title);
  }

  #send(frame: ClientFrame): boolean {
    return this.#link?.send(frame) ?? false;
  }

  #subscribe(conversationId: string): void {
    this.#syncing = true;
    this.#send({
      type: 'conversation.subscribe',
      conversationId,
      afterSeq: this.timeline.lastSeq,
      ref: randomId('s'),
    });
  }

  /** Follow a conversation known from the session or another tab. */
  #adopt(conversationId: string): void {
    if (this.conversation?.id === conversationId) return;
    this.timeline = emptyTimeline();
    this.rated = false;
    // A placeholder until `sync` brings the real state; it only needs the id meanwhile.
    this.conversation = placeholderConversation(conversationId);
    if (this.#link?.open) this.#subscribe(conversationId);
  }

  #onOtherTab(conversationId: string | null): void {
    if (conversationId && conversationId !== this.conversation?.id) {
      this.offlineEmail = this.#persist.read().offlineEmail ?? null;
      this.#adopt(conversationId);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Frames from the server
  // ---------------------------------------------------------------------------------------------

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        if (frame.identity.kind === 'visitor') this.#knownVisitor(frame.identity);
        return;
      case 'conversation':
        this.#onConversation(frame.conversation, frame.ref);
        return;
      case 'sync':
        if (frame.conversationId !== this.conversation?.id) return;
        this.conversation = frame.conversation;
        // A complete page covers every seq up to lastSeq: the ones missing are notes, hidden from
        // visitors. A partial page covers up to its last message.
        this.#merge(frame.messages, false, frame.hasMore ? (frame.messages.at(-1)?.seq ?? 0) : frame.lastSeq);
        this.#syncing = frame.hasMore;
        if (frame.hasMore) this.#subscribe(frame.conversationId);
        this.markRead();
        return;
      case 'message':
        if (frame.message.conversationId === this.conversation?.id) this.#merge([frame.message], true);
        return;
      case 'ack':
        this.#onAck(frame);
        return;
      case 'typing':
        if (frame.from.kind !== 'agent' || frame.conversationId !== this.conversation?.id) return;
        clearTimeout(this.#typingTimer);
        this.agentTyping = frame.on ? frame.from : null;
        if (frame.on) this.#typingTimer = setTimeout(() => (this.agentTyping = null), TYPING_TIMEOUT_MS);
        return;
      case 'read':
        if (frame.reader.kind === 'agent' && frame.conversationId === this.conversation?.id) {
          this.agentReadSeq = Math.max(this.agentReadSeq, frame.seq);
        }
        return;
      case 'ok':
        if (frame.ref && frame.ref === this.#rateRef) this.rated = true;
        if (frame.ref && frame.ref === this.#transcriptRef && this.transcriptMail?.state === 'sending') {
          this.transcriptMail = { state: 'sent', to: this.transcriptMail.to };
        }
        return;
      case 'error':
        this.#onError(frame.code, frame.message, frame.ref);
        return;
    }
  }

  #onConversation(conversation: Conversation, ref: string | undefined): void {
    if (ref && ref === this.#startRef) {
      this.#startRef = null;
      this.#startFrame = null;
      this.starting = false;
      this.leavingMessage = false;
      // A queued chat turned into an offline message keeps its timeline.
      if (conversation.id !== this.conversation?.id) this.timeline = emptyTimeline();
      this.rated = false;
      this.transcriptMail = null;
      this.#persist.write({ conversationId: conversation.id, offlineEmail: this.offlineEmail ?? undefined });
      const first = this.#pendingStartMessage;
      this.#pendingStartMessage = null;
      if (first) {
        // Its ack follows on this connection; the outbox covers a drop before that.
        this.#outbox.add({ ...first, conversationId: conversation.id });
        this.pending = this.#outbox.items;
      }
      this.conversation = conversation;
      this.#syncing = false;
      this.#emit('conversation', { id: conversation.id });
      return;
    }
    if (conversation.id !== this.conversation?.id) return;
    this.conversation = conversation;
    if (conversation.status !== 'queued') this.leavingMessage = false;
    if (conversation.status === 'closed') {
      this.agentTyping = null;
      this.rated = conversation.rating !== null;
      this.#persist.write({ conversationId: undefined, offlineEmail: undefined });
    }
  }

  #onAck(ack: Extract<ServerFrame, { type: 'ack' }>): void {
    const pending = this.#outbox.items.find((m) => m.clientMsgId === ack.clientMsgId);
    this.#outbox.remove(ack.clientMsgId);
    this.pending = this.#outbox.items;
    if (!pending || ack.conversationId !== this.conversation?.id) return;
    // The echo would bring the same message; merging it now shows it as sent at once, and the
    // echo is then dropped by its seq.
    const { attachmentIds: _, ...rest } = pending;
    this.#merge(
      [
        {
          ...rest,
          id: ack.messageId,
          seq: ack.seq,
          senderKind: 'visitor',
          senderId: null,
          senderName: '',
          payload: {},
          createdAt: ack.createdAt,
        },
      ],
      false,
    );
  }

  #onError(code: string, message: string, ref: string | undefined): void {
    if (ref && ref === this.#startRef) {
      this.#startRef = null;
      this.#startFrame = null;
      this.starting = false;
      this.startError = message;
      return;
    }
    if (ref && ref === this.#transcriptRef) {
      this.transcriptMail = { state: 'error', error: message };
      return;
    }
    if (code === 'not_found' && this.#syncing) {
      // Our stored conversation is gone or not ours: start fresh.
      this.#syncing = false;
      this.conversation = null;
      this.#persist.write({ conversationId: undefined, offlineEmail: undefined });
      this.#outbox.keepOnly(null);
      this.pending = this.#outbox.items;
      return;
    }
    console.warn(`[chat widget] ${code}: ${message}`);
  }

  #merge(incoming: readonly Message[], live: boolean, coveredSeq = 0): void {
    const before = this.timeline.lastSeq;
    const { timeline, gap } = mergeMessages(this.timeline, incoming, coveredSeq);
    this.timeline = timeline;
    for (const m of incoming) {
      if (m.senderKind === 'visitor' && this.#outbox.remove(m.clientMsgId)) this.pending = this.#outbox.items;
    }
    if (gap && !this.#syncing && this.conversation) this.#subscribe(this.conversation.id);
    const fresh = timeline.messages.filter((m) => m.seq > before && m.senderKind === 'agent');
    if (fresh.length === 0) return;
    this.agentTyping = null;
    if (live) for (const m of fresh) this.#emit('message', { body: m.body, from: m.senderName });
    if (this.isOpen && document.visibilityState === 'visible') this.markRead();
    else if (live) this.#notify(fresh.length, fresh[fresh.length - 1]?.senderName ?? '');
  }

  #notify(count: number, from: string): void {
    this.unread += count;
    this.#emit('unread', { count: this.unread });
    if (this.isOpen) return;
    beep();
    this.#stopBlink?.();
    this.#stopBlink = blinkTitle(t.newMessage(from || t.someone));
  }

  // ---------------------------------------------------------------------------------------------
  // Visitor actions
  // ---------------------------------------------------------------------------------------------

  setOpen(open: boolean): void {
    if (open === this.isOpen) return;
    this.isOpen = open;
    if (open) {
      this.#stopBlink?.();
      this.#stopBlink = null;
      this.markRead();
      void this.refreshConfig();
    }
    this.#emit(open ? 'open' : 'close');
  }

  /** What the server knows about the visitor, unless the page identified them already. */
  #knownVisitor({ name, email }: { name: string; email: string }): void {
    this.visitor = { name: this.visitor.name || name, email: this.visitor.email || email };
  }

  /** Prefills the forms; the values are only sent when the visitor starts a chat. */
  identify({ name, email }: { name?: unknown; email?: unknown }): void {
    const v = this.visitor;
    this.visitor = {
      name: typeof name === 'string' ? name : v.name,
      email: typeof email === 'string' ? email : v.email,
    };
  }

  markRead(): void {
    if (!this.isOpen || document.visibilityState !== 'visible') return;
    if (this.unread > 0) {
      this.unread = 0;
      this.#emit('unread', { count: 0 });
    }
    const c = this.conversation;
    const seq = this.timeline.lastSeq;
    if (c && seq > this.#sentReadSeq && this.#send({ type: 'read', conversationId: c.id, seq })) {
      this.#sentReadSeq = seq;
    }
  }

  /**
   * Pre-chat form: `conversation.start` with the first message. Offline form: `offline.message`,
   * which also turns the visitor's queued chat (nobody online to take it) into a message.
   */
  start(input: StartInput): void {
    if (this.starting) return;
    const body = input.message.trim();
    const clientMsgId = randomId('v');
    this.starting = true;
    this.startError = null;
    this.#startRef = randomId('start');
    this.offlineEmail = input.offline ? input.email : null;
    this.visitor = { name: input.name || this.visitor.name, email: input.email || this.visitor.email };
    this.#pendingStartMessage = {
      conversationId: '',
      clientMsgId,
      body,
      attachmentIds: [],
      attachments: [],
      createdAt: new Date().toISOString(),
    };
    const message = { clientMsgId, body };
    const queued = this.conversation?.status === 'queued' ? this.conversation.id : '';
    // Empty answers are left out rather than sent as '' (which would clear a known name).
    const frame: Record<string, unknown> = input.offline
      ? { type: 'offline.message', name: this.visitor.name, email: input.email, message }
      : { type: 'conversation.start', ...(body ? { firstMessage: message } : {}) };
    for (const key of ['topic', 'name', 'email'] as const) if (input[key]) frame[key] = input[key];
    if (Object.keys(input.fields).length > 0) frame.fields = input.fields;
    if (input.offline && queued) frame.conversationId = queued;
    // Routing rules match on the page and the language when no topic picks the group.
    frame.url = location.href.slice(0, 2048);
    frame.language = this.locale.slice(0, 35);
    frame.ref = this.#startRef;
    this.#startFrame = frame as ClientFrame;
    this.#send(this.#startFrame);
  }

  sendMessage(body: string, attachments: Attachment[] = []): void {
    const c = this.conversation;
    const text = body.trim();
    if (!c || (!text && attachments.length === 0)) return;
    const message: PendingMessage = {
      conversationId: c.id,
      clientMsgId: randomId('v'),
      body: text,
      attachmentIds: attachments.map((a) => a.id),
      attachments,
      createdAt: new Date().toISOString(),
    };
    this.#outbox.add(message);
    this.pending = this.#outbox.items;
    this.signals.sent(c.id);
    this.#sendMessageFrame(message);
  }

  #sendMessageFrame(m: PendingMessage): void {
    this.#send({
      type: 'message.send',
      conversationId: m.conversationId,
      clientMsgId: m.clientMsgId,
      body: m.body,
      ...(m.attachmentIds.length > 0 ? { attachmentIds: m.attachmentIds } : {}),
    });
  }

  /** The composer's text changed: typing indicator and the agents' live draft preview. */
  composerInput(text: string): void {
    const c = this.conversation;
    if (c && c.status !== 'closed') this.signals.input(c.id, text);
  }

  upload(files: readonly File[]): void {
    const c = this.conversation;
    if (!c || !this.#token) return;
    for (const file of files) {
      const id = randomId('u');
      const name = file.name || 'screenshot.png';
      this.uploads = [...this.uploads, { id, name, progress: 0, error: null }];
      const update = (patch: Partial<Upload>) => {
        this.uploads = this.uploads.map((u) => (u.id === id ? { ...u, ...patch } : u));
      };
      const fail = (why: string) => {
        update({ error: t.uploadFailed(name, why) });
        setTimeout(() => this.dismissUpload(id), 8000);
      };
      if (file.size > MAX_UPLOAD_BYTES) {
        fail('> 10 MB');
        continue;
      }
      const handle = uploadFile(this.#server, this.#token, c.id, file, name, (progress) =>
        update({ progress }),
      );
      handle.done.then(
        (attachment) => {
          this.dismissUpload(id);
          this.sendMessage('', [attachment]);
        },
        (error: Error) => fail(error.message),
      );
    }
  }

  dismissUpload(id: string): void {
    this.uploads = this.uploads.filter((u) => u.id !== id);
  }

  endChat(): void {
    const c = this.conversation;
    if (c && c.status !== 'closed') this.#send({ type: 'conversation.close', conversationId: c.id });
  }

  rate(rating: number, comment: string): void {
    const c = this.conversation;
    if (!c) return;
    this.#rateRef = randomId('rate');
    this.#send({
      type: 'conversation.rate',
      ref: this.#rateRef,
      conversationId: c.id,
      rating,
      ...(comment.trim() ? { comment: comment.trim() } : {}),
    });
  }

  /** After a chat ended: the server e-mails the transcript to `email` (at most 3 times a chat). */
  emailTranscript(email: string): void {
    const c = this.conversation;
    if (!c || this.transcriptMail?.state === 'sending') return;
    this.#transcriptRef = randomId('tx');
    const sent = this.#send({
      type: 'conversation.transcript',
      ref: this.#transcriptRef,
      conversationId: c.id,
      email,
    });
    this.transcriptMail = sent ? { state: 'sending', to: email } : { state: 'error', error: t.unreachable };
  }

  /** After a chat ended: back to the pre-chat (or offline) form. */
  newChat(): void {
    this.conversation = null;
    this.timeline = emptyTimeline();
    this.rated = false;
    this.offlineEmail = null;
    this.transcriptMail = null;
    this.agentReadSeq = 0;
    this.#sentReadSeq = 0;
    this.#persist.write({ conversationId: undefined, offlineEmail: undefined });
  }

  reportPage(url: string, title: string): void {
    this.#lastPage = { url, title };
    const c = this.conversation;
    this.#pageUnsent = !this.#send({
      type: 'page_view',
      url: url.slice(0, 2048),
      title: title.slice(0, 500),
      ...(c && c.status !== 'closed' ? { conversationId: c.id } : {}),
    });
  }

  on(event: WidgetEvent, listener: (data?: unknown) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit(event: WidgetEvent, data?: unknown): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(data);
      } catch (error) {
        console.error('[chat widget] listener failed', error);
      }
    }
  }
}

/**
 * Stands in for a resumed conversation until its `sync` arrives. Only the fields the UI reads
 * before then are set; an empty createdAt marks it.
 */
function placeholderConversation(id: string): Conversation {
  return { id, status: 'active', assignee: null, createdAt: '', rating: null } as unknown as Conversation;
}
