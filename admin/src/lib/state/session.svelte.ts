/**
 * Who is signed in and in which organization they are working. Browser-only state (the app renders
 * on the client, see routes/+layout.ts), so a module-level instance never mixes users on a server.
 */
import type { Session as AuthSession, User } from '@supabase/supabase-js';
import { listMemberships } from '../data/memberships.ts';
import type { Membership } from '../data/types.ts';
import type { OrgRole } from '../roles.ts';
import { supabase } from '../supabase.ts';

const ORG_KEY = 'chat-admin.org';

class SessionState {
  #user = $state<User | null>(null);
  #memberships = $state<Membership[]>([]);
  #orgId = $state<string | null>(null);
  #ready: Promise<void> | undefined;

  get user() {
    return this.#user;
  }
  get memberships() {
    return this.#memberships;
  }
  /** The membership of the organization being worked in. */
  get current(): Membership | undefined {
    return this.#memberships.find((m) => m.org_id === this.#orgId) ?? this.#memberships[0];
  }
  get orgId(): string | undefined {
    return this.current?.org_id;
  }
  get role(): OrgRole | undefined {
    return this.current?.role;
  }

  /** Resolves once the stored session (if any) and its memberships are loaded. Safe to call often. */
  ready(): Promise<void> {
    this.#ready ??= this.#start();
    return this.#ready;
  }

  async #start() {
    const client = supabase();
    const { data } = await client.auth.getSession();
    await this.#apply(data.session);
    client.auth.onAuthStateChange((event, session) => {
      // Token refreshes keep the same user; only sign-in/out changes what we show.
      if (event === 'SIGNED_IN' || event === 'SIGNED_OUT' || event === 'USER_UPDATED') {
        if (session?.user.id !== this.#user?.id || event !== 'SIGNED_IN') void this.#apply(session);
      }
    });
  }

  async #apply(session: AuthSession | null) {
    this.#user = session?.user ?? null;
    this.#memberships = session ? await listMemberships(session.user.id) : [];
    this.#orgId = localStorage.getItem(ORG_KEY);
  }

  /** Reloads memberships, e.g. right after signing in. */
  async refresh() {
    const { data } = await supabase().auth.getSession();
    await this.#apply(data.session);
  }

  selectOrg(orgId: string) {
    this.#orgId = orgId;
    localStorage.setItem(ORG_KEY, orgId);
  }

  async signOut() {
    await supabase().auth.signOut();
    this.#user = null;
    this.#memberships = [];
  }
}

export const session = new SessionState();
