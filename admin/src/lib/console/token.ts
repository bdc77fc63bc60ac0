import { supabase } from '../supabase.ts';

/** The session's access token (for the WebSocket and uploads); after a 4001 the session is refreshed first. */
export async function accessToken(refresh = false): Promise<string> {
  const auth = supabase().auth;
  const { data, error } = refresh ? await auth.refreshSession() : await auth.getSession();
  if (error) throw error;
  const token = data.session?.access_token;
  if (!token) throw new Error('Not signed in');
  return token;
}
