/**
 * viewing (staff): which agents have a conversation open. Each change is published; every
 * instance keeps the list and sends its agents the whole `viewers` list.
 */
import type { ConversationRef } from '../../conversations/types.ts';
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { Session } from '../session.ts';
import type { HandlerDeps, HandlerFactory } from './types.ts';

export const viewingHandler: HandlerFactory<'viewing'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents are shown as viewers');
  const ref = await deps.access.conversation(session, frame.conversationId);
  if (!frame.on) return stopViewing(deps, session, ref);
  session.viewing ??= new Map();
  session.viewing.set(ref.id, ref);
  await deps.feed.publish(ref, {
    kind: 'viewing',
    conversationId: ref.id,
    userId: p.userId,
    name: p.name,
    on: true,
  });
};

/** Also called when the connection closes or unsubscribes. */
export async function stopViewing(deps: HandlerDeps, session: Session, ref: ConversationRef): Promise<void> {
  const p = session.principal;
  if (p.kind !== 'agent') return;
  session.viewing?.delete(ref.id);
  await deps.feed.publish(ref, {
    kind: 'viewing',
    conversationId: ref.id,
    userId: p.userId,
    name: p.name,
    on: false,
  });
}
