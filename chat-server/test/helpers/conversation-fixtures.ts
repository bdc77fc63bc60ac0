/**
 * Rows for tests that need a conversation of their own: a fresh conversation of a fresh visitor of
 * the seeded Acme site, a message from that visitor, and the claims of that visitor's token.
 */
import type postgres from 'postgres';
import type { NewMessage } from '../../src/conversations/messages.ts';

export const NORTHWIND_ORG = '10000000-0000-4000-8000-000000000001';
export const CONTOSO_ORG = '10000000-0000-4000-8000-000000000002';
export const ACME_CLIENT = '30000000-0000-4000-8000-000000000001';
export const ACME_SITE = '40000000-0000-4000-8000-000000000001';

export interface TestConversation {
  id: string;
  visitorId: string;
}

/** A conversation with no group, so routing leaves it alone; inserted as the superuser. */
export async function createConversation(
  db: postgres.Sql,
  opts: { name: string; status?: 'queued' | 'active' | 'closed' },
): Promise<TestConversation> {
  const [v] = await db<{ id: string }[]>`
    insert into public.visitors (org_id, client_id, site_id, name)
    values (${NORTHWIND_ORG}, ${ACME_CLIENT}, ${ACME_SITE}, ${opts.name}) returning id`;
  const [c] = await db<{ id: string }[]>`
    insert into public.conversations (org_id, client_id, site_id, visitor_id, status)
    values (${NORTHWIND_ORG}, ${ACME_CLIENT}, ${ACME_SITE}, ${v?.id as string}, ${opts.status ?? 'active'})
    returning id`;
  return { id: c?.id as string, visitorId: v?.id as string };
}

/** A message from the conversation's visitor (named Ana). */
export function visitorMessage(conv: TestConversation, clientMsgId: string, body = 'hello'): NewMessage {
  return {
    orgId: NORTHWIND_ORG,
    conversationId: conv.id,
    clientMsgId,
    senderKind: 'visitor',
    senderId: conv.visitorId,
    senderName: 'Ana',
    body,
  };
}

/** What a visitor token for this conversation's visitor names (sign it with the server's tokens). */
export function visitorClaims(conv: TestConversation) {
  return { sub: conv.visitorId, org: NORTHWIND_ORG, client: ACME_CLIENT, site: ACME_SITE };
}
