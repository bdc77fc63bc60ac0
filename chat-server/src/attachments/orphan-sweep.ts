/**
 * Deletes uploads that were never bound to a message (the visitor uploaded a file, then closed the
 * tab before sending): the stored file through the FileStorage interface, then the row. Every
 * instance runs it on its own timer; Postgres keeps two sweeps from touching the same rows.
 *
 * One batch is one transaction: pick up to `batchSize` old unbound rows `for update skip locked`
 * (rows another instance is sweeping, or a message is binding right now, are skipped, so two
 * sweeps at once never wait on or trip over each other), delete their files, then delete the rows
 * whose file is gone. A row thus never disappears while its file stays behind unreferenced: when
 * storage fails for a file, its row stays and the next sweep retries it. If the commit itself
 * fails after the files went, the rows remain, still unbound and old, and the next sweep deletes
 * them (deleting a missing file is not an error).
 */
import type { Counter } from 'prom-client';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';
import type { FileStorage } from '../storage/index.ts';

export interface OrphanSweepResult {
  deleted: number;
  /** Files the storage refused to delete this time (their rows stay for the next sweep). */
  failed: number;
}

export interface OrphanSweep {
  /** One full sweep now: batches until nothing old and unbound is left (or stop() was called). */
  run(): Promise<OrphanSweepResult>;
  /** Stops the timer and waits for a sweep in progress to finish its batch. */
  stop(): Promise<void>;
}

/** Enough to amortize a round trip; small enough that a batch holds its row locks briefly. */
export const ORPHAN_BATCH_SIZE = 100;
/** Storage deletions in flight at once within a batch (Supabase Storage is one request each). */
const DELETE_CONCURRENCY = 8;

export function createOrphanSweep(deps: {
  sql: Sql;
  storage: FileStorage;
  log: Logger;
  /** chat_orphan_uploads_total, labelled by result (deleted, failed). */
  counter: Counter<'result'>;
  maxAgeMs: number;
  /** Timer period; 0 = no timer (call run() yourself). */
  intervalMs: number;
  batchSize?: number;
}): OrphanSweep {
  const { sql, storage, log, counter } = deps;
  const batchSize = deps.batchSize ?? ORPHAN_BATCH_SIZE;
  const maxAgeSeconds = deps.maxAgeMs / 1000;
  let stopped = false;
  let running: Promise<OrphanSweepResult> | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** One transaction. `skip`: rows whose file failed earlier in this sweep, so they are not picked again. */
  async function batch(skip: string[]): Promise<{ picked: number; deleted: number; failedIds: string[] }> {
    return sql.begin(async (tx) => {
      const rows = await tx<{ id: string; storage_key: string }[]>`
        select id, storage_key from public.attachments
        where message_id is null
          and created_at < now() - make_interval(secs => ${maxAgeSeconds})
          and id <> all(${skip}::uuid[])
        order by created_at
        limit ${batchSize}
        for update skip locked`;
      const gone: string[] = [];
      const failedIds: string[] = [];
      for (let i = 0; i < rows.length; i += DELETE_CONCURRENCY) {
        const slice = rows.slice(i, i + DELETE_CONCURRENCY);
        const results = await Promise.allSettled(slice.map((r) => storage.delete(r.storage_key)));
        results.forEach((result, j) => {
          const row = slice[j] as { id: string; storage_key: string };
          if (result.status === 'fulfilled') gone.push(row.id);
          else {
            failedIds.push(row.id);
            log.warn({ err: result.reason, attachmentId: row.id }, 'orphan upload: deleting the file failed');
          }
        });
      }
      // message_id is null again: belt and braces, the rows are locked since the select.
      const deleted =
        gone.length === 0
          ? 0
          : (
              await tx`
                delete from public.attachments where id = any(${gone}::uuid[]) and message_id is null`
            ).count;
      return { picked: rows.length, deleted, failedIds };
    });
  }

  async function sweep(): Promise<OrphanSweepResult> {
    const started = Date.now();
    const failed: string[] = [];
    let deleted = 0;
    while (!stopped) {
      const b = await batch(failed);
      deleted += b.deleted;
      failed.push(...b.failedIds);
      if (b.picked < batchSize) break;
    }
    if (deleted > 0) counter.inc({ result: 'deleted' }, deleted);
    if (failed.length > 0) counter.inc({ result: 'failed' }, failed.length);
    const fields = { deleted, failed: failed.length, ms: Date.now() - started };
    if (deleted > 0 || failed.length > 0) log.info(fields, 'orphan uploads swept');
    else log.debug(fields, 'orphan uploads swept: none');
    return { deleted, failed: failed.length };
  }

  function run(): Promise<OrphanSweepResult> {
    // One sweep at a time per instance; a call during a sweep shares its result.
    running ??= sweep().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped || deps.intervalMs <= 0) return;
    timer = setTimeout(() => {
      run()
        .catch((error: unknown) => log.error({ err: error }, 'orphan upload sweep failed'))
        .finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }
  schedule();

  return {
    run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
