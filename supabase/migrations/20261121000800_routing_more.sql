-- =============================================================================
-- Routing, part two: capacity that holds across instances, scoring figures,
-- queue wait estimates, and idempotent offline replies
--
-- The chat server's scheduler runs on every instance at once. Postgres is what
-- keeps them honest:
--   - a conversation is picked with `for update skip locked`, and the unique
--     partial index on pending offers allows one open assignment per chat;
--   - an agent's load (active chats they own + pending assignment/transfer
--     offers) is checked by a trigger under a row lock on their agent_status
--     row, so two instances offering to the same agent are serialized and the
--     second one fails instead of going over the limit. Every path that adds
--     load (offer, claim, accept, a manager editing the assignee) goes through
--     it, so the limit holds whatever wrote the row.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- An agent's load and capacity
-- -----------------------------------------------------------------------------
create function private.agent_load(p_org_id uuid, p_user_id uuid)
returns integer language sql stable security definer set search_path = '' as $$
  select (
    select count(*)::integer from public.conversations c
    where c.org_id = p_org_id and c.assignee_id = p_user_id and c.status = 'active'
  ) + (
    select count(*)::integer from public.conversation_offers o
    where o.org_id = p_org_id and o.user_id = p_user_id and o.status = 'pending'
      and o.kind in ('assignment', 'transfer')
  )
$$;
comment on function private.agent_load(uuid, uuid) is
  'Chats that count against an agent''s limit: active conversations they own plus pending assignment and transfer offers (consults do not count).';
revoke all on function private.agent_load(uuid, uuid) from public, anon, authenticated;
grant execute on function private.agent_load(uuid, uuid) to chat_server, service_role;

create function private.agent_capacity(p_org_id uuid, p_user_id uuid, p_group_id uuid)
returns integer language sql stable security definer set search_path = '' as $$
  -- The lowest of the agent's own choice, the manager's ceiling and, for a group the agent
  -- belongs to, that group's limit. An inactive member has no capacity.
  select case when not m.active then 0 else
    least(coalesce(s.max_chats, m.max_chats), m.max_chats, coalesce(gm.max_chats, m.max_chats)) end
  from public.org_members m
  left join public.agent_status s on s.org_id = m.org_id and s.user_id = m.user_id
  left join public.group_members gm on gm.group_id = p_group_id and gm.user_id = m.user_id
  where m.org_id = p_org_id and m.user_id = p_user_id
$$;
comment on function private.agent_capacity(uuid, uuid, uuid) is
  'least(agent_status.max_chats, org_members.max_chats, group_members.max_chats of the conversation''s group).';
revoke all on function private.agent_capacity(uuid, uuid, uuid) from public, anon, authenticated;
grant execute on function private.agent_capacity(uuid, uuid, uuid) to chat_server, service_role;

create function private.enforce_agent_capacity()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  v_user uuid;
  v_group uuid;
  v_capacity integer;
  v_load integer;
begin
  if tg_table_name = 'conversation_offers' then
    v_user := new.user_id;
    select c.group_id into v_group from public.conversations c where c.id = new.conversation_id;
  else
    v_user := new.assignee_id;
    v_group := new.group_id;
  end if;
  -- Serializes every load change of this agent: a concurrent writer holds this lock until it
  -- commits, and the count below (a new statement, so a new snapshot) then sees its row.
  perform 1 from public.agent_status s where s.org_id = new.org_id and s.user_id = v_user for update;
  v_capacity := coalesce(private.agent_capacity(new.org_id, v_user, v_group), 0);
  v_load := private.agent_load(new.org_id, v_user);
  if v_load > v_capacity then
    raise exception 'Agent % is at capacity (% of % chats)', v_user, v_load - 1, v_capacity
      using errcode = 'check_violation', constraint = 'agent_capacity';
  end if;
  return null;
end
$$;
comment on function private.enforce_agent_capacity() is
  'Refuses an offer or an assignment that would take an agent over their chat limit (see the header).';
revoke all on function private.enforce_agent_capacity() from public, anon, authenticated;

create trigger conversation_offers_capacity after insert on public.conversation_offers
  for each row when (new.status = 'pending' and new.kind in ('assignment', 'transfer'))
  execute function private.enforce_agent_capacity();

create trigger conversations_capacity after update of assignee_id, status on public.conversations
  for each row when (
    new.status = 'active' and new.assignee_id is not null
    and (old.assignee_id is distinct from new.assignee_id or old.status is distinct from new.status)
  )
  execute function private.enforce_agent_capacity();

-- -----------------------------------------------------------------------------
-- Scoring figures per agent (private: only the scheduler reads them)
-- -----------------------------------------------------------------------------
create table private.agent_routing_stats (
  org_id uuid not null,
  user_id uuid not null,
  -- Medians over the agent's last 20 closed chats (conversation_metrics definitions); null: no history.
  median_first_response_seconds integer,
  median_handling_seconds integer,
  chats_counted integer not null default 0,
  -- Ties between equally scored agents go to whoever waited longest since their last chat.
  last_assigned_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id),
  foreign key (org_id, user_id) references public.org_members (org_id, user_id) on delete cascade
);
comment on table private.agent_routing_stats is
  'Per agent: recent median first-response and handling time, and when they last got a chat. Written by the chat server on assignment and close.';
create index agent_routing_stats_user_id_idx on private.agent_routing_stats (user_id);

alter table private.agent_routing_stats enable row level security;
revoke all on table private.agent_routing_stats from public, anon, authenticated;
grant select, insert, update on table private.agent_routing_stats to chat_server;
grant all on table private.agent_routing_stats to service_role;
create policy agent_routing_stats_chat_server_select on private.agent_routing_stats for select to chat_server using (true);
create policy agent_routing_stats_chat_server_insert on private.agent_routing_stats for insert to chat_server with check (true);
create policy agent_routing_stats_chat_server_update on private.agent_routing_stats for update to chat_server using (true) with check (true);

-- The recent closed chats of a group (wait estimates) and of an agent (scoring), newest first.
create index conversations_group_closed_idx on public.conversations (group_id, closed_at desc)
  where status = 'closed';
create index conversations_assignee_closed_idx on public.conversations (assignee_id, closed_at desc)
  where status = 'closed';

-- -----------------------------------------------------------------------------
-- Queue wait estimate
-- -----------------------------------------------------------------------------
create function private.queue_wait_estimate(p_group_id uuid, p_position integer)
returns integer language sql stable security definer set search_path = '' as $$
  -- C = chat slots of the group's online agents, F = free slots among them, H = the group's median
  -- handling time over its last 50 closed chats (300 s without history). A slot frees every H / C
  -- seconds, so place p waits about max(0, p - F) * H / C. Null when nobody is online (C = 0): the
  -- widget offers the offline form then. "Online" = status online with a heartbeat in the last 2 minutes.
  with online as (
    select private.agent_capacity(gm.org_id, gm.user_id, gm.group_id) as cap,
           private.agent_load(gm.org_id, gm.user_id) as load
    from public.group_members gm
    join public.agent_status s on s.org_id = gm.org_id and s.user_id = gm.user_id
    where gm.group_id = p_group_id and s.status = 'online' and s.last_seen_at > now() - interval '2 minutes'
  ), handling as (
    select percentile_cont(0.5) within group (order by extract(epoch from (r.closed_at - r.assigned_at))) as h
    from (
      select c.closed_at, c.assigned_at from public.conversations c
      where c.group_id = p_group_id and c.status = 'closed' and c.assigned_at is not null
      order by c.closed_at desc limit 50
    ) r
  )
  select case when coalesce(sum(o.cap), 0) <= 0 then null
    else ceil(
      greatest(0, p_position - greatest(0, sum(o.cap) - sum(o.load)))
      * coalesce((select h.h from handling h), 300) / sum(o.cap)
    )::integer end
  from online o
$$;
comment on function private.queue_wait_estimate(uuid, integer) is
  'Estimated seconds until place p_position of a group''s queue is picked up; null when no agent of the group is online.';
revoke all on function private.queue_wait_estimate(uuid, integer) from public, anon, authenticated;
grant execute on function private.queue_wait_estimate(uuid, integer) to chat_server, service_role;

-- -----------------------------------------------------------------------------
-- outbound_emails: one e-mail per agent reply, however often the reply is resent
-- -----------------------------------------------------------------------------
alter table public.outbound_emails
  add column message_id uuid references public.messages (id) on delete set null;
comment on column public.outbound_emails.message_id is 'For an offline reply: the agent''s message it carries (at most one e-mail per message).';
create unique index outbound_emails_message_id_idx on public.outbound_emails (message_id) where message_id is not null;
