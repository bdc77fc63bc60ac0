/** presence.set (staff): stored in agent_status, published to colleagues on the org channel. */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const presenceSetHandler: HandlerFactory<'presence.set'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (!isStaff(p)) throw new FrameError('forbidden', 'Only agents have a presence');
  await deps.presence.set(p, frame.status, frame.maxChats);
};
