/**
 * The seed's fixed ids (see supabase/seed.sql) and the actors the RLS suites sign in as. One place,
 * so every case names "Acme Travel" or "agent1" instead of a bare uuid.
 */

export const ORG = {
  northwind: '10000000-0000-4000-8000-000000000001',
  contoso: '10000000-0000-4000-8000-000000000002',
} as const;

export const USER = {
  owner: '20000000-0000-4000-8000-000000000001',
  admin: '20000000-0000-4000-8000-000000000002',
  manager: '20000000-0000-4000-8000-000000000003',
  agent1: '20000000-0000-4000-8000-000000000004',
  agent2: '20000000-0000-4000-8000-000000000005',
  agent3: '20000000-0000-4000-8000-000000000006',
  viewer: '20000000-0000-4000-8000-000000000007',
  contosoOwner: '20000000-0000-4000-8000-000000000008',
  contosoAgent: '20000000-0000-4000-8000-000000000009',
} as const;

export const CLIENT = {
  acme: '30000000-0000-4000-8000-000000000001',
  globex: '30000000-0000-4000-8000-000000000002',
  fabrikam: '30000000-0000-4000-8000-000000000003',
} as const;

export const SITE = {
  acme: '40000000-0000-4000-8000-000000000001',
  globex: '40000000-0000-4000-8000-000000000002',
  fabrikam: '40000000-0000-4000-8000-000000000003',
} as const;

export const GROUP = {
  bookings: '50000000-0000-4000-8000-000000000001',
  billing: '50000000-0000-4000-8000-000000000002',
  technical: '50000000-0000-4000-8000-000000000003',
  appointments: '50000000-0000-4000-8000-000000000004',
} as const;

/**
 * Who the matrix signs in as: one seed user per role of Northwind, plus a user of the other
 * organization (Contoso's owner: the strongest role there, so "denied" is not down to a weak role).
 * `anon` (no login) is handled apart: it has no grant at all.
 */
export const ACTORS = ['owner', 'admin', 'manager', 'agent', 'client_viewer', 'other_org'] as const;
export type Actor = (typeof ACTORS)[number];

export const ACTOR_EMAIL: Record<Actor, string> = {
  owner: 'owner@northwind.test',
  admin: 'admin@northwind.test',
  manager: 'manager@northwind.test',
  agent: 'agent1@northwind.test',
  client_viewer: 'viewer@acme.test',
  other_org: 'owner@contoso.test',
};

export const ACTOR_ID: Record<Actor, string> = {
  owner: USER.owner,
  admin: USER.admin,
  manager: USER.manager,
  agent: USER.agent1,
  client_viewer: USER.viewer,
  other_org: USER.contosoOwner,
};

/** The actor's role in Northwind, or null for the other organization's user. */
export const NORTHWIND_ROLE: Record<Actor, string | null> = {
  owner: 'owner',
  admin: 'admin',
  manager: 'manager',
  agent: 'agent',
  client_viewer: 'client_viewer',
  other_org: null,
};

/** Every table a tenant owns, in the order of the README's matrix. */
export const TENANT_TABLES = [
  'organizations',
  'org_members',
  'clients',
  'sites',
  'groups',
  'group_members',
  'visitors',
  'conversations',
  'conversation_participants',
  'messages',
  'attachments',
  'calls',
  'faqs',
  'snippets',
  'agent_status',
  'conversation_offers',
  'outbound_emails',
] as const;
export type TenantTable = (typeof TENANT_TABLES)[number];

/** Views over tenant tables (security_invoker, so their tables' RLS decides), in README order. */
export const TENANT_VIEWS = ['conversation_metrics'] as const;
export type TenantView = (typeof TENANT_VIEWS)[number];

/** Every row of the README's permission matrix: the tables, then the views. */
export const TENANT_RELATIONS = [...TENANT_TABLES, ...TENANT_VIEWS] as const;
export type TenantRelation = (typeof TENANT_RELATIONS)[number];
