/** conversation.invite (assignee, participant or manager): a colleague gets a `consult` offer. */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import { assertMayRoute } from './in-conversation.ts';
import type { HandlerFactory } from './types.ts';

export const conversationInviteHandler: HandlerFactory<'conversation.invite'> =
  (deps) => async (session, frame) => {
    const p = session.principal;
    if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents invite colleagues');
    const ref = await deps.access.conversation(session, frame.conversationId);
    await assertMayRoute(deps.app.sql, p, ref);
    await deps.routing.invite(p, ref, frame.userId, frame.note ?? '');
  };
