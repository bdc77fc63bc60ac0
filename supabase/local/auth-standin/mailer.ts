/**
 * Where hosted Supabase sends an e-mail, the stand-in writes the link to its log instead (the Supabase
 * CLI catches the same mails in Inbucket). The one-time token is stored as GoTrue stores it.
 */
import type { Db, StandinConfig } from './config.ts';
import { LINK_TOKEN_COLUMN, type LinkType, newEmailToken, verifyLink } from './links.ts';
import { setOneTimeToken, type UserRow } from './users.ts';

export interface IssuedLink {
  link: string;
  otp: string;
  hash: string;
  redirectTo: string;
}

/** Stores a fresh token of `type` for `user` and returns the link (not yet logged). */
export async function issueLink(
  db: Db,
  config: StandinConfig,
  user: UserRow,
  type: LinkType,
  redirectTo: string,
): Promise<IssuedLink> {
  const email = user.email ?? '';
  const { otp, hash } = newEmailToken(email);
  const kind = LINK_TOKEN_COLUMN[type] === 'confirmation_token' ? 'confirmation' : 'recovery';
  await setOneTimeToken(db, user.id, kind, hash, { invited: type === 'invite' });
  return { link: verifyLink(config, hash, type, redirectTo), otp, hash, redirectTo };
}

/** Logs the mail hosted Supabase would have sent. */
export function logMail(config: StandinConfig, type: LinkType, email: string, issued: IssuedLink): void {
  config.log(
    `[auth] ${type} mail for ${email} (not sent, local stand-in): ${issued.link} (code ${issued.otp})`,
  );
}
