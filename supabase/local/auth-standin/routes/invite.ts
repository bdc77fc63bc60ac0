/**
 * POST /invite (admin only): creates a user without a password, or re-invites one who never accepted,
 * and logs the invite link. Following the link (GET /verify) signs the user in so it can set a password.
 */
import { z } from 'zod';
import { unprocessable } from '../errors.ts';
import { requireAdmin } from '../guards.ts';
import { readJson } from '../http.ts';
import { resolveRedirect } from '../links.ts';
import { issueLink, logMail } from '../mailer.ts';
import { writeJson } from '../respond.ts';
import { findUserByEmail, insertUser, loadUserJson } from '../users.ts';
import { validateEmail } from '../validate.ts';
import { isUniqueViolation } from './signup.ts';
import type { Handler, Route } from './types.ts';

const InviteBody = z.object({
  email: z.string().default(''),
  data: z.record(z.string(), z.unknown()).nullish(),
});

const emailTaken = () =>
  unprocessable('email_exists', 'A user with this email address has already been registered');

const invite: Handler = async (req, res, ctx) => {
  await requireAdmin(req, ctx);
  const body = await readJson(req, InviteBody);
  const email = validateEmail(body.email);
  const redirectTo = resolveRedirect(ctx.config, ctx.url.searchParams.get('redirect_to'));

  const issued = await ctx.sql
    .begin(async (tx) => {
      let user = await findUserByEmail(tx, email, ctx.config.aud);
      if (user?.email_confirmed_at) throw emailTaken();
      user ??= await insertUser(tx, {
        aud: ctx.config.aud,
        role: 'authenticated',
        email,
        phone: null,
        passwordHash: '',
        userMetadata: body.data ?? {},
        appMetadata: { provider: 'email', providers: ['email'] },
        emailConfirmed: false,
        phoneConfirmed: false,
      });
      return { userId: user.id, ...(await issueLink(tx, ctx.config, user, 'invite', redirectTo)) };
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? emailTaken() : error;
    });
  logMail(ctx.config, 'invite', email, issued);
  writeJson(res, 200, await loadUserJson(ctx.sql, issued.userId));
};

export const inviteRoutes: Route[] = [{ method: 'POST', path: '/invite', handler: invite }];
