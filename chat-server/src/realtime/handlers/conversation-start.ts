/**
 * conversation.start (visitor): the topic picks the group (else the site's default group), the
 * conversation is stored as queued for the visitor's org/client/site, the starting connection
 * follows it live, and an optional first message goes the same way as message.send. Agents learn
 * about the chat from an event on the org channel.
 */

import { insertConversation, loadConversation, updateVisitorProfile } from '../../conversations/queries.ts';
import { getSite } from '../../sites/queries.ts';
import { notFound } from '../frame-error.ts';
import { storeMessage } from './store-message.ts';
import type { HandlerFactory } from './types.ts';

export const conversationStartHandler: HandlerFactory<'conversation.start'> =
  (deps) => async (session, frame) => {
    const { sql } = deps.app;
    const p = session.principal;
    if (p.kind !== 'visitor') throw notFound('visitor');
    const site = await getSite(sql, p.siteId);
    if (!site || site.orgId !== p.orgId) throw notFound('site');

    // A topic the site does not list (renamed since the widget loaded) still starts the chat, in the
    // default group, with the visitor's words kept as the topic.
    const topic = frame.topic?.trim() ?? '';
    const match = topic ? site.topics.find((t) => t.label.toLowerCase() === topic.toLowerCase()) : undefined;
    const groupId = match?.groupId ?? site.defaultGroupId;

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
      groupId,
      topic: match?.label ?? topic,
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
    // Routing seam (issue 4): enqueue and offer here; for now every agent who may see it is told.
    const current = (await loadConversation(sql, ref.id)) ?? conversation;
    await deps.feed.publishOrg(p.orgId, {
      kind: 'conversation.new',
      clientId: p.clientId,
      conversation: current,
    });
  };
