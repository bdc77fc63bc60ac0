import type postgres from 'postgres';
import type { Fixtures } from './fixtures.ts';
import type { Match, Row } from './sql.ts';
import { ACTORS, type Actor, type TenantRelation } from './world.ts';

/**
 * The shape of the RLS matrix: for each table and operation, a few named probes (rows to read, to
 * insert, to change, to delete) and, per actor, exactly which probes must succeed. Every other probe
 * the actor can attempt must be refused. Expectations are literal lists transcribed from the
 * permission matrix in supabase/README.md, never computed from the policies under test.
 */

/** What a probe knows when it builds its row: the database, the fixtures, and who is acting. */
export interface ProbeContext {
  sql: postgres.Sql;
  f: Fixtures;
  actor: Actor | 'anon';
  /** The acting user's id; null for anon. */
  userId: string | null;
}

/** Undoes what an `arrange` step did (e.g. puts back an agent_status row it removed). */
export type Restore = () => Promise<void>;

/** A row that must be returned to exactly the actors allowed to see it; null = not applicable. */
export type SelectProbe = (c: ProbeContext) => Match | null;

export interface InsertProbe {
  /** The row to insert, or null when the probe does not apply to this actor (e.g. "own row" for anon). */
  row(c: ProbeContext): Row | null;
  /** The inserted row's primary key, to check it and to remove it afterwards. */
  key(row: Row): Match;
  /** Makes room for the row first (e.g. removes an existing row with the same key). */
  arrange?(c: ProbeContext): Promise<Restore>;
}

export interface UpdateProbe {
  /** The row to change, or null when the probe does not apply to this actor. */
  target(c: ProbeContext): Match | null;
  /** A harmless change; the original values are put back after each attempt. */
  patch: Row;
  arrange?(c: ProbeContext): Promise<Restore>;
}

export interface DeleteProbe {
  /** Creates a fresh row to delete (as the superuser) and says how to find it; null = not applicable. */
  create(c: ProbeContext): Promise<{ match: Match; restore?: Restore } | null>;
}

/** Labels of the probes each actor may do; actors not listed may do none. */
export type Allowed = Partial<Record<Actor, readonly string[]>>;

export interface OperationSpec<P> {
  probes: Record<string, P>;
  allowed: Allowed;
}

export interface TableSpec {
  table: TenantRelation;
  /**
   * 'view' for a view that is not automatically updatable (joins, aggregates): every insert, update
   * or delete fails with 55000 "cannot insert into view" for everyone, anon included, because
   * Postgres refuses the statement while rewriting it, before privileges or RLS are looked at.
   * Its writes can only be refused, and the suite never writes to it as the superuser either.
   */
  relation?: 'table' | 'view';
  /**
   * The table privileges `authenticated` holds (from the migrations). Without the privilege a request
   * fails with 42501 "permission denied"; with it, RLS decides: a refused insert fails with 42501
   * "row-level security", a refused select/update/delete silently matches no rows.
   */
  granted: { select: boolean; insert: boolean; update: boolean; delete: boolean };
  select: OperationSpec<SelectProbe>;
  insert: OperationSpec<InsertProbe>;
  update: OperationSpec<UpdateProbe>;
  delete: OperationSpec<DeleteProbe>;
}

export type Operation = 'select' | 'insert' | 'update' | 'delete';
export const OPERATIONS: readonly Operation[] = ['select', 'insert', 'update', 'delete'];

/** The same probe labels for several actors: `grant(['owner', 'admin'], ['a'])`. */
export function grant(actors: readonly Actor[], labels: readonly string[]): Allowed {
  return Object.fromEntries(actors.map((actor) => [actor, labels]));
}

export const NORTHWIND_STAFF: readonly Actor[] = ['owner', 'admin', 'manager', 'agent'];
export const NORTHWIND_MANAGERS: readonly Actor[] = ['owner', 'admin', 'manager'];
export const NORTHWIND_ADMINS: readonly Actor[] = ['owner', 'admin'];

/**
 * Fails fast when a spec names a probe that does not exist (a typo would make a case vacuous), or
 * when a view's spec expects a write to succeed (the suite could not clean up after it).
 */
export function checkSpec(spec: TableSpec): void {
  if (spec.relation === 'view') {
    for (const operation of OPERATIONS.filter((op) => op !== 'select')) {
      const writers = Object.entries(spec[operation].allowed)
        .filter(([, labels]) => labels.length > 0)
        .map(([actor]) => actor);
      if (spec.granted[operation] || writers.length > 0)
        throw new Error(
          `${spec.table} is a view: nobody may ${operation} it (spec allows ${writers.join()})`,
        );
    }
  }
  for (const operation of OPERATIONS) {
    const { probes, allowed } = spec[operation] as OperationSpec<unknown>;
    for (const actor of ACTORS) {
      for (const label of allowed[actor] ?? []) {
        if (!(label in probes))
          throw new Error(`${spec.table}.${operation}: ${actor} names unknown probe "${label}"`);
      }
    }
  }
}
