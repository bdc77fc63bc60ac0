/**
 * The local default: every mail is composed by nodemailer exactly as it would go over SMTP and
 * written as an .eml file into a mailbox folder (open it with any mail client, or GET /dev/mailbox).
 * Nothing leaves the machine, so development never mails a real visitor.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer } from './types.ts';

export function createMailboxMailer(options: { dir: string; from: string }): Mailer {
  const dir = resolve(options.dir);
  // nodemailer's stream transport composes the full RFC 5322 message and hands it back as bytes.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<unknown> | undefined;
  return {
    kind: 'mailbox',
    describe: dir,
    async send(mail) {
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      const info = await composer.sendMail({ from: options.from, ...mail });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(dir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
      await writeFile(file, info.message as Buffer);
      return { messageId: info.messageId, location: file };
    },
    close() {
      composer.close();
    },
  };
}
