/**
 * The handler table: one handler per client frame type. `answersItself` lists the frames whose
 * handler sends their answer; for the others the dispatcher sends `ok` when the frame had a `ref`.
 */
import type { ClientFrameType } from '@chat/shared';
import { authRefreshHandler } from './auth-refresh.ts';
import { conversationCloseHandler } from './conversation-close.ts';
import { conversationInviteHandler } from './conversation-invite.ts';
import { conversationLeaveHandler } from './conversation-leave.ts';
import { conversationRateHandler } from './conversation-rate.ts';
import { conversationStartHandler } from './conversation-start.ts';
import { conversationSubscribeHandler } from './conversation-subscribe.ts';
import { conversationTranscriptHandler } from './conversation-transcript.ts';
import { conversationTransferHandler } from './conversation-transfer.ts';
import { conversationUnsubscribeHandler } from './conversation-unsubscribe.ts';
import { draftHandler } from './draft.ts';
import { messageSendHandler } from './message-send.ts';
import { offerAcceptHandler } from './offer-accept.ts';
import { offerDeclineHandler } from './offer-decline.ts';
import { offlineMessageHandler } from './offline-message.ts';
import { pageViewHandler } from './page-view.ts';
import { pingHandler } from './ping.ts';
import { presenceSetHandler } from './presence-set.ts';
import { queueClaimHandler } from './queue-claim.ts';
import { readHandler } from './read.ts';
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
    'auth.refresh': authRefreshHandler(deps),
    'offer.accept': offerAcceptHandler(deps),
    'offer.decline': offerDeclineHandler(deps),
    'queue.claim': queueClaimHandler(deps),
    'conversation.transfer': conversationTransferHandler(deps),
    'conversation.invite': conversationInviteHandler(deps),
    'conversation.leave': conversationLeaveHandler(deps),
    'offline.message': offlineMessageHandler(deps),
    'conversation.transcript': conversationTranscriptHandler(deps),
  };
}

/** Frames whose handler sends the answer (`conversation`, `sync`, `ack`, `pong`). */
export const ANSWERS_ITSELF: ReadonlySet<ClientFrameType> = new Set([
  'conversation.start',
  'conversation.subscribe',
  'message.send',
  'conversation.close',
  'ping',
  'offer.accept',
  'queue.claim',
  'conversation.transfer',
  'offline.message',
]);
