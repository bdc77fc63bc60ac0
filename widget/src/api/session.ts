/**
 * POST /v1/widget/session: a visitor token for the WebSocket. A stored token resumes the same
 * visitor; on a 401 (expired, forged, visitor deleted) the stored token is useless, so we start over
 * as a new visitor once, as chat-server/HTTP.md asks.
 */
import { ApiError, requestJson } from './http.ts';
import type { SessionAnswer } from './types.ts';

export async function openSession(
  server: string,
  site: string,
  token: string | null,
): Promise<SessionAnswer> {
  const ask = (t: string | null) =>
    requestJson<SessionAnswer>(`${server}/v1/widget/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site, locale: navigator.language, ...(t ? { token: t } : {}) }),
    });
  try {
    return await ask(token);
  } catch (error) {
    if (token && error instanceof ApiError && error.status === 401) return ask(null);
    throw error;
  }
}
