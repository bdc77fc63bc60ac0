import { env } from '$env/dynamic/public';
import { chatServerUrl } from '../chat-server-url.ts';

/** Where the widget files are served: PUBLIC_WIDGET_BASE_URL, else the chat server's host. */
export function widgetBaseUrl(): string {
  return env.PUBLIC_WIDGET_BASE_URL || chatServerUrl();
}
