/** Attachments: upload, signed download links, and the queries realtime uses to bind files to messages. */
export { type AttachmentRow, bindAttachments, getAttachment, getAttachmentsForMessage } from './queries.ts';
export { toAttachmentEntity } from './view.ts';
