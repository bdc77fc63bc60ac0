/** Real delivery: nodemailer's SMTP transport, configured by SMTP_URL (smtp:// or smtps://). */
import nodemailer from 'nodemailer';
import type { Mailer } from './types.ts';

export function createSmtpMailer(options: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(options.url);
  return {
    kind: 'smtp',
    // Host only: SMTP_URL may carry a password.
    describe: `smtp ${new URL(options.url).host}`,
    async send(mail) {
      const info = await transport.sendMail({ from: options.from, ...mail });
      return { messageId: info.messageId, location: String(info.response ?? '') };
    },
    close() {
      transport.close();
    },
  };
}
