/** offer.decline (staff): pass on an offer; the scheduler moves on to the next agent at once. */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const offerDeclineHandler: HandlerFactory<'offer.decline'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents take offers');
  await deps.routing.decline(p, frame.offerId, frame.conversationId, frame.reason ?? '');
  // A preview of the offered chat (a subscription RLS allowed because of the offer) ends with it.
  deps.subscriptionAccess.offerEnded(p.orgId, p.userId, frame.conversationId);
};
