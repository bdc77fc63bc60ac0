import type { SupabaseClient } from '@supabase/supabase-js';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonClient, signedInClient, superuserSql } from './helpers/index.ts';
import { runCase } from './rls/attempt.ts';
import { createFixtures, type Fixtures, leftovers } from './rls/fixtures.ts';
import { MATRIX } from './rls/matrix/index.ts';
import { OPERATIONS } from './rls/spec.ts';
import { ACTOR_EMAIL, ACTOR_ID, ACTORS, type Actor } from './rls/world.ts';

/**
 * The permission matrix of supabase/README.md, case by case: every tenant table × select, insert,
 * update, delete × owner, admin, manager, agent, client_viewer, a user of the other organization and
 * anon, through supabase-js → gateway → PostgREST → Postgres. Each case attempts every probe of its
 * table and operation and checks both the API's answer and the table afterwards (rls/attempt.ts).
 */

type Who = Actor | 'anon';
const WHO: readonly Who[] = [...ACTORS, 'anon'];
const LABEL: Record<Who, string> = {
  owner: 'owner',
  admin: 'admin',
  manager: 'manager',
  agent: 'agent',
  client_viewer: 'client_viewer',
  other_org: "the other org's owner",
  anon: 'anon',
};

let sql: postgres.Sql;
let fixtures: Fixtures;
const clients = new Map<Who, SupabaseClient>();

beforeAll(async () => {
  sql = superuserSql();
  fixtures = await createFixtures(sql);
  // One sign-in per actor for the whole file.
  for (const actor of ACTORS) clients.set(actor, await signedInClient(ACTOR_EMAIL[actor]));
  clients.set('anon', anonClient());
});

afterAll(async () => {
  if (!sql) return;
  try {
    if (fixtures) {
      await fixtures.remove();
      expect(await leftovers(sql, fixtures.tag), 'rows this suite created and left behind').toEqual({});
    }
  } finally {
    await sql.end();
  }
});

for (const spec of MATRIX) {
  describe(spec.table, () => {
    for (const operation of OPERATIONS) {
      for (const who of WHO) {
        const allowed = who === 'anon' ? [] : (spec[operation].allowed[who] ?? []);
        const refused = Object.keys(spec[operation].probes).filter((label) => !allowed.includes(label));
        const name =
          allowed.length === 0
            ? `${LABEL[who]} cannot ${operation} ${spec.table}`
            : `${LABEL[who]} can ${operation} ${spec.table}: ${allowed.join(', ')}` +
              (refused.length > 0 ? ` (not: ${refused.join(', ')})` : '');
        it(name, async () => {
          const userId = who === 'anon' ? null : ACTOR_ID[who];
          await runCase(
            spec,
            operation,
            clients.get(who)!,
            { sql, f: fixtures, actor: who, userId },
            allowed,
          );
        });
      }
    }
  });
}
