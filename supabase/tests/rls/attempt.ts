import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import { expect } from 'vitest';
import type { Operation, ProbeContext, TableSpec } from './spec.ts';
import { deleteRows, type Match, type Row, readRows, updateRows } from './sql.ts';

/**
 * Runs one matrix case: `actor` attempts every applicable probe of one table and operation through
 * supabase-js → gateway → PostgREST → Postgres, and each outcome is checked twice: what the API
 * answered, and what the superuser then finds in the table. Allowed probes must really have
 * happened; refused ones must have failed in the way that table's grants predict and left no trace.
 */
export async function runCase(
  spec: TableSpec,
  operation: Operation,
  client: SupabaseClient,
  c: ProbeContext,
  allowedLabels: readonly string[],
): Promise<void> {
  // anon holds no privilege on any tenant table, so it never even reaches RLS.
  const privileged = c.actor !== 'anon' && spec.granted[operation];
  let attempted = 0;
  for (const [label, probe] of Object.entries(spec[operation].probes)) {
    const allowed = allowedLabels.includes(label);
    const context = `${c.actor} ${operation} ${spec.table} "${label}"`;
    let ran = false;
    if (operation === 'select')
      ran = await trySelect(spec, client, c, probe as never, allowed, privileged, context);
    if (operation === 'insert')
      ran = await tryInsert(spec, client, c, probe as never, allowed, privileged, context);
    if (operation === 'update')
      ran = await tryUpdate(spec, client, c, probe as never, allowed, privileged, context);
    if (operation === 'delete')
      ran = await tryDelete(spec, client, c, probe as never, allowed, privileged, context);
    if (ran) attempted++;
    else expect(allowed, `${context}: marked allowed but does not apply to this actor`).toBe(false);
  }
  expect(
    attempted,
    `${c.actor} ${operation} ${spec.table}: no probe applied, the case tests nothing`,
  ).toBeGreaterThan(0);
}

async function trySelect(
  spec: TableSpec,
  client: SupabaseClient,
  c: ProbeContext,
  probe: TableSpec['select']['probes'][string],
  allowed: boolean,
  privileged: boolean,
  context: string,
): Promise<boolean> {
  const match = probe(c);
  if (!match) return false;
  expect(await readRows(c.sql, spec.table, match), `${context}: fixture row missing`).toHaveLength(1);
  const { data, error } = await client.from(spec.table).select('*').match(match);
  if (!privileged) return expectPermissionDenied(error, data, context);
  expect(error, context).toBeNull();
  if (allowed) {
    expect(data, `${context}: should be visible`).toHaveLength(1);
    expect(data?.[0], context).toMatchObject(match);
  } else {
    expect(data, `${context}: should be hidden`).toEqual([]);
  }
  return true;
}

async function tryInsert(
  spec: TableSpec,
  client: SupabaseClient,
  c: ProbeContext,
  probe: TableSpec['insert']['probes'][string],
  allowed: boolean,
  privileged: boolean,
  context: string,
): Promise<boolean> {
  const row = probe.row(c);
  if (!row) return false;
  const key = probe.key(row);
  const restore = probe.arrange ? await probe.arrange(c) : undefined;
  try {
    expect(await readRows(c.sql, spec.table, key), `${context}: a row with this key already exists`).toEqual(
      [],
    );
    const { data, error } = await client.from(spec.table).insert(row).select();
    if (isView(spec)) {
      expectViewNotUpdatable(error, data, context);
      expect(await readRows(c.sql, spec.table, key), `${context}: refused, yet shows in the view`).toEqual(
        [],
      );
    } else if (allowed) {
      expect(error, context).toBeNull();
      expect(data, context).toHaveLength(1);
      expect(data?.[0], context).toMatchObject(row);
      expect(await readRows(c.sql, spec.table, key), `${context}: row not stored`).toHaveLength(1);
    } else {
      if (!privileged) expectPermissionDenied(error, data, context);
      else expectRlsViolation(error, context);
      expect(await readRows(c.sql, spec.table, key), `${context}: refused, yet stored`).toEqual([]);
    }
  } finally {
    // A view holds no rows of its own (and refuses deletes even from the superuser).
    if (!isView(spec)) await deleteRows(c.sql, spec.table, key);
    await restore?.();
  }
  return true;
}

async function tryUpdate(
  spec: TableSpec,
  client: SupabaseClient,
  c: ProbeContext,
  probe: TableSpec['update']['probes'][string],
  allowed: boolean,
  privileged: boolean,
  context: string,
): Promise<boolean> {
  const match = probe.target(c);
  if (!match) return false;
  const restore = probe.arrange ? await probe.arrange(c) : undefined;
  try {
    const before = await readRows(c.sql, spec.table, match);
    expect(before, `${context}: target row missing`).toHaveLength(1);
    const original = pick(before[0]!, Object.keys(probe.patch));
    expect(original, `${context}: the patch must change something`).not.toEqual(probe.patch);
    try {
      const { data, error } = await client.from(spec.table).update(probe.patch).match(match).select();
      const after = await readRows(c.sql, spec.table, match);
      if (isView(spec)) {
        expectViewNotUpdatable(error, data, context);
        expect(after[0], `${context}: refused, yet changed`).toMatchObject(original);
      } else if (allowed) {
        expect(error, context).toBeNull();
        expect(data, context).toHaveLength(1);
        expect(data?.[0], context).toMatchObject(probe.patch);
        expect(after[0], `${context}: change not stored`).toMatchObject(probe.patch);
      } else {
        if (!privileged) expectPermissionDenied(error, data, context);
        else expectNoRowsMatched(error, data, context);
        expect(after[0], `${context}: refused, yet changed`).toMatchObject(original);
      }
    } finally {
      if (!isView(spec)) await updateRows(c.sql, spec.table, match, original);
    }
  } finally {
    await restore?.();
  }
  return true;
}

async function tryDelete(
  spec: TableSpec,
  client: SupabaseClient,
  c: ProbeContext,
  probe: TableSpec['delete']['probes'][string],
  allowed: boolean,
  privileged: boolean,
  context: string,
): Promise<boolean> {
  const created = await probe.create(c);
  if (!created) return false;
  const { match, restore } = created;
  try {
    expect(await readRows(c.sql, spec.table, match), `${context}: row to delete missing`).toHaveLength(1);
    const { data, error } = await client.from(spec.table).delete().match(match).select();
    const after = await readRows(c.sql, spec.table, match);
    if (isView(spec)) {
      expectViewNotUpdatable(error, data, context);
      expect(after, `${context}: refused, yet deleted`).toHaveLength(1);
    } else if (allowed) {
      expect(error, context).toBeNull();
      expect(data, context).toHaveLength(1);
      expect(after, `${context}: row still there`).toEqual([]);
    } else {
      if (!privileged) expectPermissionDenied(error, data, context);
      else expectNoRowsMatched(error, data, context);
      expect(after, `${context}: refused, yet deleted`).toHaveLength(1);
    }
  } finally {
    // A view's delete probe removes what it created through `restore` (from the underlying table).
    if (!isView(spec)) await deleteRows(c.sql, spec.table, match);
    await restore?.();
  }
  return true;
}

function isView(spec: TableSpec): boolean {
  return spec.relation === 'view';
}

/**
 * A write to a view Postgres cannot update on its own (joins, aggregates): 55000 "cannot insert
 * into / update / delete from view", raised while rewriting the statement, whoever asks.
 */
export function expectViewNotUpdatable(error: PostgrestError | null, data: unknown, context: string): void {
  expect(error?.code, `${context}: expected 55000, the view is not updatable`).toBe('55000');
  expect(error?.message, context).toMatch(/cannot (insert into|update|delete from) view/);
  expect(data, context).toBeNull();
}

/** No table privilege: PostgREST answers 401/403 with Postgres's 42501 "permission denied for table". */
export function expectPermissionDenied(error: PostgrestError | null, data: unknown, context: string): true {
  expect(error?.code, `${context}: expected 42501 permission denied`).toBe('42501');
  expect(error?.message, context).toMatch(/permission denied/);
  expect(data, context).toBeNull();
  return true;
}

/** A WITH CHECK refusal: 42501 "new row violates row-level security policy". */
export function expectRlsViolation(error: PostgrestError | null, context: string): void {
  expect(error?.code, `${context}: expected 42501 row-level security violation`).toBe('42501');
  expect(error?.message, context).toMatch(/row-level security/);
}

/** A USING refusal on update/delete is silent: no error, nothing matched. */
function expectNoRowsMatched(error: PostgrestError | null, data: unknown, context: string): void {
  expect(error, context).toBeNull();
  expect(data, `${context}: should match no rows`).toEqual([]);
}

function pick(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.map((column) => [column, row[column]]));
}

export type { Match };
