import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { inject } from 'vitest';
import { DEMO_PASSWORD } from '../../local/defaults.ts';

// Tests never share sessions through storage or refresh tokens behind their back.
const clientOptions = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };

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
