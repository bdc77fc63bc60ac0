import { randomUUID } from 'node:crypto';
import type { Fixtures } from '../fixtures.ts';
import { grant, NORTHWIND_MANAGERS, type TableSpec } from '../spec.ts';
import { insertRow } from '../sql.ts';
import { CLIENT, GROUP, ORG, SITE, USER } from '../world.ts';

/**
 * README matrix rows: conversation_offers, outbound_emails and the conversation_metrics view.
 * Offers and e-mails are written by the chat server only (its own role), so no API user may insert,
 * change or delete them; the view is read-only by construction and follows conversations' RLS.
 */

const byId = (pick: (f: Fixtures) => string) => (c: { f: Fixtures }) => ({ id: pick(c.f) });
const newId = (row: Record<string, unknown>) => ({ id: row.id as string });
const inBookings = (f: Fixtures) => ({ org_id: ORG.northwind, conversation_id: f.conv.bookingsAcme });
const inAHour = () => new Date(Date.now() + 3_600_000).toISOString();
const nobody = {};

const northwindOffers = [
  'assignment to agent1, Acme/Bookings',
  'consult for agent1, Globex/Technical',
  'assignment to agent3, Globex/Technical',
  'expired assignment to agent2, Acme/Bookings',
  'consult naming the client viewer, Acme/Bookings',
];

export const conversation_offers: TableSpec = {
  table: 'conversation_offers',
  granted: { select: true, insert: false, update: false, delete: false },
  select: {
    probes: {
      'assignment to agent1, Acme/Bookings': byId((f) => f.offer.agent1Bookings),
      'consult for agent1, Globex/Technical': byId((f) => f.offer.agent1ConsultTechnical),
      'assignment to agent3, Globex/Technical': byId((f) => f.offer.agent3Technical),
      'expired assignment to agent2, Acme/Bookings': byId((f) => f.offer.agent2BookingsExpired),
      'consult naming the client viewer, Acme/Bookings': byId((f) => f.offer.viewerBookings),
      'Contoso assignment': byId((f) => f.offer.contoso),
    },
    allowed: {
      ...grant(NORTHWIND_MANAGERS, northwindOffers),
      // Their own offers only, even for a conversation they cannot see (the declined consult), and
      // not a colleague's offer of a conversation they can see (agent2's, in Bookings).
      agent: ['assignment to agent1, Acme/Bookings', 'consult for agent1, Globex/Technical'],
      // No client_viewer entry: not even an offer naming them (only staff receive offers).
      other_org: ['Contoso assignment'],
    },
  },
  insert: {
    probes: {
      'a consult offer of Acme/Bookings to themselves': {
        row: (c) => ({
          id: randomUUID(),
          ...inBookings(c.f),
          user_id: c.userId ?? USER.agent1,
          kind: 'consult',
          note: `RLS ${c.f.tag} forged offer`,
          expires_at: inAHour(),
        }),
        key: newId,
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      // Accepting an offer is the chat server's job: it also assigns the conversation atomically.
      'assignment to agent1, Acme/Bookings': {
        target: byId((f) => f.offer.agent1Bookings),
        patch: { status: 'accepted' },
      },
    },
    allowed: nobody,
  },
  delete: {
    probes: {
      'a consult offer to agent1, Acme/Bookings': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'conversation_offers', {
            ...inBookings(c.f),
            user_id: USER.agent1,
            kind: 'consult',
            note: `RLS ${c.f.tag} doomed offer`,
            expires_at: inAHour(),
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: nobody,
  },
};

export const outbound_emails: TableSpec = {
  table: 'outbound_emails',
  granted: { select: true, insert: false, update: false, delete: false },
  select: {
    probes: {
      'offline reply, Acme/Bookings': byId((f) => f.email.offlineReplyAcme),
      'transcript, Globex/Technical': byId((f) => f.email.transcriptGlobex),
      'Contoso offline reply': byId((f) => f.email.contoso),
    },
    allowed: {
      // Visitors' e-mail addresses: managers and above only, not even the agent who wrote the reply.
      ...grant(NORTHWIND_MANAGERS, ['offline reply, Acme/Bookings', 'transcript, Globex/Technical']),
      other_org: ['Contoso offline reply'],
    },
  },
  insert: {
    probes: {
      'an offline reply in Acme/Bookings': {
        row: (c) => ({
          id: randomUUID(),
          ...inBookings(c.f),
          kind: 'offline_reply',
          to_email: 'someone@example.test',
          subject: `RLS ${c.f.tag} forged e-mail`,
          body_text: 'Click here.',
          created_by: c.userId,
        }),
        key: newId,
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      'offline reply, Acme/Bookings': {
        target: byId((f) => f.email.offlineReplyAcme),
        patch: { to_email: 'attacker@example.test' },
      },
    },
    allowed: nobody,
  },
  delete: {
    probes: {
      'an offline reply in Acme/Bookings': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'outbound_emails', {
            ...inBookings(c.f),
            kind: 'offline_reply',
            to_email: 'visitor@example.test',
            subject: `RLS ${c.f.tag} doomed e-mail`,
            body_text: 'Thanks for waiting.',
          });
          return { match: newId(row) };
        },
      },
    },
    allowed: nobody,
  },
};

const metricsOf = (pick: (f: Fixtures) => string) => (c: { f: Fixtures }) => ({
  conversation_id: pick(c.f),
});

/** Exactly the conversations spec's select rows (rls/matrix/conversations.ts), read through the view. */
export const conversation_metrics: TableSpec = {
  table: 'conversation_metrics',
  relation: 'view',
  granted: { select: true, insert: false, update: false, delete: false },
  select: {
    probes: {
      'Acme in Bookings': metricsOf((f) => f.conv.bookingsAcme),
      'Globex in Technical': metricsOf((f) => f.conv.technicalGlobex),
      'Globex unrouted': metricsOf((f) => f.conv.unroutedGlobex),
      'Acme in Technical assigned to agent1': metricsOf((f) => f.conv.assignedAcme),
      'Globex in Technical with agent1 consulted': metricsOf((f) => f.conv.consultedGlobex),
      Contoso: metricsOf((f) => f.conv.contoso),
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
      'a row for a new conversation': {
        row: () => ({ org_id: ORG.northwind, conversation_id: randomUUID(), visitor_messages: 0 }),
        key: (row) => ({ conversation_id: row.conversation_id as string }),
      },
    },
    allowed: nobody,
  },
  update: {
    probes: {
      'Acme in Bookings': { target: metricsOf((f) => f.conv.bookingsAcme), patch: { rating: 5 } },
    },
    allowed: nobody,
  },
  delete: {
    probes: {
      // A conversation of its own, so even a delete that got through would leave the fixtures intact.
      'a new Acme conversation in Bookings': {
        create: async (c) => {
          const row = await insertRow(c.sql, 'conversations', {
            org_id: ORG.northwind,
            client_id: CLIENT.acme,
            site_id: SITE.acme,
            visitor_id: c.f.visitor.acme,
            group_id: GROUP.bookings,
          });
          const id = row.id as string;
          return {
            match: { conversation_id: id },
            restore: async () => {
              await c.sql`delete from public.conversations where id = ${id}`;
            },
          };
        },
      },
    },
    allowed: nobody,
  },
};
