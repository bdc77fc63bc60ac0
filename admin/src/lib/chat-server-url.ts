import { env } from '$env/dynamic/public';

/** The chat server (HTTP + WebSocket); `npm start` runs it on 127.0.0.1:8787. */
export function chatServerUrl(): string {
  return (env.PUBLIC_CHAT_SERVER_URL || 'http://127.0.0.1:8787').replace(/\/+$/, '');
}

/**
 * A file link from the chat server, made absolute: local storage signs paths (`/v1/files/…`) when
 * the server has no PUBLIC_URL, and a relative path would open on the admin app's own origin.
 */
export function chatServerFileUrl(url: string): string {
  return new URL(url, `${chatServerUrl()}/`).toString();
}
