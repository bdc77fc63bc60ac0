/**
 * Routing: queues, offers, assignment, transfer and consult, offline messages, idle and
 * visitor-left timers. The realtime handlers call this service; it persists through Postgres
 * (the arbiter between instances) and tells people through the conversation feed (pub/sub).
 *
 * Timers (all unref'd, all cleared by close()): the sweep (offer expiry, idle warning and close,
 * departed visitors, and a scheduling pass over every waiting group), the visitor stamp, and one
 * short timer per offer this instance made, so an expiry is seen at once rather than at the next
 * sweep. Any instance may run any of them; each row changes once.
 */
import type { Conversation, Message, ServerFrame } from '@chat/shared';
import type { Config } from '../config.ts';
import type { ConversationRef } from '../conversations/types.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { Mailer } from '../mail/index.ts';
import type { ConversationFeed } from '../realtime/conversation-feed.ts';
import { FrameError, notFound } from '../realtime/frame-error.ts';
import type { Registry } from '../realtime/registry.ts';
import { refreshAgentStats } from './assign.ts';
import { chooseGroup, parseRoutingRules } from './group-choice.ts';
import { mailOfflineReply, mailTranscript } from './mail-out.ts';
import { createNotify } from './notify.ts';
import {
  acceptOffer,
  type ClosedOffer,
  claimConversation,
  declineOffer,
  expireDueOffers,
  revokeAgentOffers,
  revokePendingInTx,
} from './offers.ts';
import { createQueueRefresher, offeredEntries, queueEntryOf } from './queue.ts';
import { createScheduler, type NewOffer } from './scheduler.ts';
import { closeIdle, markVisitorsLeft, type SweptConversation, stampVisitors, warnIdle } from './sweeps.ts';
import { type Actor, inviteConsultant, leaveConversation, transferConversation } from './transfer.ts';

export interface Agent {
  orgId: string;
  userId: string;
  name: string;
}

export interface Routing {
  /** The group a new conversation joins (topic → site rules → default) and the topic to store. */
  chooseGroup(
    siteId: string,
    site: { topics: { label: string; groupId: string }[]; defaultGroupId: string | null },
    input: { topic: string; url: string; language: string },
  ): Promise<{ groupId: string | null; topic: string }>;
  /** A conversation entered its group's queue: tell the queue, and schedule it. */
  enqueued(ref: ConversationRef): void;
  /** A conversation was closed (by anyone): cancel its offers, free the agent, refresh figures. */
  closed(ref: { orgId: string; id: string }): Promise<void>;
  /** An agent's status changed (presence.set, or offline after their last connection went). */
  presenceChanged(orgId: string, userId: string, status: 'online' | 'away' | 'offline'): void;
  /** After an agent's message: an offline conversation's reply goes out by e-mail. */
  agentReplied(ref: ConversationRef, agentId: string, clientMsgId: string): Promise<void>;
  /** A queued conversation of the visitor's becomes an offline message. */
  toOffline(ref: ConversationRef): Promise<boolean>;
  accept(agent: Agent, offerId: string, conversationId: string): Promise<Conversation>;
  decline(agent: Agent, offerId: string, conversationId: string, reason: string): Promise<void>;
  claim(agent: Agent, conversationId: string): Promise<Conversation>;
  transfer(
    agent: Agent,
    ref: ConversationRef,
    to: { kind: 'agent'; userId: string } | { kind: 'group'; groupId: string },
    note: string,
  ): Promise<Conversation>;
  invite(agent: Agent, ref: ConversationRef, userId: string, note: string): Promise<void>;
  leave(agent: Agent, ref: ConversationRef): Promise<void>;
  transcript(ref: ConversationRef, to: string | undefined, by: string | null): Promise<void>;
  /** One sweep now (tests; the timer runs it every ROUTING_SWEEP_MS). */
  sweep(): Promise<void>;
  /** Resolves when this instance's scheduler has nothing running (tests). */
  settled(): Promise<void>;
  close(): void;
}

/**
 * Transfer and consult offers last the conversation's group's offer timeout; on a conversation
 * without a group, this long.
 */
const DEFAULT_OFFER_SECONDS = 60;

export function createRouting(deps: {
  sql: Sql;
  log: Logger;
  config: Config;
  feed: ConversationFeed;
  registry: Registry;
  mailer: Mailer;
}): Routing {
  const { sql, config, registry, mailer } = deps;
  const log = deps.log.child({ module: 'routing' });
  const notify = createNotify(sql, deps.feed);
  const queue = createQueueRefresher({ sql, log, notify, feed: deps.feed, delayMs: 500 });
  const offerTimers = new Set<NodeJS.Timeout>();
  let closed = false;
  // An agent counts as connected while some instance stamped them within ~3 heartbeats.
  const staleSeconds = Math.ceil((config.heartbeatIntervalMs * 3) / 1000);

  const scheduler = createScheduler({ sql, log, staleSeconds, onOffers: sendOffers });

  /** A batch of the scheduler's offers (one group): previews in one query, one expiry timer. */
  async function sendOffers(offers: NewOffer[]): Promise<void> {
    const [first] = offers;
    if (!first) return;
    // One check just after the latest deadline expires them all (they were made together).
    armExpiry(new Date(Math.max(...offers.map((o) => o.expiresAt.getTime()))));
    const entries = await offeredEntries(
      sql,
      first.orgId,
      first.groupId,
      offers.map((o) => o.conversationId),
    );
    for (const offer of offers) {
      const entry = entries.get(offer.conversationId);
      if (!entry) continue;
      await notify.toAgent(offer.orgId, offer.userId, {
        type: 'offer',
        offerId: offer.offerId,
        kind: 'assignment',
        expiresAt: offer.expiresAt.toISOString(),
        entry,
      });
    }
  }

  /** An expiry check just after this offer's deadline, on the instance that made it. */
  function armExpiry(at: Date): void {
    if (closed) return;
    const timer = setTimeout(
      () => {
        offerTimers.delete(timer);
        expireOffers().catch((error: unknown) => log.warn({ err: error }, 'offer expiry failed'));
      },
      Math.max(0, at.getTime() - Date.now()) + 50,
    );
    timer.unref();
    offerTimers.add(timer);
  }

  async function revokedNotice(
    offers: ClosedOffer[],
    reason: 'timeout' | 'taken' | 'cancelled',
  ): Promise<void> {
    for (const o of offers) {
      await notify.toAgent(o.orgId, o.userId, {
        type: 'offer.revoked',
        offerId: o.id,
        conversationId: o.conversationId,
        reason,
      });
    }
  }

  async function expireOffers(): Promise<void> {
    const expired = await expireDueOffers(sql);
    if (expired.length === 0) return;
    await revokedNotice(expired, 'timeout');
    scheduler.request(expired.map((o) => o.groupId));
  }

  async function publishAll(conv: { orgId: string; id: string }, messages: Message[]): Promise<void> {
    for (const m of messages) await notify.message(conv, m);
  }

  async function groupsOf(orgId: string, userId: string): Promise<string[]> {
    const rows = await sql<{ group_id: string }[]>`
      select group_id from public.group_members where org_id = ${orgId} and user_id = ${userId}`;
    return rows.map((r) => r.group_id);
  }

  /** Capacity freed or an agent became available: their groups may have work for them now. */
  async function scheduleAgent(orgId: string, userId: string | null): Promise<void> {
    if (userId) scheduler.request(await groupsOf(orgId, userId));
  }

  async function afterSwept(list: SweptConversation[]): Promise<void> {
    for (const c of list) {
      await publishAll(c, c.messages);
      await notify.conversation(c);
      if (c.revoked.length > 0) await revokedNotice(c.revoked, 'cancelled');
      if (c.status === 'queued') queue.changed(c.orgId, c.groupId);
    }
  }

  async function sweep(): Promise<void> {
    await expireOffers();
    await afterSwept(await warnIdle(sql));
    const idle = await closeIdle(sql);
    await afterSwept(idle);
    for (const c of idle) await afterClose(c.orgId, c.assigneeId);
    const left = await markVisitorsLeft(sql, config.visitorLeftGraceMs);
    await afterSwept(left);
    scheduler.requestAll();
  }

  async function afterClose(orgId: string, assigneeId: string | null): Promise<void> {
    if (!assigneeId) return;
    await refreshAgentStats(sql, orgId, assigneeId);
    await scheduleAgent(orgId, assigneeId);
  }

  const sweepTimer = setInterval(() => {
    sweep().catch((error: unknown) => log.warn({ err: error }, 'routing sweep failed'));
  }, config.routingSweepMs);
  sweepTimer.unref();

  // Visitors connected here stay "present" (visitor-left needs every instance's view).
  const stampTimer = setInterval(
    () => {
      const ids = new Set<string>();
      for (const s of registry.sessions) if (s.principal.kind === 'visitor') ids.add(s.principal.visitorId);
      stampVisitors(sql, [...ids]).catch((error: unknown) =>
        log.warn({ err: error }, 'visitor stamp failed'),
      );
    },
    Math.max(500, Math.min(config.heartbeatIntervalMs, Math.floor(config.visitorLeftGraceMs / 3))),
  );
  stampTimer.unref();

  async function conversationOrThrow(conv: { orgId: string; id: string }): Promise<Conversation> {
    const conversation = await notify.conversation(conv);
    if (!conversation) throw notFound();
    return conversation;
  }

  return {
    async chooseGroup(siteId, site, input) {
      const [row] = await sql<{ routing_rules: unknown }[]>`
        select routing_rules from public.sites where id = ${siteId}`;
      const choice = chooseGroup(site, parseRoutingRules(row?.routing_rules), input);
      return { groupId: choice.groupId, topic: choice.topic };
    },

    enqueued(ref) {
      queue.changed(ref.orgId, ref.groupId);
      scheduler.request([ref.groupId]);
    },

    async closed(conv) {
      const [c] = await sql<{ group_id: string | null; assignee_id: string | null }[]>`
        select group_id, assignee_id from public.conversations where id = ${conv.id}`;
      const revoked = await revokePendingInTx(sql, conv.id);
      await revokedNotice(revoked, 'cancelled');
      queue.changed(conv.orgId, c?.group_id ?? null);
      await afterClose(conv.orgId, c?.assignee_id ?? null);
    },

    presenceChanged(orgId, userId, status) {
      (async () => {
        if (status !== 'online') {
          const revoked = await revokeAgentOffers(sql, orgId, userId);
          await revokedNotice(revoked, 'cancelled');
          scheduler.request(revoked.map((o) => o.groupId));
          return;
        }
        await scheduleAgent(orgId, userId);
      })().catch((error: unknown) => log.warn({ err: error }, 'presence routing failed'));
    },

    async agentReplied(ref, agentId, clientMsgId) {
      await mailOfflineReply(sql, mailer, log, ref.id, clientMsgId, agentId);
    },

    async toOffline(ref) {
      const changed = await sql.begin(async (tx) => {
        const rows = await tx`
          update public.conversations set status = 'offline'
          where id = ${ref.id} and org_id = ${ref.orgId} and status = 'queued' returning id`;
        if (rows.length === 0) return null;
        return revokePendingInTx(tx, ref.id);
      });
      if (!changed) return false;
      await revokedNotice(changed, 'cancelled');
      queue.changed(ref.orgId, ref.groupId);
      return true;
    },

    async accept(agent, offerId, conversationId) {
      const outcome = await acceptOffer(sql, agent, offerId, conversationId);
      if (outcome.kind === 'gone') throw new FrameError('conflict', 'This offer has expired or was taken');
      if (outcome.kind === 'full') throw new FrameError('conflict', 'You are at your chat limit');
      const conv = { orgId: agent.orgId, id: conversationId };
      await publishAll(conv, outcome.messages);
      if (outcome.offerKind !== 'consult') queue.changed(agent.orgId, outcome.groupId);
      if (outcome.previousAssignee) await scheduleAgent(agent.orgId, outcome.previousAssignee);
      return conversationOrThrow(conv);
    },

    async decline(agent, offerId, conversationId, reason) {
      const result = await declineOffer(sql, agent, offerId, conversationId, reason);
      if (!result) throw new FrameError('conflict', 'This offer has expired or was taken');
      if (result.note) await notify.message({ orgId: agent.orgId, id: conversationId }, result.note);
      if (result.offer.kind !== 'consult') scheduler.request([result.offer.groupId]);
    },

    async claim(agent, conversationId) {
      const outcome = await claimConversation(sql, agent, conversationId);
      if (outcome.kind === 'taken') throw new FrameError('conflict', 'Someone else took this conversation');
      if (outcome.kind === 'full') throw new FrameError('conflict', 'You are at your chat limit');
      const conv = { orgId: agent.orgId, id: conversationId };
      await revokedNotice(outcome.revoked, 'taken');
      await publishAll(conv, outcome.messages);
      queue.changed(agent.orgId, outcome.groupId);
      return conversationOrThrow(conv);
    },

    async transfer(agent, ref, to, note) {
      const before = await sql<{ assignee_id: string | null }[]>`
        select assignee_id from public.conversations where id = ${ref.id}`;
      const outcome = await transferConversation(
        sql,
        agent as Actor,
        ref.id,
        to,
        note,
        DEFAULT_OFFER_SECONDS,
      );
      if (outcome.kind === 'error') throw new FrameError(outcome.code, outcome.message);
      await revokedNotice(outcome.revoked, 'cancelled');
      await publishAll(ref, outcome.messages);
      if (outcome.kind === 'requeued') {
        queue.changed(ref.orgId, outcome.fromGroupId);
        queue.changed(ref.orgId, outcome.toGroupId);
        scheduler.request([outcome.toGroupId]);
        await scheduleAgent(ref.orgId, before[0]?.assignee_id ?? null);
      } else if (outcome.offer) {
        armExpiry(outcome.offer.expiresAt);
        await sendTargetedOffer(agent, ref.id, outcome.offer, 'assignment');
      }
      return conversationOrThrow(ref);
    },

    async invite(agent, ref, userId, note) {
      const outcome = await inviteConsultant(sql, agent, ref.id, userId, note, DEFAULT_OFFER_SECONDS);
      if (outcome.kind === 'error') throw new FrameError(outcome.code, outcome.message);
      await publishAll(ref, outcome.messages);
      armExpiry(outcome.offer.expiresAt);
      await sendTargetedOffer(agent, ref.id, outcome.offer, 'consult');
    },

    async leave(agent, ref) {
      const outcome = await leaveConversation(sql, agent, ref.id);
      if (outcome.kind === 'error') throw new FrameError(outcome.code, outcome.message);
      await publishAll(ref, outcome.messages);
      await notify.conversation(ref);
      if (outcome.wasAssignee) {
        queue.changed(ref.orgId, outcome.groupId);
        scheduler.request([outcome.groupId]);
        await scheduleAgent(ref.orgId, agent.userId);
      }
    },

    async transcript(ref, to, by) {
      const outcome = await mailTranscript(sql, mailer, log, ref, to, by);
      if (outcome.kind === 'no_address')
        throw new FrameError('conflict', 'There is no e-mail address to send it to');
      if (outcome.kind === 'limit')
        throw new FrameError('conflict', 'The transcript of this conversation was already sent 3 times');
    },

    sweep,
    settled: () => scheduler.idle(),

    close() {
      closed = true;
      clearInterval(sweepTimer);
      clearInterval(stampTimer);
      for (const t of offerTimers) clearTimeout(t);
      offerTimers.clear();
      scheduler.close();
      queue.close();
    },
  };

  async function sendTargetedOffer(
    from: Agent,
    conversationId: string,
    offer: { id: string; userId: string; expiresAt: Date; note: string },
    kind: 'assignment' | 'consult',
  ): Promise<void> {
    const entry = await queueEntryOf(sql, conversationId);
    if (!entry) return;
    const frame: ServerFrame = {
      type: 'offer',
      offerId: offer.id,
      kind,
      expiresAt: offer.expiresAt.toISOString(),
      entry,
      ...(offer.note ? { note: offer.note } : {}),
      from: { userId: from.userId, name: from.name },
    };
    await notify.toAgent(from.orgId, offer.userId, frame);
  }
}
