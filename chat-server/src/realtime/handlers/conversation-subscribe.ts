/**
 * conversation.subscribe: the resume path. Access is checked (visitor: their own; agent: RLS as
 * that user), the live stream is held first, then `sync` answers with the page after afterSeq.
 */
import { SYNC_PAGE_SIZE } from '@chat/shared';
import type { HandlerFactory } from './types.ts';

export const conversationSubscribeHandler: HandlerFactory<'conversation.subscribe'> =
  (deps) => async (session, frame) => {
    const ref = await deps.access.conversation(session, frame.conversationId);
    await deps.feed.subscribe(session, ref, {
      afterSeq: frame.afterSeq,
      limit: frame.limit ?? SYNC_PAGE_SIZE,
      ref: frame.ref,
    });
  };
