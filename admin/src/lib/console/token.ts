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

/**
 * Calls `onToken` with every access token supabase-js refreshes (its TOKEN_REFRESHED event: on its
 * own timer before expiry, or when getSession() finds the token about to expire). Returns the
 * unsubscribe function.
 */
export function watchRefreshedTokens(onToken: (token: string) => void): () => void {
  const { data } = supabase().auth.onAuthStateChange((event, session) => {
    if (event === 'TOKEN_REFRESHED' && session?.access_token) onToken(session.access_token);
  });
  return () => data.subscription.unsubscribe();
}
