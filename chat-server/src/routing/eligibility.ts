/**
 * Who may get an offer for a queued conversation, best first.
 *
 * Eligible: an active staff member of the group, status `online` with a heartbeat newer than
 * `staleSeconds` (an instance that died leaves `online` behind; the stale stamp gives it away),
 * load (active chats + pending offers) below least(agent, manager, group limit), speaking the
 * conversation's language when the membership lists languages (primary subtag: `de` = `de-AT`),
 * and holding every required skill. An agent who declined this chat in the last minute is left out.
 *
 * Order: fewest earlier offers of this chat first (a timed-out agent goes to the back), then the
 * score, lower is better:
 *     load / capacity  +  0.25 × performance
 *     performance = (min(1, median first response / 120 s) + min(1, median handling / 1800 s)) / 2
 * over the agent's last 20 closed chats (0.5 each without history), rounded to 0.01 so near-equal
 * agents tie; ties go to whoever has waited longest since their last assignment.
 */
import type { Tx } from '../db/sql.ts';

export interface Candidate {
  userId: string;
  name: string;
  load: number;
  capacity: number;
  score: number;
}

export async function eligibleAgents(
  tx: Tx,
  c: { id: string; groupId: string; language: string; requiredSkills: string[] },
  staleSeconds: number,
  limit = 8,
): Promise<Candidate[]> {
  const language = c.language.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return tx<Candidate[]>`
    select e.user_id as "userId", e.name, e.load, e.capacity, sc.score from (
      select gm.user_id, coalesce(m.display_name, '') as name,
             private.agent_load(gm.org_id, gm.user_id) as load,
             private.agent_capacity(gm.org_id, gm.user_id, gm.group_id) as capacity,
             st.last_assigned_at,
             (select count(*)::int from public.conversation_offers po
               where po.conversation_id = ${c.id} and po.user_id = gm.user_id) as previous_offers,
             (coalesce(least(1, st.median_first_response_seconds / 120.0), 0.5)
               + coalesce(least(1, st.median_handling_seconds / 1800.0), 0.5)) / 2 as performance
      from public.group_members gm
      join public.org_members m
        on m.org_id = gm.org_id and m.user_id = gm.user_id and m.active and m.role <> 'client_viewer'
      join public.agent_status s
        on s.org_id = gm.org_id and s.user_id = gm.user_id and s.status = 'online'
       and s.last_seen_at > now() - make_interval(secs => ${staleSeconds})
      left join private.agent_routing_stats st on st.org_id = gm.org_id and st.user_id = gm.user_id
      where gm.group_id = ${c.groupId}
        and (${language} = '' or cardinality(gm.languages) = 0
             or ${language} = any (select lower(split_part(replace(l, '_', '-'), '-', 1)) from unnest(gm.languages) l))
        and ${c.requiredSkills}::text[] <@ gm.skills
        and not exists (
          select 1 from public.conversation_offers d
          where d.conversation_id = ${c.id} and d.user_id = gm.user_id and d.status = 'declined'
            and d.responded_at > now() - interval '60 seconds')
    ) e
    cross join lateral (select round((e.load::numeric / nullif(e.capacity, 0)) + 0.25 * e.performance, 2)::float8 as score) sc
    where e.load < e.capacity
    order by e.previous_offers, sc.score, e.last_assigned_at nulls first, e.user_id
    limit ${limit}`.then((rows) =>
    rows.map((r) => ({ ...r, score: Number((r as unknown as { score: number }).score ?? 0) })),
  );
}
