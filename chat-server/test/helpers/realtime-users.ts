/**
 * Tokens for realtime tests: visitors through the real POST /v1/widget/session, agents as the
 * Supabase access token the admin app would hold (HS256 with the test stack's JWT secret, the
 * claims Supabase Auth issues).
 */
import jwt from 'jsonwebtoken';
import { inject } from 'vitest';

/** Seeded ids (supabase/seed.sql). */
export const ORG = {
  northwind: '10000000-0000-4000-8000-000000000001',
  contoso: '10000000-0000-4000-8000-000000000002',
} as const;

export const USERS = {
  owner: { id: '20000000-0000-4000-8000-000000000001', email: 'owner@northwind.test' },
  manager: { id: '20000000-0000-4000-8000-000000000003', email: 'manager@northwind.test' },
  agent1: { id: '20000000-0000-4000-8000-000000000004', email: 'agent1@northwind.test' },
  agent2: { id: '20000000-0000-4000-8000-000000000005', email: 'agent2@northwind.test' },
  agent3: { id: '20000000-0000-4000-8000-000000000006', email: 'agent3@northwind.test' },
  viewer: { id: '20000000-0000-4000-8000-000000000007', email: 'viewer@acme.test' },
  contosoAgent: { id: '20000000-0000-4000-8000-000000000009', email: 'agent@contoso.test' },
} as const;

export const GROUPS = {
  bookings: '50000000-0000-4000-8000-000000000001',
  billing: '50000000-0000-4000-8000-000000000002',
  technical: '50000000-0000-4000-8000-000000000003',
} as const;

/** The default ADMIN_ORIGINS entry the admin app runs on. */
export const ADMIN_ORIGIN = 'http://localhost:5173';
/** Allowed for every seeded site. */
export const SITE_ORIGIN = 'http://localhost:3000';

export function agentToken(user: { id: string; email: string }, expiresInSeconds = 3600): string {
  const { jwtSecret } = inject('supabase');
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    {
      sub: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: user.email,
      session_id: crypto.randomUUID(),
      iat: now,
      exp: now + expiresInSeconds,
    },
    jwtSecret,
    { algorithm: 'HS256' },
  );
}

export interface VisitorSession {
  token: string;
  visitorId: string;
}

/** A new visitor of a seeded site through the widget endpoint. */
export async function visitorSession(
  serverUrl: string,
  site = 'acme_travel_demo',
  origin = SITE_ORIGIN,
): Promise<VisitorSession> {
  const res = await fetch(`${serverUrl}/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ site }),
  });
  if (res.status !== 200) throw new Error(`widget session failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; visitor: { id: string } };
  return { token: body.token, visitorId: body.visitor.id };
}
