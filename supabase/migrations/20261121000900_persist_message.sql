-- =============================================================================
-- Persisting a message in one round trip
--
-- The chat server stores every message idempotently: same client_msg_id → the
-- stored row again (a duplicate, acked the same way), a different body under
-- that id → a conflict, a closed conversation → refused, and seqs stay
-- gap-free. Done from the server as begin → lock → check → insert → commit
-- that was five or six round trips per message, and the benchmark showed it
-- was the server's bottleneck. This function does the same steps inside
-- Postgres, so the common path is one statement (the server still wraps it in
-- a transaction when attachments must be bound to the new row).
-- =============================================================================

create function private.persist_message(
  p_org_id uuid,
  p_conversation_id uuid,
  p_client_msg_id text,
  p_sender_kind public.sender_kind,
  p_sender_id uuid,
  p_body text,
  p_payload jsonb
)
returns table (
  outcome text,
  id uuid,
  seq bigint,
  client_msg_id text,
  sender_kind public.sender_kind,
  sender_id uuid,
  body text,
  payload jsonb,
  created_at timestamptz
)
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_status public.conversation_status;
  v_outcome text;
  -- Stays all-null for not_found, conflict and closed.
  v_row public.messages;
begin
  -- The conversation row lock serializes this conversation's sends and a racing close: a resend
  -- arriving while the first insert is in flight waits here, then finds that row below. Every
  -- insert into public.messages takes the same row lock (messages_assign_seq updates the row),
  -- so while it is held nobody else can add a client_msg_id to this conversation: the check and
  -- the insert below cannot race, no unique_violation, and no seq is ever burned. "No key
  -- update" is the lock the seq trigger's own update takes, so foreign-key checks of other
  -- tables pointing at the conversation (key share) are not blocked by it.
  select c.status into v_status
  from public.conversations c
  where c.id = p_conversation_id and c.org_id = p_org_id
  for no key update;
  if not found then
    v_outcome := 'not_found';
  else
    -- Duplicate before closed: a resend of an acked message still gets its ack after the close.
    select m.* into v_row
    from public.messages m
    where m.conversation_id = p_conversation_id and m.client_msg_id = p_client_msg_id;
    if found then
      if v_row.body = p_body and v_row.sender_kind = p_sender_kind
         and v_row.sender_id is not distinct from p_sender_id then
        v_outcome := 'duplicate';
      else
        v_outcome := 'conflict';
        v_row := null;
      end if;
    elsif v_status = 'closed' then
      v_outcome := 'closed';
    else
      -- No ON CONFLICT: the seq trigger runs before conflict detection, so a skipped insert
      -- would still burn a seq. The lock above makes a plain insert safe.
      insert into public.messages as m (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body, payload)
      values (p_org_id, p_conversation_id, p_client_msg_id, p_sender_kind, p_sender_id, p_body,
              coalesce(p_payload, '{}'::jsonb))
      returning m.* into v_row;
      v_outcome := 'created';
      if p_sender_kind = 'agent' then
        update public.conversations c set first_response_at = now()
        where c.id = p_conversation_id and c.first_response_at is null;
      end if;
    end if;
  end if;
  return query select v_outcome, v_row.id, v_row.seq, v_row.client_msg_id, v_row.sender_kind,
    v_row.sender_id, v_row.body, v_row.payload, v_row.created_at;
end
$$;
comment on function private.persist_message(uuid, uuid, text, public.sender_kind, uuid, text, jsonb) is
  'Stores a message once, in one call: outcome created (the new row), duplicate (the stored row), conflict, closed or not_found. For the chat server only.';
revoke all on function private.persist_message(uuid, uuid, text, public.sender_kind, uuid, text, jsonb)
  from public, anon, authenticated;
grant execute on function private.persist_message(uuid, uuid, text, public.sender_kind, uuid, text, jsonb)
  to chat_server;
