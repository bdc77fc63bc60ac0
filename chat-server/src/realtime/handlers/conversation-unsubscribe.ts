/** conversation.unsubscribe: stop live events (and stop viewing it). Unknown ids are a no-op. */

import type { HandlerFactory } from './types.ts';
import { stopViewing } from './viewing.ts';

export const conversationUnsubscribeHandler: HandlerFactory<'conversation.unsubscribe'> =
  (deps) => async (session, frame) => {
    const sub = session.subscriptions?.get(frame.conversationId);
    if (sub && session.viewing?.has(frame.conversationId)) await stopViewing(deps, session, sub.ref);
    deps.feed.unsubscribe(session, frame.conversationId);
  };
