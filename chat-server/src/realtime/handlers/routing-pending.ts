/**
 * Routing frames (offer.accept, offer.decline, queue.claim, conversation.transfer,
 * conversation.invite, conversation.leave) are valid protocol today; the routing issue (#4)
 * replaces this handler. Until then they are refused the same way every time.
 */
import type { ClientFrameType } from '@chat/shared';
import { FrameError } from '../frame-error.ts';
import type { Handler, HandlerDeps } from './types.ts';

export const ROUTING_FRAME_TYPES = [
  'offer.accept',
  'offer.decline',
  'queue.claim',
  'conversation.transfer',
  'conversation.invite',
  'conversation.leave',
  'offline.message',
  'conversation.transcript',
] as const satisfies readonly ClientFrameType[];

export function routingPendingHandler<T extends (typeof ROUTING_FRAME_TYPES)[number]>(
  _deps: HandlerDeps,
): Handler<T> {
  return async (_session, frame) => {
    throw new FrameError(
      'forbidden',
      `"${(frame as { type: string }).type}" is not available on this server yet`,
    );
  };
}
