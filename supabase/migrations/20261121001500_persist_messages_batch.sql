-- =============================================================================
-- Persisting many messages in one statement (group commit)
--
-- At a few thousand messages per second the chat server's cost was no longer
-- the work each message needs but the fixed price of one statement per
-- message: a round trip, a socket write on each side, executor start-up and a
-- commit. The server's message writer (chat-server/src/conversations/
-- message-writer.ts) now hands everything that queued up while its previous
-- statements were in flight to this function at once. At low load a batch is
-- one message, so latency is that of persist_message() alone.
--
-- Each element goes through private.persist_message(), so the idempotency,
-- closed and seq rules are exactly the single-message ones. The whole batch is
-- one transaction: an ack is only ever sent for a committed row.
-- =============================================================================

create function private.persist_messages(p_messages jsonb)
returns table (
  ord integer,
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
  v_item record;
begin
  if jsonb_typeof(p_messages) is distinct from 'array' then
    raise exception 'persist_messages expects a JSON array' using errcode = 'invalid_parameter_value';
  end if;
  -- Conversation rows are locked in id order (then arrival order within one conversation), so two
  -- batches running at once can never each hold a row the other waits for: no deadlock between
  -- writers. Arrival order within a conversation is kept, so seq order is send order.
  for v_item in
    select e.value as m, (e.ordinality - 1)::integer as i
    from jsonb_array_elements(p_messages) with ordinality as e(value, ordinality)
    order by (e.value ->> 'conversation_id')::uuid, e.ordinality
  loop
    return query
      select v_item.i, r.outcome, r.id, r.seq, r.client_msg_id, r.sender_kind, r.sender_id, r.body,
             r.payload, r.created_at
      from private.persist_message(
        (v_item.m ->> 'org_id')::uuid,
        (v_item.m ->> 'conversation_id')::uuid,
        v_item.m ->> 'client_msg_id',
        (v_item.m ->> 'sender_kind')::public.sender_kind,
        (v_item.m ->> 'sender_id')::uuid,
        v_item.m ->> 'body',
        coalesce(v_item.m -> 'payload', '{}'::jsonb)
      ) r;
  end loop;
end
$$;
comment on function private.persist_messages(jsonb) is
  'Stores a batch of messages in one transaction, each exactly as persist_message() would; one row per element, ord = its index in the array. For the chat server only.';
revoke all on function private.persist_messages(jsonb) from public, anon, authenticated;
grant execute on function private.persist_messages(jsonb) to chat_server;
