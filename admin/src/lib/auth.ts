/** Account actions of the sign-in pages, each answering { ok } or a message fit to show. */
import { errorMessage, supabase } from './supabase.ts';

export type Outcome<T = object> = ({ ok: true } & T) | { ok: false; message: string };

export async function signIn(email: string, password: string): Promise<Outcome> {
  const { error } = await supabase().auth.signInWithPassword({ email: email.trim(), password });
  if (!error) return { ok: true };
  // Auth says "Invalid login credentials" for both unknown email and wrong password, on purpose.
  return {
    ok: false,
    message: error.code === 'invalid_credentials' ? 'Wrong email or password.' : error.message,
  };
}

export async function requestPasswordReset(email: string, redirectTo: string): Promise<Outcome> {
  const { error } = await supabase().auth.resetPasswordForEmail(email.trim(), { redirectTo });
  return error ? { ok: false, message: error.message } : { ok: true };
}

export async function setPassword(password: string): Promise<Outcome> {
  const { error } = await supabase().auth.updateUser({ password });
  return error ? { ok: false, message: error.message } : { ok: true };
}

/**
 * Reads an invite or recovery link's fragment (`#access_token=…&refresh_token=…&type=invite`, or
 * `#error_description=…`) and starts that session.
 */
export async function acceptLink(hash: string): Promise<Outcome<{ type: string }>> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problem = params.get('error_description');
  if (problem) return { ok: false, message: problem };
  const accessToken = params.get('access_token');
  const refreshToken = params.get('refresh_token');
  if (!accessToken || !refreshToken) {
    return {
      ok: false,
      message: 'The link is incomplete. Open it again from the email, or ask for a new one.',
    };
  }
  try {
    const { error } = await supabase().auth.setSession({
      access_token: accessToken,
      refresh_token: refreshToken,
    });
    if (error) return { ok: false, message: error.message };
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
  return { ok: true, type: params.get('type') ?? '' };
}
