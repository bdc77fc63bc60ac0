/**
 * The one path a message takes (message.send and a conversation.start's first message):
 * persist idempotently, ack the sender, then publish once. A duplicate is published again too:
 * if the instance that stored it died before publishing, the resend after reconnect is what gets
 * it to the other side, and every receiver drops seqs it already has.
 */
import { bindAttachments, getAttachmentsForMessage } from '../../attachments/index.ts';
import { entities, withAttachments } from '../../conversations/attachments.ts';
import { type NewMessage, persistMessage } from '../../conversations/messages.ts';
import type { ConversationRef } from '../../conversations/types.ts';
import { FrameError, notFound } from '../frame-error.ts';
import type { Session } from '../session.ts';
import type { HandlerDeps } from './types.ts';

export interface OutgoingMessage {
  clientMsgId: string;
  body: string;
  attachmentIds: string[];
  note: boolean;
  ref: string | undefined;
}

export async function storeMessage(
  deps: HandlerDeps,
  session: Session,
  conv: ConversationRef,
  m: OutgoingMessage,
): Promise<void> {
  const { app } = deps;
  const p = session.principal;
  const started = performance.now();
  const senderKind = p.kind === 'visitor' ? 'visitor' : m.note ? 'note' : 'agent';
  const senderId = p.kind === 'visitor' ? p.visitorId : p.userId;
  const toStore: NewMessage = {
    orgId: conv.orgId,
    conversationId: conv.id,
    clientMsgId: m.clientMsgId,
    senderKind,
    senderId,
    senderName: p.name,
    body: m.body,
    ...(m.attachmentIds.length > 0 ? { payload: { attachmentIds: m.attachmentIds } } : {}),
  };
  const outcome =
    m.attachmentIds.length === 0
      ? await deps.messages.persist(toStore)
      : // Binding the files must share the insert's transaction: this one goes alone.
        await persistMessage(app.sql, toStore, async (tx, stored) => {
          // Files this sender uploaded into this conversation and has not sent yet; locked until bound.
          const rows = await getAttachmentsForMessage(tx, {
            conversationId: conv.id,
            ids: m.attachmentIds,
            uploader: { kind: p.kind, id: senderId },
          });
          if (!rows) throw notFound('attachment'); // rolls the insert (and its seq) back
          await bindAttachments(tx, stored.id, m.attachmentIds);
          stored.attachments = await entities(deps.attachments, rows);
        });
  switch (outcome.kind) {
    case 'not_found':
      throw notFound();
    case 'closed':
      throw new FrameError('conflict', 'The conversation is closed');
    case 'conflict':
      throw new FrameError(
        'conflict',
        `clientMsgId "${m.clientMsgId}" was already used for a different message in this conversation`,
      );
  }
  const { message } = outcome;
  if (outcome.kind === 'duplicate') await withAttachments(app.sql, deps.attachments, [message]);
  // The ack and the sender's own copy of the message (delivered locally by publish, below) leave
  // in one write.
  deps.outbound.together(session, () => {
    deps.outbound.send(session, {
      type: 'ack',
      ...(m.ref ? { ref: m.ref } : {}),
      conversationId: conv.id,
      clientMsgId: message.clientMsgId,
      messageId: message.id,
      seq: message.seq,
      createdAt: message.createdAt,
      duplicate: outcome.kind === 'duplicate',
    });
    // Not awaited: the next frame of this connection need not wait for Redis's reply. Order is
    // kept (publish hands the command to the one publisher connection synchronously, and delivers
    // locally before returning), and publish never rejects (a failure is logged; resync covers it).
    void deps.feed.publish(conv, { kind: 'message', conversationId: conv.id, message });
  });
  if (outcome.kind === 'created') {
    app.metrics.messagesPersisted.inc({ sender_kind: senderKind });
    app.metrics.messageLatency.observe((performance.now() - started) / 1000);
  }
}
