/**
 * The `exp` claim (seconds since the epoch) of a JWT, read without verifying it: the console only
 * needs to know when the chat server will consider its token expired. Null if it has none.
 */
export function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : null;
  } catch {
    // Not base64 or not JSON: not a token we can schedule by.
    return null;
  }
}
