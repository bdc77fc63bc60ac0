/** @chat/shared: code shared by the chat server, the admin app and the widget. */
export * from './protocol/index.ts';
