import { randomUUID } from 'node:crypto';
import { grant, NORTHWIND_MANAGERS, NORTHWIND_STAFF, type TableSpec } from '../spec.ts';
import { insertRow } from '../sql.ts';
import { CLIENT, GROUP, ORG, SITE, USER } from '../world.ts';

/** README matrix rows: clients, sites, groups, group_members (staff read; managers write). */

const byId = (id: string) => () => ({ id });
const newId = (row: Record<string, unknown>) => ({ id: row.id as string });

export const clients: TableSpec = {
  table: 'clients',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      'Acme Travel': byId(CLIENT.acme),
      'Globex Shop': byId(CLIENT.globex),
      'Fabrikam Health': byId(CLIENT.fabrikam),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, ['Acme Travel', 'Globex Shop']),
      client_viewer: ['Acme Travel'],
      other_org: ['Fabrikam Health'],
    },
  },
  insert: {
    probes: {
      'a new Northwind client': {
        row: (c) => ({ id: randomUUID(), org_id: ORG.northwind, name: `RLS ${c.f.tag} client` }),
        key: newId,
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a new Northwind client']),
  },
  update: {
    probes: { 'Acme Travel': { target: byId(CLIENT.acme), patch: { notes: 'Edited by the RLS test.' } } },
    allowed: grant(NORTHWIND_MANAGERS, ['Acme Travel']),
  },
  delete: {
    probes: {
      'a Northwind client': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'clients', {
            org_id: ORG.northwind,
            name: `RLS ${c.f.tag} doomed client`,
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a Northwind client']),
  },
};

export const sites: TableSpec = {
  table: 'sites',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      "Acme's site": byId(SITE.acme),
      "Globex's site": byId(SITE.globex),
      "Fabrikam's site": byId(SITE.fabrikam),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, ["Acme's site", "Globex's site"]),
      client_viewer: ["Acme's site"],
      other_org: ["Fabrikam's site"],
    },
  },
  insert: {
    probes: {
      'a new Acme site': {
        row: (c) => ({
          id: randomUUID(),
          org_id: ORG.northwind,
          client_id: CLIENT.acme,
          name: `rls-${c.f.tag}.test`,
        }),
        key: newId,
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a new Acme site']),
  },
  update: {
    probes: { "Acme's site": { target: byId(SITE.acme), patch: { time_zone: 'Europe/Paris' } } },
    allowed: grant(NORTHWIND_MANAGERS, ["Acme's site"]),
  },
  delete: {
    probes: {
      'an Acme site': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'sites', {
            org_id: ORG.northwind,
            client_id: CLIENT.acme,
            name: `rls-${c.f.tag}-doomed.test`,
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['an Acme site']),
  },
};

export const groups: TableSpec = {
  table: 'groups',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      Bookings: byId(GROUP.bookings),
      Billing: byId(GROUP.billing),
      Technical: byId(GROUP.technical),
      'Appointments (Contoso)': byId(GROUP.appointments),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, ['Bookings', 'Billing', 'Technical']),
      other_org: ['Appointments (Contoso)'],
    },
  },
  insert: {
    probes: {
      'a new Northwind group': {
        row: (c) => ({
          id: randomUUID(),
          org_id: ORG.northwind,
          name: `RLS ${c.f.tag} ${randomUUID().slice(0, 8)}`,
        }),
        key: newId,
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a new Northwind group']),
  },
  update: {
    probes: { Bookings: { target: byId(GROUP.bookings), patch: { description: 'Edited by the RLS test.' } } },
    allowed: grant(NORTHWIND_MANAGERS, ['Bookings']),
  },
  delete: {
    probes: {
      'a Northwind group': {
        create: async (c) => {
          const name = `RLS ${c.f.tag} doomed ${randomUUID().slice(0, 8)}`;
          return { match: newId(await insertRow(c.sql, 'groups', { org_id: ORG.northwind, name })) };
        },
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a Northwind group']),
  },
};

const inGroup = (group: string, user: string) => () => ({ group_id: group, user_id: user });

export const group_members: TableSpec = {
  table: 'group_members',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      'agent1 in Bookings': inGroup(GROUP.bookings, USER.agent1),
      'agent3 in Technical': inGroup(GROUP.technical, USER.agent3),
      "Contoso's agent in Appointments": inGroup(GROUP.appointments, USER.contosoAgent),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, ['agent1 in Bookings', 'agent3 in Technical']),
      other_org: ["Contoso's agent in Appointments"],
    },
  },
  insert: {
    // A fixture agent, not a seed one, so no seed agent's visibility changes even for a moment.
    probes: {
      'a Northwind agent into Bookings': {
        row: (c) => ({ org_id: ORG.northwind, group_id: GROUP.bookings, user_id: c.f.nwAgentUser }),
        key: (row) => ({ group_id: row.group_id as string, user_id: row.user_id as string }),
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a Northwind agent into Bookings']),
  },
  update: {
    probes: {
      'agent1 in Bookings': { target: inGroup(GROUP.bookings, USER.agent1), patch: { max_chats: 9 } },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['agent1 in Bookings']),
  },
  delete: {
    probes: {
      'a Northwind agent in Billing': {
        create: async (c) => {
          const row = { org_id: ORG.northwind, group_id: GROUP.billing, user_id: c.f.nwAgentUser };
          await insertRow(c.sql, 'group_members', row);
          return { match: { group_id: row.group_id, user_id: row.user_id } };
        },
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['a Northwind agent in Billing']),
  },
};
