/**
 * What the console starts from, read once from Supabase under the agent's RLS: the chats they are
 * in, the queued conversations they may see (as queue entries with the visitor preview the server's
 * `queue` frames carry), and offers still open for them. The chat server only pushes changes, so
 * without this a console opened mid-shift would show an empty queue until the next arrival.
 */
import type { QueueEntry } from '@chat/shared';
import { agentNames } from '../data/agents-directory.ts';
import { unwrap } from '../data/result.ts';
import { supabase } from '../supabase.ts';
import type { ConsoleSnapshot, OfferView } from './feed.ts';

interface QueuedRow {
  id: string;
  group_id: string | null;
  queued_at: string;
  topic: string;
  language: string;
  start_url: string;
  visitor: { id: string; name: string; email: string; attributes: Record<string, unknown> } | null;
}

const QUEUED =
  'id, group_id, queued_at, topic, language, start_url, visitor:visitors(id, name, email, attributes)';

export async function loadSnapshot(orgId: string, userId: string): Promise<ConsoleSnapshot> {
  const db = supabase();
  const [participating, assigned, queued, offers] = await Promise.all([
    db
      .from('conversation_participants')
      .select('conversation_id, joined_at, last_read_seq, conversation:conversations!inner(status)')
      .eq('org_id', orgId)
      .eq('user_id', userId)
      .is('left_at', null)
      .in('conversation.status', ['active', 'offline'])
      .order('joined_at'),
    db
      .from('conversations')
      .select('id, assigned_at')
      .eq('org_id', orgId)
      .eq('assignee_id', userId)
      .in('status', ['active', 'offline'])
      .order('assigned_at'),
    db
      .from('conversations')
      .select(QUEUED)
      .eq('org_id', orgId)
      .eq('status', 'queued')
      .order('queued_at')
      .limit(200),
    db
      .from('conversation_offers')
      .select(`id, kind, note, expires_at, offered_by, conversation:conversations!inner(${QUEUED})`)
      .eq('org_id', orgId)
      .eq('user_id', userId)
      .eq('status', 'pending')
      .gt('expires_at', new Date().toISOString()),
  ]);
  const readSeq = new Map(
    (unwrap(participating) as { conversation_id: string; last_read_seq: number }[]).map((r) => [
      r.conversation_id,
      Number(r.last_read_seq),
    ]),
  );
  const ids = new Set([...(unwrap(assigned) as { id: string }[]).map((r) => r.id), ...readSeq.keys()]);
  const mine = [...ids].map((id) => ({ id, lastReadSeq: readSeq.get(id) ?? 0 }));
  const queuedRows = unwrap(queued) as unknown as QueuedRow[];
  const offerRows = unwrap(offers) as unknown as Array<{
    id: string;
    kind: string;
    note: string;
    expires_at: string;
    offered_by: string | null;
    conversation: QueuedRow;
  }>;
  const [firsts, names] = await Promise.all([
    firstMessages([...queuedRows, ...offerRows.map((o) => o.conversation)].map((r) => r.id)),
    // Who made each transfer or consult offer, named as the live `offer` frame names them
    // (display name, else e-mail), so an offer read back after a reconnect says who asks.
    offerRows.some((o) => o.offered_by) ? agentNames(orgId) : new Map<string, string>(),
  ]);
  const position = new Map<string | null, number>();
  const queue = queuedRows.map((row) => {
    const place = (position.get(row.group_id) ?? 0) + 1;
    position.set(row.group_id, place);
    return toEntry(row, place, firsts.get(row.id) ?? '');
  });
  return {
    mine,
    queue,
    offers: offerRows.map(
      (o): OfferView => ({
        offerId: o.id,
        kind: o.kind === 'consult' ? 'consult' : 'assignment',
        expiresAt: o.expires_at,
        entry: toEntry(o.conversation, 1, firsts.get(o.conversation.id) ?? ''),
        note: o.note,
        from: (o.offered_by && names.get(o.offered_by)) || '',
      }),
    ),
  };
}

/** The first visitor message of each conversation, the preview agents decide on. */
async function firstMessages(ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = unwrap(
    await supabase()
      .from('messages')
      .select('conversation_id, body, seq')
      .in('conversation_id', ids)
      .eq('sender_kind', 'visitor')
      .lte('seq', 3)
      .order('seq'),
  ) as { conversation_id: string; body: string }[];
  const firsts = new Map<string, string>();
  for (const row of rows) if (!firsts.has(row.conversation_id)) firsts.set(row.conversation_id, row.body);
  return firsts;
}

function toEntry(row: QueuedRow, position: number, firstMessage: string): QueueEntry {
  const attributes = row.visitor?.attributes ?? {};
  const currentUrl = typeof attributes.current_url === 'string' ? attributes.current_url : '';
  const currentTitle = typeof attributes.current_title === 'string' ? attributes.current_title : '';
  return {
    conversationId: row.id,
    groupId: row.group_id,
    position,
    queuedAt: row.queued_at,
    topic: row.topic,
    visitor: {
      id: row.visitor?.id ?? row.id,
      name: row.visitor?.name ?? '',
      email: row.visitor?.email ?? '',
    },
    pageUrl: row.start_url || currentUrl,
    pageTitle: currentTitle,
    firstMessage: firstMessage.slice(0, 500),
    language: row.language,
  };
}
