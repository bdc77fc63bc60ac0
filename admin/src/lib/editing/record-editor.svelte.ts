import { invalidateAll } from '$app/navigation';
import { errorMessage } from '$lib/supabase.ts';

/** What the last action on a page told the user; an error is shown as an alert. */
export type Message = { tone: 'success' | 'error'; text: string };

/**
 * The edit panel of a list page: which row is open (null = a new one), the form's draft and the
 * message of the last save or delete. Every list page saves the same way: on success the panel
 * closes and the page's loads run again (`invalidateAll`), so the list shows what the database now
 * holds; on failure the panel stays open with the error, the draft kept for another try.
 */
export class RecordEditor<Row, Draft> {
  /** The row being edited; null while a new one is being written. */
  editing = $state<Row | null>(null);
  draft = $state() as Draft;
  open = $state(false);
  message = $state<Message | null>(null);
  readonly #toDraft: (row: Row | null) => Draft;

  /** `toDraft(null)` is the blank form; `toDraft(row)` the form filled from a row. */
  constructor(toDraft: (row: Row | null) => Draft) {
    this.#toDraft = toDraft;
    this.draft = toDraft(null);
  }

  /** Opens the panel on a row, or on a blank form for a new one. */
  edit(row: Row | null): void {
    this.editing = row;
    this.draft = this.#toDraft(row);
    this.open = true;
    this.message = null;
  }

  close(): void {
    this.open = false;
  }

  /**
   * Runs a write (create, update or delete), then closes the panel and reloads; a failure becomes
   * the panel's error, worded by `describe` (pages may name their own constraints).
   */
  async commit(
    write: () => Promise<unknown>,
    describe: (error: unknown) => string = errorMessage,
  ): Promise<void> {
    try {
      await write();
      this.open = false;
      await invalidateAll();
    } catch (error) {
      this.message = { tone: 'error', text: describe(error) };
    }
  }

  /** Deletes the open row once the user answers yes to `question` (the browser's confirm dialog). */
  async remove(question: (row: Row) => string, remove: (row: Row) => Promise<unknown>): Promise<void> {
    const row = this.editing;
    if (!row || !confirm(question(row))) return;
    await this.commit(() => remove(row));
  }
}
