/**
 * Transfer, consult and leave, each one transaction on the locked conversation row.
 *   - To a group: the chat goes back to the queue of that group (keeping its original queue time,
 *     so it is served before newer chats); the previous assignee leaves.
 *   - To an agent: the target gets a `transfer` offer (capacity-checked like any offer); until they
 *     accept, the chat stays with its current assignee.
 *   - Invite: a `consult` offer; accepting makes the colleague a participant with role consultant.
 * The asker's note is stored as an internal note, so the next agent reads it with the history.
 */
import type { Message } from '@chat/shared';
import type { Sql } from '../db/sql.ts';
import { isCapacityError, isOfferTaken } from './errors.ts';
import { type ClosedOffer, revokePendingInTx } from './offers.ts';
import { agentNote, systemMessage } from './system-messages.ts';

export interface Actor {
  orgId: string;
  userId: string;
  name: string;
}

export type TransferOutcome =
  | {
      kind: 'requeued' | 'offered';
      fromGroupId: string | null;
      toGroupId: string | null;
      revoked: ClosedOffer[];
      messages: Message[];
      offer?: { id: string; userId: string; expiresAt: Date; note: string };
    }
  | { kind: 'error'; code: 'not_found' | 'conflict' | 'forbidden'; message: string };

interface ConvRow {
  status: string;
  group_id: string | null;
  assignee_id: string | null;
}

async function lockConversation(tx: Sql, orgId: string, id: string): Promise<ConvRow | undefined> {
  const [row] = await tx<ConvRow[]>`
    select status, group_id, assignee_id from public.conversations
    where id = ${id} and org_id = ${orgId} for update`;
  return row;
}

export async function transferConversation(
  sql: Sql,
  actor: Actor,
  conversationId: string,
  to: { kind: 'agent'; userId: string } | { kind: 'group'; groupId: string },
  note: string,
  defaultTimeoutSeconds: number,
): Promise<TransferOutcome> {
  const conv = { orgId: actor.orgId, id: conversationId };
  try {
    return (await sql.begin(async (tx) => {
      const c = await lockConversation(tx as unknown as Sql, actor.orgId, conversationId);
      if (!c) return { kind: 'error', code: 'not_found', message: 'No such conversation' } as const;
      if (c.status !== 'active' && c.status !== 'queued')
        return {
          kind: 'error',
          code: 'conflict',
          message: `A ${c.status} conversation cannot be transferred`,
        } as const;
      const messages: Message[] = [];

      if (to.kind === 'group') {
        const [group] = await tx<{ name: string }[]>`
          select name from public.groups where id = ${to.groupId} and org_id = ${actor.orgId}`;
        if (!group) return { kind: 'error', code: 'not_found', message: 'No such group' } as const;
        const revoked = await revokePendingInTx(tx, conversationId, ['assignment', 'transfer']);
        await tx`
          update public.conversations set group_id = ${to.groupId}, status = 'queued', assignee_id = null
          where id = ${conversationId}`;
        await tx`
          update public.conversation_participants set left_at = now()
          where conversation_id = ${conversationId} and role = 'assignee' and left_at is null`;
        if (note)
          messages.push(
            await agentNote(tx, conv, actor, note, { event: 'transfer_note', toGroupId: to.groupId }),
          );
        messages.push(
          await systemMessage(
            tx,
            conv,
            'transferred',
            `${actor.name || 'An agent'} transferred the chat to ${group.name}`,
            {
              byUserId: actor.userId,
              toGroupId: to.groupId,
            },
          ),
        );
        return {
          kind: 'requeued',
          fromGroupId: c.group_id,
          toGroupId: to.groupId,
          revoked,
          messages,
        } as const;
      }

      if (to.userId === c.assignee_id)
        return {
          kind: 'error',
          code: 'conflict',
          message: 'The conversation is already with this agent',
        } as const;
      const [target] = await tx<{ name: string; timeout: number | null }[]>`
        select coalesce(m.display_name, '') as name,
               (select g.offer_timeout_seconds from public.groups g where g.id = ${c.group_id}) as timeout
        from public.org_members m
        where m.org_id = ${actor.orgId} and m.user_id = ${to.userId} and m.active and m.role <> 'client_viewer'`;
      if (!target) return { kind: 'error', code: 'not_found', message: 'No such agent' } as const;
      const revoked = await revokePendingInTx(tx, conversationId, ['assignment', 'transfer']);
      const [offer] = await tx<{ id: string; expires_at: Date }[]>`
        insert into public.conversation_offers (org_id, conversation_id, user_id, kind, offered_by, note, expires_at)
        values (${actor.orgId}, ${conversationId}, ${to.userId}, 'transfer', ${actor.userId}, ${note.slice(0, 2000)},
                now() + make_interval(secs => ${target.timeout ?? defaultTimeoutSeconds}))
        returning id, expires_at`;
      if (note)
        messages.push(
          await agentNote(tx, conv, actor, note, { event: 'transfer_note', toUserId: to.userId }),
        );
      messages.push(
        await systemMessage(
          tx,
          conv,
          'transferred',
          `${actor.name || 'An agent'} is transferring the chat to ${target.name || 'a colleague'}`,
          {
            byUserId: actor.userId,
            toUserId: to.userId,
          },
        ),
      );
      return {
        kind: 'offered',
        fromGroupId: c.group_id,
        toGroupId: c.group_id,
        revoked,
        messages,
        offer: {
          id: (offer as { id: string }).id,
          userId: to.userId,
          expiresAt: (offer as { expires_at: Date }).expires_at,
          note,
        },
      } as const;
    })) as TransferOutcome;
  } catch (error) {
    if (isCapacityError(error))
      return { kind: 'error', code: 'conflict', message: 'That agent is at their chat limit' };
    if (isOfferTaken(error))
      return { kind: 'error', code: 'conflict', message: 'Another offer is pending; retry' };
    throw error;
  }
}

export type InviteOutcome =
  | {
      kind: 'invited';
      offer: { id: string; userId: string; expiresAt: Date; note: string };
      messages: Message[];
    }
  | { kind: 'error'; code: 'not_found' | 'conflict'; message: string };

export async function inviteConsultant(
  sql: Sql,
  actor: Actor,
  conversationId: string,
  userId: string,
  note: string,
  defaultTimeoutSeconds: number,
): Promise<InviteOutcome> {
  return (await sql.begin(async (tx) => {
    const c = await lockConversation(tx as unknown as Sql, actor.orgId, conversationId);
    if (!c) return { kind: 'error', code: 'not_found', message: 'No such conversation' } as const;
    if (c.status === 'closed')
      return { kind: 'error', code: 'conflict', message: 'The conversation is closed' } as const;
    if (userId === actor.userId)
      return { kind: 'error', code: 'conflict', message: 'You cannot invite yourself' } as const;
    // The offer lasts the conversation's group's offer timeout, as new-chat and transfer offers do.
    const [target] = await tx<{ name: string; inside: boolean; invited: boolean; timeout: number | null }[]>`
      select coalesce(m.display_name, '') as name,
             (select g.offer_timeout_seconds from public.groups g where g.id = ${c.group_id}) as timeout,
             exists (select 1 from public.conversation_participants p
                     where p.conversation_id = ${conversationId} and p.user_id = m.user_id and p.left_at is null) as inside,
             exists (select 1 from public.conversation_offers o
                     where o.conversation_id = ${conversationId} and o.user_id = m.user_id and o.status = 'pending') as invited
      from public.org_members m
      where m.org_id = ${actor.orgId} and m.user_id = ${userId} and m.active and m.role <> 'client_viewer'`;
    if (!target) return { kind: 'error', code: 'not_found', message: 'No such agent' } as const;
    if (target.inside || target.invited)
      return {
        kind: 'error',
        code: 'conflict',
        message: 'That agent is already in or invited to this conversation',
      } as const;
    const [offer] = await tx<{ id: string; expires_at: Date }[]>`
      insert into public.conversation_offers (org_id, conversation_id, user_id, kind, offered_by, note, expires_at)
      values (${actor.orgId}, ${conversationId}, ${userId}, 'consult', ${actor.userId}, ${note.slice(0, 2000)},
              now() + make_interval(secs => ${target.timeout ?? defaultTimeoutSeconds}))
      returning id, expires_at`;
    const messages: Message[] = [];
    if (note)
      messages.push(
        await agentNote(
          tx,
          { orgId: actor.orgId, id: conversationId },
          actor,
          `Invited ${target.name || 'a colleague'}: ${note}`,
          {
            event: 'consult_note',
            toUserId: userId,
          },
        ),
      );
    const o = offer as { id: string; expires_at: Date };
    return { kind: 'invited', offer: { id: o.id, userId, expiresAt: o.expires_at, note }, messages } as const;
  })) as InviteOutcome;
}

export type LeaveOutcome =
  | { kind: 'left'; wasAssignee: boolean; groupId: string | null; messages: Message[] }
  | { kind: 'error'; code: 'not_found' | 'conflict'; message: string };

/**
 * A participant leaves. A consultant simply goes; the assignee hands the chat back to its group's
 * queue (unless it is closed), so the visitor is never left with nobody.
 */
export async function leaveConversation(
  sql: Sql,
  actor: Actor,
  conversationId: string,
): Promise<LeaveOutcome> {
  return (await sql.begin(async (tx) => {
    const c = await lockConversation(tx as unknown as Sql, actor.orgId, conversationId);
    if (!c) return { kind: 'error', code: 'not_found', message: 'No such conversation' } as const;
    const [p] = await tx<{ role: string }[]>`
      update public.conversation_participants set left_at = now()
      where conversation_id = ${conversationId} and user_id = ${actor.userId} and left_at is null
      returning role`;
    if (!p) return { kind: 'error', code: 'conflict', message: 'You are not in this conversation' } as const;
    const wasAssignee = c.assignee_id === actor.userId;
    if (wasAssignee && c.status === 'active') {
      await tx`update public.conversations set status = 'queued', assignee_id = null where id = ${conversationId}`;
    }
    const message = await systemMessage(
      tx,
      { orgId: actor.orgId, id: conversationId },
      'agent_left',
      `${actor.name || 'An agent'} left the chat`,
      {
        userId: actor.userId,
        role: p.role,
      },
    );
    return {
      kind: 'left',
      wasAssignee: wasAssignee && c.status === 'active',
      groupId: c.group_id,
      messages: [message],
    } as const;
  })) as LeaveOutcome;
}
