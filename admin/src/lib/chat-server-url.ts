import { env } from '$env/dynamic/public';

/** The chat server (HTTP + WebSocket); `npm start` runs it on 127.0.0.1:8787. */
export function chatServerUrl(): string {
  return (env.PUBLIC_CHAT_SERVER_URL || 'http://127.0.0.1:8787').replace(/\/+$/, '');
}
