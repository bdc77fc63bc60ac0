/** typing: relayed to the other side of the conversation; not stored. */
import { FrameError } from '../frame-error.ts';
import { actorOf, isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const typingHandler: HandlerFactory<'typing'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (p.kind === 'agent' && !isStaff(p)) throw new FrameError('forbidden', 'Client viewers cannot type');
  const ref = await deps.access.conversation(session, frame.conversationId);
  await deps.feed.publish(ref, { kind: 'typing', conversationId: ref.id, from: actorOf(p), on: frame.on });
};
