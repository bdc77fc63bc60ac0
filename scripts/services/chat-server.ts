/**
 * The chat server as an `npm start` service: runs in this process against the local stack's
 * Postgres and JWT secret, with in-process pub/sub (one instance needs no Redis).
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../chat-server/src/config.ts';
import { createLogger } from '../../chat-server/src/logger.ts';
import { createChatServer } from '../../chat-server/src/server.ts';
import type { ForegroundService } from '../../supabase/local/foreground.ts';

export function chatServerService(): ForegroundService {
  return {
    name: 'chat server',
    async start(env) {
      const config = loadConfig({ PORT: '8787', HOST: '127.0.0.1', ...process.env, ...env });
      const server = await createChatServer(config, { log: createLogger(config.logLevel) });
      return {
        banner: [
          '',
          'Chat server',
          `  HTTP + WebSocket  ${server.url}  (WebSocket at ${server.url.replace(/^http/, 'ws')}/v1/ws)`,
          `  health            ${server.url}/readyz   metrics ${server.url}/metrics`,
          `  mailbox           ${config.smtpUrl ? `SMTP (${new URL(config.smtpUrl).host})` : `${resolve(config.mailboxDir)}  (list: ${server.url}/dev/mailbox)`}`,
        ],
        env: { CHAT_SERVER_URL: server.url },
        stop: () => server.close(),
        // In-process: if it failed, the process would fail with it.
        exited: new Promise<Error>(() => {}),
      };
    },
  };
}
