/**
 * Offer state changes, each one transaction. A pending offer moves exactly once (accepted,
 * declined, expired or revoked) because every change is `update … where status = 'pending'`:
 * whoever updates the row first wins, on any instance.
 */
import type { Message } from '@chat/shared';
import type { Sql, Tx } from '../db/sql.ts';
import { type Assignee, assignInTx } from './assign.ts';
import { isCapacityError } from './errors.ts';
import { agentNote, systemMessage } from './system-messages.ts';

export type OfferKind = 'assignment' | 'transfer' | 'consult';

export interface ClosedOffer {
  id: string;
  orgId: string;
  userId: string;
  conversationId: string;
  groupId: string | null;
  kind: OfferKind;
}

export type AcceptOutcome =
  | {
      kind: 'accepted';
      offerKind: OfferKind;
      groupId: string | null;
      previousAssignee: string | null;
      messages: Message[];
    }
  | { kind: 'gone' }
  | { kind: 'full' };

/**
 * Accepts the agent's own pending offer. The offer is marked accepted before the conversation is
 * assigned, so the capacity trigger counts the chat once (it was the pending offer a moment ago).
 */
export async function acceptOffer(
  sql: Sql,
  agent: Assignee & { orgId: string },
  offerId: string,
  conversationId: string,
): Promise<AcceptOutcome> {
  try {
    return (await sql.begin(async (tx) => {
      const [conv] = await tx<{ status: string; assignee_id: string | null; group_id: string | null }[]>`
        select status, assignee_id, group_id from public.conversations
        where id = ${conversationId} and org_id = ${agent.orgId}
        for update`;
      if (!conv || conv.status === 'closed') return { kind: 'gone' } as const;
      const [offer] = await tx<{ kind: OfferKind; offered_by: string | null }[]>`
        update public.conversation_offers set status = 'accepted', responded_at = now()
        where id = ${offerId} and conversation_id = ${conversationId} and user_id = ${agent.userId}
          and org_id = ${agent.orgId} and status = 'pending' and expires_at > now()
        returning kind, offered_by`;
      if (!offer) return { kind: 'gone' } as const;
      const conv_ = { orgId: agent.orgId, id: conversationId };
      if (offer.kind === 'consult') {
        await tx`
          insert into public.conversation_participants (org_id, conversation_id, user_id, role)
          values (${agent.orgId}, ${conversationId}, ${agent.userId}, 'consultant')
          on conflict (conversation_id, user_id) do update set left_at = null, joined_at = now()`;
        const message = await systemMessage(
          tx,
          conv_,
          'agent_joined',
          `${agent.name || 'An agent'} joined the chat`,
          {
            userId: agent.userId,
            via: 'consult',
          },
        );
        return {
          kind: 'accepted',
          offerKind: offer.kind,
          groupId: conv.group_id,
          previousAssignee: null,
          messages: [message],
        } as const;
      }
      if (offer.kind === 'assignment' && conv.status !== 'queued') return { kind: 'gone' } as const;
      const message = await assignInTx(tx, conv_, agent, offer.kind === 'transfer' ? 'transfer' : 'offer');
      return {
        kind: 'accepted',
        offerKind: offer.kind,
        groupId: conv.group_id,
        previousAssignee: conv.assignee_id !== agent.userId ? conv.assignee_id : null,
        messages: [message],
      } as const;
    })) as AcceptOutcome;
  } catch (error) {
    if (isCapacityError(error)) return { kind: 'full' };
    throw error;
  }
}

export type ClaimOutcome =
  | { kind: 'claimed'; groupId: string | null; revoked: ClosedOffer[]; messages: Message[] }
  | { kind: 'taken' }
  | { kind: 'full' };

/**
 * Manual pick. The conversation row is locked (not skipped): of two agents claiming at once, the
 * second waits, then finds it active and gets `taken`. A pending offer for it is revoked.
 */
export async function claimConversation(
  sql: Sql,
  agent: Assignee & { orgId: string },
  conversationId: string,
): Promise<ClaimOutcome> {
  try {
    return (await sql.begin(async (tx) => {
      const [conv] = await tx<{ status: string; group_id: string | null }[]>`
        select status, group_id from public.conversations
        where id = ${conversationId} and org_id = ${agent.orgId}
        for update`;
      if (!conv || conv.status !== 'queued') return { kind: 'taken' } as const;
      const revoked = await revokePendingInTx(tx, conversationId, ['assignment', 'transfer']);
      const message = await assignInTx(tx, { orgId: agent.orgId, id: conversationId }, agent, 'claim');
      return { kind: 'claimed', groupId: conv.group_id, revoked, messages: [message] } as const;
    })) as ClaimOutcome;
  } catch (error) {
    if (isCapacityError(error)) return { kind: 'full' };
    throw error;
  }
}

/** Declines the agent's own pending offer; a declined transfer or consult leaves a note for the asker. */
export async function declineOffer(
  sql: Sql,
  agent: Assignee & { orgId: string },
  offerId: string,
  conversationId: string,
  reason: string,
): Promise<{ offer: ClosedOffer; note: Message | null } | null> {
  return sql.begin(async (tx) => {
    const [row] = await tx<OfferRow[]>`
      update public.conversation_offers o set status = 'declined', responded_at = now()
      from public.conversations c
      where o.id = ${offerId} and o.conversation_id = ${conversationId} and o.user_id = ${agent.userId}
        and o.org_id = ${agent.orgId} and o.status = 'pending' and c.id = o.conversation_id
      returning o.id, o.org_id, o.user_id, o.conversation_id, c.group_id, o.kind`;
    if (!row) return null;
    let note: Message | null = null;
    if (row.kind !== 'assignment') {
      const what = row.kind === 'transfer' ? 'the transfer' : 'the invitation';
      note = await agentNote(
        tx,
        { orgId: agent.orgId, id: conversationId },
        agent,
        `Declined ${what}${reason ? `: ${reason}` : ''}`,
        { event: 'offer_declined', offerKind: row.kind },
      );
    }
    return { offer: toClosed(row), note };
  }) as Promise<{ offer: ClosedOffer; note: Message | null } | null>;
}

interface OfferRow {
  id: string;
  org_id: string;
  user_id: string;
  conversation_id: string;
  group_id: string | null;
  kind: OfferKind;
}

const toClosed = (r: OfferRow): ClosedOffer => ({
  id: r.id,
  orgId: r.org_id,
  userId: r.user_id,
  conversationId: r.conversation_id,
  groupId: r.group_id,
  kind: r.kind,
});

/** Every pending offer past its time, on any instance's behalf: each row is expired exactly once. */
export async function expireDueOffers(sql: Sql, limit = 500): Promise<ClosedOffer[]> {
  const rows = await sql<OfferRow[]>`
    with due as (
      select id from public.conversation_offers
      where status = 'pending' and expires_at <= now()
      order by expires_at limit ${limit}
      for update skip locked
    )
    update public.conversation_offers o set status = 'expired', responded_at = now()
    from due, public.conversations c
    where o.id = due.id and c.id = o.conversation_id
    returning o.id, o.org_id, o.user_id, o.conversation_id, c.group_id, o.kind`;
  return rows.map(toClosed);
}

/** Revokes a conversation's pending offers (claimed, closed, transferred elsewhere, visitor gone). */
export async function revokePendingInTx(
  tx: Tx | Sql,
  conversationId: string,
  kinds: OfferKind[] = ['assignment', 'transfer', 'consult'],
): Promise<ClosedOffer[]> {
  const rows = await tx<OfferRow[]>`
    update public.conversation_offers o set status = 'revoked', responded_at = now()
    from public.conversations c
    where o.conversation_id = ${conversationId} and o.status = 'pending' and o.kind = any(${kinds}::text[])
      and c.id = o.conversation_id
    returning o.id, o.org_id, o.user_id, o.conversation_id, c.group_id, o.kind`;
  return rows.map(toClosed);
}

/** An agent went away or offline: their pending assignment offers go back to the queue. */
export async function revokeAgentOffers(sql: Sql, orgId: string, userId: string): Promise<ClosedOffer[]> {
  const rows = await sql<OfferRow[]>`
    update public.conversation_offers o set status = 'revoked', responded_at = now()
    from public.conversations c
    where o.org_id = ${orgId} and o.user_id = ${userId} and o.status = 'pending' and o.kind = 'assignment'
      and c.id = o.conversation_id
    returning o.id, o.org_id, o.user_id, o.conversation_id, c.group_id, o.kind`;
  return rows.map(toClosed);
}
