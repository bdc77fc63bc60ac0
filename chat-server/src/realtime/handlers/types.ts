/**
 * Every frame handler is a small factory over one deps object and handles one frame type.
 * Handlers throw FrameError to refuse a frame; the dispatcher turns it into the one `error` answer.
 */
import type { ClientFrameOf, ClientFrameType } from '@chat/shared';
import type { AppContext } from '../../context.ts';
import type { AttachmentViews } from '../../conversations/attachments.ts';
import type { MessageWriter } from '../../conversations/message-writer.ts';
import type { Routing } from '../../routing/index.ts';
import type { Access } from '../access.ts';
import type { ConversationFeed } from '../conversation-feed.ts';
import type { Outbound } from '../outbound.ts';
import type { Presence } from '../presence.ts';
import type { Session } from '../session.ts';
import type { SubscriptionAccess } from '../subscription-access.ts';

export interface HandlerDeps {
  app: AppContext;
  access: Access;
  feed: ConversationFeed;
  outbound: Outbound;
  presence: Presence;
  /** Stores messages, batching those that arrive together (group commit). */
  messages: MessageWriter;
  /** Storage and URL lifetime for attachment links. */
  attachments: AttachmentViews;
  /** Queues, offers, transfer and consult, offline mail (issue 4). */
  routing: Routing;
  /** Moves a connection's token expiry (auth.refresh); false if it ended or `exp` is past. */
  renewExpiry(session: Session, exp: number): boolean;
  /** Rechecks subscriptions whose access may have ended (an agent's own decline). */
  subscriptionAccess: Pick<SubscriptionAccess, 'offerEnded'>;
}

/**
 * What a handler returns when it has taken its frame but answers later: a message handed to the
 * writer, which keeps arrival order per conversation by itself. `done` settles once the frame is
 * answered (ack sent), and rejects like a handler would (FrameError → the `error` answer). The
 * connection's next message may start meanwhile (see handlers/pipelined.ts).
 */
export interface Taken {
  done: Promise<void>;
}

/** Nothing (answered by the time it resolves), or Taken. */
// biome-ignore lint/suspicious/noConfusingVoidType: handlers that answer at once are plain `async` functions returning nothing; `undefined` would make each of them spell out a return.
export type HandlerResult = void | Taken;

export type Handler<T extends ClientFrameType> = (
  session: Session,
  frame: ClientFrameOf<T>,
) => Promise<HandlerResult>;

export type HandlerFactory<T extends ClientFrameType> = (deps: HandlerDeps) => Handler<T>;
