import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { inject } from 'vitest';
import { DEMO_PASSWORD } from './browser.ts';

/** Node 20 has no WebSocket and the local stack no Realtime: a transport that fails if ever used. */
class NoRealtime {
  constructor() {
    throw new Error('The local Supabase stack has no Realtime server.');
  }
}

/** supabase-js in Node (the tests): no stored session, no refresh, no Realtime. */
export const nodeClientOptions: SupabaseClientOptions<'public'> = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: {
    transport: NoRealtime as unknown as NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport'],
  },
};

export function serviceClient(): SupabaseClient {
  const { supabaseUrl, serviceRoleKey } = inject('admin');
  return createClient(supabaseUrl, serviceRoleKey, nodeClientOptions);
}

export async function signedInClient(email: string, password = DEMO_PASSWORD): Promise<SupabaseClient> {
  const { supabaseUrl, anonKey } = inject('admin');
  const client = createClient(supabaseUrl, anonKey, nodeClientOptions);
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`Sign-in as ${email} failed: ${error.message}`);
  return client;
}

export const NORTHWIND = '10000000-0000-4000-8000-000000000001';
export const ACME = '30000000-0000-4000-8000-000000000001';
export const GLOBEX = '30000000-0000-4000-8000-000000000002';
