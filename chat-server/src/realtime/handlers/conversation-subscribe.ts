/**
 * conversation.subscribe: the resume path. Access is checked (visitor: their own; agent: RLS as
 * that user), the live stream is held first, then `sync` answers with the page after afterSeq.
 *
 * A refusal names the conversation (`error` with `conversationId` as well as the frame's `ref`),
 * like the unsolicited `not_found` that ends a subscription: a client that resubscribes its open
 * chats after a reconnect can tell which one it may no longer see without keeping refs.
 */
import { SYNC_PAGE_SIZE } from '@chat/shared';
import { FrameError } from '../frame-error.ts';
import type { HandlerFactory } from './types.ts';

export const conversationSubscribeHandler: HandlerFactory<'conversation.subscribe'> =
  (deps) => async (session, frame) => {
    try {
      const ref = await deps.access.conversation(session, frame.conversationId);
      await deps.feed.subscribe(session, ref, {
        afterSeq: frame.afterSeq,
        limit: frame.limit ?? SYNC_PAGE_SIZE,
        ref: frame.ref,
      });
    } catch (error) {
      // Anything else is the dispatcher's `internal` answer (logged there).
      if (!(error instanceof FrameError)) throw error;
      deps.sendError(session, error.code, error.message, frame.ref, frame.conversationId);
    }
  };
