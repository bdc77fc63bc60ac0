/** ping: the app-level heartbeat browsers can see. Answer: pong with the server clock. */
import type { HandlerFactory } from './types.ts';

export const pingHandler: HandlerFactory<'ping'> = (deps) => async (session, frame) => {
  deps.outbound.send(session, {
    type: 'pong',
    ...(frame.ref ? { ref: frame.ref } : {}),
    serverTime: new Date().toISOString(),
  });
};
