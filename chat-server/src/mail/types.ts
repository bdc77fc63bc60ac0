/**
 * Sending e-mail (offline replies, transcripts) through one small interface, so the routing code
 * never knows whether a message lands in the local mailbox folder or goes out over SMTP.
 */

export interface OutgoingMail {
  to: string;
  subject: string;
  /** Plain text; the transcripts and replies are text only. */
  text: string;
  /** Optional Reply-To, e.g. the organization's support address. */
  replyTo?: string;
}

export interface SentMail {
  /** The Message-ID header given to the mail. */
  messageId: string;
  /** Where it went: the .eml file written, or the SMTP server's answer. */
  location: string;
}

export interface Mailer {
  readonly kind: 'mailbox' | 'smtp';
  /** For logs and the start-up banner: the mailbox folder, or the SMTP host. */
  readonly describe: string;
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}
