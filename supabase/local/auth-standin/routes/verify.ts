/**
 * GET /verify (the link in an invite/recovery/magic-link mail) and POST /verify (supabase-js
 * `verifyOtp` with a token hash, or with the e-mailed code and the address).
 *
 * GET redirects (303) to `redirect_to` with the new session in the URL fragment —
 * `#access_token=…&expires_at=…&expires_in=…&refresh_token=…&sb=&token_type=bearer&type=invite` — or
 * with `#error=…&error_code=…&error_description=…` when the link is bad, as GoTrue's implicit flow does.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Db, RouteContext } from '../config.ts';
import { AuthApiError, badRequest, forbidden } from '../errors.ts';
import { readJson } from '../http.ts';
import { isLinkType, LINK_TOKEN_COLUMN, type LinkType, resolveRedirect, tokenHash } from '../links.ts';
import { hashPassword, randomPassword } from '../passwords.ts';
import { writeJson } from '../respond.ts';
import { startSession, type TokenResponse } from '../sessions.ts';
import {
  clearRecoveryToken,
  confirmEmail,
  findUserByToken,
  isBanned,
  setPasswordHash,
  type UserRow,
} from '../users.ts';
import { validateEmail } from '../validate.ts';
import type { Handler, Route } from './types.ts';

const linkExpired = () => forbidden('otp_expired', 'Email link is invalid or has expired');

/** GoTrue's `type=email`: a code from any mail, so both token columns are searched. */
async function findByHash(db: Db, type: LinkType | 'email', hash: string) {
  if (type !== 'email') {
    const user = await findUserByToken(db, LINK_TOKEN_COLUMN[type], hash);
    return user && { user, type };
  }
  const confirming = await findUserByToken(db, 'confirmation_token', hash);
  if (confirming) return { user: confirming, type: 'signup' as const };
  const recovering = await findUserByToken(db, 'recovery_token', hash);
  return recovering && { user: recovering, type: 'magiclink' as const };
}

function sentAt(user: UserRow, type: LinkType): Date | null {
  return LINK_TOKEN_COLUMN[type] === 'confirmation_token' ? user.confirmation_sent_at : user.recovery_sent_at;
}

/** Spends the one-time token and signs the user in. */
async function consume(ctx: RouteContext, type: LinkType | 'email', hash: string): Promise<TokenResponse> {
  const userId = await ctx.sql.begin(async (tx) => {
    const found = await findByHash(tx, type, hash);
    if (!found) throw linkExpired();
    const { user } = found;
    if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
    const sent = sentAt(user, found.type);
    if (!sent || sent.getTime() + ctx.config.otpExpirySeconds * 1000 < Date.now()) throw linkExpired();

    if (LINK_TOKEN_COLUMN[found.type] === 'confirmation_token') {
      // An accepted invite gets a random password until the user sets one (PUT /user), as in GoTrue.
      if (!user.encrypted_password && user.invited_at) {
        await setPasswordHash(tx, user.id, await hashPassword(randomPassword()), null);
      }
      await confirmEmail(tx, user);
    } else {
      await clearRecoveryToken(tx, user.id);
      if (!user.email_confirmed_at) await confirmEmail(tx, user);
    }
    return user.id;
  });
  return startSession(ctx.sql, ctx.config, userId, 'otp');
}

/** GoTrue maps an error's status to an OAuth error name in the redirect fragment. */
const OAUTH_ERROR: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  500: 'server_error',
  503: 'temporarily_unavailable',
};

function redirect(res: ServerResponse, location: string) {
  res.writeHead(303, { Location: location }).end();
}

const verifyGet: Handler = async (_req, res, ctx) => {
  const type = ctx.url.searchParams.get('type') ?? '';
  const token = ctx.url.searchParams.get('token') ?? '';
  if (!type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if (!token) throw badRequest('validation_failed', 'Verify requires a token or a token hash');
  const redirectTo = resolveRedirect(ctx.config, ctx.url.searchParams.get('redirect_to'));

  try {
    if (!isLinkType(type)) throw badRequest('validation_failed', 'Unsupported verification type');
    const session = await consume(ctx, type, token);
    const fragment = new URLSearchParams({
      access_token: session.access_token,
      expires_at: String(session.expires_at),
      expires_in: String(session.expires_in),
      refresh_token: session.refresh_token,
      sb: '',
      token_type: session.token_type,
      type,
    });
    redirect(res, `${redirectTo}#${fragment}`);
  } catch (error) {
    if (!(error instanceof AuthApiError)) throw error;
    const fragment = new URLSearchParams();
    const name = OAUTH_ERROR[error.status];
    if (name) fragment.set('error', name);
    fragment.set('error_code', error.code);
    fragment.set('error_description', error.message);
    fragment.set('sb', '');
    redirect(res, `${redirectTo}#${fragment}`);
  }
};

const VerifyBody = z.object({
  type: z.string().default(''),
  token: z.string().default(''),
  token_hash: z.string().default(''),
  email: z.string().default(''),
  phone: z.string().default(''),
  redirect_to: z.string().default(''),
});

const verifyPost: Handler = async (req, res, ctx) => {
  const body = await readJson(req, VerifyBody);
  if (!body.type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if (Boolean(body.token) === Boolean(body.token_hash)) {
    throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
  }
  if (body.phone)
    throw badRequest(
      'validation_failed',
      'Phone verification needs SMS, which the local auth stand-in does not send',
    );
  const type = body.type;
  if (type !== 'email' && !isLinkType(type))
    throw badRequest('validation_failed', 'Unsupported verification type');
  let hash = body.token_hash;
  if (body.token) {
    if (!body.email) {
      throw badRequest(
        'validation_failed',
        'Only an email address or phone number should be provided on verify',
      );
    }
    hash = tokenHash(validateEmail(body.email), body.token);
  }
  writeJson(res, 200, await consume(ctx, type, hash));
};

export const verifyRoutes: Route[] = [
  { method: 'GET', path: '/verify', handler: verifyGet },
  { method: 'POST', path: '/verify', handler: verifyPost },
];
