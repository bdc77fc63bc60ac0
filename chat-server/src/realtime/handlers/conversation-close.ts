/**
 * conversation.close (the visitor, or staff who may read it): status closed, a system message
 * records who closed it, everyone subscribed gets the message and `conversation`. Closing twice
 * is a conflict.
 */
import { insertSystemMessage } from '../../conversations/messages.ts';
import { closeConversation, loadConversation } from '../../conversations/queries.ts';
import { FrameError, notFound } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const conversationCloseHandler: HandlerFactory<'conversation.close'> =
  (deps) => async (session, frame) => {
    const { sql } = deps.app;
    const p = session.principal;
    if (p.kind === 'agent' && !isStaff(p))
      throw new FrameError('forbidden', 'Client viewers cannot close conversations');
    const ref = await deps.access.conversation(session, frame.conversationId);
    const by = p.kind === 'visitor' ? 'visitor' : 'agent';
    if (!(await closeConversation(sql, ref, by)))
      throw new FrameError('conflict', 'The conversation is already closed');

    const body =
      p.kind === 'visitor' ? 'The visitor closed the conversation' : `${p.name} closed the conversation`;
    const message = await insertSystemMessage(sql, ref, 'closed', body, { by });
    const conversation = await loadConversation(sql, ref.id);
    if (!conversation) throw notFound();
    deps.outbound.send(session, {
      type: 'conversation',
      ...(frame.ref ? { ref: frame.ref } : {}),
      conversation,
    });
    await deps.feed.publish(ref, { kind: 'message', conversationId: ref.id, message });
    await deps.feed.publish(ref, { kind: 'conversation', conversationId: ref.id, conversation });
    // Routing: cancel open offers, free the agent's slot, refresh their figures and the queue.
    await deps.routing.closed(ref);
  };
