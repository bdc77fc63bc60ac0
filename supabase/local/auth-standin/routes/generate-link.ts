/**
 * POST /admin/generate_link (service_role only): returns the link a mail would carry instead of sending
 * it, for server-side flows and tests. Types: signup, invite, recovery, magiclink.
 * Answers the user's fields plus `action_link`, `email_otp`, `hashed_token`, `verification_type` and
 * `redirect_to`, as GoTrue does.
 */
import { z } from 'zod';
import { badRequest, notFound, unprocessable } from '../errors.ts';
import { requireAdmin } from '../guards.ts';
import { readJson } from '../http.ts';
import { isLinkType, resolveRedirect } from '../links.ts';
import { issueLink } from '../mailer.ts';
import { checkPasswordStrength, hashPassword } from '../passwords.ts';
import { writeJson } from '../respond.ts';
import { findUserByEmail, insertUser, loadUserJson } from '../users.ts';
import { validateEmail } from '../validate.ts';
import { isUniqueViolation } from './signup.ts';
import type { Handler, Route } from './types.ts';

const GenerateLinkBody = z.object({
  type: z.string().default(''),
  email: z.string().default(''),
  password: z.string().default(''),
  data: z.record(z.string(), z.unknown()).nullish(),
  redirect_to: z.string().default(''),
});

const emailTaken = () =>
  unprocessable('email_exists', 'A user with this email address has already been registered');

const generateLink: Handler = async (req, res, ctx) => {
  await requireAdmin(req, ctx);
  const body = await readJson(req, GenerateLinkBody);
  const type = body.type;
  if (!isLinkType(type)) {
    throw badRequest(
      'validation_failed',
      `Invalid link type "${type}": the stand-in supports signup, invite, recovery, magiclink`,
    );
  }
  const email = validateEmail(body.email);
  const redirectTo = resolveRedirect(ctx.config, ctx.url.searchParams.get('redirect_to') || body.redirect_to);
  if (type === 'signup') {
    if (!body.password) throw badRequest('validation_failed', 'Signup requires a valid password');
    checkPasswordStrength(body.password, ctx.config.minPasswordLength);
  }
  const passwordHash = type === 'signup' ? await hashPassword(body.password) : '';

  const issued = await ctx.sql
    .begin(async (tx) => {
      let user = await findUserByEmail(tx, email, ctx.config.aud);
      if ((type === 'recovery' || type === 'magiclink') && !user) {
        throw notFound('user_not_found', 'User with this email not found');
      }
      if ((type === 'invite' || type === 'signup') && user?.email_confirmed_at) throw emailTaken();
      user ??= await insertUser(tx, {
        aud: ctx.config.aud,
        role: 'authenticated',
        email,
        phone: null,
        passwordHash,
        userMetadata: body.data ?? {},
        appMetadata: { provider: 'email', providers: ['email'] },
        emailConfirmed: false,
        phoneConfirmed: false,
      });
      return { userId: user.id, ...(await issueLink(tx, ctx.config, user, type, redirectTo)) };
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? emailTaken() : error;
    });

  writeJson(res, 200, {
    ...(await loadUserJson(ctx.sql, issued.userId)),
    action_link: issued.link,
    email_otp: issued.otp,
    hashed_token: issued.hash,
    verification_type: type,
    redirect_to: issued.redirectTo,
  });
};

export const generateLinkRoutes: Route[] = [
  { method: 'POST', path: '/admin/generate_link', handler: generateLink },
];
