/**
 * auth.users and auth.identities: the queries the routes need and the user JSON GoTrue returns.
 * Rows written by seeds (bcrypt hashes from pgcrypto, '' or NULL token columns) are read as they are.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './config.ts';

type Json = Record<string, unknown>;

/** The columns of auth.users this module reads (`select *` also returns the rest, unused). */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_token: string | null;
  confirmation_sent_at: Date | null;
  recovery_token: string | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: Date | null;
  updated_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  confirmed_at: Date | null;
  banned_until: Date | null;
  reauthentication_sent_at: Date | null;
  is_sso_user: boolean;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

/** GoTrue stores users under the nil instance id. */
const INSTANCE_ID = '00000000-0000-0000-0000-000000000000';

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  const [user] = await db<UserRow[]>`select * from auth.users where id = ${id}`;
  return user;
}

/** Case-insensitive, within one audience, ignoring SSO accounts, as GoTrue's FindUserByEmailAndAudience. */
export async function findUserByEmail(db: Db, email: string, aud: string): Promise<UserRow | undefined> {
  const [user] = await db<UserRow[]>`
    select * from auth.users
    where lower(email) = lower(${email}) and aud = ${aud} and is_sso_user = false
    order by created_at limit 1`;
  return user;
}

export async function findUserByToken(
  db: Db,
  column: 'confirmation_token' | 'recovery_token',
  tokenHash: string,
): Promise<UserRow | undefined> {
  if (tokenHash === '') return undefined; // '' is "no token", never a match
  const [user] = await db<UserRow[]>`select * from auth.users where ${db(column)} = ${tokenHash}`;
  return user;
}

export async function listIdentities(db: Db, userId: string): Promise<IdentityRow[]> {
  return db<IdentityRow[]>`select * from auth.identities where user_id = ${userId} order by created_at, id`;
}

export interface NewUser {
  id?: string;
  aud: string;
  role: string;
  email: string | null;
  phone: string | null;
  /** bcrypt hash, or '' for a user without a password yet (an invite). */
  passwordHash: string;
  userMetadata: Json;
  appMetadata: Json;
  emailConfirmed: boolean;
  phoneConfirmed: boolean;
  /** Signup copies the user's `data` into the email identity (keys it does not already have). */
  extraIdentityData?: Json;
}

/** Inserts a user and its email/phone identities (what GoTrue creates for a new account). */
export async function insertUser(db: Db, input: NewUser): Promise<UserRow> {
  const id = input.id ?? randomUUID();
  const userMetadata = input.emailConfirmed
    ? { ...input.userMetadata, email_verified: true }
    : input.userMetadata;
  const [user] = await db<UserRow[]>`
    insert into auth.users (
      instance_id, id, aud, role, email, phone, encrypted_password, raw_app_meta_data, raw_user_meta_data,
      email_confirmed_at, phone_confirmed_at, confirmation_token, recovery_token, email_change_token_new,
      email_change, created_at, updated_at
    ) values (
      ${INSTANCE_ID}, ${id}, ${input.aud}, ${input.role}, ${input.email}, ${input.phone}, ${input.passwordHash},
      ${JSON.stringify(input.appMetadata)}::text::jsonb, ${JSON.stringify(userMetadata)}::text::jsonb,
      ${input.emailConfirmed ? db`now()` : null}, ${input.phoneConfirmed ? db`now()` : null}, '', '', '', '', now(), now()
    ) returning *`;
  if (!user) throw new Error('insert into auth.users returned no row');
  if (input.email) {
    const data = { ...input.extraIdentityData, email: input.email, email_verified: input.emailConfirmed };
    await upsertIdentity(db, id, 'email', data);
  }
  if (input.phone)
    await upsertIdentity(db, id, 'phone', { phone: input.phone, phone_verified: input.phoneConfirmed });
  return user;
}

/** Creates the user's identity for `provider`, or merges `data` into the existing one. */
export async function upsertIdentity(
  db: Db,
  userId: string,
  provider: 'email' | 'phone',
  data: Json,
): Promise<void> {
  const base = { sub: userId, email_verified: false, phone_verified: false };
  await db`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${userId}, ${userId}, ${JSON.stringify({ ...base, ...data })}::text::jsonb, ${provider}, now(), now(), now())
    on conflict (provider_id, provider)
    do update set identity_data = auth.identities.identity_data || excluded.identity_data - 'sub', updated_at = now()`;
}

/**
 * GoTrue's metadata update: keys of `updates` replace the stored ones, a `null` value deletes the key,
 * everything else stays.
 */
export function mergeMetadata(current: Json | null, updates: Json): Json {
  const merged: Json = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export async function updateMetadata(
  db: Db,
  userId: string,
  column: 'raw_user_meta_data' | 'raw_app_meta_data',
  value: Json,
): Promise<void> {
  await db`update auth.users set ${db(column)} = ${JSON.stringify(value)}::text::jsonb, updated_at = now() where id = ${userId}`;
}

/**
 * Stores a new password hash and, as GoTrue does after a password change, forgets every pending one-time
 * token and ends the user's other sessions (all of them when `keepSessionId` is null).
 */
export async function setPasswordHash(db: Db, userId: string, hash: string, keepSessionId: string | null) {
  await db`
    update auth.users set encrypted_password = ${hash}, confirmation_token = '', confirmation_sent_at = null,
      recovery_token = '', recovery_sent_at = null, email_change_token_current = '', email_change_token_new = '',
      email_change_sent_at = null, phone_change_token = '', phone_change_sent_at = null,
      reauthentication_token = '', reauthentication_sent_at = null, updated_at = now()
    where id = ${userId}`;
  await db`delete from auth.sessions where user_id = ${userId} and id is distinct from ${keepSessionId}`;
}

export async function setEmail(db: Db, userId: string, email: string, confirmed: boolean): Promise<void> {
  await db`
    update auth.users set email = ${email}, email_change = '', email_change_token_new = '',
      email_confirmed_at = case when ${confirmed} then coalesce(email_confirmed_at, now()) else email_confirmed_at end,
      updated_at = now()
    where id = ${userId}`;
  await upsertIdentity(db, userId, 'email', { email, email_verified: confirmed });
}

export async function setPhone(db: Db, userId: string, phone: string, confirmed: boolean): Promise<void> {
  await db`
    update auth.users set phone = ${phone},
      phone_confirmed_at = case when ${confirmed} then coalesce(phone_confirmed_at, now()) else phone_confirmed_at end,
      updated_at = now()
    where id = ${userId}`;
  await upsertIdentity(db, userId, 'phone', { phone, phone_verified: confirmed });
}

/** GoTrue's Confirm(): email confirmed now, confirmation token spent, `email_verified` in user metadata. */
export async function confirmEmail(db: Db, user: UserRow): Promise<void> {
  const metadata = mergeMetadata(user.raw_user_meta_data, { email_verified: true });
  await db`
    update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()), confirmation_token = '',
      raw_user_meta_data = ${JSON.stringify(metadata)}::text::jsonb, updated_at = now()
    where id = ${user.id}`;
}

export async function setRole(db: Db, userId: string, role: string): Promise<void> {
  await db`update auth.users set role = ${role}, updated_at = now() where id = ${userId}`;
}

/** Stores a one-time token hash (invite/signup → confirmation_token, recovery/magiclink → recovery_token). */
export async function setOneTimeToken(
  db: Db,
  userId: string,
  kind: 'confirmation' | 'recovery',
  tokenHash: string,
  { invited = false } = {},
): Promise<void> {
  if (kind === 'confirmation') {
    await db`
      update auth.users set confirmation_token = ${tokenHash}, confirmation_sent_at = now(),
        invited_at = case when ${invited} then now() else invited_at end, updated_at = now()
      where id = ${userId}`;
  } else {
    await db`
      update auth.users set recovery_token = ${tokenHash}, recovery_sent_at = now(), updated_at = now()
      where id = ${userId}`;
  }
}

export async function clearRecoveryToken(db: Db, userId: string): Promise<void> {
  await db`update auth.users set recovery_token = '', updated_at = now() where id = ${userId}`;
}

/** Hard delete; sessions, refresh tokens and identities go with it (foreign keys cascade). */
export async function deleteUser(db: Db, userId: string): Promise<void> {
  await db`delete from auth.users where id = ${userId}`;
}

/**
 * GoTrue's soft delete: the row stays (so foreign keys from app tables hold) but can no longer sign in;
 * email and phone are replaced by a digest so they are free for a new account.
 */
export async function softDeleteUser(db: Db, userId: string): Promise<void> {
  await db`
    update auth.users set deleted_at = now(), updated_at = now(), encrypted_password = '',
      email = case when email is null then null else encode(sha256(convert_to(email || id::text, 'UTF8')), 'hex') end,
      phone = case when phone is null then null else encode(sha256(convert_to(phone || id::text, 'UTF8')), 'hex') end,
      raw_user_meta_data = '{}'::jsonb, raw_app_meta_data = '{}'::jsonb
    where id = ${userId}`;
  await db`delete from auth.identities where user_id = ${userId}`;
  await db`delete from auth.sessions where user_id = ${userId}`;
}

/** One page of an audience's users, newest first (GoTrue's default sort), with the total count. */
export async function listUsers(
  db: Db,
  { aud, page, perPage, filter }: { aud: string; page: number; perPage: number; filter: string },
): Promise<{ users: UserRow[]; total: number }> {
  const pattern = `%${filter.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = filter
    ? db`aud = ${aud} and (email ilike ${pattern} or raw_user_meta_data ->> 'full_name' ilike ${pattern})`
    : db`aud = ${aud}`;
  const [counted] = await db<
    { count: number }[]
  >`select count(*)::int as count from auth.users where ${where}`;
  const users = await db<UserRow[]>`
    select * from auth.users where ${where}
    order by created_at desc nulls last, id desc
    limit ${perPage} offset ${(page - 1) * perPage}`;
  return { users, total: counted?.count ?? 0 };
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : undefined);

/** Identities in GoTrue's JSON: `id` is the provider's id, `identity_id` the row id. */
export function identityJson(identity: IdentityRow): Json {
  return dropUndefined({
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: iso(identity.last_sign_in_at),
    created_at: iso(identity.created_at),
    updated_at: iso(identity.updated_at),
    email: identity.email ?? undefined,
  });
}

/** The user object GoTrue returns (field order and `omitempty` rules of its models.User). */
export function userJson(user: UserRow, identities: IdentityRow[]): Json {
  return dropUndefined({
    id: user.id,
    aud: user.aud ?? '',
    role: user.role ?? '',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    invited_at: iso(user.invited_at),
    phone: user.phone ?? '',
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    new_phone: user.phone_change || undefined,
    phone_change_sent_at: iso(user.phone_change_sent_at),
    reauthentication_sent_at: iso(user.reauthentication_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(user.created_at) ?? new Date(0).toISOString(),
    updated_at: iso(user.updated_at) ?? new Date(0).toISOString(),
    banned_until: iso(user.banned_until),
    deleted_at: iso(user.deleted_at),
    is_anonymous: user.is_anonymous,
  });
}

/** Loads the user with identities and renders it; undefined when the user does not exist. */
export async function loadUserJson(db: Db, userId: string): Promise<Json | undefined> {
  const user = await findUserById(db, userId);
  return user ? userJson(user, await listIdentities(db, userId)) : undefined;
}

function dropUndefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** True while `banned_until` lies in the future. */
export function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && user.banned_until.getTime() > Date.now();
}
