/**
 * The WebSocket protocol between the widget / admin app and the chat server.
 * See chat-server/PROTOCOL.md for every frame with an example.
 */
export * from './client-frames.ts';
export * from './codes.ts';
export * from './decode-server.ts';
export * from './entities.ts';
export * from './fields.ts';
export * from './frame-types.ts';
export * from './limits.ts';
export * from './parse.ts';
export * from './parse-client.ts';
export * from './parse-server.ts';
export * from './server-frames.ts';
export * from './version.ts';
