/**
 * POST /signup with email and password. Confirmation mails are off, as in the Supabase CLI's local
 * defaults (`enable_confirmations = false`), so the account is confirmed at once and a session returned.
 */
import { z } from 'zod';
import { AuthApiError, badRequest, unprocessable } from '../errors.ts';
import { readJson } from '../http.ts';
import { checkPasswordStrength, hashPassword } from '../passwords.ts';
import { writeJson } from '../respond.ts';
import { startSession } from '../sessions.ts';
import { findUserByEmail, insertUser } from '../users.ts';
import { validateEmail } from '../validate.ts';
import type { Handler, Route } from './types.ts';

const SignupBody = z.object({
  email: z.string().default(''),
  phone: z.string().default(''),
  password: z.string().default(''),
  data: z.record(z.string(), z.unknown()).nullish(),
});

const alreadyRegistered = () => unprocessable('user_already_exists', 'User already registered');

/** True for Postgres' unique_violation: a concurrent signup won the race for this email. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

const signup: Handler = async (req, res, ctx) => {
  const body = await readJson(req, SignupBody);
  if (!body.email && !body.phone) {
    throw new AuthApiError(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
  }
  if (!body.password) throw badRequest('validation_failed', 'Signup requires a valid password');
  checkPasswordStrength(body.password, ctx.config.minPasswordLength);
  if (body.email && body.phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided on signup.',
    );
  }
  if (body.phone) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');

  const email = validateEmail(body.email);
  // GoTrue lets a signup take over an unconfirmed account; the stand-in refuses any existing one.
  if (await findUserByEmail(ctx.sql, email, ctx.config.aud)) throw alreadyRegistered();

  const passwordHash = await hashPassword(body.password);
  const data = body.data ?? {};
  let userId: string;
  try {
    const user = await ctx.sql.begin((tx) =>
      insertUser(tx, {
        aud: ctx.config.aud,
        role: 'authenticated',
        email,
        phone: null,
        passwordHash,
        userMetadata: data,
        appMetadata: { provider: 'email', providers: ['email'] },
        emailConfirmed: true,
        phoneConfirmed: false,
        extraIdentityData: data,
      }),
    );
    userId = user.id;
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyRegistered();
    throw error;
  }
  ctx.config.log(`[auth] signed up ${email} (auto-confirmed)`);
  writeJson(res, 200, await startSession(ctx.sql, ctx.config, userId, 'password'));
};

export const signupRoutes: Route[] = [{ method: 'POST', path: '/signup', handler: signup }];
