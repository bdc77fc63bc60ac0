/**
 * The Supabase CLI's well-known local defaults. They are public (printed by `supabase start` on every
 * developer machine), so tools built for the CLI work unchanged against our Docker-free stack. They are
 * safe only for local development: production reads real values from the environment.
 */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

export const LOCAL_SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

/** Ports the Supabase CLI uses: the API gateway and Postgres. */
export const LOCAL_GATEWAY_PORT = 54321;
export const LOCAL_DB_PORT = 54322;

/** Password shared by every demo user in seed.sql. */
export const DEMO_PASSWORD = 'chat-demo-2026';
