import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from './helpers/index.ts';
import { MATRIX } from './rls/matrix/index.ts';

/**
 * Guards for whoever adds the next table, view or helper: the tenancy rules of supabase/README.md,
 * read from the live catalog after all migrations ran, so a new relation cannot slip past the RLS
 * matrix unnoticed. Each failure lists the offending objects and says what to do about them.
 */

/** Roles a policy may name: signed-in users through PostgREST, and the chat server's own role. */
const POLICY_ROLES = ['authenticated', 'chat_server'];

/**
 * Findings already reported to the lead (who owns the migrations), each with why it is not simply
 * "fixed" here, so the rest of the guard stays green meanwhile. Remove an entry once the schema
 * changes: an entry whose object exists and no longer offends fails the guard.
 */
const REPORTED: Record<string, string> = {
  'private.touch_updated_at(): not security definer':
    "decided: a trigger that only sets NEW.updated_at needs no rights beyond the writer's; invoker is least privilege",
  'private.analytics_conversations(uuid,timestamp with time zone,timestamp with time zone,uuid): not security definer':
    'decided: security invoker on purpose, so RLS filters the rows it returns (as definer it would return any ' +
    "organization's conversations for any p_org_id); it lives in private only to stay off the PostgREST API",
};

interface Relation {
  name: string;
  kind: 'table' | 'view';
  rls: boolean;
  options: string[];
  columns: string[];
}

let sql: postgres.Sql;
let relations: Relation[];
const tables = () => relations.filter((r) => r.kind === 'table');
const views = () => relations.filter((r) => r.kind === 'view');

beforeAll(async () => {
  sql = superuserSql();
  // r = table, p = partitioned table, v = view, m = materialized view, f = foreign table.
  const rows = await sql`
    select c.relname as name,
           case when c.relkind in ('r', 'p', 'f') then 'table' else 'view' end as kind,
           c.relrowsecurity as rls,
           coalesce(c.reloptions, '{}') as options,
           coalesce(array_agg(a.attname::text order by a.attnum)
             filter (where a.attnum > 0 and not a.attisdropped), '{}') as columns
    from pg_class c
    left join pg_attribute a on a.attrelid = c.oid
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'f', 'v', 'm')
    group by c.oid
    order by c.relname`;
  relations = rows.map((row) => ({
    name: row.name as string,
    kind: row.kind as Relation['kind'],
    rls: row.rls as boolean,
    options: row.options as string[],
    columns: row.columns as string[],
  }));
});

afterAll(async () => {
  await sql?.end();
});

/**
 * Fails with every offender not already reported, each a line that names it, and `fix` as the
 * message. Given the objects this check looked at (`present`), also fails for a REPORTED entry
 * about one of them that no longer offends.
 */
function expectNone(offenders: string[], fix: string, present?: string[]): void {
  const unreported = offenders.filter((offender) => !(offender in REPORTED));
  expect(unreported, fix).toEqual([]);
  if (present) {
    // Only entries whose object exists: a function a later migration adds may be listed ahead of it.
    const stale = Object.keys(REPORTED).filter(
      (entry) => present.some((name) => entry.startsWith(`${name}:`)) && !offenders.includes(entry),
    );
    expect(stale, 'fixed in the schema: remove these from REPORTED in rls-coverage.test.ts').toEqual([]);
  }
}

describe('schema public', () => {
  it('is what the guards read: the tenant tables and the metrics view', () => {
    // A sanity floor, so a catalog query that silently found nothing cannot pass every guard below.
    expect(tables().map((t) => t.name)).toEqual(expect.arrayContaining(['organizations', 'conversations']));
    expect(views().map((v) => v.name)).toContain('conversation_metrics');
  });

  it('(a) every table has row-level security enabled', () => {
    const offenders = tables()
      .filter((t) => !t.rls)
      .map((t) => `public.${t.name}: alter table public.${t.name} enable row level security;`);
    expectNone(offenders, 'Tables without RLS: every role with a grant reads and writes every row');
  });

  it('(b) every table has a column named exactly org_id, except organizations (the tenant itself)', () => {
    const offenders = tables()
      .filter((t) => t.name !== 'organizations' && !t.columns.includes('org_id'))
      .map((t) => `public.${t.name}: no org_id column (columns: ${t.columns.join(', ')})`);
    expectNone(
      offenders,
      'Tenant tables carry org_id (uuid, references organizations) so policies and composite foreign keys ' +
        'can scope them; see "Tenancy model" in supabase/README.md',
    );
  });

  it('(c) every table and view has a spec in the RLS matrix, and every spec a relation', () => {
    const specified = new Set<string>(MATRIX.map((spec) => spec.table));
    const inSchema = new Set(relations.map((r) => r.name));
    const missing = relations
      .filter((r) => !specified.has(r.name))
      .map((r) => `public.${r.name} (${r.kind}): no spec`);
    expectNone(
      missing,
      'Add a row to the permission matrix in supabase/README.md, then a TableSpec in ' +
        'supabase/tests/rls/matrix/*.ts listed in MATRIX (rls/matrix/index.ts) and the name in rls/world.ts',
    );
    const stale = [...specified]
      .filter((name) => !inSchema.has(name))
      .map((name) => `${name}: no such relation`);
    expectNone(stale, 'The RLS matrix specifies relations schema public does not have');
  });

  it('(d) anon holds no privilege on any table or view (neither directly nor through PUBLIC)', async () => {
    const grants = await sql`
      select table_name, grantee, string_agg(privilege_type, ', ' order by privilege_type) as privileges
      from information_schema.role_table_grants
      where table_schema = 'public' and grantee in ('anon', 'PUBLIC')
      group by table_name, grantee
      order by table_name, grantee`;
    const columnGrants = await sql`
      select table_name, column_name, grantee, privilege_type
      from information_schema.role_column_grants
      where table_schema = 'public' and grantee in ('anon', 'PUBLIC')
      order by table_name, column_name`;
    const offenders = [
      ...grants.map((g) => `public.${g.table_name}: ${g.privileges} to ${g.grantee}`),
      ...columnGrants.map(
        (g) => `public.${g.table_name}.${g.column_name}: ${g.privilege_type} to ${g.grantee}`,
      ),
    ];
    expectNone(
      offenders,
      'Revoke them (revoke all on table public.<name> from anon, public;): the anon key is public, ' +
        'and anon must read nothing',
    );
  });

  it('(e) every policy is `to authenticated` or `to chat_server`, never public or anon', async () => {
    const policies = await sql`
      select tablename, policyname, roles::text[] as roles
      from pg_policies where schemaname = 'public' order by tablename, policyname`;
    expect(policies.length, 'policies found in schema public').toBeGreaterThan(0);
    const offenders = policies
      .filter((p) => (p.roles as string[]).some((role) => !POLICY_ROLES.includes(role)))
      .map((p) => `${p.tablename}.${p.policyname}: to ${(p.roles as string[]).join(', ')}`);
    expectNone(
      offenders,
      'Write `to authenticated` (or `to chat_server`) in every create policy: without it the policy ' +
        'applies to public, which includes anon',
    );
  });

  it('(f) every function in schema private is security definer with its search_path set', async () => {
    const functions = await sql`
      select p.oid::regprocedure::text as signature, p.prosecdef as definer,
             coalesce(p.proconfig, '{}') as config
      from pg_proc p where p.pronamespace = 'private'::regnamespace order by 1`;
    expect(functions.length, 'functions found in schema private').toBeGreaterThan(0);
    const offenders = functions.flatMap((fn) => {
      const found: string[] = [];
      if (!fn.definer) found.push(`${fn.signature}: not security definer`);
      if (!(fn.config as string[]).some((setting) => setting.startsWith('search_path=')))
        found.push(
          `${fn.signature}: search_path not set (config: ${(fn.config as string[]).join(', ') || 'none'})`,
        );
      return found;
    });
    expectNone(
      offenders,
      "Declare private helpers `security definer set search_path = ''` (README, Tenancy model): policies " +
        'call them to read membership past RLS, and a definer function without a fixed search_path can ' +
        'be steered to objects a caller created. But never make a function definer that must read ' +
        "tenant rows under the caller's RLS: ask the lead, and list it in REPORTED with the reason",
      functions.map((fn) => fn.signature as string),
    );
  });

  it('every view is security_invoker, so its tables’ RLS applies to the reader', () => {
    const offenders = views()
      .filter((v) => !v.options.some((option) => /^security_invoker=(true|on|yes|1)$/i.test(option)))
      .map((v) => `public.${v.name}: alter view public.${v.name} set (security_invoker = true);`);
    expectNone(
      offenders,
      'A view without security_invoker reads its tables as its owner (the superuser): RLS is bypassed',
    );
  });
});
