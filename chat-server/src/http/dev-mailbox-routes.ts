/**
 * GET /dev/mailbox: the local mailbox (offline replies, transcripts) for developers, listed newest
 * first; GET /dev/mailbox/:file shows one .eml as text. Only outside production, and only when
 * mail goes to the local folder (with SMTP there is nothing local to show).
 */
import { resolve } from 'node:path';
import type { AppContext } from '../context.ts';
import { listMailbox, readMailboxFile } from '../mail/index.ts';
import { HttpError, sendJson } from './respond.ts';
import type { Route } from './router.ts';

export function devMailboxRoutes(app: AppContext): Route[] {
  if (app.config.production || app.config.smtpUrl) return [];
  const dir = resolve(app.config.mailboxDir);
  return [
    {
      method: 'GET',
      path: '/dev/mailbox',
      handler: async ({ res }) => sendJson(res, 200, { dir, messages: await listMailbox(dir) }),
    },
    {
      method: 'GET',
      path: '/dev/mailbox/:file',
      handler: async ({ res, params }) => {
        const text = await readMailboxFile(dir, params.file ?? '');
        if (text === null) throw new HttpError(404, 'not_found', 'No such mail in the mailbox');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
      },
    },
  ];
}
