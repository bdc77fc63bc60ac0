import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import type { ServerConfig } from './config.ts';

/**
 * The server never subscribes to Supabase Realtime, and supabase-js on Node 20 (no built-in WebSocket)
 * refuses to build a client without a transport: this one fails loudly if a channel is ever opened.
 */
class NoRealtime {
  constructor() {
    throw new Error('The admin server does not use Supabase Realtime.');
  }
}

type Transport = NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport'];

const SERVER_OPTIONS: SupabaseClientOptions<'public'> = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: NoRealtime as unknown as Transport },
};

/** A client acting as the caller: PostgREST applies RLS to their JWT exactly as in the browser. */
export function clientAsCaller(config: ServerConfig, accessToken: string): SupabaseClient {
  return createClient(config.supabaseUrl, config.anonKey, {
    ...SERVER_OPTIONS,
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
  });
}

/** The service-role client: bypasses RLS. Only for the Auth admin API, after the caller is checked. */
export function serviceClient(config: ServerConfig): SupabaseClient {
  return createClient(config.supabaseUrl, config.serviceRoleKey, SERVER_OPTIONS);
}
