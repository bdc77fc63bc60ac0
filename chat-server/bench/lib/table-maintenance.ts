/**
 * Postgres's own maintenance, kept out of the measured windows.
 *
 * A 5k msg/s run inserts 75,000 messages; that crosses autovacuum's insert threshold, and the
 * autovacuum (plus autoanalyze) of public.messages that then starts — the full-text GIN index's
 * pending list merged, its expression re-analyzed — takes most of a core for seconds. Measured on
 * this machine (2026-11-21, 2 rounds): the runs it landed on had p99 85–144 ms, the same flavor's
 * other run 24–30 ms, whichever flavor it was. So which flavor "wins" a round was decided by
 * autovacuum's timing. The bench therefore switches autovacuum off for the tables the relays and
 * our server write, and runs VACUUM (ANALYZE) itself before every measured run, for every flavor
 * alike: each run starts from a freshly vacuumed table and pays the same in-run costs (the GIN
 * pending-list flushes an INSERT triggers itself still happen inside the runs).
 *
 * Every run also deletes the messages it wrote once it is over. Left in place, each round ran on
 * a bigger table than the last (five rounds: 1.4 million rows, all with the bench's one body, so
 * the same fifteen full-text keys grew ever longer posting trees) and the later rounds of every
 * flavor were slower than the first: the rounds measured the table's growth, not the servers.
 */
import type { BenchStack } from './stack.ts';

const TABLES = ['public.messages', 'public.conversations', 'bench_ref.messages'] as const;

/** Autovacuum off on the written tables until the returned function puts it back. */
export async function holdAutovacuum(stack: BenchStack): Promise<() => Promise<void>> {
  for (const table of TABLES)
    await stack.admin.unsafe(
      `alter table ${table} set (autovacuum_enabled = false, toast.autovacuum_enabled = false)`,
    );
  return async () => {
    for (const table of TABLES)
      await stack.admin.unsafe(`alter table ${table} reset (autovacuum_enabled, toast.autovacuum_enabled)`);
  };
}

/** VACUUM (ANALYZE) of the written tables; returns how long it took (ms), outside any measurement. */
export async function vacuumWrittenTables(stack: BenchStack): Promise<number> {
  const started = performance.now();
  await stack.admin.unsafe(`vacuum (analyze) ${TABLES.join(', ')}`);
  return performance.now() - started;
}

/** Autovacuum and autoanalyze runs so far on the written tables (a run's before/after shows any that slipped in). */
export async function autovacuumRuns(stack: BenchStack): Promise<number> {
  const [row] = await stack.admin<{ runs: number }[]>`
    select coalesce(sum(autovacuum_count + autoanalyze_count), 0)::int as runs
    from pg_stat_user_tables
    where schemaname || '.' || relname = any(${TABLES as unknown as string[]})`;
  return row?.runs ?? 0;
}

/** Deletes what one run wrote (its conversations' messages, in both tables), so the next run starts from the same table. */
export async function deleteRunMessages(stack: BenchStack, conversationIds: string[]): Promise<void> {
  const ids = [...new Set(conversationIds)];
  await stack.admin`delete from public.messages where conversation_id = any(${ids}::uuid[])`;
  await stack.admin`delete from bench_ref.messages where conversation_id = any(${ids}::uuid[])`;
}
