/**
 * A connection's life: welcome, then every frame through size check → rate limit → parse →
 * "may this kind of connection send this type?" → its handler, one frame at a time (plain
 * message.send frames overlap: see handlers/pipelined.ts); and one cleanup path however it ends
 * (client close, slow consumer, expiry, heartbeat, shutdown).
 */
import { randomBytes } from 'node:crypto';
import {
  CLIENT_FRAME_SENDERS,
  type ClientFrame,
  CloseCode,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseClientFrame,
} from '@chat/shared';
import type { AppContext } from '../context.ts';
import type { ConversationFeed } from './conversation-feed.ts';
import { ExpiryWheel } from './expiry.ts';
import { FrameError, type SendError } from './frame-error.ts';
import { ANSWERS_ITSELF, type HandlerTable } from './handlers/index.ts';
import { isPipelined } from './handlers/pipelined.ts';
import type { HandlerDeps, HandlerResult, Taken } from './handlers/types.ts';
import { stopViewing } from './handlers/viewing.ts';
import type { Outbound } from './outbound.ts';
import type { Presence } from './presence.ts';
import { identityOf, type Principal } from './principal.ts';
import { type FrameLimiter, STRIKES_BEFORE_CLOSE } from './rate-limit.ts';
import type { Registry } from './registry.ts';
import { clearSessionTimers, createSession, type Session } from './session.ts';
import { type ChatSocket, type Departure, departureOf } from './socket.ts';

/** What the transport tells a connection. */
export interface ConnectionEvents {
  frame(data: Buffer | string, isBinary: boolean): void;
  pong(): void;
  /** `code`: the close code the peer sent (undefined or 1006 when the link just dropped). */
  closed(code?: number): void;
}

/**
 * Frames accepted and not yet answered (a message counts until its ack) before new ones are
 * refused as rate_limited. This is what sheds load under overload: a sender faster than its own
 * persistence gets rate_limited answers, and after STRIKES_BEFORE_CLOSE of them in a row the
 * connection is closed with 4029 (see the README's Benchmarks section).
 */
export const MAX_QUEUED_FRAMES = 100;
export const QUEUE_FULL_MESSAGE = 'Too many frames waiting to be handled on this connection; slow down';

export interface Connections {
  open(socket: ChatSocket, principal: Principal, ip: string): ConnectionEvents;
  /** Ends a session once: drop it from every index, then close the socket with `code`. */
  end(session: Session, code: number, reason: string): void;
  /** Ends a dead peer's session without a close handshake. */
  kill(session: Session): void;
  /** Moves an open session's token expiry to `exp` (auth.refresh); false if it ended or `exp` is past. */
  renewExpiry(session: Session, exp: number): boolean;
  /** Stops the token-expiry timer (shutdown). */
  close(): void;
}

const noop = (): void => {};

export function createConnections(deps: {
  app: AppContext;
  registry: Registry;
  feed: ConversationFeed;
  presence: Presence;
  outbound: Outbound;
  limiter: FrameLimiter;
  sendError: SendError;
  handlers: () => HandlerTable;
  handlerDeps: () => HandlerDeps;
}): Connections {
  const { app, registry, feed, presence, outbound, limiter, sendError } = deps;
  const log = app.log.child({ module: 'realtime' });

  function cleanup(session: Session, how: Departure = 'lost'): void {
    if (session.closed) return;
    session.closed = true;
    clearSessionTimers(session);
    expiry.remove(session);
    limiter.forget(session.id);
    registry.remove(session);
    if (session.viewing) {
      for (const ref of session.viewing.values()) {
        stopViewing(deps.handlerDeps(), session, ref).catch(() => {});
      }
    }
    feed.dropSession(session);
    app.metrics.connections.dec({ kind: session.principal.kind });
    if (session.principal.kind === 'agent') presence.disconnected(session.principal, how);
  }

  function end(session: Session, code: number, reason: string): void {
    cleanup(session);
    try {
      session.socket.close(code, reason);
    } catch (error) {
      log.debug({ err: error }, 'close failed; terminating');
      session.socket.terminate();
    }
  }

  // One timer for every connection's token expiry (see expiry.ts).
  const expiry = new ExpiryWheel((session) => end(session, CloseCode.TOKEN_EXPIRED, 'token_expired'));

  /**
   * Handles one frame. Resolves when the next frame may start: at once for a Taken message (its
   * `done` is returned, wrapped so it does not flatten), else when the frame was answered.
   */
  async function handle(
    session: Session,
    data: Buffer | string,
    isBinary: boolean,
  ): Promise<Taken | undefined> {
    if (isBinary) {
      app.metrics.framesReceived.inc({ type: 'invalid' });
      sendError(session, 'bad_json', 'frames must be text (JSON), not binary');
      return;
    }
    const parsed = parseClientFrame(typeof data === 'string' ? data : data.toString('utf8'));
    if (!parsed.ok) {
      app.metrics.framesReceived.inc({ type: 'invalid' });
      sendError(session, parsed.code, parsed.message, parsed.ref);
      return;
    }
    const frame = parsed.frame;
    app.metrics.framesReceived.inc({ type: frame.type });
    if (!CLIENT_FRAME_SENDERS[frame.type].includes(session.principal.kind)) {
      sendError(
        session,
        'unauthorized',
        `a ${session.principal.kind} connection may not send "${frame.type}"`,
        frame.ref,
      );
      return;
    }
    // Anything but a plain message waits for the messages before it to be answered (stored).
    if (session.inFlight && !isPipelined(frame)) await session.inFlight;
    try {
      const handler = deps.handlers()[frame.type] as (s: Session, f: ClientFrame) => Promise<HandlerResult>;
      const taken = await handler(session, frame);
      if (taken)
        return {
          done: track(
            session,
            taken.done.catch((error: unknown) => answerFailure(session, frame, error)),
          ),
        };
      if (frame.ref && !ANSWERS_ITSELF.has(frame.type))
        outbound.send(session, { type: 'ok', ref: frame.ref });
    } catch (error) {
      answerFailure(session, frame, error);
    }
  }

  /**
   * An error answering a frame that names a conversation names it too, besides the frame's ref:
   * a client that resubscribes its open chats after a reconnect (without refs) learns which one it
   * may no longer see, the same way as from the not_found that ends a subscription.
   */
  function answerFailure(session: Session, frame: ClientFrame, error: unknown): void {
    const conversationId = 'conversationId' in frame ? frame.conversationId : undefined;
    if (error instanceof FrameError) {
      sendError(session, error.code, error.message, frame.ref, conversationId);
      return;
    }
    log.error({ err: error, type: frame.type, connection: session.id }, 'frame handler failed');
    sendError(
      session,
      'internal',
      'The server could not handle this frame; retry',
      frame.ref,
      conversationId,
    );
  }

  /** Adds a taken message to the ones the connection's next non-message frame must wait for. */
  function track(session: Session, done: Promise<void>): Promise<void> {
    const all = session.inFlight ? Promise.all([session.inFlight, done]).then(noop) : done;
    session.inFlight = all;
    void all.then(() => {
      if (session.inFlight === all) session.inFlight = undefined;
    });
    return done;
  }

  async function welcome(session: Session): Promise<void> {
    const { principal } = session;
    if (session.closed) return;
    if (principal.kind === 'agent') {
      presence.connected(principal);
      await feed.joinOrg(session);
    }
    outbound.send(session, {
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      connectionId: session.id,
      identity: identityOf(principal),
      heartbeatIntervalMs: app.config.heartbeatIntervalMs,
      serverTime: new Date().toISOString(),
    });
  }

  /**
   * What the transport calls for one connection. A class, so the methods live on one shared
   * prototype: an idle connection costs this small object, not three closures and their context.
   */
  class Connection implements ConnectionEvents {
    /** Frames accepted and not yet handled (at most MAX_QUEUED_FRAMES). */
    private queued = 0;

    constructor(private readonly session: Session) {}

    frame(data: Buffer | string, isBinary: boolean): void {
      const { session } = this;
      if (session.closed) return;
      session.alive = true;
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      limiter.allow(session.id, session.ip).then(
        (allowed) => {
          if (session.closed) return;
          if (!allowed || this.queued >= MAX_QUEUED_FRAMES) {
            session.strikes++;
            if (session.strikes > STRIKES_BEFORE_CLOSE)
              return end(session, CloseCode.RATE_LIMITED, 'rate_limited');
            // Same code either way; the message tells a full queue (the server is behind) apart.
            return sendError(
              session,
              'rate_limited',
              allowed ? QUEUE_FULL_MESSAGE : 'Too many frames; slow down',
            );
          }
          session.strikes = 0;
          if (size > MAX_FRAME_BYTES) {
            app.metrics.framesReceived.inc({ type: 'invalid' });
            return sendError(session, 'frame_too_large', `frame is larger than ${MAX_FRAME_BYTES} bytes`);
          }
          this.queued++;
          session.queue = session.queue
            .then(() => (session.closed ? undefined : handle(session, data, isBinary)))
            .then(
              (taken) => {
                // A taken message counts against the queue until it is answered.
                if (taken) void taken.done.then(() => this.queued--);
                else this.queued--;
              },
              (error: unknown) => {
                this.queued--;
                log.error({ err: error }, 'frame pipeline failed');
              },
            );
        },
        (error: unknown) => log.error({ err: error }, 'rate limiter failed'),
      );
    }

    pong(): void {
      this.session.alive = true;
    }

    closed(code?: number): void {
      // Server-ended sessions were cleaned up (as lost) before their close handshake finished.
      cleanup(this.session, departureOf(code));
    }
  }

  return {
    end,
    kill(session) {
      cleanup(session);
      session.socket.terminate();
    },
    open(socket, principal, ip) {
      const session = createSession(`c-${randomBytes(6).toString('hex')}`, principal, socket, ip);
      registry.add(session);
      app.metrics.connections.inc({ kind: principal.kind });
      if (!expiry.add(session)) end(session, CloseCode.TOKEN_EXPIRED, 'token_expired');
      // Frames that arrive before the welcome wait behind it.
      session.queue = welcome(session).catch((error: unknown) => {
        log.error({ err: error }, 'connection setup failed');
        end(session, CloseCode.INTERNAL_ERROR, 'internal_error');
      });
      return new Connection(session);
    },
    renewExpiry(session, exp) {
      return !session.closed && expiry.move(session, exp);
    },
    close() {
      expiry.close();
    },
  };
}
