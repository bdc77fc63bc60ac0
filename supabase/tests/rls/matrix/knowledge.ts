import { randomUUID } from 'node:crypto';
import type { Fixtures } from '../fixtures.ts';
import { grant, NORTHWIND_MANAGERS, NORTHWIND_STAFF, type ProbeContext, type TableSpec } from '../spec.ts';
import { insertRow, readRows, snapshot } from '../sql.ts';
import { ORG, USER } from '../world.ts';

/** README matrix rows: faqs, snippets, agent_status. */

const byId = (pick: (f: Fixtures) => string) => (c: { f: Fixtures }) => ({ id: pick(c.f) });
const newId = (row: Record<string, unknown>) => ({ id: row.id as string });

export const faqs: TableSpec = {
  table: 'faqs',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      'an Acme FAQ': byId((f) => f.faq.acme),
      'a FAQ for every client': byId((f) => f.faq.everyClient),
      'a Contoso FAQ': byId((f) => f.faq.contoso),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, ['an Acme FAQ', 'a FAQ for every client']),
      other_org: ['a Contoso FAQ'],
    },
  },
  insert: {
    probes: {
      'a FAQ credited to themselves': {
        row: (c) => ({
          id: randomUUID(),
          org_id: ORG.northwind,
          question: `RLS ${c.f.tag}: do you deliver on Sundays?`,
          answer: 'No, Monday to Saturday only.',
          created_by: c.userId,
        }),
        key: newId,
      },
    },
    allowed: grant(NORTHWIND_STAFF, ['a FAQ credited to themselves']),
  },
  update: {
    probes: {
      'an Acme FAQ': { target: byId((f) => f.faq.acme), patch: { answer: 'Edited by the RLS test.' } },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['an Acme FAQ']),
  },
  delete: {
    probes: {
      'a Northwind FAQ': {
        create: async (c) => {
          const row = { org_id: ORG.northwind, question: `RLS ${c.f.tag}: doomed?`, answer: 'Yes.' };
          return { match: newId(await insertRow(c.sql, 'faqs', row)) };
        },
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a Northwind FAQ']),
  },
};

/** The acting user's own personal snippet fixture (Northwind members only). */
const ownSnippet = (c: ProbeContext) => {
  const id = c.userId ? c.f.snippet.personal[c.userId] : undefined;
  return id ? { id } : null;
};

const snippetRow = (c: ProbeContext, owner: string | null) => ({
  id: randomUUID(),
  org_id: ORG.northwind,
  owner_id: owner,
  shortcut: `rls${c.f.tag}${randomUUID().slice(0, 6)}`,
  body: 'Thanks for waiting!',
});

const ownAndShared = ['own personal snippet', 'shared snippet'];

export const snippets: TableSpec = {
  table: 'snippets',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      'shared snippet': byId((f) => f.snippet.northwindShared),
      'own personal snippet': ownSnippet,
      "agent2's personal snippet": byId((f) => f.snippet.personal[USER.agent2]!),
      'Contoso shared snippet': byId((f) => f.snippet.contosoShared),
    },
    // Personal snippets are private even from managers.
    allowed: { ...grant(NORTHWIND_STAFF, ownAndShared), other_org: ['Contoso shared snippet'] },
  },
  insert: {
    probes: {
      'own personal snippet': { row: (c) => (c.userId ? snippetRow(c, c.userId) : null), key: newId },
      'shared snippet': { row: (c) => snippetRow(c, null), key: newId },
      "agent2's personal snippet": { row: (c) => snippetRow(c, USER.agent2), key: newId },
    },
    allowed: { ...grant(NORTHWIND_MANAGERS, ownAndShared), agent: ['own personal snippet'] },
  },
  update: {
    probes: {
      'own personal snippet': { target: ownSnippet, patch: { title: 'Edited by the RLS test' } },
      'shared snippet': {
        target: byId((f) => f.snippet.northwindShared),
        patch: { title: 'Edited by the RLS test' },
      },
      "agent2's personal snippet": {
        target: byId((f) => f.snippet.personal[USER.agent2]!),
        patch: { title: 'Edited by the RLS test' },
      },
    },
    allowed: { ...grant(NORTHWIND_MANAGERS, ownAndShared), agent: ['own personal snippet'] },
  },
  delete: {
    probes: {
      'own personal snippet': {
        create: async (c) => {
          const isMember = c.userId && c.f.snippet.personal[c.userId];
          return isMember
            ? { match: newId(await insertRow(c.sql, 'snippets', snippetRow(c, c.userId))) }
            : null;
        },
      },
      'shared snippet': {
        create: async (c) => ({ match: newId(await insertRow(c.sql, 'snippets', snippetRow(c, null))) }),
      },
      "agent2's personal snippet": {
        create: async (c) => ({
          match: newId(await insertRow(c.sql, 'snippets', snippetRow(c, USER.agent2))),
        }),
      },
    },
    allowed: { ...grant(NORTHWIND_MANAGERS, ownAndShared), agent: ['own personal snippet'] },
  },
};

const statusOf = (user: string) => ({ org_id: ORG.northwind, user_id: user });
const own = (c: ProbeContext) => (c.userId ? statusOf(c.userId) : null);

/** Clears `match` out of the way for an insert; the snapshot puts the original back. */
const cleared = (pickUser: (c: ProbeContext) => string) => async (c: ProbeContext) => {
  const restore = await snapshot(c.sql, 'agent_status', statusOf(pickUser(c)));
  await c.sql`delete from public.agent_status where org_id = ${ORG.northwind} and user_id = ${pickUser(c)}`;
  return restore;
};

/**
 * Makes sure the actor has an agent_status row in Northwind (the client viewer has none in the seed)
 * and returns how to put things back. max_chats 0 stays under every member's ceiling.
 */
async function ensureOwnStatus(c: ProbeContext) {
  const match = statusOf(c.userId!);
  const restore = await snapshot(c.sql, 'agent_status', match);
  if ((await readRows(c.sql, 'agent_status', match)).length === 0) {
    await insertRow(c.sql, 'agent_status', { ...match, status: 'offline', max_chats: 0 });
  }
  return restore;
}

const isNorthwindMember = (c: ProbeContext) => c.actor !== 'anon' && c.actor !== 'other_org';

export const agent_status: TableSpec = {
  table: 'agent_status',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      "the owner's status": () => statusOf(USER.owner),
      "agent1's status": () => statusOf(USER.agent1),
      "agent3's status": () => statusOf(USER.agent3),
      "Contoso agent's status": () => ({ org_id: ORG.contoso, user_id: USER.contosoAgent }),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, ["the owner's status", "agent1's status", "agent3's status"]),
      other_org: ["Contoso agent's status"],
    },
  },
  insert: {
    probes: {
      'own status': {
        row: (c) => (c.userId ? { ...statusOf(c.userId), status: 'online', max_chats: 0 } : null),
        key: (row) => statusOf(row.user_id as string),
        arrange: cleared((c) => c.userId!),
      },
      "agent2's status": {
        row: () => ({ ...statusOf(USER.agent2), status: 'online', max_chats: 0 }),
        key: (row) => statusOf(row.user_id as string),
        arrange: cleared(() => USER.agent2),
      },
    },
    allowed: grant(NORTHWIND_STAFF, ['own status']),
  },
  update: {
    probes: {
      'own status': {
        target: (c) => (isNorthwindMember(c) ? own(c) : null),
        patch: { status: 'away' },
        arrange: ensureOwnStatus,
      },
      "agent2's status": { target: () => statusOf(USER.agent2), patch: { status: 'away' } },
    },
    allowed: grant(NORTHWIND_STAFF, ['own status']),
  },
  delete: {
    probes: {
      'own status': {
        create: async (c) =>
          isNorthwindMember(c) ? { match: own(c)!, restore: await ensureOwnStatus(c) } : null,
      },
      "agent2's status": {
        // agent2's seed row itself is the target; the snapshot puts it back if a refusal fails.
        create: async (c) => ({
          match: statusOf(USER.agent2),
          restore: await snapshot(c.sql, 'agent_status', statusOf(USER.agent2)),
        }),
      },
    },
    allowed: grant(NORTHWIND_STAFF, ['own status']),
  },
};
