/** conversation.rate (visitor, own conversation, once it is closed): 1–5 and an optional comment. */
import { loadConversation, rateConversation } from '../../conversations/queries.ts';
import { FrameError, notFound } from '../frame-error.ts';
import type { HandlerFactory } from './types.ts';

export const conversationRateHandler: HandlerFactory<'conversation.rate'> =
  (deps) => async (session, frame) => {
    if (session.principal.kind !== 'visitor') throw notFound();
    const { sql } = deps.app;
    const ref = await deps.access.conversation(session, frame.conversationId);
    if (!(await rateConversation(sql, ref, frame.rating, frame.comment ?? ''))) {
      throw new FrameError('conflict', 'A conversation can be rated once it is closed');
    }
    const conversation = await loadConversation(sql, ref.id);
    if (conversation)
      await deps.feed.publish(ref, { kind: 'conversation', conversationId: ref.id, conversation });
  };
