/**
 * conversation.transfer (assignee, participant or manager): to a group (back to its queue) or to an
 * agent (a transfer offer). The note becomes an internal note for the next agent. Answer: `conversation`.
 */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import { assertMayRoute } from './in-conversation.ts';
import type { HandlerFactory } from './types.ts';

export const conversationTransferHandler: HandlerFactory<'conversation.transfer'> =
  (deps) => async (session, frame) => {
    const p = session.principal;
    if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents transfer conversations');
    const ref = await deps.access.conversation(session, frame.conversationId);
    await assertMayRoute(deps.app.sql, p, ref);
    const conversation = await deps.routing.transfer(p, ref, frame.to, frame.note ?? '');
    deps.outbound.send(session, {
      type: 'conversation',
      ...(frame.ref ? { ref: frame.ref } : {}),
      conversation,
    });
  };
