/**
 * E-mails routing sends: a reply to an offline message, a transcript. Each is a row in
 * outbound_emails first (queued), then handed to the Mailer, then marked sent or failed, so the
 * admin app can show what went out and what did not. An offline reply is tied to its message: a
 * resent reply (same clientMsgId) finds the row and sends nothing twice.
 */
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { Mailer } from '../mail/index.ts';

/** Transcripts one conversation may send (a visitor naming any address must not make us a relay). */
export const MAX_TRANSCRIPTS = 3;

interface Draft {
  orgId: string;
  conversationId: string;
  kind: 'offline_reply' | 'transcript';
  to: string;
  subject: string;
  text: string;
  createdBy: string | null;
  messageId: string | null;
}

export async function sendRecorded(sql: Sql, mailer: Mailer, log: Logger, d: Draft): Promise<string | null> {
  const [row] = await sql<{ id: string }[]>`
    insert into public.outbound_emails (org_id, conversation_id, kind, to_email, subject, body_text, created_by, message_id)
    values (${d.orgId}, ${d.conversationId}, ${d.kind}, ${d.to}, ${d.subject.slice(0, 500)}, ${d.text}, ${d.createdBy}, ${d.messageId})
    on conflict (message_id) where message_id is not null do nothing
    returning id`;
  if (!row) return null;
  try {
    const sent = await mailer.send({ to: d.to, subject: d.subject, text: d.text });
    await sql`update public.outbound_emails set status = 'sent', sent_at = now() where id = ${row.id}`;
    log.info({ emailId: row.id, kind: d.kind, location: sent.location }, 'e-mail sent');
  } catch (error) {
    log.warn({ err: error, emailId: row.id }, 'e-mail failed');
    await sql`update public.outbound_emails set status = 'failed', error = ${String(error).slice(0, 1000)} where id = ${row.id}`;
  }
  return row.id;
}

/** After an agent's message: if the conversation is an offline message, mail the reply to the visitor. */
export async function mailOfflineReply(
  sql: Sql,
  mailer: Mailer,
  log: Logger,
  conversationId: string,
  clientMsgId: string,
  agentId: string,
): Promise<string | null> {
  const [r] = await sql<
    {
      org_id: string;
      status: string;
      email: string;
      visitor_name: string;
      site: string;
      message_id: string;
      body: string;
      agent: string;
    }[]
  >`
    select c.org_id, c.status, v.email, v.name as visitor_name, s.name as site, m.id as message_id, m.body,
           coalesce(om.display_name, '') as agent
    from public.conversations c
    join public.visitors v on v.id = c.visitor_id
    join public.sites s on s.id = c.site_id
    join public.messages m on m.conversation_id = c.id and m.client_msg_id = ${clientMsgId}
    left join public.org_members om on om.org_id = c.org_id and om.user_id = ${agentId}
    where c.id = ${conversationId} and m.sender_kind = 'agent'`;
  if (!r || r.status !== 'offline' || !r.email) return null;
  const text = [
    `Hello${r.visitor_name ? ` ${r.visitor_name}` : ''},`,
    '',
    r.body,
    '',
    `— ${r.agent || 'The support team'}, ${r.site}`,
  ].join('\n');
  return sendRecorded(sql, mailer, log, {
    orgId: r.org_id,
    conversationId,
    kind: 'offline_reply',
    to: r.email,
    subject: `Re: your message to ${r.site}`,
    text,
    createdBy: agentId,
    messageId: r.message_id,
  });
}

export type TranscriptOutcome =
  | { kind: 'sent'; emailId: string }
  | { kind: 'no_address' }
  | { kind: 'limit' };

/** The conversation's messages and system lines (never notes) as plain text, to `to` or the visitor's address. */
export async function mailTranscript(
  sql: Sql,
  mailer: Mailer,
  log: Logger,
  conv: { orgId: string; id: string },
  to: string | undefined,
  createdBy: string | null,
): Promise<TranscriptOutcome> {
  const [c] = await sql<{ email: string; site: string; created_at: Date; sent: number }[]>`
    select v.email, s.name as site, c.created_at,
           (select count(*)::int from public.outbound_emails e
             where e.conversation_id = c.id and e.kind = 'transcript') as sent
    from public.conversations c join public.visitors v on v.id = c.visitor_id join public.sites s on s.id = c.site_id
    where c.id = ${conv.id} and c.org_id = ${conv.orgId}`;
  if (!c) return { kind: 'no_address' };
  const address = to ?? c.email;
  if (!address) return { kind: 'no_address' };
  if (c.sent >= MAX_TRANSCRIPTS) return { kind: 'limit' };
  const lines = await sql<{ at: Date; kind: string; name: string; body: string }[]>`
    select m.created_at as at, m.sender_kind as kind, m.body,
           coalesce(case when m.sender_kind = 'visitor' then v.name else om.display_name end, '') as name
    from public.messages m
    left join public.visitors v on m.sender_kind = 'visitor' and v.id = m.sender_id
    left join public.org_members om on m.sender_kind = 'agent' and om.org_id = m.org_id and om.user_id = m.sender_id
    where m.conversation_id = ${conv.id} and m.sender_kind <> 'note'
    order by m.seq`;
  const text = [
    `Transcript of your chat with ${c.site} on ${c.created_at.toISOString().slice(0, 10)}`,
    '',
    ...lines.map((l) => {
      const time = l.at.toISOString().slice(11, 16);
      const who = l.kind === 'system' ? '—' : `${l.name || (l.kind === 'visitor' ? 'You' : 'Agent')}:`;
      return `[${time}] ${who} ${l.body}`;
    }),
  ].join('\n');
  const emailId = await sendRecorded(sql, mailer, log, {
    orgId: conv.orgId,
    conversationId: conv.id,
    kind: 'transcript',
    to: address,
    subject: `Your chat transcript — ${c.site}`,
    text,
    createdBy,
    messageId: null,
  });
  return emailId ? { kind: 'sent', emailId } : { kind: 'limit' };
}
