import { randomUUID } from 'node:crypto';
import type { Fixtures } from '../fixtures.ts';
import { grant, NORTHWIND_ADMINS, NORTHWIND_MANAGERS, NORTHWIND_STAFF, type TableSpec } from '../spec.ts';
import { insertRow } from '../sql.ts';
import { CLIENT, GROUP, ORG, SITE, USER } from '../world.ts';

/**
 * README matrix rows: visitors, conversations and what follows a conversation (participants,
 * messages, attachments, calls). Nobody inserts these through the API: the chat server does.
 * The matrix's agent is agent1 (Bookings + Billing); see fixtures.ts for each conversation's rule.
 */

const byId = (pick: (f: Fixtures) => string) => (c: { f: Fixtures }) => ({ id: pick(c.f) });
const newId = (row: Record<string, unknown>) => ({ id: row.id as string });
const inBookings = (f: Fixtures) => ({ org_id: ORG.northwind, conversation_id: f.conv.bookingsAcme });
const nobody = {};

export const visitors: TableSpec = {
  table: 'visitors',
  granted: { select: true, insert: false, update: true, delete: true },
  select: {
    probes: {
      'an Acme visitor': byId((f) => f.visitor.acme),
      'a Globex visitor': byId((f) => f.visitor.globex),
      'a Contoso visitor': byId((f) => f.visitor.contoso),
    },
    allowed: {
      ...grant(NORTHWIND_STAFF, ['an Acme visitor', 'a Globex visitor']),
      client_viewer: ['an Acme visitor'],
      other_org: ['a Contoso visitor'],
    },
  },
  insert: {
    probes: {
      'a new Acme visitor': {
        row: () => ({
          id: randomUUID(),
          org_id: ORG.northwind,
          client_id: CLIENT.acme,
          site_id: SITE.acme,
          name: 'Forged',
        }),
        key: newId,
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      'an Acme visitor': { target: byId((f) => f.visitor.acme), patch: { name: 'Renamed by the RLS test' } },
    },
    allowed: grant(NORTHWIND_STAFF, ['an Acme visitor']),
  },
  delete: {
    probes: {
      'an Acme visitor': {
        create: async (c) => {
          const row = {
            org_id: ORG.northwind,
            client_id: CLIENT.acme,
            site_id: SITE.acme,
            name: `RLS ${c.f.tag} doomed`,
          };
          return { match: newId(await insertRow(c.sql, 'visitors', row)) };
        },
      },
    },
    allowed: grant(NORTHWIND_ADMINS, ['an Acme visitor']),
  },
};

export const conversations: TableSpec = {
  table: 'conversations',
  granted: { select: true, insert: false, update: true, delete: true },
  select: {
    probes: {
      'Acme in Bookings': byId((f) => f.conv.bookingsAcme),
      'Globex in Technical': byId((f) => f.conv.technicalGlobex),
      'Globex unrouted': byId((f) => f.conv.unroutedGlobex),
      'Acme in Technical assigned to agent1': byId((f) => f.conv.assignedAcme),
      'Globex in Technical with agent1 consulted': byId((f) => f.conv.consultedGlobex),
      Contoso: byId((f) => f.conv.contoso),
    },
    allowed: {
      ...grant(NORTHWIND_MANAGERS, [
        'Acme in Bookings',
        'Globex in Technical',
        'Globex unrouted',
        'Acme in Technical assigned to agent1',
        'Globex in Technical with agent1 consulted',
      ]),
      agent: [
        'Acme in Bookings',
        'Globex unrouted',
        'Acme in Technical assigned to agent1',
        'Globex in Technical with agent1 consulted',
      ],
      client_viewer: ['Acme in Bookings', 'Acme in Technical assigned to agent1'],
      other_org: ['Contoso'],
    },
  },
  insert: {
    probes: {
      'a new Acme conversation': {
        row: (c) => ({
          id: randomUUID(),
          org_id: ORG.northwind,
          client_id: CLIENT.acme,
          site_id: SITE.acme,
          visitor_id: c.f.visitor.acme,
        }),
        key: newId,
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      'Acme in Bookings': {
        target: byId((f) => f.conv.bookingsAcme),
        patch: { feedback: 'Edited by the RLS test.' },
      },
    },
    allowed: grant(NORTHWIND_MANAGERS, ['Acme in Bookings']),
  },
  delete: {
    probes: {
      'an Acme conversation in Bookings': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'conversations', {
            org_id: ORG.northwind,
            client_id: CLIENT.acme,
            site_id: SITE.acme,
            visitor_id: c.f.visitor.acme,
            group_id: GROUP.bookings,
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: grant(NORTHWIND_ADMINS, ['an Acme conversation in Bookings']),
  },
};

const participantIn = (conversation: (f: Fixtures) => string, user: string) => (c: { f: Fixtures }) => ({
  conversation_id: conversation(c.f),
  user_id: user,
});

export const conversation_participants: TableSpec = {
  table: 'conversation_participants',
  granted: { select: true, insert: false, update: false, delete: false },
  select: {
    probes: {
      'the manager in Acme/Bookings': participantIn((f) => f.conv.bookingsAcme, USER.manager),
      'agent3 in Globex/Technical': participantIn((f) => f.conv.technicalGlobex, USER.agent3),
      'agent1 consulted in Globex/Technical': participantIn((f) => f.conv.consultedGlobex, USER.agent1),
      "Contoso's agent": participantIn((f) => f.conv.contoso, USER.contosoAgent),
    },
    allowed: {
      ...grant(NORTHWIND_MANAGERS, [
        'the manager in Acme/Bookings',
        'agent3 in Globex/Technical',
        'agent1 consulted in Globex/Technical',
      ]),
      agent: ['the manager in Acme/Bookings', 'agent1 consulted in Globex/Technical'],
      other_org: ["Contoso's agent"],
    },
  },
  insert: {
    probes: {
      'agent2 joining Acme/Bookings': {
        row: (c) => ({ ...inBookings(c.f), user_id: USER.agent2 }),
        key: (row) => ({ conversation_id: row.conversation_id as string, user_id: row.user_id as string }),
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      'the manager in Acme/Bookings': {
        target: participantIn((f) => f.conv.bookingsAcme, USER.manager),
        patch: { last_read_seq: 99 },
      },
    },
    allowed: nobody,
  },
  delete: {
    probes: {
      'a Northwind agent in Acme/Bookings': {
        create: async (c) => {
          const row = { ...inBookings(c.f), user_id: c.f.nwAgentUser };
          await insertRow(c.sql, 'conversation_participants', row);
          return { match: { conversation_id: row.conversation_id, user_id: row.user_id } };
        },
      },
    },
    allowed: nobody,
  },
};

const allNorthwindMessages = [
  'visitor message, Acme/Bookings',
  'note, Acme/Bookings',
  'visitor message, Globex/Technical',
  'visitor message, Globex unrouted',
  'visitor message, Acme assigned to agent1',
  'note, Acme assigned to agent1',
];

export const messages: TableSpec = {
  table: 'messages',
  granted: { select: true, insert: false, update: false, delete: true },
  select: {
    probes: {
      'visitor message, Acme/Bookings': byId((f) => f.message.bookingsVisitor),
      'note, Acme/Bookings': byId((f) => f.message.bookingsNote),
      'visitor message, Globex/Technical': byId((f) => f.message.technicalVisitor),
      'visitor message, Globex unrouted': byId((f) => f.message.unroutedVisitor),
      'visitor message, Acme assigned to agent1': byId((f) => f.message.assignedVisitor),
      'note, Acme assigned to agent1': byId((f) => f.message.assignedNote),
      'visitor message, Contoso': byId((f) => f.message.contosoVisitor),
      'note, Contoso': byId((f) => f.message.contosoNote),
    },
    allowed: {
      ...grant(NORTHWIND_MANAGERS, allNorthwindMessages),
      agent: allNorthwindMessages.filter((label) => !label.includes('Globex/Technical')),
      // Internal notes never reach a client's reviewer.
      client_viewer: ['visitor message, Acme/Bookings', 'visitor message, Acme assigned to agent1'],
      other_org: ['visitor message, Contoso', 'note, Contoso'],
    },
  },
  insert: {
    probes: {
      'an agent reply in Acme/Bookings': {
        row: (c) => ({
          id: randomUUID(),
          ...inBookings(c.f),
          client_msg_id: randomUUID(),
          sender_kind: 'agent',
          sender_id: c.userId ?? USER.agent1,
          body: 'Forged reply',
        }),
        key: newId,
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      'visitor message, Acme/Bookings': {
        target: byId((f) => f.message.bookingsVisitor),
        patch: { body: 'Rewritten by the RLS test' },
      },
    },
    allowed: nobody,
  },
  delete: {
    probes: {
      'a visitor message in Acme/Bookings': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'messages', {
            ...inBookings(c.f),
            client_msg_id: randomUUID(),
            sender_kind: 'visitor',
            sender_id: c.f.visitor.acme,
            body: 'My card number is …',
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: grant(NORTHWIND_ADMINS, ['a visitor message in Acme/Bookings']),
  },
};

export const attachments: TableSpec = {
  table: 'attachments',
  granted: { select: true, insert: false, update: false, delete: true },
  select: {
    probes: {
      'on a visitor message, Acme/Bookings': byId((f) => f.attachment.bookingsVisitor),
      'on a note, Acme/Bookings': byId((f) => f.attachment.bookingsNote),
      'Globex/Technical': byId((f) => f.attachment.technical),
      'Acme assigned to agent1': byId((f) => f.attachment.assigned),
      Contoso: byId((f) => f.attachment.contoso),
    },
    allowed: {
      ...grant(NORTHWIND_MANAGERS, [
        'on a visitor message, Acme/Bookings',
        'on a note, Acme/Bookings',
        'Globex/Technical',
        'Acme assigned to agent1',
      ]),
      agent: ['on a visitor message, Acme/Bookings', 'on a note, Acme/Bookings', 'Acme assigned to agent1'],
      client_viewer: ['on a visitor message, Acme/Bookings', 'Acme assigned to agent1'],
      other_org: ['Contoso'],
    },
  },
  insert: {
    probes: {
      'a file in Acme/Bookings': {
        row: (c) => ({
          id: randomUUID(),
          ...inBookings(c.f),
          uploader_kind: 'agent',
          uploader_id: c.userId ?? USER.agent1,
          file_name: 'forged.pdf',
          content_type: 'application/pdf',
          size_bytes: 10,
          storage_key: `rls-${c.f.tag}/${randomUUID()}`,
        }),
        key: newId,
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      'on a visitor message, Acme/Bookings': {
        target: byId((f) => f.attachment.bookingsVisitor),
        patch: { file_name: 'renamed.png' },
      },
    },
    allowed: nobody,
  },
  delete: {
    probes: {
      'a file in Acme/Bookings': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'attachments', {
            ...inBookings(c.f),
            uploader_kind: 'visitor',
            uploader_id: c.f.visitor.acme,
            file_name: 'passport.jpg',
            content_type: 'image/jpeg',
            size_bytes: 2048,
            storage_key: `rls-${c.f.tag}/${randomUUID()}`,
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: grant(NORTHWIND_ADMINS, ['a file in Acme/Bookings']),
  },
};

export const calls: TableSpec = {
  table: 'calls',
  granted: { select: true, insert: false, update: false, delete: false },
  select: {
    probes: {
      'Acme/Bookings': byId((f) => f.call.bookingsAcme),
      'Globex/Technical': byId((f) => f.call.technicalGlobex),
      Contoso: byId((f) => f.call.contoso),
    },
    allowed: {
      ...grant(NORTHWIND_MANAGERS, ['Acme/Bookings', 'Globex/Technical']),
      agent: ['Acme/Bookings'],
      client_viewer: ['Acme/Bookings'],
      other_org: ['Contoso'],
    },
  },
  insert: {
    probes: {
      'a call in Acme/Bookings': {
        row: (c) => ({
          id: randomUUID(),
          ...inBookings(c.f),
          room_id: `rls-${c.f.tag}-forged`,
          started_by_kind: 'agent',
          started_by: c.userId ?? USER.agent1,
        }),
        key: newId,
      },
    },
    allowed: nobody,
  },
  update: {
    probes: { 'Acme/Bookings': { target: byId((f) => f.call.bookingsAcme), patch: { status: 'ended' } } },
    allowed: nobody,
  },
  delete: {
    probes: {
      'a call in Acme/Bookings': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'calls', {
            ...inBookings(c.f),
            room_id: `rls-${c.f.tag}-${randomUUID()}`,
            started_by_kind: 'visitor',
            started_by: c.f.visitor.acme,
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: nobody,
  },
};
