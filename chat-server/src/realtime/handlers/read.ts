/**
 * read: the reader has seen up to `seq`. Persisted (visitor: conversations.visitor_read_seq;
 * agent: their participant row, if they take part), never backwards, then relayed.
 */
import { markAgentRead, markVisitorRead } from '../../conversations/queries.ts';
import { actorOf } from '../principal.ts';
import type { HandlerFactory } from './types.ts';

export const readHandler: HandlerFactory<'read'> = (deps) => async (session, frame) => {
  const p = session.principal;
  const ref = await deps.access.conversation(session, frame.conversationId);
  const seq =
    p.kind === 'visitor'
      ? await markVisitorRead(deps.app.sql, ref, frame.seq)
      : await markAgentRead(deps.app.sql, ref, p.userId, frame.seq);
  await deps.feed.publish(ref, { kind: 'read', conversationId: ref.id, reader: actorOf(p), seq });
};
