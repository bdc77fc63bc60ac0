/** GET /user and PUT /user: the signed-in user reads and changes its own account. */
import { z } from 'zod';
import { badRequest, forbidden, unprocessable } from '../errors.ts';
import { requireUser } from '../guards.ts';
import { readJson } from '../http.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from '../passwords.ts';
import { writeJson } from '../respond.ts';
import {
  findUserByEmail,
  loadUserJson,
  mergeMetadata,
  setEmail,
  setPasswordHash,
  updateMetadata,
} from '../users.ts';
import { validateEmail } from '../validate.ts';
import type { Handler, Route } from './types.ts';

const Metadata = z.record(z.string(), z.unknown());

const UpdateBody = z.object({
  email: z.string().default(''),
  password: z.string().nullish(),
  data: Metadata.nullish(),
  app_metadata: Metadata.nullish(),
  phone: z.string().default(''),
  nonce: z.string().default(''),
});

const getUser: Handler = async (req, res, ctx) => {
  const { claims, user } = await requireUser(req, ctx);
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  if (aud !== ctx.config.aud) {
    throw badRequest('validation_failed', "Token audience doesn't match request audience");
  }
  writeJson(res, 200, await loadUserJson(ctx.sql, user.id));
};

const updateUser: Handler = async (req, res, ctx) => {
  const { user, sessionId } = await requireUser(req, ctx);
  const body = await readJson(req, UpdateBody);

  const email = body.email ? validateEmail(body.email) : '';
  if (body.phone) {
    throw badRequest(
      'validation_failed',
      'Changing the phone number needs SMS, which the local auth stand-in does not send',
    );
  }
  if (body.password != null) checkPasswordStrength(body.password, ctx.config.minPasswordLength);
  // Only admins (service_role) may write app_metadata; a user's own token never can.
  if (body.app_metadata) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');

  const emailChanges = email !== '' && email !== user.email;
  if (emailChanges) {
    const other = await findUserByEmail(ctx.sql, email, ctx.config.aud);
    if (other && other.id !== user.id) {
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
  }
  let passwordHash: string | undefined;
  if (body.password) {
    if (await verifyPassword(body.password, user.encrypted_password)) {
      throw unprocessable('same_password', 'New password should be different from the old password.');
    }
    passwordHash = await hashPassword(body.password);
  }

  await ctx.sql.begin(async (tx) => {
    // A password change ends the user's other sessions, as in GoTrue.
    if (passwordHash) await setPasswordHash(tx, user.id, passwordHash, sessionId);
    if (body.data)
      await updateMetadata(
        tx,
        user.id,
        'raw_user_meta_data',
        mergeMetadata(user.raw_user_meta_data, body.data),
      );
    // Hosted Supabase mails a confirmation link first; with mails off, the stand-in applies the change.
    if (emailChanges) await setEmail(tx, user.id, email, true);
  });
  if (emailChanges) ctx.config.log(`[auth] ${user.email} changed their email to ${email} (applied at once)`);
  writeJson(res, 200, await loadUserJson(ctx.sql, user.id));
};

export const userRoutes: Route[] = [
  { method: 'GET', path: '/user', handler: getUser },
  { method: 'PUT', path: '/user', handler: updateUser },
];
