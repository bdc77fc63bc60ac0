/**
 * The handler table: one handler per client frame type. `answersItself` lists the frames whose
 * handler sends their answer; for the others the dispatcher sends `ok` when the frame had a `ref`.
 */
import type { ClientFrameType } from '@chat/shared';
import { conversationCloseHandler } from './conversation-close.ts';
import { conversationRateHandler } from './conversation-rate.ts';
import { conversationStartHandler } from './conversation-start.ts';
import { conversationSubscribeHandler } from './conversation-subscribe.ts';
import { conversationUnsubscribeHandler } from './conversation-unsubscribe.ts';
import { draftHandler } from './draft.ts';
import { messageSendHandler } from './message-send.ts';
import { pageViewHandler } from './page-view.ts';
import { pingHandler } from './ping.ts';
import { presenceSetHandler } from './presence-set.ts';
import { readHandler } from './read.ts';
import { routingPendingHandler } from './routing-pending.ts';
import type { Handler, HandlerDeps } from './types.ts';
import { typingHandler } from './typing.ts';
import { viewingHandler } from './viewing.ts';

export type HandlerTable = { [T in ClientFrameType]: Handler<T> };

export function createHandlers(deps: HandlerDeps): HandlerTable {
  return {
    'conversation.start': conversationStartHandler(deps),
    'conversation.subscribe': conversationSubscribeHandler(deps),
    'conversation.unsubscribe': conversationUnsubscribeHandler(deps),
    'message.send': messageSendHandler(deps),
    typing: typingHandler(deps),
    draft: draftHandler(deps),
    read: readHandler(deps),
    page_view: pageViewHandler(deps),
    'presence.set': presenceSetHandler(deps),
    viewing: viewingHandler(deps),
    'conversation.close': conversationCloseHandler(deps),
    'conversation.rate': conversationRateHandler(deps),
    ping: pingHandler(deps),
    'offer.accept': routingPendingHandler(deps),
    'offer.decline': routingPendingHandler(deps),
    'queue.claim': routingPendingHandler(deps),
    'conversation.transfer': routingPendingHandler(deps),
    'conversation.invite': routingPendingHandler(deps),
    'conversation.leave': routingPendingHandler(deps),
    'offline.message': routingPendingHandler(deps),
    'conversation.transcript': routingPendingHandler(deps),
  };
}

/** Frames whose handler sends the answer (`conversation`, `sync`, `ack`, `pong`). */
export const ANSWERS_ITSELF: ReadonlySet<ClientFrameType> = new Set([
  'conversation.start',
  'conversation.subscribe',
  'message.send',
  'conversation.close',
  'ping',
]);
