/**
 * conversation.start (visitor): the topic picks the group (else the site's default group), the
 * conversation is stored as queued for the visitor's org/client/site, the starting connection
 * follows it live, and an optional first message goes the same way as message.send. Agents learn
 * about the chat from an event on the org channel.
 */

import { insertConversation, loadConversation, updateVisitorProfile } from '../../conversations/queries.ts';
import type { Sql } from '../../db/sql.ts';
import { getSite } from '../../sites/queries.ts';
import { clientArchived, notFound } from '../frame-error.ts';
import { storeMessage } from './store-message.ts';
import type { HandlerFactory } from './types.ts';

export const conversationStartHandler: HandlerFactory<'conversation.start'> =
  (deps) => async (session, frame) => {
    const { sql } = deps.app;
    const p = session.principal;
    if (p.kind !== 'visitor') throw notFound('visitor');
    const site = await getSite(sql, p.siteId);
    if (!site || site.orgId !== p.orgId) throw notFound('site');
    if (site.clientArchived) throw clientArchived();

    // Routing picks the group: the topic's, else the site's rules on URL / language, else the default.
    // A topic the site does not list (renamed since the widget loaded) is kept as the visitor's words.
    const choice = await deps.routing.chooseGroup(site.id, site, {
      topic: frame.topic ?? '',
      url: frame.url ?? (await lastPageUrl(sql, p.visitorId)),
      language: frame.language ?? '',
    });

    if (frame.name !== undefined || frame.email !== undefined || frame.fields !== undefined) {
      const profile = await updateVisitorProfile(sql, p.visitorId, p.orgId, {
        name: frame.name,
        email: frame.email,
        fields: frame.fields,
      });
      p.name = profile.name;
      p.email = profile.email;
    }

    const ref = await insertConversation(sql, {
      orgId: p.orgId,
      clientId: p.clientId,
      siteId: p.siteId,
      visitorId: p.visitorId,
      groupId: choice.groupId,
      topic: choice.topic,
      language: frame.language ?? '',
      startUrl: (frame.url ?? '').slice(0, 2000),
    });
    // The starter hears agents' replies without a separate subscribe.
    await deps.feed.follow(session, ref, 0);

    const conversation = await loadConversation(sql, ref.id);
    if (!conversation) throw notFound();
    deps.outbound.send(session, {
      type: 'conversation',
      ...(frame.ref ? { ref: frame.ref } : {}),
      conversation,
    });

    if (frame.firstMessage) {
      await storeMessage(deps, session, ref, {
        clientMsgId: frame.firstMessage.clientMsgId,
        body: frame.firstMessage.body,
        attachmentIds: frame.firstMessage.attachmentIds ?? [],
        note: false,
        ref: undefined,
      });
    }
    // Agents who may see it are told; routing puts it in its group's queue and schedules it.
    deps.routing.enqueued(ref);
    const current = (await loadConversation(sql, ref.id)) ?? conversation;
    await deps.feed.publishOrg(p.orgId, {
      kind: 'conversation.new',
      clientId: p.clientId,
      conversation: current,
    });
  };

/** The page the visitor last reported (page_view), for URL routing rules when the frame has none. */
async function lastPageUrl(sql: Sql, visitorId: string): Promise<string> {
  const [row] = await sql<{ url: string | null }[]>`
    select attributes ->> 'current_url' as url from public.visitors where id = ${visitorId}`;
  return row?.url ?? '';
}
