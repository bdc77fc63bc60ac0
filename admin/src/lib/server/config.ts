/**
 * Server-only configuration. $env/dynamic/private is read at request time and SvelteKit refuses to
 * bundle this module (or anything under lib/server) into browser code, so the service key stays here.
 */
import { env as privateEnv } from '$env/dynamic/private';
import { env as publicEnv } from '$env/dynamic/public';

export interface ServerConfig {
  supabaseUrl: string;
  anonKey: string;
  serviceRoleKey: string;
}

export function serverConfig(): ServerConfig {
  const supabaseUrl = publicEnv.PUBLIC_SUPABASE_URL;
  const anonKey = publicEnv.PUBLIC_SUPABASE_ANON_KEY;
  const serviceRoleKey = privateEnv.SUPABASE_SERVICE_ROLE_KEY;
  const missing = [
    !supabaseUrl && 'PUBLIC_SUPABASE_URL',
    !anonKey && 'PUBLIC_SUPABASE_ANON_KEY',
    !serviceRoleKey && 'SUPABASE_SERVICE_ROLE_KEY',
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`The admin server is missing ${missing.join(', ')}.`);
  return { supabaseUrl: supabaseUrl!, anonKey: anonKey!, serviceRoleKey: serviceRoleKey! };
}
