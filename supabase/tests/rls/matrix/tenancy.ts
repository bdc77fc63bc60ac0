import { randomUUID } from 'node:crypto';
import { grant, NORTHWIND_ADMINS, NORTHWIND_STAFF, type ProbeContext, type TableSpec } from '../spec.ts';
import { insertRow } from '../sql.ts';
import { NORTHWIND_ROLE, ORG, USER } from '../world.ts';

/** README matrix rows: organizations and org_members. */

const everyNorthwindMember = ['owner', 'admin', 'manager', 'agent', 'client_viewer'] as const;

export const organizations: TableSpec = {
  table: 'organizations',
  granted: { select: true, insert: false, update: true, delete: true },
  select: {
    probes: { Northwind: () => ({ id: ORG.northwind }), Contoso: () => ({ id: ORG.contoso }) },
    allowed: { ...grant(everyNorthwindMember, ['Northwind']), other_org: ['Contoso'] },
  },
  insert: {
    // Only public.create_organization() makes organizations (it also makes the caller owner).
    probes: {
      'a new organization': {
        row: (c) => ({
          id: randomUUID(),
          name: `RLS ${c.f.tag}`,
          slug: `rls-${c.f.tag}-${randomUUID().slice(0, 8)}`,
        }),
        key: (row) => ({ id: row.id as string }),
      },
    },
    allowed: {},
  },
  update: {
    probes: {
      Northwind: { target: () => ({ id: ORG.northwind }), patch: { name: 'Northwind Support (RLS test)' } },
    },
    allowed: grant(NORTHWIND_ADMINS, ['Northwind']),
  },
  delete: {
    // Deleting Northwind itself would wipe the seed: each actor gets a throwaway organization in which
    // it holds its Northwind role (the other organization's user: no role at all).
    probes: { 'an organization where the actor has its role': { create: throwawayOrganization } },
    allowed: { owner: ['an organization where the actor has its role'] },
  },
};

async function throwawayOrganization(c: ProbeContext) {
  const org = await insertRow(c.sql, 'organizations', {
    name: `RLS ${c.f.tag} throwaway`,
    slug: `rls-${c.f.tag}-${randomUUID().slice(0, 8)}`,
  });
  const role = c.actor === 'anon' ? null : NORTHWIND_ROLE[c.actor];
  if (role && c.userId) {
    const client =
      role === 'client_viewer'
        ? await insertRow(c.sql, 'clients', { org_id: org.id, name: 'Viewer client' })
        : null;
    await insertRow(c.sql, 'org_members', {
      org_id: org.id,
      user_id: c.userId,
      role,
      client_id: client?.id ?? null,
    });
  }
  // Removing a leftover organization takes its members and client with it (cascade).
  return { match: { id: org.id as string } };
}

const membership = (user: string) => () => ({ org_id: ORG.northwind, user_id: user });

export const org_members: TableSpec = {
  table: 'org_members',
  granted: { select: true, insert: true, update: true, delete: true },
  select: {
    probes: {
      "the owner's membership": membership(USER.owner),
      "agent1's membership": membership(USER.agent1),
      "the client viewer's membership": membership(USER.viewer),
      "Contoso owner's membership": () => ({ org_id: ORG.contoso, user_id: USER.contosoOwner }),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, [
        "the owner's membership",
        "agent1's membership",
        "the client viewer's membership",
      ]),
      client_viewer: ["the client viewer's membership"],
      other_org: ["Contoso owner's membership"],
    },
  },
  insert: {
    probes: {
      'an agent membership': {
        row: (c) => ({ org_id: ORG.northwind, user_id: c.f.spareUser, role: 'agent' }),
        key: (row) => ({ org_id: row.org_id as string, user_id: row.user_id as string }),
      },
      'an owner membership': {
        row: (c) => ({ org_id: ORG.northwind, user_id: c.f.spareOwnerUser, role: 'owner' }),
        key: (row) => ({ org_id: row.org_id as string, user_id: row.user_id as string }),
      },
    },
    allowed: { owner: ['an agent membership', 'an owner membership'], admin: ['an agent membership'] },
  },
  update: {
    probes: {
      "agent1's membership": {
        target: membership(USER.agent1),
        patch: { display_name: 'Tom B. (RLS test)' },
      },
      "the owner's membership": {
        target: membership(USER.owner),
        patch: { display_name: 'Nadia O. (RLS test)' },
      },
    },
    allowed: { owner: ["agent1's membership", "the owner's membership"], admin: ["agent1's membership"] },
  },
  delete: {
    probes: {
      'an agent membership': {
        create: async (c) => {
          await insertRow(c.sql, 'org_members', {
            org_id: ORG.northwind,
            user_id: c.f.spareUser,
            role: 'agent',
          });
          return { match: { org_id: ORG.northwind, user_id: c.f.spareUser } };
        },
      },
      // A second owner: removing it leaves Northwind's own owner in place.
      'an owner membership': {
        create: async (c) => {
          await insertRow(c.sql, 'org_members', {
            org_id: ORG.northwind,
            user_id: c.f.spareOwnerUser,
            role: 'owner',
          });
          return { match: { org_id: ORG.northwind, user_id: c.f.spareOwnerUser } };
        },
      },
    },
    allowed: { owner: ['an agent membership', 'an owner membership'], admin: ['an agent membership'] },
  },
};
