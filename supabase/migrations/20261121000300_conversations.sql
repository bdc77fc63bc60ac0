-- =============================================================================
-- Visitors, conversations, participants, messages, attachments, calls
--
-- The chat server writes these (it owns delivery: idempotency, sequence numbers,
-- pub/sub). The admin app reads them under RLS. Who may read a conversation:
--   - managers and above: every conversation of their organization;
--   - agents: conversations in their groups, unrouted ones, and any they are
--     assigned to or take part in (after a transfer or a consult);
--   - a client_viewer: their client's conversations, without internal notes.
-- Messages, attachments, participants and calls follow the conversation.
-- =============================================================================

create type public.conversation_status as enum ('queued', 'active', 'closed', 'offline');
comment on type public.conversation_status is
  'queued: waiting for an agent; active: an agent is on it; closed: ended; offline: left while nobody was available, awaiting follow-up by email.';

create type public.sender_kind as enum ('visitor', 'agent', 'system', 'note');
comment on type public.sender_kind is 'note = an internal note between agents; never delivered to the visitor or shown to a client_viewer.';

-- -----------------------------------------------------------------------------
-- visitors
-- -----------------------------------------------------------------------------
create table public.visitors (
  org_id uuid not null references public.organizations (id) on delete cascade,
  client_id uuid not null,
  site_id uuid not null,
  id uuid not null default gen_random_uuid() primary key,
  -- Set by the host page through the widget's identify() call, if it knows the visitor.
  external_id text check (length(external_id) <= 200),
  name text not null default '' check (length(name) <= 200),
  email text not null default '' check (length(email) <= 320),
  locale text not null default '' check (length(locale) <= 35),
  user_agent text not null default '' check (length(user_agent) <= 1000),
  -- Pre-chat answers and identify() attributes.
  attributes jsonb not null default '{}'::jsonb,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  unique (org_id, id),
  foreign key (org_id, client_id) references public.clients (org_id, id) on delete cascade,
  foreign key (org_id, site_id) references public.sites (org_id, id) on delete cascade
);
comment on table public.visitors is 'A person chatting from a client''s website, known by a visitor token the chat server signs.';
create index visitors_org_id_idx on public.visitors (org_id);
create index visitors_client_id_idx on public.visitors (client_id);
create index visitors_site_id_idx on public.visitors (site_id);

-- -----------------------------------------------------------------------------
-- conversations
-- -----------------------------------------------------------------------------
create table public.conversations (
  org_id uuid not null references public.organizations (id) on delete cascade,
  client_id uuid not null,
  site_id uuid not null,
  visitor_id uuid not null,
  id uuid not null default gen_random_uuid() primary key,
  status public.conversation_status not null default 'queued',
  group_id uuid,
  assignee_id uuid references auth.users (id) on delete set null,
  topic text not null default '' check (length(topic) <= 200),
  -- Highest sequence number given to a message so far; the next message gets last_seq + 1.
  last_seq bigint not null default 0,
  -- Where the visitor has read up to (agents' positions live in conversation_participants).
  visitor_read_seq bigint not null default 0,
  created_at timestamptz not null default now(),
  queued_at timestamptz not null default now(),
  assigned_at timestamptz,
  first_response_at timestamptz,
  last_message_at timestamptz,
  closed_at timestamptz,
  closed_by text check (closed_by in ('visitor', 'agent', 'system')),
  rating smallint check (rating between 1 and 5),
  feedback text not null default '' check (length(feedback) <= 5000),
  rated_at timestamptz,
  unique (org_id, id),
  foreign key (org_id, client_id) references public.clients (org_id, id) on delete cascade,
  foreign key (org_id, site_id) references public.sites (org_id, id) on delete cascade,
  foreign key (org_id, visitor_id) references public.visitors (org_id, id) on delete cascade,
  foreign key (org_id, group_id) references public.groups (org_id, id) on delete set null (group_id)
);
comment on table public.conversations is
  'One chat between a visitor and the firm: status, routing (group, assignee), queue and response timestamps, rating and feedback.';
create index conversations_org_id_idx on public.conversations (org_id, created_at desc);
create index conversations_client_id_idx on public.conversations (client_id, created_at desc);
create index conversations_group_id_idx on public.conversations (group_id) where group_id is not null;
create index conversations_assignee_id_idx on public.conversations (assignee_id) where assignee_id is not null;
create index conversations_visitor_id_idx on public.conversations (visitor_id);
create index conversations_queue_idx on public.conversations (group_id, queued_at) where status = 'queued';

-- -----------------------------------------------------------------------------
-- conversation_participants
-- -----------------------------------------------------------------------------
create table public.conversation_participants (
  org_id uuid not null,
  conversation_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- assignee: owns the chat; consultant: invited colleague or supervisor.
  role text not null default 'assignee' check (role in ('assignee', 'consultant')),
  joined_at timestamptz not null default now(),
  left_at timestamptz,
  -- Read position (the last sequence number this agent has seen).
  last_read_seq bigint not null default 0,
  primary key (conversation_id, user_id),
  foreign key (org_id, conversation_id) references public.conversations (org_id, id) on delete cascade
);
comment on table public.conversation_participants is 'Agents who have taken part in a conversation, with their read position.';
create index conversation_participants_org_id_idx on public.conversation_participants (org_id);
create index conversation_participants_user_id_idx on public.conversation_participants (user_id);

create function private.my_conversation_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select p.conversation_id from public.conversation_participants p where p.user_id = (select auth.uid())
$$;
comment on function private.my_conversation_ids() is 'Conversations the current user has taken part in (assigned, transferred to, or consulted).';
revoke all on function private.my_conversation_ids() from public, anon;
grant execute on function private.my_conversation_ids() to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- messages
-- -----------------------------------------------------------------------------
create table public.messages (
  org_id uuid not null,
  conversation_id uuid not null,
  id uuid not null default gen_random_uuid() primary key,
  -- Per-conversation order, assigned on insert by messages_assign_seq().
  seq bigint not null default 0,
  -- The sender's own id for the message: resending it is a no-op (idempotency).
  client_msg_id text not null check (length(client_msg_id) between 1 and 100),
  sender_kind public.sender_kind not null,
  -- auth.users id for agent and note, visitors.id for visitor, null for system.
  sender_id uuid,
  body text not null default '' check (length(body) <= 20000),
  -- Structured extras: system event details, attachment ids.
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  unique (conversation_id, seq),
  unique (conversation_id, client_msg_id),
  foreign key (org_id, conversation_id) references public.conversations (org_id, id) on delete cascade,
  constraint sender_matches_kind check ((sender_kind = 'system') = (sender_id is null))
);
comment on table public.messages is
  'Everything said in a conversation, in seq order. client_msg_id makes sends idempotent; note = internal, agents only.';
create index messages_org_id_idx on public.messages (org_id);
create index messages_body_search_idx on public.messages using gin (to_tsvector('simple', body));

create function private.messages_assign_seq()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  -- Locking the conversation row serializes concurrent inserts into one conversation, so
  -- sequence numbers are gap-free and unique without a separate sequence per conversation.
  update public.conversations c
     set last_seq = c.last_seq + 1,
         last_message_at = new.created_at
   where c.id = new.conversation_id and c.org_id = new.org_id
  returning c.last_seq into new.seq;
  if new.seq is null then
    raise exception 'Conversation % does not exist in this organization', new.conversation_id
      using errcode = 'foreign_key_violation';
  end if;
  return new;
end
$$;
comment on function private.messages_assign_seq() is 'Gives each new message the next sequence number of its conversation.';
create trigger messages_assign_seq before insert on public.messages
  for each row execute function private.messages_assign_seq();

-- -----------------------------------------------------------------------------
-- attachments
-- -----------------------------------------------------------------------------
create table public.attachments (
  org_id uuid not null,
  conversation_id uuid not null,
  id uuid not null default gen_random_uuid() primary key,
  message_id uuid references public.messages (id) on delete set null,
  uploader_kind public.sender_kind not null check (uploader_kind in ('visitor', 'agent')),
  uploader_id uuid not null,
  file_name text not null check (length(file_name) between 1 and 255),
  -- The type found by sniffing the content, not the one the uploader claimed.
  content_type text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  -- Where the storage backend keeps the bytes (a path on disk, or a Supabase Storage object).
  storage_key text not null unique,
  sha256 text not null default '',
  created_at timestamptz not null default now(),
  foreign key (org_id, conversation_id) references public.conversations (org_id, id) on delete cascade
);
comment on table public.attachments is 'Files and screenshots shared in a conversation; the bytes live in storage, served through signed URLs.';
create index attachments_org_id_idx on public.attachments (org_id);
create index attachments_conversation_id_idx on public.attachments (conversation_id);
create index attachments_message_id_idx on public.attachments (message_id) where message_id is not null;

-- -----------------------------------------------------------------------------
-- calls
-- -----------------------------------------------------------------------------
create table public.calls (
  org_id uuid not null,
  conversation_id uuid not null,
  id uuid not null default gen_random_uuid() primary key,
  provider text not null default '100ms',
  room_id text not null,
  started_by_kind public.sender_kind not null check (started_by_kind in ('visitor', 'agent')),
  started_by uuid not null,
  status text not null default 'ringing' check (status in ('ringing', 'active', 'ended', 'missed')),
  created_at timestamptz not null default now(),
  started_at timestamptz,
  ended_at timestamptz,
  foreign key (org_id, conversation_id) references public.conversations (org_id, id) on delete cascade
);
comment on table public.calls is 'Video calls started from a conversation (a 100ms room).';
create index calls_org_id_idx on public.calls (org_id);
create index calls_conversation_id_idx on public.calls (conversation_id);

-- -----------------------------------------------------------------------------
-- RLS: visitors
-- -----------------------------------------------------------------------------
alter table public.visitors enable row level security;
revoke all on table public.visitors from anon, authenticated;
grant select, update, delete on table public.visitors to authenticated;
grant all on table public.visitors to service_role;

create policy visitors_select on public.visitors for select to authenticated
  using (org_id in (select private.staff_org_ids()) or client_id in (select private.viewer_client_ids()));
-- Agents correct a visitor's name or email from the console.
create policy visitors_update on public.visitors for update to authenticated
  using (org_id in (select private.staff_org_ids()))
  with check (org_id in (select private.staff_org_ids()));
-- Erasing a visitor (and their conversations) is an admin's decision.
create policy visitors_delete on public.visitors for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

-- -----------------------------------------------------------------------------
-- RLS: conversations
-- -----------------------------------------------------------------------------
alter table public.conversations enable row level security;
revoke all on table public.conversations from anon, authenticated;
grant select, update, delete on table public.conversations to authenticated;
grant all on table public.conversations to service_role;

create policy conversations_select on public.conversations for select to authenticated
  using (
    org_id in (select private.manager_org_ids())
    or client_id in (select private.viewer_client_ids())
    or (
      org_id in (select private.staff_org_ids())
      and (
        group_id is null
        or group_id in (select private.my_group_ids())
        or assignee_id = (select auth.uid())
        or id in (select private.my_conversation_ids())
      )
    )
  );
-- Status, routing and messages change through the chat server; managers may fix records.
create policy conversations_update on public.conversations for update to authenticated
  using (org_id in (select private.manager_org_ids()))
  with check (org_id in (select private.manager_org_ids()));
create policy conversations_delete on public.conversations for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

-- -----------------------------------------------------------------------------
-- RLS: conversation_participants, messages, attachments, calls
-- Each follows its conversation: the subquery runs under conversations' own policy.
-- -----------------------------------------------------------------------------
alter table public.conversation_participants enable row level security;
revoke all on table public.conversation_participants from anon, authenticated;
grant select on table public.conversation_participants to authenticated;
grant all on table public.conversation_participants to service_role;

create policy conversation_participants_select on public.conversation_participants for select to authenticated
  using (
    org_id in (select private.staff_org_ids())
    and exists (select 1 from public.conversations c where c.id = conversation_id)
  );

alter table public.messages enable row level security;
revoke all on table public.messages from anon, authenticated;
grant select, delete on table public.messages to authenticated;
grant all on table public.messages to service_role;

create policy messages_select on public.messages for select to authenticated
  using (
    exists (select 1 from public.conversations c where c.id = conversation_id)
    and (sender_kind <> 'note' or org_id in (select private.staff_org_ids()))
  );
-- Redacting a message (e.g. a card number a visitor pasted) is an admin's decision.
create policy messages_delete on public.messages for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

alter table public.attachments enable row level security;
revoke all on table public.attachments from anon, authenticated;
grant select, delete on table public.attachments to authenticated;
grant all on table public.attachments to service_role;

-- An attachment sent in an internal note is hidden wherever the note is (messages' own policy).
create policy attachments_select on public.attachments for select to authenticated
  using (
    exists (select 1 from public.conversations c where c.id = conversation_id)
    and (message_id is null or exists (select 1 from public.messages m where m.id = message_id))
  );
create policy attachments_delete on public.attachments for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

alter table public.calls enable row level security;
revoke all on table public.calls from anon, authenticated;
grant select on table public.calls to authenticated;
grant all on table public.calls to service_role;

create policy calls_select on public.calls for select to authenticated
  using (exists (select 1 from public.conversations c where c.id = conversation_id));
