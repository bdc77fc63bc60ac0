/**
 * offline.message (visitor): nobody is available, so the visitor leaves name, email and message.
 * Stored as a conversation with status `offline` in its group's follow-up queue (a new one, or the
 * visitor's own queued chat when `conversationId` is given); agents see it like a new chat and
 * answer with message.send, which routing mails to the visitor. Answer: `conversation`, then `ack`.
 */
import { insertConversation, loadConversation, updateVisitorProfile } from '../../conversations/queries.ts';
import { getSite } from '../../sites/queries.ts';
import { clientArchived, FrameError, notFound } from '../frame-error.ts';
import { storeMessage } from './store-message.ts';
import type { HandlerFactory } from './types.ts';

export const offlineMessageHandler: HandlerFactory<'offline.message'> = (deps) => async (session, frame) => {
  const { sql } = deps.app;
  const p = session.principal;
  if (p.kind !== 'visitor') throw notFound('visitor');
  const profile = await updateVisitorProfile(sql, p.visitorId, p.orgId, {
    name: frame.name,
    email: frame.email,
    fields: frame.fields,
  });
  p.name = profile.name;
  p.email = profile.email;

  let ref: Awaited<ReturnType<typeof deps.access.conversation>>;
  if (frame.conversationId) {
    ref = await deps.access.conversation(session, frame.conversationId);
    if (!(await deps.routing.toOffline(ref)))
      throw new FrameError('conflict', 'Only a conversation still waiting in the queue can become a message');
    ref = { ...ref, status: 'offline' };
    session.access?.delete(ref.id);
  } else {
    const site = await getSite(sql, p.siteId);
    if (!site || site.orgId !== p.orgId) throw notFound('site');
    if (site.clientArchived) throw clientArchived();
    const choice = await deps.routing.chooseGroup(site.id, site, {
      topic: frame.topic ?? '',
      url: frame.url ?? '',
      language: frame.language ?? '',
    });
    ref = await insertConversation(sql, {
      orgId: p.orgId,
      clientId: p.clientId,
      siteId: p.siteId,
      visitorId: p.visitorId,
      groupId: choice.groupId,
      topic: choice.topic,
      language: frame.language ?? '',
      startUrl: (frame.url ?? '').slice(0, 2000),
      status: 'offline',
    });
    await deps.feed.follow(session, ref, 0);
  }

  const conversation = await loadConversation(sql, ref.id);
  if (!conversation) throw notFound();
  deps.outbound.send(session, {
    type: 'conversation',
    ...(frame.ref ? { ref: frame.ref } : {}),
    conversation,
  });
  await storeMessage(deps, session, ref, {
    clientMsgId: frame.message.clientMsgId,
    body: frame.message.body,
    attachmentIds: frame.message.attachmentIds ?? [],
    note: false,
    ref: undefined,
  });
  // Agents see the follow-up queue grow (and an existing chat change status) like a new chat.
  const current = (await loadConversation(sql, ref.id)) ?? conversation;
  await deps.feed.publish(ref, { kind: 'conversation', conversationId: ref.id, conversation: current });
  await deps.feed.publishOrg(p.orgId, {
    kind: 'conversation.new',
    clientId: p.clientId,
    conversation: current,
  });
};
