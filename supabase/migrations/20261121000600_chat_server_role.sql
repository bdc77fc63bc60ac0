-- =============================================================================
-- The chat server's database role
--
-- The chat server persists what visitors and agents say, so it writes tables no
-- user may write through PostgREST (messages, conversations, visitors…). It
-- gets its own role with exactly those grants instead of the service role or a
-- superuser, and its own policies, so RLS stays enabled for it too.
--
-- The role cannot log in: a deployment connects as a login user that is a
-- member of chat_server and switches to it (SET ROLE / `options=-c role=…`), so
-- no password lives in a migration. When the server acts for an agent (checking
-- that an agent may open a conversation), it switches to `authenticated` with
-- that agent's JWT claims inside a transaction, so it can never see more than
-- RLS lets that agent see; that is why chat_server is a member of authenticated.
-- =============================================================================

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'chat_server') then
    create role chat_server nologin noinherit;
  end if;
end
$$;
comment on role chat_server is 'The chat server: persists messages and conversation state. Acts for agents only as authenticated.';

grant authenticated to chat_server;
grant chat_server to postgres;
grant usage on schema public, private, extensions, auth to chat_server;
grant execute on function auth.uid(), auth.jwt(), auth.role(), auth.email() to chat_server;

-- Reads configuration and membership; writes conversations and their contents.
grant select on public.organizations, public.clients, public.sites, public.groups, public.group_members,
  public.org_members, public.faqs to chat_server;
grant select, insert, update on public.visitors, public.conversations, public.attachments, public.calls,
  public.agent_status to chat_server;
grant select, insert, update, delete on public.conversation_participants to chat_server;
grant select, insert on public.messages to chat_server;
grant update (use_count) on public.faqs to chat_server;

-- One permissive policy per table and operation the server uses. Tenancy for the
-- chat server is enforced by its own code from signed tokens (a visitor token
-- names its organization, site and visitor; an agent's JWT names the user).
create policy organizations_chat_server_select on public.organizations for select to chat_server using (true);
create policy clients_chat_server_select on public.clients for select to chat_server using (true);
create policy sites_chat_server_select on public.sites for select to chat_server using (true);
create policy groups_chat_server_select on public.groups for select to chat_server using (true);
create policy group_members_chat_server_select on public.group_members for select to chat_server using (true);
create policy org_members_chat_server_select on public.org_members for select to chat_server using (true);
create policy faqs_chat_server_select on public.faqs for select to chat_server using (true);
create policy faqs_chat_server_update on public.faqs for update to chat_server using (true) with check (true);

create policy visitors_chat_server_select on public.visitors for select to chat_server using (true);
create policy visitors_chat_server_insert on public.visitors for insert to chat_server with check (true);
create policy visitors_chat_server_update on public.visitors for update to chat_server using (true) with check (true);
create policy conversations_chat_server_select on public.conversations for select to chat_server using (true);
create policy conversations_chat_server_insert on public.conversations for insert to chat_server with check (true);
create policy conversations_chat_server_update on public.conversations for update to chat_server using (true) with check (true);
create policy attachments_chat_server_select on public.attachments for select to chat_server using (true);
create policy attachments_chat_server_insert on public.attachments for insert to chat_server with check (true);
create policy attachments_chat_server_update on public.attachments for update to chat_server using (true) with check (true);
create policy calls_chat_server_select on public.calls for select to chat_server using (true);
create policy calls_chat_server_insert on public.calls for insert to chat_server with check (true);
create policy calls_chat_server_update on public.calls for update to chat_server using (true) with check (true);
create policy agent_status_chat_server_select on public.agent_status for select to chat_server using (true);
create policy agent_status_chat_server_insert on public.agent_status for insert to chat_server with check (true);
create policy agent_status_chat_server_update on public.agent_status for update to chat_server using (true) with check (true);
create policy conversation_participants_chat_server_select on public.conversation_participants for select to chat_server using (true);
create policy conversation_participants_chat_server_insert on public.conversation_participants for insert to chat_server with check (true);
create policy conversation_participants_chat_server_update on public.conversation_participants for update to chat_server using (true) with check (true);
create policy conversation_participants_chat_server_delete on public.conversation_participants for delete to chat_server using (true);
create policy messages_chat_server_select on public.messages for select to chat_server using (true);
create policy messages_chat_server_insert on public.messages for insert to chat_server with check (true);
