/**
 * Pub/sub wiring for conversations: a session's subscription to a conversation holds the channel
 * (one upstream subscription per node), live events fan out to the local sessions with per-session
 * filtering and seq dedupe, a subscribe reads its catch-up page only after the channel is live, and
 * a resync re-reads every live conversation from each session's last delivered seq.
 */
import { MAX_SYNC_PAGE_SIZE } from '@chat/shared';
import { type AttachmentViews, withAttachments } from '../conversations/attachments.ts';
import { readMessagesAfter } from '../conversations/messages.ts';
import { loadConversation } from '../conversations/queries.ts';
import type { ConversationRef } from '../conversations/types.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { PubSub, PubSubEvent } from '../pubsub/index.ts';
import { ChannelRefs } from './channel-refs.ts';
import { DeliveryState } from './delivery-state.ts';
import type { ConversationEvent, OrgEvent } from './events.ts';
import type { Outbound } from './outbound.ts';
import { seesNotes } from './principal.ts';
import type { Registry } from './registry.ts';
import type { Session, Subscription } from './session.ts';
import type { Viewers } from './viewers.ts';
import { maySeeNewConversation, seesGroup } from './visibility.ts';

export interface ConversationFeed {
  /** Publishing never rejects: a failure is logged (the state is already in Postgres). */
  /** Subscribes live first, then answers `sync` with the page after `afterSeq`, then releases held events. */
  subscribe(
    session: Session,
    ref: ConversationRef,
    page: { afterSeq: number; limit: number; ref: string | undefined },
  ): Promise<void>;
  /** Live events only, from the current end (a visitor's brand-new conversation). */
  follow(session: Session, ref: ConversationRef, fromSeq: number): Promise<void>;
  unsubscribe(session: Session, conversationId: string): void;
  /** Org-wide events for an agent connection. */
  joinOrg(session: Session): Promise<void>;
  dropSession(session: Session): void;
  publish(ref: { orgId: string; id: string }, event: ConversationEvent): Promise<void>;
  publishOrg(orgId: string, event: OrgEvent): Promise<void>;
  /** Catch every local subscription up from Postgres (pub/sub may have lost events). */
  resync(): Promise<void>;
  close(): void;
}

export function createConversationFeed(deps: {
  sql: Sql;
  pubsub: PubSub;
  log: Logger;
  registry: Registry;
  outbound: Outbound;
  viewers: Viewers;
  attachments: AttachmentViews;
  /** Events after which a follower may have lost access (subscription-access.ts rechecks them). */
  accessMayEnd?: {
    conversationChanged(conversationId: string, groupId: string | null): void;
    offerEnded(orgId: string, userId: string, conversationId: string): void;
  };
}): ConversationFeed {
  const { sql, pubsub, log, registry, outbound, viewers } = deps;
  const read = async (q: Parameters<typeof readMessagesAfter>[1]) => {
    const page = await readMessagesAfter(sql, q);
    await withAttachments(sql, deps.attachments, page.messages);
    return page;
  };
  const channels = pubsub.channels;

  const conversationRefs = new ChannelRefs(pubsub, (event) => onConversationEvent(event));
  const orgRefs = new ChannelRefs(pubsub, (event) => onOrgEvent(event));

  function onConversationEvent(raw: PubSubEvent): void {
    const event = raw as unknown as ConversationEvent;
    const sessions = registry.inConversation(event.conversationId);
    if (sessions.size === 0) return;
    if (event.kind === 'viewing') {
      viewers.apply(event);
      sendViewers(event.conversationId);
      return;
    }
    // Serialized and UTF-8 encoded once per event, not once per recipient.
    let text: Buffer | undefined;
    for (const session of sessions) {
      const sub = session.subscriptions?.get(event.conversationId);
      if (!sub) continue;
      if (sub.held) {
        sub.held.push(raw);
        continue;
      }
      if (!wants(session, sub, event)) continue;
      text ??= Buffer.from(JSON.stringify(toFrame(event)));
      outbound.sendRaw(session, text);
    }
    if (event.kind === 'conversation') {
      deps.accessMayEnd?.conversationChanged(event.conversationId, event.conversation.groupId);
    }
  }

  /** Whether this session gets the event; records message seqs as handled. */
  function wants(session: Session, sub: Subscription, event: ConversationEvent): boolean {
    const p = session.principal;
    switch (event.kind) {
      case 'message':
        // A note's seq is handled for a visitor too (hidden, not missing), so no gap is left open.
        if (!sub.delivery.take(event.message.seq)) return false;
        return event.message.senderKind !== 'note' || seesNotes(p);
      case 'conversation':
        return true;
      case 'typing':
        return !sameActor(session, event.from.kind, event.from.id);
      case 'read':
        return !sameActor(session, event.reader.kind, event.reader.id);
      case 'draft':
      case 'page_view':
        return p.kind === 'agent';
      case 'viewing':
        return false;
    }
  }

  function sendViewers(conversationId: string): void {
    const frame = JSON.stringify({
      type: 'viewers',
      conversationId,
      viewers: viewers.list(conversationId),
    });
    for (const s of registry.inConversation(conversationId)) {
      if (s.principal.kind === 'agent') outbound.sendRaw(s, frame);
    }
  }

  function onOrgEvent(raw: PubSubEvent): void {
    const event = raw as unknown as OrgEvent;
    if (event.kind === 'conversation.new') {
      const c = event.conversation;
      let text: string | undefined;
      for (const s of registry.agentsOf(orgIdOf(raw))) {
        if (s.principal.kind !== 'agent') continue;
        if (
          !maySeeNewConversation(s.principal, {
            orgId: s.principal.orgId,
            clientId: event.clientId,
            groupId: c.groupId,
          })
        )
          continue;
        text ??= JSON.stringify({ type: 'conversation', conversation: c });
        outbound.sendRaw(s, text);
      }
    } else if (event.kind === 'presence') {
      const text = JSON.stringify({
        type: 'presence',
        userId: event.userId,
        status: event.status,
        at: event.at,
      });
      for (const s of registry.agentsOf(orgIdOf(raw))) {
        if (s.principal.kind === 'agent' && s.principal.role !== 'client_viewer') outbound.sendRaw(s, text);
      }
    } else if (event.kind === 'agent.frame') {
      const text = JSON.stringify(event.frame);
      for (const s of registry.agentsOf(orgIdOf(raw))) {
        if (s.principal.kind === 'agent' && s.principal.userId === event.userId) outbound.sendRaw(s, text);
      }
      if (event.frame.type === 'offer.revoked') {
        deps.accessMayEnd?.offerEnded(orgIdOf(raw), event.userId, event.frame.conversationId);
      }
    } else if (event.kind === 'group.frame') {
      const text = JSON.stringify(event.frame);
      for (const s of registry.agentsOf(orgIdOf(raw))) {
        if (s.principal.kind === 'agent' && seesGroup(s.principal, event.groupId)) outbound.sendRaw(s, text);
      }
    }
  }

  /** Undefined when the connection closed meanwhile (nothing is left registered for it). */
  async function attach(
    session: Session,
    ref: ConversationRef,
    watermark: number,
  ): Promise<Subscription | undefined> {
    if (session.closed) return undefined;
    let sub = session.subscriptions?.get(ref.id);
    if (sub) {
      sub.delivery = new DeliveryState(watermark);
      sub.held = [];
      return sub;
    }
    sub = { ref, delivery: new DeliveryState(watermark), held: [] };
    session.subscriptions ??= new Map();
    session.subscriptions.set(ref.id, sub);
    registry.join(session, ref.id);
    try {
      await conversationRefs.acquire(channels.conversation(ref.orgId, ref.id));
    } catch (error) {
      detach(session, ref.id);
      throw error;
    }
    if (session.closed) {
      detach(session, ref.id);
      return undefined;
    }
    return sub;
  }

  function detach(session: Session, conversationId: string): void {
    const sub = session.subscriptions?.get(conversationId);
    if (!sub) return;
    session.subscriptions?.delete(conversationId);
    if (registry.leave(session, conversationId)) viewers.forget(conversationId);
    conversationRefs.release(channels.conversation(sub.ref.orgId, conversationId));
  }

  /** Replays events held during a sync page, through the same dedupe. */
  function release(session: Session, sub: Subscription): void {
    const held = sub.held ?? [];
    sub.held = undefined;
    for (const raw of held) {
      const event = raw as unknown as ConversationEvent;
      if (wants(session, sub, event)) outbound.sendRaw(session, JSON.stringify(toFrame(event)));
    }
  }

  return {
    async subscribe(session, ref, page) {
      const sub = await attach(session, ref, page.afterSeq);
      if (!sub) return;
      try {
        const [result, conversation] = await Promise.all([
          read({
            conversationId: ref.id,
            afterSeq: page.afterSeq,
            limit: page.limit,
            withNotes: seesNotes(session.principal),
          }),
          loadConversation(sql, ref.id),
        ]);
        for (const m of result.messages) sub.delivery.take(m.seq);
        sub.delivery.cover(result.coveredSeq);
        if (conversation) {
          outbound.send(session, {
            type: 'sync',
            ...(page.ref ? { ref: page.ref } : {}),
            conversationId: ref.id,
            conversation,
            messages: result.messages,
            lastSeq: result.lastSeq,
            hasMore: result.hasMore,
          });
        }
        const list = session.principal.kind === 'agent' ? viewers.list(ref.id) : [];
        if (list.length > 0) {
          outbound.send(session, { type: 'viewers', conversationId: ref.id, viewers: list });
        }
      } finally {
        release(session, sub);
      }
    },

    async follow(session, ref, fromSeq) {
      const sub = await attach(session, ref, fromSeq);
      if (sub) release(session, sub);
    },

    unsubscribe: (session, conversationId) => detach(session, conversationId),

    async joinOrg(session) {
      await orgRefs.acquire(channels.org(session.principal.orgId));
    },

    dropSession(session) {
      for (const id of [...(session.subscriptions?.keys() ?? [])]) detach(session, id);
      if (session.principal.kind === 'agent') orgRefs.release(channels.org(session.principal.orgId));
    },

    // A failed publish has already reached this node's sessions; other nodes resync when Redis is
    // back (see PubSub.publish). The message is durable either way, so log and go on.
    async publish(ref, event) {
      await pubsub
        .publish(channels.conversation(ref.orgId, ref.id), event as unknown as PubSubEvent)
        .catch((error: unknown) => log.warn({ err: error, kind: event.kind }, 'publish failed'));
    },

    async publishOrg(orgId, event) {
      await pubsub
        .publish(channels.org(orgId), { ...event, orgId } as unknown as PubSubEvent)
        .catch((error: unknown) => log.warn({ err: error, kind: event.kind }, 'org publish failed'));
    },

    async resync() {
      for (const session of [...registry.sessions]) {
        for (const sub of [...(session.subscriptions?.values() ?? [])]) {
          if (sub.held || session.closed) continue;
          try {
            await catchUp(session, sub);
          } catch (error) {
            log.warn({ err: error, conversationId: sub.ref.id }, 'resync read failed');
          }
        }
      }
    },

    close() {
      conversationRefs.releaseAll();
      orgRefs.releaseAll();
    },
  };

  async function catchUp(session: Session, sub: Subscription): Promise<void> {
    for (;;) {
      const page = await read({
        conversationId: sub.ref.id,
        afterSeq: sub.delivery.watermark,
        limit: MAX_SYNC_PAGE_SIZE,
        withNotes: seesNotes(session.principal),
      });
      for (const message of page.messages) {
        if (sub.delivery.take(message.seq)) outbound.send(session, { type: 'message', message });
      }
      sub.delivery.cover(page.coveredSeq);
      if (!page.hasMore || session.closed) return;
    }
  }
}

function sameActor(session: Session, kind: 'visitor' | 'agent', id: string): boolean {
  const p = session.principal;
  return p.kind === kind && (p.kind === 'visitor' ? p.visitorId === id : p.userId === id);
}

function orgIdOf(raw: PubSubEvent): string {
  return typeof raw.orgId === 'string' ? raw.orgId : '';
}

function toFrame(event: ConversationEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'message':
      return { type: 'message', message: event.message };
    case 'conversation':
      return { type: 'conversation', conversation: event.conversation };
    case 'typing':
      return { type: 'typing', conversationId: event.conversationId, from: event.from, on: event.on };
    case 'draft':
      return {
        type: 'draft',
        conversationId: event.conversationId,
        visitorId: event.visitorId,
        text: event.text,
      };
    case 'read':
      return { type: 'read', conversationId: event.conversationId, reader: event.reader, seq: event.seq };
    case 'page_view':
      return {
        type: 'page_view',
        conversationId: event.conversationId,
        visitorId: event.visitorId,
        url: event.url,
        title: event.title,
        at: event.at,
      };
    case 'viewing':
      return {};
  }
}
