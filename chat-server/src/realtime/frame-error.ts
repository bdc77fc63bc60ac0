/**
 * Refusing a client frame: handlers throw FrameError and the dispatcher answers with one `error`
 * frame through sendError, so no handler builds error frames itself.
 */
import type { ErrorCode } from '@chat/shared';
import type { Metrics } from '../metrics.ts';
import type { Outbound } from './outbound.ts';
import type { Session } from './session.ts';

export class FrameError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** The same answer for "does not exist" and "not yours", so ids cannot be probed. */
export const notFound = (what = 'conversation') => new FrameError('not_found', `No such ${what}`);

/**
 * A visitor whose token predates the archiving still connects (to read their chat), but the site
 * takes no new chats: the same rule as the widget's HTTP `client_archived` answer.
 */
export const clientArchived = () =>
  new FrameError('forbidden', "This site's client is archived; it takes no new chats");

export type SendError = (
  session: Session,
  code: ErrorCode,
  message: string,
  ref?: string,
  conversationId?: string,
) => void;

export function createSendError(outbound: Outbound, metrics: Metrics): SendError {
  return (session, code, message, ref, conversationId) => {
    metrics.errorsSent.inc({ code });
    outbound.send(session, {
      type: 'error',
      ...(ref ? { ref } : {}),
      code,
      message,
      ...(conversationId ? { conversationId } : {}),
    });
  };
}
