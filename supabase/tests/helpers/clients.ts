import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import postgres from 'postgres';
import { inject } from 'vitest';
import { DEMO_PASSWORD } from '../../local/defaults.ts';

/**
 * The local stack has no Realtime server, and supabase-js on Node 20 (no built-in WebSocket) refuses to
 * create a client without a transport: this one fails clearly if a test ever opens a channel.
 */
class NoRealtime {
  constructor() {
    throw new Error('The local Supabase stack has no Realtime server.');
  }
}

// Tests never share sessions through storage or refresh tokens behind their back.
const clientOptions: SupabaseClientOptions<'public'> = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: {
    transport: NoRealtime as unknown as NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport'],
  },
};

/** supabase-js as a visitor with no login: the anon key only. */
export function anonClient(): SupabaseClient {
  const { url, anonKey } = inject('supabase');
  return createClient(url, anonKey, clientOptions);
}

/** supabase-js with the service_role key, which bypasses RLS (server-side code only). */
export function serviceClient(): SupabaseClient {
  const { url, serviceRoleKey } = inject('supabase');
  return createClient(url, serviceRoleKey, clientOptions);
}

/** supabase-js signed in as a (demo) user; fails the test with the auth error if sign-in fails. */
export async function signedInClient(
  email: string,
  password: string = DEMO_PASSWORD,
): Promise<SupabaseClient> {
  const client = anonClient();
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`Could not sign in as ${email}: ${error.message}`);
  return client;
}

/**
 * postgres.js as the superuser, for arranging data and checking what the API did. Call `.end()` when
 * done (e.g. in afterAll).
 */
export function superuserSql(): postgres.Sql {
  const { dbUrl } = inject('supabase');
  return postgres(dbUrl, { max: 2, onnotice: () => {} });
}
