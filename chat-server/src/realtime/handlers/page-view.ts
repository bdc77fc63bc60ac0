/**
 * page_view (visitor): remembered on the visitor (current page + a short history) and relayed to
 * the agents of the named conversation, or of all the visitor's open ones.
 */
import { openConversationIds, recordPageView } from '../../conversations/queries.ts';
import { notFound } from '../frame-error.ts';
import type { HandlerFactory } from './types.ts';

export const pageViewHandler: HandlerFactory<'page_view'> = (deps) => async (session, frame) => {
  const p = session.principal;
  if (p.kind !== 'visitor') throw notFound();
  const { sql } = deps.app;
  const at = new Date().toISOString();
  const ids = frame.conversationId
    ? [(await deps.access.conversation(session, frame.conversationId)).id]
    : await openConversationIds(sql, p.visitorId, p.orgId);
  await recordPageView(sql, p.visitorId, p.orgId, { url: frame.url, title: frame.title, at });
  for (const id of ids) {
    await deps.feed.publish(
      { orgId: p.orgId, id },
      {
        kind: 'page_view',
        conversationId: id,
        visitorId: p.visitorId,
        url: frame.url,
        title: frame.title,
        at,
      },
    );
  }
};
