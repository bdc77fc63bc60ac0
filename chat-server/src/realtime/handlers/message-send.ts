/**
 * message.send: persist once (same clientMsgId → same ack, `duplicate: true`), ack, THEN publish
 * once on the conversation channel. Visitors write as themselves; staff write messages or internal
 * notes; a client_viewer may only read.
 *
 * A message without attachments is handed to the writer and the frame is `Taken`: the
 * connection's next message.send starts at once instead of waiting for this one's round trip, so
 * a burst (an outbox flushed after a reconnect, a pasted list) goes to Postgres in one batch; the
 * writer keeps their order. A message with attachments binds its files in its own transaction and
 * finishes before anything after it starts.
 */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import { isPipelined } from './pipelined.ts';
import { storeMessage } from './store-message.ts';
import type { HandlerFactory } from './types.ts';

export const messageSendHandler: HandlerFactory<'message.send'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (p.kind === 'agent' && !isStaff(p))
    throw new FrameError('forbidden', 'Client viewers can read but not send');
  if (frame.note && p.kind === 'visitor')
    throw new FrameError('forbidden', 'Visitors cannot write internal notes');
  const ref = await deps.access.conversation(session, frame.conversationId);
  const stored = storeMessage(deps, session, ref, {
    clientMsgId: frame.clientMsgId,
    body: frame.body,
    attachmentIds: frame.attachmentIds ?? [],
    note: frame.note === true,
    ref: frame.ref,
  }).then(async () => {
    // An agent's reply to an offline message goes to the visitor by e-mail (once per message).
    if (p.kind === 'agent' && !frame.note && ref.status === 'offline') {
      await deps.routing.agentReplied(ref, p.userId, frame.clientMsgId);
    }
  });
  // storeMessage hands a plain message to the writer before its first await: it is queued in order.
  if (isPipelined(frame)) return { done: stored };
  await stored;
};
