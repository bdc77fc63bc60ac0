/**
 * queue.claim (staff): take a queued chat (manual-pick groups; also a queued chat of an automatic
 * group, which revokes its pending offer). Only chats this agent may read (RLS). Answer:
 * `conversation`; conflict if someone else took it first or the agent is at their limit.
 */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const queueClaimHandler: HandlerFactory<'queue.claim'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents claim conversations');
  const ref = await deps.access.conversation(session, frame.conversationId);
  const conversation = await deps.routing.claim(p, ref.id);
  deps.outbound.send(session, {
    type: 'conversation',
    ...(frame.ref ? { ref: frame.ref } : {}),
    conversation,
  });
};
