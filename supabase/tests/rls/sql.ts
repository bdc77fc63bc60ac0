import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { DEMO_PASSWORD } from '../../local/defaults.ts';

/** A row as PostgREST and postgres.js hand it around. */
export type Row = Record<string, unknown>;
/** Equality filters that pick exactly one row (its primary key). */
export type Match = Record<string, string>;

/**
 * A short random tag for names this run creates, so suites sharing one database (and a rerun after a
 * crash) never collide on unique names. Lowercase hex: valid in slugs and snippet shortcuts.
 */
export function runTag(): string {
  return randomBytes(4).toString('hex');
}

/** `a = $1 and b = $2` for a Match, as a postgres.js fragment. */
export function where(sql: postgres.Sql, match: Match): postgres.PendingQuery<postgres.Row[]> {
  const entries = Object.entries(match);
  if (entries.length === 0) throw new Error('An empty match would touch every row.');
  return entries
    .map(([column, value]) => sql`${sql(column)} = ${value}`)
    .reduce((all, condition) => sql`${all} and ${condition}`);
}

/** The rows matching `match`, read as the superuser (RLS does not apply). */
export async function readRows(sql: postgres.Sql, table: string, match: Match): Promise<Row[]> {
  return [...(await sql`select * from ${sql('public')}.${sql(table)} where ${where(sql, match)}`)];
}

/** How many rows match (all rows without a match), as the superuser. */
export async function countRows(sql: postgres.Sql, table: string, match?: Match): Promise<number> {
  const filter = match ? where(sql, match) : sql`true`;
  const [row] = await sql`select count(*)::int as n from ${sql('public')}.${sql(table)} where ${filter}`;
  return row!.n as number;
}

/** Inserts one row as the superuser and returns it. */
export async function insertRow(sql: postgres.Sql, table: string, row: Row): Promise<Row> {
  const [inserted] = await sql`insert into ${sql('public')}.${sql(table)} ${sql(row)} returning *`;
  if (!inserted) throw new Error(`Inserting into ${table} returned nothing.`);
  return inserted;
}

/** Deletes the rows matching `match` as the superuser; returns how many went. */
export async function deleteRows(sql: postgres.Sql, table: string, match: Match): Promise<number> {
  const result = await sql`delete from ${sql('public')}.${sql(table)} where ${where(sql, match)}`;
  return result.count;
}

/** Sets columns on the rows matching `match` as the superuser. */
export async function updateRows(sql: postgres.Sql, table: string, match: Match, values: Row): Promise<void> {
  await sql`update ${sql('public')}.${sql(table)} set ${sql(values)} where ${where(sql, match)}`;
}

/**
 * Creates a login the way seed.sql does (bcrypt hash in auth.users, an email identity), so the
 * Auth stand-in signs it in like any demo user. Password: the demo password.
 */
export async function createAuthUser(sql: postgres.Sql, id: string, email: string): Promise<void> {
  await sql`
    insert into auth.users (
      instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
      raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
      confirmation_token, recovery_token, email_change_token_new, email_change
    ) values (
      '00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email},
      extensions.crypt(${DEMO_PASSWORD}, extensions.gen_salt('bf')), now(),
      '{"provider":"email","providers":["email"]}'::jsonb, '{}'::jsonb, now(), now(), '', '', '', ''
    )`;
  await sql`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${id}, ${id}, ${sql.json({ sub: id, email, email_verified: true })}, 'email', now(), now(), now())`;
}

/** Removes logins created by createAuthUser (their memberships go with them, by cascade). */
export async function deleteAuthUsers(sql: postgres.Sql, ids: string[]): Promise<void> {
  if (ids.length > 0) await sql`delete from auth.users where id in ${sql(ids)}`;
}

/**
 * Saves the rows matching `match` and returns a function that puts them back exactly (removing
 * anything a test left under that key). For probes that must first clear a row out of the way.
 */
export async function snapshot(sql: postgres.Sql, table: string, match: Match): Promise<() => Promise<void>> {
  const saved = await readRows(sql, table, match);
  return async () => {
    await deleteRows(sql, table, match);
    for (const row of saved) await insertRow(sql, table, row);
  };
}
