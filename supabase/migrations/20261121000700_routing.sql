-- =============================================================================
-- Routing: queues, offers, rules, follow-up mail and per-conversation figures
--
-- A new conversation waits in its group's queue (conversations.status =
-- 'queued'). The chat server's scheduler offers it to an eligible agent
-- (conversation_offers), atomically across instances; an offer that is not
-- accepted in time expires and the next agent gets one. Transfers and consults
-- are offers too. When nobody is available the visitor leaves an offline
-- message; the agent's reply goes out by e-mail (outbound_emails).
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Sites: routing rules and idle handling
-- -----------------------------------------------------------------------------
alter table public.sites
  -- Evaluated in order when the visitor chose no topic: the first match picks the group.
  -- [{ "match": "url", "contains": "/billing", "group_id": "…" }, { "match": "language", "equals": "de", "group_id": "…" }]
  add column routing_rules jsonb not null default '[]'::jsonb check (jsonb_typeof(routing_rules) = 'array'),
  -- A chat with no message for this long gets a warning, then is closed after idle_close_minutes.
  add column idle_warning_minutes integer not null default 10 check (idle_warning_minutes between 1 and 1440),
  add column idle_close_minutes integer not null default 15 check (idle_close_minutes between 1 and 1440);
comment on column public.sites.routing_rules is 'Fallback group choice by page URL or visitor language, used when no topic was chosen.';

-- -----------------------------------------------------------------------------
-- Conversations: what routing needs to match
-- -----------------------------------------------------------------------------
alter table public.conversations
  -- The visitor's language (from the widget locale), matched against group_members.languages.
  add column language text not null default '' check (length(language) <= 35),
  -- Skills an agent must have (group_members.skills), e.g. from a topic or a transfer.
  add column required_skills text[] not null default '{}',
  -- The page the visitor started from, for URL rules and the agent's context.
  add column start_url text not null default '' check (length(start_url) <= 2000),
  add column visitor_left_at timestamptz,
  add column idle_warned_at timestamptz;

-- -----------------------------------------------------------------------------
-- conversation_offers
-- -----------------------------------------------------------------------------
create table public.conversation_offers (
  org_id uuid not null,
  conversation_id uuid not null,
  id uuid not null default gen_random_uuid() primary key,
  -- The agent the offer is for.
  user_id uuid not null,
  -- assignment: from the queue; transfer: handed over by a colleague; consult: invited as a second agent.
  kind text not null default 'assignment' check (kind in ('assignment', 'transfer', 'consult')),
  status text not null default 'pending' check (status in ('pending', 'accepted', 'declined', 'expired', 'revoked')),
  -- Who made a transfer or consult offer (null for the scheduler), and their note to the next agent.
  offered_by uuid references auth.users (id) on delete set null,
  note text not null default '' check (length(note) <= 2000),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  responded_at timestamptz,
  foreign key (org_id, conversation_id) references public.conversations (org_id, id) on delete cascade,
  foreign key (org_id, user_id) references public.org_members (org_id, user_id) on delete cascade
);
comment on table public.conversation_offers is
  'Offers of a conversation to an agent (from the queue, a transfer or a consult). At most one pending assignment or transfer per conversation.';
create index conversation_offers_org_id_idx on public.conversation_offers (org_id);
create index conversation_offers_user_id_idx on public.conversation_offers (user_id) where status = 'pending';
create index conversation_offers_conversation_id_idx on public.conversation_offers (conversation_id);
create index conversation_offers_expiry_idx on public.conversation_offers (expires_at) where status = 'pending';
-- Two schedulers racing cannot both offer the same conversation.
create unique index conversation_offers_one_pending_idx on public.conversation_offers (conversation_id)
  where status = 'pending' and kind in ('assignment', 'transfer');

alter table public.conversation_offers enable row level security;
revoke all on table public.conversation_offers from anon, authenticated;
grant select on table public.conversation_offers to authenticated;
grant all on table public.conversation_offers to service_role;

-- An agent sees offers made to them; managers see all of their organization's.
create policy conversation_offers_select on public.conversation_offers for select to authenticated
  using (
    (user_id = (select auth.uid()) and org_id in (select private.staff_org_ids()))
    or org_id in (select private.manager_org_ids())
  );

-- -----------------------------------------------------------------------------
-- outbound_emails: follow-up replies to offline messages, transcripts
-- -----------------------------------------------------------------------------
create table public.outbound_emails (
  org_id uuid not null references public.organizations (id) on delete cascade,
  id uuid not null default gen_random_uuid() primary key,
  conversation_id uuid,
  kind text not null check (kind in ('offline_reply', 'transcript')),
  to_email text not null check (length(to_email) between 3 and 320),
  subject text not null check (length(subject) <= 500),
  body_text text not null,
  status text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
  error text not null default '',
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  foreign key (org_id, conversation_id) references public.conversations (org_id, id) on delete cascade
);
comment on table public.outbound_emails is 'E-mails the chat server sent or tried to send: offline replies and transcripts.';
create index outbound_emails_org_id_idx on public.outbound_emails (org_id, created_at desc);
create index outbound_emails_conversation_id_idx on public.outbound_emails (conversation_id);

alter table public.outbound_emails enable row level security;
revoke all on table public.outbound_emails from anon, authenticated;
grant select on table public.outbound_emails to authenticated;
grant all on table public.outbound_emails to service_role;

create policy outbound_emails_select on public.outbound_emails for select to authenticated
  using (org_id in (select private.manager_org_ids()));

-- -----------------------------------------------------------------------------
-- conversation_metrics: the figures analytics and agent scoring read
-- security_invoker: a reader sees the rows RLS lets them see in conversations.
-- -----------------------------------------------------------------------------
create view public.conversation_metrics with (security_invoker = true) as
select
  c.org_id,
  c.id as conversation_id,
  c.client_id,
  c.site_id,
  c.group_id,
  c.assignee_id,
  c.status,
  c.created_at,
  c.closed_at,
  extract(epoch from (c.assigned_at - c.queued_at))::integer as wait_seconds,
  extract(epoch from (c.first_response_at - c.created_at))::integer as first_response_seconds,
  extract(epoch from (c.closed_at - coalesce(c.assigned_at, c.created_at)))::integer as handling_seconds,
  counts.visitor_messages,
  counts.agent_messages,
  counts.notes,
  c.rating
from public.conversations c
cross join lateral (
  select count(*) filter (where m.sender_kind = 'visitor')::integer as visitor_messages,
         count(*) filter (where m.sender_kind = 'agent')::integer as agent_messages,
         count(*) filter (where m.sender_kind = 'note')::integer as notes
  from public.messages m
  where m.conversation_id = c.id
) counts;
comment on view public.conversation_metrics is
  'Per conversation: wait, first response and handling time in seconds, message counts and rating. Respects RLS (security invoker).';
revoke all on public.conversation_metrics from anon, authenticated;
grant select on public.conversation_metrics to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- The chat server routes, offers and mails
-- -----------------------------------------------------------------------------
grant select, insert, update on public.conversation_offers, public.outbound_emails to chat_server;
grant select on public.conversation_metrics to chat_server;
create policy conversation_offers_chat_server_select on public.conversation_offers for select to chat_server using (true);
create policy conversation_offers_chat_server_insert on public.conversation_offers for insert to chat_server with check (true);
create policy conversation_offers_chat_server_update on public.conversation_offers for update to chat_server using (true) with check (true);
create policy outbound_emails_chat_server_select on public.outbound_emails for select to chat_server using (true);
create policy outbound_emails_chat_server_insert on public.outbound_emails for insert to chat_server with check (true);
create policy outbound_emails_chat_server_update on public.outbound_emails for update to chat_server using (true) with check (true);
