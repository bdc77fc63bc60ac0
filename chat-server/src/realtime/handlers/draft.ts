/**
 * draft (visitor): the composer's text for agents' live preview; never stored, never sent to
 * visitors. Throttled here too (the widget already throttles): at most one per DRAFT_THROTTLE_MS,
 * and the latest text held back is sent when the interval ends, so the preview never lags behind.
 */
import { DRAFT_THROTTLE_MS } from '@chat/shared';
import { notFound } from '../frame-error.ts';
import { type Session, sessionTimer } from '../session.ts';
import type { HandlerDeps, HandlerFactory } from './types.ts';

export const draftHandler: HandlerFactory<'draft'> = (deps) => async (session, frame) => {
  if (session.principal.kind !== 'visitor') throw notFound();
  await deps.access.conversation(session, frame.conversationId);
  const now = Date.now();
  session.draft ??= { lastAt: 0 };
  const state = session.draft;
  const wait = state.lastAt + DRAFT_THROTTLE_MS - now;
  if (wait <= 0) {
    state.lastAt = now;
    await publishDraft(deps, session, frame.conversationId, frame.text);
    return;
  }
  const scheduled = state.pending !== undefined;
  state.pending = { conversationId: frame.conversationId, text: frame.text };
  if (scheduled) return;
  sessionTimer(session, wait, () => {
    const pending = state.pending;
    state.pending = undefined;
    if (!pending) return;
    state.lastAt = Date.now();
    publishDraft(deps, session, pending.conversationId, pending.text).catch((error: unknown) =>
      deps.app.log.warn({ err: error }, 'draft publish failed'),
    );
  });
};

async function publishDraft(deps: HandlerDeps, session: Session, conversationId: string, text: string) {
  if (session.principal.kind !== 'visitor') return;
  const ref = await deps.access.conversation(session, conversationId);
  await deps.feed.publish(ref, {
    kind: 'draft',
    conversationId,
    visitorId: session.principal.visitorId,
    text,
  });
}
