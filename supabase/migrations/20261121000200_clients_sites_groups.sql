-- =============================================================================
-- Clients, their sites, and agent groups
--
-- A firm's clients each own websites (sites). A site carries the public key the
-- widget embeds, the domains allowed to embed it, and everything the widget shows
-- before a chat starts. Groups gather agents by subject (Bookings, Billing…);
-- topics on a site's pre-chat form map to groups.
--
-- Composite foreign keys (org_id, x_id) → (org_id, id) make it impossible to
-- point a row at another organization's client, site or group even when org_id
-- itself passes the policy: forging across tenants fails in the schema, not only
-- in RLS.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- clients
-- -----------------------------------------------------------------------------
create table public.clients (
  org_id uuid not null references public.organizations (id) on delete cascade,
  id uuid not null default gen_random_uuid() primary key,
  name text not null check (length(btrim(name)) between 1 and 200),
  contact_email text not null default '' check (length(contact_email) <= 320),
  notes text not null default '' check (length(notes) <= 5000),
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id)
);
comment on table public.clients is 'A customer of the support firm, whose websites embed the chat.';
create index clients_org_id_idx on public.clients (org_id);
create trigger clients_touch before update on public.clients for each row execute function private.touch_updated_at();

alter table public.org_members
  add constraint org_members_client_fk foreign key (org_id, client_id)
  references public.clients (org_id, id) on delete cascade;

-- -----------------------------------------------------------------------------
-- groups
-- -----------------------------------------------------------------------------
create table public.groups (
  org_id uuid not null references public.organizations (id) on delete cascade,
  id uuid not null default gen_random_uuid() primary key,
  name text not null check (length(btrim(name)) between 1 and 100),
  description text not null default '' check (length(description) <= 1000),
  -- auto: the scheduler offers chats to agents; manual: agents pick from the queue.
  routing_mode text not null default 'auto' check (routing_mode in ('auto', 'manual')),
  offer_timeout_seconds integer not null default 30 check (offer_timeout_seconds between 5 and 600),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id),
  unique (org_id, name)
);
comment on table public.groups is 'Agents grouped by subject; each group has its own queue and routing mode.';
create index groups_org_id_idx on public.groups (org_id);
create trigger groups_touch before update on public.groups for each row execute function private.touch_updated_at();

-- -----------------------------------------------------------------------------
-- group_members
-- -----------------------------------------------------------------------------
create table public.group_members (
  org_id uuid not null,
  group_id uuid not null,
  user_id uuid not null,
  -- Concurrent chats this agent takes from this group at most (set by a manager).
  max_chats integer not null default 3 check (max_chats between 0 and 100),
  skills text[] not null default '{}',
  languages text[] not null default '{}',
  created_at timestamptz not null default now(),
  primary key (group_id, user_id),
  foreign key (org_id, group_id) references public.groups (org_id, id) on delete cascade,
  foreign key (org_id, user_id) references public.org_members (org_id, user_id) on delete cascade
);
comment on table public.group_members is
  'An agent''s membership in a group, with a per-agent concurrency limit and the skills and languages routing matches on.';
create index group_members_org_id_idx on public.group_members (org_id);
create index group_members_user_id_idx on public.group_members (user_id);

create function private.my_group_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select gm.group_id from public.group_members gm
  join public.org_members m on m.org_id = gm.org_id and m.user_id = gm.user_id
  where gm.user_id = (select auth.uid()) and m.active
$$;
comment on function private.my_group_ids() is 'Groups the current user belongs to (as an active member of the group''s organization).';
revoke all on function private.my_group_ids() from public, anon;
grant execute on function private.my_group_ids() to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- sites
-- -----------------------------------------------------------------------------
create table public.sites (
  org_id uuid not null references public.organizations (id) on delete cascade,
  client_id uuid not null,
  id uuid not null default gen_random_uuid() primary key,
  name text not null check (length(btrim(name)) between 1 and 200),
  -- Public: embedded in the client's page. Never a secret.
  site_key text not null unique default ('site_' || replace(gen_random_uuid()::text, '-', ''))
    check (site_key ~ '^[A-Za-z0-9_-]{8,64}$'),
  -- Hosts allowed to embed the widget: exact hosts ("acme.com", "localhost") or
  -- wildcards ("*.acme.com"). Checked by the chat server against the Origin header.
  allowed_domains text[] not null default '{}',
  -- Colours, position, launcher text: whatever the widget styles from.
  widget_settings jsonb not null default '{}'::jsonb,
  -- [{ "from": "06:00", "to": "12:00", "text": "Good morning!" }, …] in the site's time zone.
  greetings jsonb not null default '[]'::jsonb check (jsonb_typeof(greetings) = 'array'),
  -- { "mon": [{ "open": "09:00", "close": "17:00" }], … }; empty = always open.
  business_hours jsonb not null default '{}'::jsonb check (jsonb_typeof(business_hours) = 'object'),
  time_zone text not null default 'UTC',
  -- Extra pre-chat fields: [{ "name": "booking_ref", "label": "Booking reference", "type": "text", "required": false }].
  prechat_fields jsonb not null default '[]'::jsonb check (jsonb_typeof(prechat_fields) = 'array'),
  -- Topics a visitor may choose, each routed to a group: [{ "label": "Billing", "group_id": "…" }].
  topics jsonb not null default '[]'::jsonb check (jsonb_typeof(topics) = 'array'),
  default_group_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id),
  foreign key (org_id, client_id) references public.clients (org_id, id) on delete cascade,
  foreign key (org_id, default_group_id) references public.groups (org_id, id) on delete set null (default_group_id)
);
comment on table public.sites is
  'A client website: public site key, allowed embedding domains, widget look, greetings, business hours, pre-chat form and topics.';
create index sites_org_id_idx on public.sites (org_id);
create index sites_client_id_idx on public.sites (client_id);
create trigger sites_touch before update on public.sites for each row execute function private.touch_updated_at();

-- -----------------------------------------------------------------------------
-- RLS: clients (staff read; managers write; a client_viewer reads their own client)
-- -----------------------------------------------------------------------------
alter table public.clients enable row level security;
revoke all on table public.clients from anon, authenticated;
grant select, insert, update, delete on table public.clients to authenticated;
grant all on table public.clients to service_role;

create policy clients_select on public.clients for select to authenticated
  using (org_id in (select private.staff_org_ids()) or id in (select private.viewer_client_ids()));
create policy clients_insert on public.clients for insert to authenticated
  with check (org_id in (select private.manager_org_ids()));
create policy clients_update on public.clients for update to authenticated
  using (org_id in (select private.manager_org_ids()))
  with check (org_id in (select private.manager_org_ids()));
create policy clients_delete on public.clients for delete to authenticated
  using (org_id in (select private.manager_org_ids()));

-- -----------------------------------------------------------------------------
-- RLS: sites (same shape as clients; a client_viewer reads their client's sites)
-- -----------------------------------------------------------------------------
alter table public.sites enable row level security;
revoke all on table public.sites from anon, authenticated;
grant select, insert, update, delete on table public.sites to authenticated;
grant all on table public.sites to service_role;

create policy sites_select on public.sites for select to authenticated
  using (org_id in (select private.staff_org_ids()) or client_id in (select private.viewer_client_ids()));
create policy sites_insert on public.sites for insert to authenticated
  with check (org_id in (select private.manager_org_ids()));
create policy sites_update on public.sites for update to authenticated
  using (org_id in (select private.manager_org_ids()))
  with check (org_id in (select private.manager_org_ids()));
create policy sites_delete on public.sites for delete to authenticated
  using (org_id in (select private.manager_org_ids()));

-- -----------------------------------------------------------------------------
-- RLS: groups and group_members (staff read; managers write)
-- -----------------------------------------------------------------------------
alter table public.groups enable row level security;
revoke all on table public.groups from anon, authenticated;
grant select, insert, update, delete on table public.groups to authenticated;
grant all on table public.groups to service_role;

create policy groups_select on public.groups for select to authenticated
  using (org_id in (select private.staff_org_ids()));
create policy groups_insert on public.groups for insert to authenticated
  with check (org_id in (select private.manager_org_ids()));
create policy groups_update on public.groups for update to authenticated
  using (org_id in (select private.manager_org_ids()))
  with check (org_id in (select private.manager_org_ids()));
create policy groups_delete on public.groups for delete to authenticated
  using (org_id in (select private.manager_org_ids()));

alter table public.group_members enable row level security;
revoke all on table public.group_members from anon, authenticated;
grant select, insert, update, delete on table public.group_members to authenticated;
grant all on table public.group_members to service_role;

create policy group_members_select on public.group_members for select to authenticated
  using (org_id in (select private.staff_org_ids()));
create policy group_members_insert on public.group_members for insert to authenticated
  with check (org_id in (select private.manager_org_ids()));
create policy group_members_update on public.group_members for update to authenticated
  using (org_id in (select private.manager_org_ids()))
  with check (org_id in (select private.manager_org_ids()));
create policy group_members_delete on public.group_members for delete to authenticated
  using (org_id in (select private.manager_org_ids()));
