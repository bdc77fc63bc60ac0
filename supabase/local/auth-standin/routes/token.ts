/** POST /token?grant_type=password|refresh_token: sign in with a password, or rotate a refresh token. */
import { z } from 'zod';
import { AuthApiError, badRequest } from '../errors.ts';
import { readJson } from '../http.ts';
import { verifyPassword } from '../passwords.ts';
import { writeJson } from '../respond.ts';
import { refreshSession, startSession } from '../sessions.ts';
import { findUserByEmail, isBanned } from '../users.ts';
import type { Handler, Route } from './types.ts';

const INVALID_LOGIN = 'Invalid login credentials';

const PasswordGrant = z.object({
  email: z.string().default(''),
  phone: z.string().default(''),
  password: z.string().default(''),
});

const RefreshGrant = z.object({ refresh_token: z.string().default('') });

const passwordGrant: Handler = async (req, res, ctx) => {
  const body = await readJson(req, PasswordGrant);
  if (body.email && body.phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided on login.',
    );
  }
  if (body.phone) {
    throw new AuthApiError(422, 'phone_provider_disabled', 'Phone logins are disabled');
  }
  if (!body.email) throw badRequest('validation_failed', 'missing email or phone');

  const user = await findUserByEmail(ctx.sql, body.email.trim(), ctx.config.aud);
  // The same answer for an unknown email and a wrong password, so accounts cannot be enumerated.
  if (!user?.encrypted_password || user.deleted_at) throw badRequest('invalid_credentials', INVALID_LOGIN);
  if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
  if (!(await verifyPassword(body.password, user.encrypted_password))) {
    throw badRequest('invalid_credentials', INVALID_LOGIN);
  }
  if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');

  writeJson(res, 200, await startSession(ctx.sql, ctx.config, user.id, 'password'));
};

const refreshGrant: Handler = async (req, res, ctx) => {
  const body = await readJson(req, RefreshGrant);
  writeJson(res, 200, await refreshSession(ctx.sql, ctx.config, body.refresh_token));
};

const token: Handler = async (req, res, ctx) => {
  const grantType = ctx.url.searchParams.get('grant_type');
  if (grantType === 'password') return passwordGrant(req, res, ctx);
  if (grantType === 'refresh_token') return refreshGrant(req, res, ctx);
  // GoTrue's exact (odd) answer to any other grant type; pkce/id_token/web3 are not implemented here.
  throw badRequest('invalid_credentials', 'unsupported_grant_type');
};

export const tokenRoutes: Route[] = [{ method: 'POST', path: '/token', handler: token }];
