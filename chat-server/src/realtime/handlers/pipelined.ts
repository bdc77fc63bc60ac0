/**
 * Which frames may overlap on one connection. Frames are handled one at a time, in order; the
 * one exception is a message.send without attachments, whose handler returns as soon as the
 * message writer has it (the writer keeps arrival order per conversation and batches what
 * queues). Any other frame — a message with attachments, a close, a read — first waits until
 * every message before it on the connection was answered, so it sees them stored.
 */
import type { ClientFrame } from '@chat/shared';

export function isPipelined(frame: ClientFrame): boolean {
  return frame.type === 'message.send' && (frame.attachmentIds?.length ?? 0) === 0;
}
