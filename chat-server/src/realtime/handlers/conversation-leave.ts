/** conversation.leave (a participant): a consultant goes; an assignee hands the chat back to the queue. */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const conversationLeaveHandler: HandlerFactory<'conversation.leave'> =
  (deps) => async (session, frame) => {
    const p = session.principal;
    if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents leave conversations');
    const ref = await deps.access.conversation(session, frame.conversationId);
    await deps.routing.leave(p, ref);
  };
