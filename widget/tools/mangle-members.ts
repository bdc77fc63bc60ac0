/**
 * ChatStore members the minifier may rename (`store.transcriptMail` → `store.a`), like the i18n
 * keys of tools/mangle-strings.ts: ~0.15 KB gzip less. Renaming is consistent across the bundle,
 * so it is safe for a name that only this code defines and reads as a property, never by a string,
 * and that no object from outside has: the page (DOM, JS built-ins), the chat server (protocol
 * frames, HTTP answers) or localStorage. test/mangle-members.test.ts proves both for every name
 * below, on an unminified build. Left out on purpose: names that are also protocol or DOM names
 * (`conversation`, `pending`, `config`, `upload`, `start`, `view`…) and those read by a string
 * (the `unread` event).
 */
export const MANGLED_MEMBERS = [
  'isOpen',
  'agentTyping',
  'agentReadSeq',
  'uploads',
  'startError',
  'confirmingEnd',
  'leavingMessage',
  'transcriptMail',
  'retryNow',
  'refreshConfig',
  'setOpen',
  'markRead',
  'sendMessage',
  'composerInput',
  'dismissUpload',
  'reportPage',
];
