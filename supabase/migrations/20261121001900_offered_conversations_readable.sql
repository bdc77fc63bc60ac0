-- =============================================================================
-- An agent may read a conversation while it is offered to them
--
-- A consult invitation or a transfer often goes to a colleague outside the chat's group. Until
-- they accepted, RLS hid that conversation from them: the admin console's read-back of pending
-- offers (on opening, and after every reconnect) dropped the offer, and they could not look at
-- the chat they were asked to take over or help with. Now a pending, unexpired offer lets its
-- agent read the conversation — and its messages, whose policy follows the conversation's — in
-- their own organization (conversations_select still requires a staff membership there). A
-- declined, expired or revoked offer gives nothing.
-- =============================================================================

create or replace function private.my_conversation_ids()
returns setof uuid language sql stable security definer set search_path = '' as $$
  select p.conversation_id from public.conversation_participants p where p.user_id = (select auth.uid())
  union all
  select o.conversation_id from public.conversation_offers o
  where o.user_id = (select auth.uid()) and o.status = 'pending' and o.expires_at > now()
$$;
comment on function private.my_conversation_ids() is
  'Conversations the current user has taken part in (assigned, transferred to, or consulted), or is offered right now.';
