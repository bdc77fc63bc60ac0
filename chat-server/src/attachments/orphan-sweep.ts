/**
 * Deletes stored files nothing refers to any more, through the FileStorage interface. Every
 * instance runs it on its own timer; Postgres keeps two sweeps from touching the same rows.
 *
 * Two kinds, one after the other in each sweep:
 * - uploads never bound to a message (the visitor uploaded a file, then closed the tab before
 *   sending): the file, then the row;
 * - files of deleted attachment rows (a conversation, client or organization deleted): the
 *   delete left their storage keys in private.attachment_files_to_delete (migration
 *   20261121001800); the file, then the key.
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
  /** Unbound uploads deleted (file and row). */
  deleted: number;
  /** Files of deleted attachments removed (file and key). */
  removedFiles: number;
  /** Files the storage refused to delete this time (their rows or keys stay for the next sweep). */
  failed: number;
}

export interface OrphanSweep {
  /** One full sweep now: batches until nothing old and unbound is left (or stop() was called). */
  run(): Promise<OrphanSweepResult>;
  /** Stops the timer and waits for a sweep in progress to finish its batch. */
  stop(): Promise<void>;
}

/** One batch: rows picked, files (and rows or keys) deleted, ids or keys whose file storage refused. */
interface BatchResult {
  picked: number;
  done: number;
  failed: string[];
}

/** Enough to amortize a round trip; small enough that a batch holds its row locks briefly. */
export const ORPHAN_BATCH_SIZE = 100;
/** Storage deletions in flight at once within a batch (Supabase Storage is one request each). */
const DELETE_CONCURRENCY = 8;

export function createOrphanSweep(deps: {
  sql: Sql;
  storage: FileStorage;
  log: Logger;
  /** chat_orphan_uploads_total, labelled by result (deleted, removed_file, failed). */
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
  async function unboundBatch(skip: string[]): Promise<BatchResult> {
    return sql.begin(async (tx) => {
      const rows = await tx<{ id: string; storage_key: string }[]>`
        select id, storage_key from public.attachments
        where message_id is null
          and created_at < now() - make_interval(secs => ${maxAgeSeconds})
          and id <> all(${skip}::uuid[])
        order by created_at
        limit ${batchSize}
        for update skip locked`;
      const { gone, failed } = await deleteFiles(rows, (r) => r.storage_key);
      const goneIds = gone.map((r) => r.id);
      // message_id is null again: belt and braces, the rows are locked since the select.
      const deleted =
        goneIds.length === 0
          ? 0
          : (
              await tx`
                delete from public.attachments where id = any(${goneIds}::uuid[]) and message_id is null`
            ).count;
      // Those deletes left their keys for the second phase (the trigger); their files are gone already.
      if (gone.length > 0) {
        await tx`
          delete from private.attachment_files_to_delete
          where storage_key = any(${gone.map((r) => r.storage_key)}::text[])`;
      }
      return { picked: rows.length, done: deleted, failed: failed.map((r) => r.id) };
    });
  }

  /** One transaction of the second phase: files whose attachment rows were deleted. */
  async function removedFilesBatch(skip: string[]): Promise<BatchResult> {
    return sql.begin(async (tx) => {
      const rows = await tx<{ storage_key: string }[]>`
        select storage_key from private.attachment_files_to_delete
        where storage_key <> all(${skip}::text[])
        order by deleted_at
        limit ${batchSize}
        for update skip locked`;
      const { gone, failed } = await deleteFiles(rows, (r) => r.storage_key);
      if (gone.length > 0) {
        await tx`
          delete from private.attachment_files_to_delete
          where storage_key = any(${gone.map((r) => r.storage_key)}::text[])`;
      }
      return { picked: rows.length, done: gone.length, failed: failed.map((r) => r.storage_key) };
    });
  }

  /** Deletes the files of `rows`, DELETE_CONCURRENCY at a time; a missing file counts as deleted. */
  async function deleteFiles<T>(rows: T[], keyOf: (row: T) => string): Promise<{ gone: T[]; failed: T[] }> {
    const gone: T[] = [];
    const failed: T[] = [];
    for (let i = 0; i < rows.length; i += DELETE_CONCURRENCY) {
      const slice = rows.slice(i, i + DELETE_CONCURRENCY);
      const results = await Promise.allSettled(slice.map((r) => storage.delete(keyOf(r))));
      results.forEach((result, j) => {
        const row = slice[j] as T;
        if (result.status === 'fulfilled') gone.push(row);
        else {
          failed.push(row);
          log.warn({ err: result.reason, storageKey: keyOf(row) }, 'upload sweep: deleting a file failed');
        }
      });
    }
    return { gone, failed };
  }

  /** Runs `batch` until it picks less than a full batch (or the sweep stops); skips what failed. */
  async function drain(
    batch: (skip: string[]) => Promise<BatchResult>,
  ): Promise<{ done: number; failed: number }> {
    const failed: string[] = [];
    let done = 0;
    while (!stopped) {
      const b = await batch(failed);
      done += b.done;
      failed.push(...b.failed);
      if (b.picked < batchSize) break;
    }
    return { done, failed: failed.length };
  }

  async function sweep(): Promise<OrphanSweepResult> {
    const started = Date.now();
    const unbound = await drain(unboundBatch);
    const removed = await drain(removedFilesBatch);
    const deleted = unbound.done;
    const removedFiles = removed.done;
    const failedCount = unbound.failed + removed.failed;
    if (deleted > 0) counter.inc({ result: 'deleted' }, deleted);
    if (removedFiles > 0) counter.inc({ result: 'removed_file' }, removedFiles);
    if (failedCount > 0) counter.inc({ result: 'failed' }, failedCount);
    const fields = { deleted, removedFiles, failed: failedCount, ms: Date.now() - started };
    if (deleted > 0 || removedFiles > 0 || failedCount > 0) log.info(fields, 'upload sweep done');
    else log.debug(fields, 'upload sweep: nothing to delete');
    return { deleted, removedFiles, failed: failedCount };
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
