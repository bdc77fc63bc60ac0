-- =============================================================================
-- FAQs and snippets: what agents answer with
--
-- FAQs are suggested beside each conversation, ranked by full-text search and
-- trigram similarity against the visitor's latest messages. A FAQ may belong to
-- one client (answers specific to that client's business) or to the whole firm.
-- Snippets are canned replies bound to a shortcut: org-wide (owner_id null) or
-- personal to one agent.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- faqs
-- -----------------------------------------------------------------------------
create table public.faqs (
  org_id uuid not null references public.organizations (id) on delete cascade,
  id uuid not null default gen_random_uuid() primary key,
  -- null: applies to every client of the firm.
  client_id uuid,
  question text not null check (length(btrim(question)) between 1 and 1000),
  answer text not null check (length(btrim(answer)) between 1 and 10000),
  tags text[] not null default '{}',
  created_by uuid references auth.users (id) on delete set null,
  use_count integer not null default 0,
  -- English stemming; the question weighs more than the answer.
  search tsvector generated always as (
    setweight(to_tsvector('english', question), 'A') || setweight(to_tsvector('english', answer), 'B')
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id),
  foreign key (org_id, client_id) references public.clients (org_id, id) on delete cascade
);
comment on table public.faqs is 'Question and answer pairs suggested to agents; full-text (search) and trigram (question) indexed.';
create index faqs_org_id_idx on public.faqs (org_id);
create index faqs_client_id_idx on public.faqs (client_id) where client_id is not null;
create index faqs_search_idx on public.faqs using gin (search);
create index faqs_question_trgm_idx on public.faqs using gin (question extensions.gin_trgm_ops);
create trigger faqs_touch before update on public.faqs for each row execute function private.touch_updated_at();

-- -----------------------------------------------------------------------------
-- snippets
-- -----------------------------------------------------------------------------
create table public.snippets (
  org_id uuid not null references public.organizations (id) on delete cascade,
  id uuid not null default gen_random_uuid() primary key,
  -- null: shared by the whole organization; otherwise one agent's personal snippet.
  owner_id uuid,
  shortcut text not null check (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  title text not null default '' check (length(title) <= 200),
  body text not null check (length(btrim(body)) between 1 and 10000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- One meaning per shortcut: org-wide shortcuts are unique in the org, personal ones per agent.
  unique nulls not distinct (org_id, owner_id, shortcut),
  foreign key (org_id, owner_id) references public.org_members (org_id, user_id) on delete cascade
);
comment on table public.snippets is 'Canned replies typed by shortcut (/refund, #hello). owner_id null = org-wide.';
create index snippets_org_id_idx on public.snippets (org_id);
create index snippets_owner_id_idx on public.snippets (owner_id) where owner_id is not null;
create trigger snippets_touch before update on public.snippets for each row execute function private.touch_updated_at();

-- -----------------------------------------------------------------------------
-- RLS: faqs (staff read; any staff member adds, e.g. saving a good reply; managers edit and delete)
-- -----------------------------------------------------------------------------
alter table public.faqs enable row level security;
revoke all on table public.faqs from anon, authenticated;
grant select, insert, update, delete on table public.faqs to authenticated;
grant all on table public.faqs to service_role;

create policy faqs_select on public.faqs for select to authenticated
  using (org_id in (select private.staff_org_ids()));
create policy faqs_insert on public.faqs for insert to authenticated
  with check (
    org_id in (select private.staff_org_ids())
    and created_by = (select auth.uid())
  );
create policy faqs_update on public.faqs for update to authenticated
  using (org_id in (select private.manager_org_ids()))
  with check (org_id in (select private.manager_org_ids()));
create policy faqs_delete on public.faqs for delete to authenticated
  using (org_id in (select private.manager_org_ids()));

-- -----------------------------------------------------------------------------
-- RLS: snippets (staff read org-wide ones and their own; agents manage their own;
-- managers also manage org-wide ones)
-- -----------------------------------------------------------------------------
alter table public.snippets enable row level security;
revoke all on table public.snippets from anon, authenticated;
grant select, insert, update, delete on table public.snippets to authenticated;
grant all on table public.snippets to service_role;

create policy snippets_select on public.snippets for select to authenticated
  using (
    org_id in (select private.staff_org_ids())
    and (owner_id is null or owner_id = (select auth.uid()))
  );
create policy snippets_insert on public.snippets for insert to authenticated
  with check (
    (owner_id = (select auth.uid()) and org_id in (select private.staff_org_ids()))
    or (owner_id is null and org_id in (select private.manager_org_ids()))
  );
create policy snippets_update on public.snippets for update to authenticated
  using (
    (owner_id = (select auth.uid()) and org_id in (select private.staff_org_ids()))
    or (owner_id is null and org_id in (select private.manager_org_ids()))
  )
  with check (
    (owner_id = (select auth.uid()) and org_id in (select private.staff_org_ids()))
    or (owner_id is null and org_id in (select private.manager_org_ids()))
  );
create policy snippets_delete on public.snippets for delete to authenticated
  using (
    (owner_id = (select auth.uid()) and org_id in (select private.staff_org_ids()))
    or (owner_id is null and org_id in (select private.manager_org_ids()))
  );
