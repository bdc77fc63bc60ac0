/**
 * Who a connection belongs to, established once in the upgrade handler from a verified token.
 * Nothing a client sends later can change it.
 */
import type { Actor, Identity } from '@chat/shared';
import type { AgentClaims } from '../auth/agent-token.ts';

export interface VisitorPrincipal {
  kind: 'visitor';
  visitorId: string;
  orgId: string;
  clientId: string;
  siteId: string;
  /** Updated when the visitor gives a name or email in conversation.start. */
  name: string;
  email: string;
  /** Token expiry, seconds since the epoch. */
  exp: number;
}

export type OrgRole = 'owner' | 'admin' | 'manager' | 'agent' | 'client_viewer';

/** Every Supabase user (owner … client_viewer) connects as an agent; `role` tells them apart. */
export interface AgentPrincipal {
  kind: 'agent';
  userId: string;
  orgId: string;
  role: OrgRole;
  /** Set for client viewers: the one client whose conversations they may read. */
  clientId: string | null;
  name: string;
  groupIds: string[];
  /** The verified token claims, replayed to Postgres for RLS checks (asUser). */
  claims: AgentClaims;
  exp: number;
}

export type Principal = VisitorPrincipal | AgentPrincipal;

/** Staff may write (messages, notes, presence); a client_viewer may only read. */
export function isStaff(p: Principal): p is AgentPrincipal {
  return p.kind === 'agent' && p.role !== 'client_viewer';
}

/** Sees internal notes: staff only, never visitors or client viewers. */
export function seesNotes(p: Principal): boolean {
  return isStaff(p);
}

export function actorOf(p: Principal): Actor {
  return p.kind === 'visitor'
    ? { kind: 'visitor', id: p.visitorId, name: p.name }
    : { kind: 'agent', id: p.userId, name: p.name };
}

export function identityOf(p: Principal): Identity {
  return p.kind === 'visitor'
    ? { kind: 'visitor', visitorId: p.visitorId, siteId: p.siteId, name: p.name, email: p.email }
    : { kind: 'agent', userId: p.userId, orgId: p.orgId, role: p.role, name: p.name, groupIds: p.groupIds };
}
