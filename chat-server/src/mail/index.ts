/** The mailer this server uses: SMTP when SMTP_URL is set, else the local mailbox folder. */
import type { Config } from '../config.ts';
import { createMailboxMailer } from './mailbox.ts';
import { createSmtpMailer } from './smtp.ts';
import type { Mailer } from './types.ts';

export { listMailbox, readMailboxFile } from './list-mailbox.ts';
export type { Mailer, OutgoingMail, SentMail } from './types.ts';

export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailboxDir' | 'mailFrom'>): Mailer {
  return config.smtpUrl
    ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom })
    : createMailboxMailer({ dir: config.mailboxDir, from: config.mailFrom });
}
