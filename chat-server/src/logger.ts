/** Structured JSON logs (pino). One root logger per server; modules take child loggers. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'chat-server', ...base },
    // Tokens must never reach a log line, whatever a module logs by mistake.
    redact: {
      paths: ['token', '*.token', 'req.headers.authorization', 'req.headers["sec-websocket-protocol"]'],
      censor: '[redacted]',
    },
  });
}
