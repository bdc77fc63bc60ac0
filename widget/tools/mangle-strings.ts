/**
 * The i18n keys (`t.closeChat`, …) are only ever read as properties of the strings object, so the
 * minifier may rename them (`t.closeChat` → `t.a`): ~0.3 KB gzip less. Renaming a property is
 * only safe when no other object in the bundle has a property of the same name (a protocol frame
 * field, a DOM property) and nothing reads it by a string. Keys that are also used that way are
 * listed in NOT_MANGLED; test/mangle-strings.test.ts proves, on an unminified build, that every
 * other key appears only as `t.KEY` or as a key of the English and German objects.
 */
import { en } from '../src/i18n/en.ts';

/**
 * Keys whose name the bundle also uses otherwise: a frame or conversation field (`message`,
 * `queuePosition`), a store member (`unread`, `failed`, `endChat`), a DOM or WebSocket property
 * (`name`, `send`), an event or CSS class name (`online`, `typing`), a variable (`you`).
 */
export const NOT_MANGLED = new Set([
  'name',
  'email',
  'topic',
  'message',
  'read',
  'sent',
  'send',
  'transcript',
  'away',
  'emailTranscript',
  'emoji',
  'endChat',
  'failed',
  'newChat',
  'online',
  'optional',
  'queuePosition',
  'reconnecting',
  'retry',
  'sending',
  'typing',
  'unreachable',
  'unread',
  'you',
]);

export function mangledStringKeys(): string[] {
  return Object.keys(en).filter((key) => !NOT_MANGLED.has(key));
}
