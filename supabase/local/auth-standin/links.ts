/**
 * The links hosted Supabase e-mails (invite, recovery, magic link). The stand-in sends no mail: it logs
 * the link and, for /admin/generate_link, returns it.
 *
 * As in GoTrue, the mail carries a 6-digit code (`email_otp`) and a link whose `token` is
 * sha224(email + code) in hex; the user row stores that hash (confirmation_token / recovery_token).
 */
import { createHash, randomInt } from 'node:crypto';
import type { StandinConfig } from './config.ts';

/** Link types GoTrue's GET /verify accepts and the token column each one is stored in. */
export const LINK_TOKEN_COLUMN = {
  signup: 'confirmation_token',
  invite: 'confirmation_token',
  recovery: 'recovery_token',
  magiclink: 'recovery_token',
} as const;
export type LinkType = keyof typeof LINK_TOKEN_COLUMN;

export function isLinkType(type: string): type is LinkType {
  return Object.hasOwn(LINK_TOKEN_COLUMN, type);
}

export function tokenHash(email: string, otp: string): string {
  return createHash('sha224')
    .update(email + otp)
    .digest('hex');
}

/** A fresh code and its hash for `email`. */
export function newEmailToken(email: string): { otp: string; hash: string } {
  const otp = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return { otp, hash: tokenHash(email, otp) };
}

/**
 * Where a link may send the browser: the requested URL when it is on the site's origin or on a
 * loopback host (this is a development stand-in), otherwise the site URL, as GoTrue falls back to
 * SITE_URL for URLs outside its allow list.
 */
export function resolveRedirect(config: StandinConfig, requested: string | null | undefined): string {
  if (!requested) return config.siteUrl;
  try {
    const url = new URL(requested);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    const sameSite = url.origin === new URL(config.siteUrl).origin;
    if ((url.protocol === 'http:' || url.protocol === 'https:') && (loopback || sameSite))
      return url.toString();
  } catch {
    // Not a URL at all: fall through to the site URL, as GoTrue does.
  }
  return config.siteUrl;
}

/** The link in the mail: `<externalUrl>/verify?token=…&type=…&redirect_to=…`. */
export function verifyLink(config: StandinConfig, hash: string, type: LinkType, redirectTo: string): string {
  const query = new URLSearchParams({ token: hash, type, redirect_to: redirectTo });
  return `${config.externalUrl}/verify?${query}`;
}
