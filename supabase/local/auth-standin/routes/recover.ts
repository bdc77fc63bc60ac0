/** POST /recover: "forgot password". Logs the recovery link; answers {} whether or not the email exists. */
import { z } from 'zod';
import { badRequest } from '../errors.ts';
import { readJson } from '../http.ts';
import { resolveRedirect } from '../links.ts';
import { issueLink, logMail } from '../mailer.ts';
import { writeJson } from '../respond.ts';
import { findUserByEmail } from '../users.ts';
import { validateEmail } from '../validate.ts';
import type { Handler, Route } from './types.ts';

const RecoverBody = z.object({ email: z.string().default('') });

const recover: Handler = async (req, res, ctx) => {
  const body = await readJson(req, RecoverBody);
  if (!body.email) throw badRequest('validation_failed', 'Password recovery requires an email');
  const email = validateEmail(body.email);
  const user = await findUserByEmail(ctx.sql, email, ctx.config.aud);
  if (user && !user.deleted_at) {
    const redirectTo = resolveRedirect(ctx.config, ctx.url.searchParams.get('redirect_to'));
    logMail(
      ctx.config,
      'recovery',
      email,
      await issueLink(ctx.sql, ctx.config, user, 'recovery', redirectTo),
    );
  }
  writeJson(res, 200, {});
};

export const recoverRoutes: Route[] = [{ method: 'POST', path: '/recover', handler: recover }];
