/**
 * conversation.transcript: e-mail the transcript to the visitor (a visitor may name the address;
 * staff send to the stored one). Client viewers may not send mail.
 */
import { FrameError } from '../frame-error.ts';
import { isStaff } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const conversationTranscriptHandler: HandlerFactory<'conversation.transcript'> =
  (deps) => async (session, frame) => {
    const p = session.principal;
    if (p.kind === 'agent' && !isStaff(p))
      throw new FrameError('forbidden', 'Client viewers cannot send e-mail');
    if (p.kind === 'agent' && frame.email !== undefined)
      throw new FrameError('forbidden', "Agents send the transcript to the visitor's own address");
    const ref = await deps.access.conversation(session, frame.conversationId);
    await deps.routing.transcript(ref, frame.email, p.kind === 'agent' ? p.userId : null);
  };
