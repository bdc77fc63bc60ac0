/**
 * Group commit for messages. Every message without attachments is persisted through here: while
 * fewer than `maxInFlight` statements are running, a message is written at once (alone, at low
 * load); the messages that arrive while they all run are written together by the next one, in
 * one call of private.persist_messages() (migration 20261121001500). One statement per batch
 * instead of one per message is what lets two small instances take thousands of messages a
 * second (see the README's Benchmarks section).
 *
 * Guarantees, the same as one persist_message() per message:
 * - the promise resolves only after the batch committed, so an ack always names a stored row;
 * - a conversation has at most one batch in flight, and its messages keep their arrival order,
 *   so seq order is the order in which this instance was asked to store them;
 * - one bad message never fails the others: if a batch of several throws, each of its messages
 *   is retried alone and only the bad one rejects.
 */
import type { Sql } from '../db/sql.ts';
import {
  type NewMessage,
  type PersistOutcome,
  type PersistRow,
  persistMessage,
  toPersistOutcome,
} from './messages.ts';

export interface MessageWriter {
  persist(message: NewMessage): Promise<PersistOutcome>;
  /** Resolves once every message handed in so far is settled (shutdown). */
  flushed(): Promise<void>;
}

export interface MessageWriterOptions {
  /** Statements running at once; more queue up and go in the next batch. */
  maxInFlight: number;
  /** Messages per statement at most. */
  maxBatch: number;
  /** Called with the size of every batch written (metrics). */
  onBatch?: (size: number) => void;
  /** A batch of several failed and its messages are being retried one by one (logs). */
  onBatchFailed?: (size: number, error: unknown) => void;
}

interface Pending {
  message: NewMessage;
  resolve(outcome: PersistOutcome): void;
  reject(error: unknown): void;
}

export function createMessageWriter(sql: Sql, options: MessageWriterOptions): MessageWriter {
  const queue: Pending[] = [];
  /** Conversations with a batch in flight: their next messages wait for it (seq order). */
  const busy = new Set<string>();
  let inFlight = 0;
  let scheduled = false;
  const idle: Array<() => void> = [];

  // Flushing on a microtask lets every frame that arrived in the same socket read join one batch.
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      flush();
    });
  }

  function flush(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = takeBatch();
      if (batch.length === 0) return; // everything queued waits for a busy conversation
      inFlight++;
      for (const p of batch) busy.add(p.message.conversationId);
      write(batch)
        // write() settles every message itself; this only guards against a throwing callback,
        // so no sender waits forever.
        .catch((error: unknown) => {
          for (const p of batch) p.reject(error);
        })
        .finally(() => {
          inFlight--;
          for (const p of batch) busy.delete(p.message.conversationId);
          flush();
          if (inFlight === 0 && queue.length === 0) for (const done of idle.splice(0)) done();
        });
    }
  }

  /** The oldest messages of conversations without a batch in flight, in arrival order. */
  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    // A conversation skipped once stays skipped in this pass, so a later message of it never
    // overtakes an earlier one that had to wait.
    const blocked = new Set<string>();
    let kept = 0;
    for (let i = 0; i < queue.length; i++) {
      const p = queue[i] as Pending;
      const id = p.message.conversationId;
      if (batch.length < options.maxBatch && !busy.has(id) && !blocked.has(id)) batch.push(p);
      else {
        blocked.add(id);
        queue[kept++] = p;
      }
    }
    queue.length = kept;
    return batch;
  }

  async function write(batch: Pending[]): Promise<void> {
    options.onBatch?.(batch.length);
    if (batch.length === 1) {
      // Alone, the one-message function is cheaper than the set-wise one (no JSON, smaller plan).
      const [only] = batch as [Pending];
      return persistMessage(sql, only.message).then(only.resolve, only.reject);
    }
    let outcomes: PersistOutcome[];
    try {
      outcomes = await persistBatch(sql, batch);
    } catch (error) {
      options.onBatchFailed?.(batch.length, error);
      // One statement, one transaction: nothing of it was stored. Retry each alone through the
      // one-message function, so only the message at fault (if any) fails.
      for (const p of batch) await persistMessage(sql, p.message).then(p.resolve, p.reject);
      return;
    }
    batch.forEach((p, i) => {
      p.resolve(outcomes[i] as PersistOutcome);
    });
  }

  return {
    persist(message) {
      return new Promise((resolve, reject) => {
        queue.push({ message, resolve, reject });
        schedule();
      });
    },
    flushed() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}

async function persistBatch(sql: Sql, batch: Pending[]): Promise<PersistOutcome[]> {
  const items = batch.map(({ message: m }) => ({
    org_id: m.orgId,
    conversation_id: m.conversationId,
    client_msg_id: m.clientMsgId,
    sender_kind: m.senderKind,
    sender_id: m.senderId,
    body: m.body,
    payload: m.payload ?? {},
  }));
  const rows = await sql<(PersistRow & { ord: number })[]>`
    select ord, outcome, id, seq::int as seq, created_at,
           case when outcome = 'duplicate' then payload end as payload
    from private.persist_messages(${sql.json(items as Parameters<typeof sql.json>[0])})`;
  const outcomes: PersistOutcome[] = new Array(batch.length);
  for (const row of rows) {
    const p = batch[row.ord];
    if (!p) throw new Error(`persist_messages returned an unknown ord ${row.ord}`);
    outcomes[row.ord] = toPersistOutcome(row, p.message);
  }
  if (rows.length !== batch.length) throw new Error('persist_messages returned fewer rows than it was given');
  return outcomes;
}
