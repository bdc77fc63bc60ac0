/**
 * /admin/users (service_role only): list with GoTrue's paging headers, create, read, update, delete.
 *
 * Paging: `?page=&per_page=` (defaults 1 and 50), newest first; the response carries `X-Total-Count`
 * and `Link: <…?page=2&per_page=50>; rel="next", <…?page=N&per_page=50>; rel="last"`, which is what
 * supabase-js parses into `nextPage`, `lastPage` and `total`.
 */
import { z } from 'zod';
import type { RouteContext } from '../config.ts';
import { badRequest, notFound, unprocessable } from '../errors.ts';
import { requireAdmin } from '../guards.ts';
import { readJson } from '../http.ts';
import { checkPasswordStrength, hashPassword, isBcryptHash, randomPassword } from '../passwords.ts';
import { writeJson } from '../respond.ts';
import {
  confirmEmail,
  deleteUser,
  findUserByEmail,
  findUserById,
  insertUser,
  listIdentities,
  listUsers,
  loadUserJson,
  mergeMetadata,
  setEmail,
  setPasswordHash,
  setPhone,
  setRole,
  softDeleteUser,
  type UserRow,
  updateMetadata,
  userJson,
} from '../users.ts';
import { isUuid, validateEmail, validatePhone } from '../validate.ts';
import { isUniqueViolation } from './signup.ts';
import type { Handler, Route } from './types.ts';

const Metadata = z.record(z.string(), z.unknown());

const AdminUserBody = z.object({
  id: z.string().default(''),
  aud: z.string().default(''),
  role: z.string().default(''),
  email: z.string().default(''),
  phone: z.string().default(''),
  password: z.string().nullish(),
  password_hash: z.string().default(''),
  email_confirm: z.boolean().default(false),
  phone_confirm: z.boolean().default(false),
  user_metadata: Metadata.nullish(),
  app_metadata: Metadata.nullish(),
  ban_duration: z.string().default(''),
});
type AdminUserBody = z.infer<typeof AdminUserBody>;

const DeleteBody = z.object({ should_soft_delete: z.boolean().default(false) });

const DUPLICATE_EMAIL = 'A user with this email address has already been registered';
const DUPLICATE_PHONE = 'Phone number already registered by another user';

/** Bans need duration parsing and enforcement everywhere; the stand-in does not implement them. */
function refuseBan(body: AdminUserBody) {
  if (body.ban_duration && body.ban_duration !== 'none') {
    throw badRequest('validation_failed', 'ban_duration is not supported by the local auth stand-in');
  }
}

async function phoneTaken(ctx: RouteContext, phone: string, exceptId?: string): Promise<boolean> {
  const [row] =
    await ctx.sql`select id from auth.users where phone = ${phone} and id is distinct from ${exceptId ?? null}`;
  return Boolean(row);
}

/** Loads the user named in the path, with GoTrue's 404s. */
async function pathUser(ctx: RouteContext): Promise<UserRow> {
  const id = ctx.params.id ?? '';
  if (!isUuid(id)) throw notFound('validation_failed', 'user_id must be an UUID');
  const user = await findUserById(ctx.sql, id);
  if (!user) throw notFound('user_not_found', 'User not found');
  return user;
}

function parseCount(name: string, raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw badRequest(
      'validation_failed',
      `Bad Pagination Parameters: ${name} must be a positive integer, got "${raw}"`,
    );
  }
  return Number(raw);
}

/** GoTrue's Link header: the request URL with `page` replaced, query keys sorted as Go encodes them. */
function pageLink(ctx: RouteContext, page: number): string {
  const query = new URLSearchParams(ctx.url.searchParams);
  query.set('page', String(page));
  query.sort();
  return `<${ctx.url.pathname}?${query}>`;
}

const list: Handler = async (req, res, ctx) => {
  await requireAdmin(req, ctx);
  const page = parseCount('page', ctx.url.searchParams.get('page'), 1);
  const perPage = parseCount('per_page', ctx.url.searchParams.get('per_page'), 50);
  const filter = ctx.url.searchParams.get('filter') ?? '';
  const { users, total } = await listUsers(ctx.sql, { aud: ctx.config.aud, page, perPage, filter });

  const lastPage = Math.ceil(total / perPage);
  const links: string[] = [];
  if (lastPage > page) links.push(`${pageLink(ctx, page + 1)}; rel="next"`);
  links.push(`${pageLink(ctx, lastPage)}; rel="last"`);
  res.setHeader('Link', links.join(', '));
  res.setHeader('X-Total-Count', String(total));

  const rendered = await Promise.all(
    users.map(async (user) => userJson(user, await listIdentities(ctx.sql, user.id))),
  );
  writeJson(res, 200, { users: rendered, aud: ctx.config.aud });
};

const create: Handler = async (req, res, ctx) => {
  await requireAdmin(req, ctx);
  const body = await readJson(req, AdminUserBody);
  const aud = body.aud || ctx.config.aud;
  if (!body.email && !body.phone) {
    throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
  }
  const email = body.email ? validateEmail(body.email) : null;
  if (email && (await findUserByEmail(ctx.sql, email, aud)))
    throw unprocessable('email_exists', DUPLICATE_EMAIL);
  const phone = body.phone ? validatePhone(body.phone) : null;
  if (phone && (await phoneTaken(ctx, phone))) throw unprocessable('phone_exists', DUPLICATE_PHONE);
  if (body.password && body.password_hash) {
    throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
  }
  if (body.password_hash && !isBcryptHash(body.password_hash)) {
    throw badRequest('validation_failed', 'password_hash must be a bcrypt hash');
  }
  if (body.id && !isUuid(body.id))
    throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
  refuseBan(body);

  const passwordHash = body.password_hash || (await hashPassword(body.password || randomPassword()));
  const providers = [email ? 'email' : 'phone', ...(email && phone ? ['phone'] : [])];
  const appMetadata = mergeMetadata({ provider: providers[0], providers }, body.app_metadata ?? {});
  const user = await ctx.sql
    .begin((tx) =>
      insertUser(tx, {
        ...(body.id ? { id: body.id } : {}),
        aud,
        role: body.role || 'authenticated',
        email,
        phone,
        passwordHash,
        userMetadata: body.user_metadata ?? {},
        appMetadata,
        emailConfirmed: body.email_confirm,
        phoneConfirmed: body.phone_confirm,
      }),
    )
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? unprocessable('email_exists', DUPLICATE_EMAIL) : error;
    });
  writeJson(res, 200, await loadUserJson(ctx.sql, user.id));
};

const read: Handler = async (req, res, ctx) => {
  await requireAdmin(req, ctx);
  const user = await pathUser(ctx);
  writeJson(res, 200, userJson(user, await listIdentities(ctx.sql, user.id)));
};

const update: Handler = async (req, res, ctx) => {
  await requireAdmin(req, ctx);
  const user = await pathUser(ctx);
  const body = await readJson(req, AdminUserBody);
  const email = body.email ? validateEmail(body.email) : '';
  const phone = body.phone ? validatePhone(body.phone) : '';
  refuseBan(body);
  if (email && email !== user.email) {
    const other = await findUserByEmail(ctx.sql, email, user.aud ?? ctx.config.aud);
    if (other && other.id !== user.id) throw unprocessable('email_exists', DUPLICATE_EMAIL);
  }
  if (phone && (await phoneTaken(ctx, phone, user.id))) throw unprocessable('phone_exists', DUPLICATE_PHONE);
  let passwordHash: string | undefined;
  if (body.password != null) {
    checkPasswordStrength(body.password, ctx.config.minPasswordLength);
    passwordHash = await hashPassword(body.password);
  }

  await ctx.sql.begin(async (tx) => {
    if (body.role) await setRole(tx, user.id, body.role);
    if (body.email_confirm) await confirmEmail(tx, user);
    // An admin-set password ends all of the user's sessions, as in GoTrue.
    if (passwordHash) await setPasswordHash(tx, user.id, passwordHash, null);
    if (email) await setEmail(tx, user.id, email, body.email_confirm || Boolean(user.email_confirmed_at));
    if (phone) await setPhone(tx, user.id, phone, body.phone_confirm);
    else if (body.phone_confirm)
      await tx`update auth.users set phone_confirmed_at = coalesce(phone_confirmed_at, now()) where id = ${user.id}`;
    const fresh = await findUserById(tx, user.id);
    if (body.app_metadata) {
      await updateMetadata(
        tx,
        user.id,
        'raw_app_meta_data',
        mergeMetadata(fresh?.raw_app_meta_data ?? null, body.app_metadata),
      );
    }
    if (body.user_metadata) {
      await updateMetadata(
        tx,
        user.id,
        'raw_user_meta_data',
        mergeMetadata(fresh?.raw_user_meta_data ?? null, body.user_metadata),
      );
    }
  });
  writeJson(res, 200, await loadUserJson(ctx.sql, user.id));
};

const remove: Handler = async (req, res, ctx) => {
  await requireAdmin(req, ctx);
  const user = await pathUser(ctx);
  const body = await readJson(req, DeleteBody, { allowEmpty: true });
  if (body.should_soft_delete) {
    if (!user.deleted_at) await ctx.sql.begin((tx) => softDeleteUser(tx, user.id));
  } else {
    await deleteUser(ctx.sql, user.id);
  }
  writeJson(res, 200, {});
};

export const adminUserRoutes: Route[] = [
  { method: 'GET', path: '/admin/users', handler: list },
  { method: 'POST', path: '/admin/users', handler: create },
  { method: 'GET', path: '/admin/users/:id', handler: read },
  { method: 'PUT', path: '/admin/users/:id', handler: update },
  { method: 'DELETE', path: '/admin/users/:id', handler: remove },
];
