/**
 * The visitor side panel: who they are, where they are, what they use, and what they asked before.
 * Read with supabase-js under the agent's RLS (an agent sees the past conversations they may see).
 */
import { unwrap } from '../data/result.ts';
import { supabase } from '../supabase.ts';
import type { PageSeen } from './chat.svelte.ts';

export interface VisitorDetails {
  id: string;
  name: string;
  email: string;
  locale: string;
  userAgent: string;
  clientId: string;
  clientName: string;
  siteName: string;
  startUrl: string;
  currentUrl: string;
  currentTitle: string;
  pages: PageSeen[];
  /** Pre-chat answers and identify() attributes, without the page bookkeeping. */
  fields: [string, string][];
  firstSeenAt: string;
}

export interface PastConversation {
  id: string;
  status: string;
  topic: string;
  createdAt: string;
  rating: number | null;
}

const HIDDEN_ATTRIBUTES = new Set(['current_url', 'current_title', 'page_history']);

export async function loadVisitorDetails(conversationId: string): Promise<{
  visitor: VisitorDetails;
  past: PastConversation[];
}> {
  const row = unwrap(
    await supabase()
      .from('conversations')
      .select(
        'id, visitor_id, client_id, start_url, client:clients(name), site:sites(name), visitor:visitors(id, name, email, locale, user_agent, attributes, first_seen_at)',
      )
      .eq('id', conversationId)
      .single(),
  ) as unknown as {
    visitor_id: string;
    client_id: string;
    start_url: string;
    client: { name: string } | null;
    site: { name: string } | null;
    visitor: {
      id: string;
      name: string;
      email: string;
      locale: string;
      user_agent: string;
      attributes: Record<string, unknown>;
      first_seen_at: string;
    } | null;
  };
  const past = unwrap(
    await supabase()
      .from('conversations')
      .select('id, status, topic, created_at, rating')
      .eq('visitor_id', row.visitor_id)
      .neq('id', conversationId)
      .order('created_at', { ascending: false })
      .limit(10),
  ) as Array<{ id: string; status: string; topic: string; created_at: string; rating: number | null }>;
  const attributes = row.visitor?.attributes ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const history = Array.isArray(attributes.page_history) ? attributes.page_history : [];
  return {
    visitor: {
      id: row.visitor_id,
      name: row.visitor?.name ?? '',
      email: row.visitor?.email ?? '',
      locale: row.visitor?.locale ?? '',
      userAgent: row.visitor?.user_agent ?? '',
      clientId: row.client_id,
      clientName: row.client?.name ?? '',
      siteName: row.site?.name ?? '',
      startUrl: row.start_url,
      currentUrl: text(attributes.current_url),
      currentTitle: text(attributes.current_title),
      pages: history
        .filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null)
        .map((p) => ({ url: text(p.url), title: text(p.title), at: text(p.at) })),
      fields: Object.entries(attributes)
        .filter(
          ([key, value]) =>
            !HIDDEN_ATTRIBUTES.has(key) && (typeof value === 'string' || typeof value === 'number'),
        )
        .map(([key, value]) => [key, String(value)]),
      firstSeenAt: row.visitor?.first_seen_at ?? '',
    },
    past: past.map((p) => ({
      id: p.id,
      status: p.status,
      topic: p.topic,
      createdAt: p.created_at,
      rating: p.rating,
    })),
  };
}
