/** offer.accept (staff): take the offered chat. Answer: `conversation`, now yours; conflict if it expired or was taken. */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const offerAcceptHandler: HandlerFactory<'offer.accept'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents take offers');
  const conversation = await deps.routing.accept(p, frame.offerId, frame.conversationId);
  deps.outbound.send(session, {
    type: 'conversation',
    ...(frame.ref ? { ref: frame.ref } : {}),
    conversation,
  });
};
