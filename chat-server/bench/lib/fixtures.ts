/**
 * Seed ids the bench relies on (supabase/seed.sql) and the rows and tokens it creates: visitors
 * of the Acme Travel site in bulk, visitor tokens signed with the server's secret, and agent
 * access tokens signed like Supabase Auth signs them.
 */
import jwt from 'jsonwebtoken';
import type postgres from 'postgres';
import { createVisitorTokens } from '../../src/auth/visitor-token.ts';

export const NORTHWIND_ORG = '10000000-0000-4000-8000-000000000001';
export const ACME_CLIENT = '30000000-0000-4000-8000-000000000001';
export const ACME_SITE = '40000000-0000-4000-8000-000000000001';
/** agent1@northwind.test: an agent in Bookings, the Acme site's default group. */
export const AGENT1 = '20000000-0000-4000-8000-000000000004';
/** Allowed for the Acme site (localhost is in its allowed domains). */
export const VISITOR_ORIGIN = 'http://localhost';
/** One of the chat server's default ADMIN_ORIGINS. */
export const ADMIN_ORIGIN = 'http://localhost:5173';
/** Shared by every instance of a run, so a visitor token from A is good on B. */
export const BENCH_VISITOR_SECRET = 'bench-visitor-token-secret-shared-by-instances';

const visitorTokens = createVisitorTokens(BENCH_VISITOR_SECRET, 3600);

/** Inserts `count` visitors of the Acme site in one statement and returns their ids. */
export async function createVisitors(admin: postgres.Sql, count: number, label: string): Promise<string[]> {
  const rows = await admin<{ id: string }[]>`
    insert into public.visitors (org_id, client_id, site_id, name)
    select ${NORTHWIND_ORG}, ${ACME_CLIENT}, ${ACME_SITE}, ${label} || ' ' || n
    from generate_series(1, ${count}::int) as n
    returning id`;
  return rows.map((r) => r.id);
}

/** `count` active conversations of new Acme visitors (no group: routing leaves them alone). */
export async function createConversations(
  admin: postgres.Sql,
  count: number,
  label: string,
): Promise<string[]> {
  const visitors = await createVisitors(admin, count, label);
  const rows = await admin<{ id: string }[]>`
    insert into public.conversations (org_id, client_id, site_id, visitor_id, status)
    select ${NORTHWIND_ORG}, ${ACME_CLIENT}, ${ACME_SITE}, v, 'active' from unnest(${visitors}::uuid[]) as v
    returning id`;
  return rows.map((r) => r.id);
}

export function visitorToken(visitorId: string): string {
  return visitorTokens.sign({ sub: visitorId, org: NORTHWIND_ORG, client: ACME_CLIENT, site: ACME_SITE })
    .token;
}

/** A Supabase-shaped access token (HS256, aud/role authenticated), valid for an hour. */
export function agentToken(jwtSecret: string, userId = AGENT1): string {
  return jwt.sign(
    { sub: userId, role: 'authenticated', aud: 'authenticated', email: 'agent1@northwind.test' },
    jwtSecret,
    { algorithm: 'HS256', expiresIn: 3600 },
  );
}
