/**
 * This instance's connections, indexed the ways the core looks them up: by conversation (to fan
 * out an event) and agents by organization (org-wide events: new chats, presence).
 */
import type { Session } from './session.ts';

export class Registry {
  readonly sessions = new Set<Session>();
  private readonly byConversation = new Map<string, Set<Session>>();
  private readonly agentsByOrg = new Map<string, Set<Session>>();

  add(session: Session): void {
    this.sessions.add(session);
    if (session.principal.kind === 'agent') addTo(this.agentsByOrg, session.principal.orgId, session);
  }

  /** Removes the session from the connection and org indexes (the feed drops its conversations). */
  remove(session: Session): void {
    this.sessions.delete(session);
    if (session.principal.kind === 'agent') removeFrom(this.agentsByOrg, session.principal.orgId, session);
  }

  /** Returns true when this is the first local session on the conversation. */
  join(session: Session, conversationId: string): boolean {
    return addTo(this.byConversation, conversationId, session);
  }

  /** Returns true when no local session is left on the conversation. */
  leave(session: Session, conversationId: string): boolean {
    return removeFrom(this.byConversation, conversationId, session);
  }

  inConversation(conversationId: string): ReadonlySet<Session> {
    return this.byConversation.get(conversationId) ?? EMPTY;
  }

  conversationIds(): string[] {
    return [...this.byConversation.keys()];
  }

  agentsOf(orgId: string): ReadonlySet<Session> {
    return this.agentsByOrg.get(orgId) ?? EMPTY;
  }

  /** Local connections of one agent (for presence). */
  connectionsOf(orgId: string, userId: string): number {
    let n = 0;
    for (const s of this.agentsOf(orgId))
      if (s.principal.kind === 'agent' && s.principal.userId === userId) n++;
    return n;
  }
}

const EMPTY: ReadonlySet<Session> = new Set();

function addTo(map: Map<string, Set<Session>>, key: string, session: Session): boolean {
  let set = map.get(key);
  const first = set === undefined;
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(session);
  return first;
}

function removeFrom(map: Map<string, Set<Session>>, key: string, session: Session): boolean {
  const set = map.get(key);
  if (!set) return true;
  set.delete(session);
  if (set.size === 0) {
    map.delete(key);
    return true;
  }
  return false;
}
