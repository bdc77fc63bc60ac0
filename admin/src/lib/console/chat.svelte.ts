/**
 * One conversation in the console: its state from the server, the messages in seq order, and the
 * live-only signals around it (the visitor's draft, typing, read positions, pages, viewers). The
 * composer text lives here too, so switching between chats keeps what the agent was writing.
 *
 * Messages are `$state.raw` and replaced, never mutated: a new message is one array swap and a
 * keyed `{#each}` appends one row, which keeps twenty busy chats cheap.
 */
import { type Conversation, type Message, type ServerFrameOf, TYPING_TIMEOUT_MS } from '@chat/shared';
import { Sequence } from './sequence.ts';

export interface PageSeen {
  url: string;
  title: string;
  at: string;
}

export class ChatState {
  readonly id: string;
  conversation = $state.raw<Conversation | null>(null);
  messages = $state.raw<Message[]>([]);
  /** The visitor's composer right now (draft frames), empty when cleared or sent. */
  draft = $state('');
  visitorTyping = $state(false);
  /** Colleagues typing here (consults). */
  agentsTyping = $state.raw<string[]>([]);
  /** How far the visitor has read (read receipts on the agent's messages). */
  visitorReadSeq = $state(0);
  /** How far this agent has read; visitor messages above it are unread. */
  myReadSeq = $state(0);
  pages = $state.raw<PageSeen[]>([]);
  viewers = $state.raw<{ userId: string; name: string }[]>([]);
  /** Loaded at least once (first sync answered). */
  loaded = $state(false);
  /** What the agent is writing here, and whether it is an internal note. */
  composer = $state('');
  noteMode = $state(false);
  /** Set when the chat left this agent (transferred, closed by someone, left): shown, then dismissed. */
  ended = $state('');

  readonly unread = $derived.by(() => {
    let count = 0;
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i] as Message;
      if (m.seq <= this.myReadSeq) break;
      if (m.senderKind === 'visitor') count++;
    }
    return count;
  });
  readonly lastMessage = $derived(this.messages.at(-1));

  readonly sequence = new Sequence();
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #agentTypingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(id: string) {
    this.id = id;
  }

  /** Applies a message frame (or a sync page's message); returns what became visible and whether a gap opened. */
  receive(message: Message): { shown: Message[]; gap: boolean } {
    const { show, gap } = this.sequence.receive(message);
    if (show.length) {
      this.messages = [...this.messages, ...show];
      for (const m of show) {
        if (m.senderKind === 'visitor') {
          // The message the draft was previewing has arrived.
          this.draft = '';
          this.visitorTyping = false;
        }
      }
    }
    return { shown: show, gap };
  }

  applySync(frame: ServerFrameOf<'sync'>): Message[] {
    this.conversation = frame.conversation;
    this.visitorReadSeq = Math.max(this.visitorReadSeq, frame.conversation.visitorReadSeq);
    const shown: Message[] = [];
    for (const m of frame.messages) shown.push(...this.receive(m).shown);
    this.sequence.synced(frame.lastSeq, frame.hasMore);
    this.loaded = true;
    return shown;
  }

  typing(frame: ServerFrameOf<'typing'>): void {
    if (frame.from.kind === 'visitor') {
      clearTimeout(this.#typingTimer);
      this.visitorTyping = frame.on;
      if (frame.on) this.#typingTimer = setTimeout(() => (this.visitorTyping = false), TYPING_TIMEOUT_MS);
      return;
    }
    const name = frame.from.name;
    clearTimeout(this.#agentTypingTimers.get(name));
    const others = this.agentsTyping.filter((n) => n !== name);
    this.agentsTyping = frame.on ? [...others, name] : others;
    if (frame.on)
      this.#agentTypingTimers.set(
        name,
        setTimeout(
          () => (this.agentsTyping = this.agentsTyping.filter((n) => n !== name)),
          TYPING_TIMEOUT_MS,
        ),
      );
  }

  pageView(page: PageSeen): void {
    this.pages = [...this.pages.filter((p) => p.at !== page.at), page].slice(-20);
  }

  dispose(): void {
    clearTimeout(this.#typingTimer);
    for (const t of this.#agentTypingTimers.values()) clearTimeout(t);
  }
}
