/**
 * The one supabase-js client of the browser. It carries the signed-in user's JWT on every request,
 * so row-level security decides what each query may see or change; nothing here is trusted.
 * Only PUBLIC_ values are read: the service key lives in src/lib/server and never reaches this file.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { browser } from '$app/environment';
import { env } from '$env/dynamic/public';

let client: SupabaseClient | undefined;

/** The browser's client, created on first use (the server never makes one per module). */
export function supabase(): SupabaseClient {
  if (!browser) throw new Error('supabase() is for the browser; server code uses src/lib/server.');
  client ??= createClient(requirePublic('PUBLIC_SUPABASE_URL'), requirePublic('PUBLIC_SUPABASE_ANON_KEY'), {
    auth: {
      persistSession: true,
      // Refreshes the access token shortly before it expires, so a working day never hits a 401.
      autoRefreshToken: true,
      // /auth/callback reads invite and recovery links itself, so it knows which kind it was given.
      detectSessionInUrl: false,
      flowType: 'implicit',
    },
  });
  return client;
}

function requirePublic(name: 'PUBLIC_SUPABASE_URL' | 'PUBLIC_SUPABASE_ANON_KEY'): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: the admin app cannot reach Supabase.`);
  return value;
}

/** Turns a PostgREST/Auth error into the message a user should read. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return String(error);
}
