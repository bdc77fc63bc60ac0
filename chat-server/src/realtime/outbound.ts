/**
 * Sending to one connection with a bounded buffer. A reader that falls behind by more than
 * `maxBufferedBytes` is closed with 4013 slow_consumer and dropped from every index at once, so
 * fan-out never waits for it and its backlog stops growing.
 */
import { CloseCode, type ServerFrame } from '@chat/shared';
import type { Session } from './session.ts';
import { SOCKET_OPEN } from './socket.ts';

export interface Outbound {
  /** Sends a frame; false when the connection is gone or was just closed as too slow. */
  send(session: Session, frame: ServerFrame): boolean;
  /** Sends a frame already serialized (and, for fan-out, UTF-8 encoded) once for many recipients. */
  sendRaw(session: Session, text: string | Buffer): boolean;
  /** Runs `send`; what it sends to this session leaves in one write where the socket can. */
  together(session: Session, send: () => void): void;
}

export function createOutbound(options: {
  maxBufferedBytes: number;
  /** Ends the session (drops it from indexes) and closes its socket with this code. */
  end: (session: Session, code: number, reason: string) => void;
}): Outbound {
  const sendRaw = (session: Session, text: string | Buffer): boolean => {
    if (session.closed || session.socket.readyState !== SOCKET_OPEN) return false;
    if (session.socket.bufferedAmount > options.maxBufferedBytes) {
      options.end(session, CloseCode.SLOW_CONSUMER, 'slow_consumer');
      return false;
    }
    session.socket.send(text);
    return true;
  };
  return {
    sendRaw,
    send: (session, frame) => sendRaw(session, JSON.stringify(frame)),
    together(session, send) {
      if (session.socket.together) session.socket.together(send);
      else send();
    },
  };
}
