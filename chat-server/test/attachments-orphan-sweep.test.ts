/**
 * The orphan upload sweep against the test stack's Postgres (as role chat_server, through the
 * server's own pool) and local-disk storage in a temp folder: files uploaded over real HTTP, then
 * made "old" by moving created_at back with the superuser.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attachment } from '@chat/shared';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserSql } from '../../supabase/tests/helpers/clients.ts';
import { createOrphanSweep } from '../src/attachments/orphan-sweep.ts';
import { createSql } from '../src/db/sql.ts';
import { createLogger } from '../src/logger.ts';
import type { ChatServer } from '../src/server.ts';
import { createFileStorage, type FileStorage } from '../src/storage/index.ts';
import { startChatServer, testConfig } from './helpers/chat-server.ts';
import { createConversation, visitorClaims } from './helpers/conversation-fixtures.ts';

const NORTHWIND = '10000000-0000-4000-8000-000000000001';
const SITE_ORIGIN = 'http://localhost:3000';
const DAY_MS = 86_400_000;

let server: ChatServer;
let su: ReturnType<typeof superuserSql>;
let uploadDir: string;

beforeAll(async () => {
  uploadDir = await mkdtemp(join(tmpdir(), 'orphan-sweep-'));
  // Default interval (10 min): its timer stays out of the way; the tests call their own sweeps.
  server = await startChatServer({ UPLOAD_DIR: uploadDir });
  su = superuserSql();
});
afterAll(async () => {
  await server?.close();
  await su?.end();
  await rm(uploadDir, { recursive: true, force: true });
});

/** A visitor's conversation of the seeded Acme site, and a visitor token for uploading into it. */
async function newConversation() {
  const conv = await createConversation(su, { name: 'Orphan sweep tester' });
  const { token } = server.app.visitorTokens.sign(visitorClaims(conv));
  return { visitorId: conv.visitorId, conversationId: conv.id, token };
}

/** Uploads a small text file through POST /v1/conversations/:id/attachments. */
async function upload(c: { conversationId: string; token: string }, text: string): Promise<Attachment> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), 'note.txt');
  const res = await fetch(`${server.url}/v1/conversations/${c.conversationId}/attachments`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${c.token}`, origin: SITE_ORIGIN },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Attachment;
}

async function age(ids: string[], ms: number): Promise<void> {
  await su`update public.attachments set created_at = now() - make_interval(secs => ${ms / 1000})
           where id = any(${ids}::uuid[])`;
}

async function rowIds(conversationId: string): Promise<string[]> {
  const rows = await su<{ id: string }[]>`
    select id from public.attachments where conversation_id = ${conversationId} order by id`;
  return rows.map((r) => r.id);
}

async function filesOf(conversationId: string): Promise<string[]> {
  return (await readdir(join(uploadDir, NORTHWIND, conversationId)).catch(() => [])).sort();
}

/**
 * A sweep with its own counter, on `sql` (the server's pool unless given: role chat_server) and
 * `storage` (the server's local disk unless given).
 */
function sweeper(
  options: { sql?: ReturnType<typeof createSql>; batchSize?: number; storage?: FileStorage } = {},
) {
  const counter = new Counter({
    name: 'test_orphans',
    help: 'test',
    labelNames: ['result'] as const,
    registers: [new Registry()],
  });
  const sweep = createOrphanSweep({
    sql: options.sql ?? server.app.sql,
    storage: options.storage ?? createFileStorage(server.app.config),
    log: createLogger('silent'),
    counter,
    maxAgeMs: DAY_MS,
    intervalMs: 0,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  const count = async (result: string) =>
    (await counter.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  return { sweep, deletedCount: () => count('deleted'), removedCount: () => count('removed_file') };
}

/** The server's storage, refusing to delete files whose key ends with `id` while `refuse()` says so. */
function refusingStorage(id: string, refuse: () => boolean): FileStorage {
  const real = createFileStorage(server.app.config);
  return {
    ...real,
    delete: (key) =>
      refuse() && key.endsWith(id) ? Promise.reject(new Error('disk on fire')) : real.delete(key),
  };
}

describe('orphan upload sweep', () => {
  it('deletes an old unbound upload (row and file), keeps a fresh one and an old bound one', async () => {
    const c = await newConversation();
    const old = await upload(c, 'never sent');
    const fresh = await upload(c, 'about to be sent');
    const bound = await upload(c, 'sent long ago');
    const [message] = await su<{ id: string }[]>`
      insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body)
      values (${NORTHWIND}, ${c.conversationId}, ${randomUUID()}, 'visitor', ${c.visitorId}, 'see attached')
      returning id`;
    await su`update public.attachments set message_id = ${message?.id as string} where id = ${bound.id}`;
    await age([old.id, bound.id], DAY_MS + 60_000);
    // Just under the limit stays too.
    await age([fresh.id], DAY_MS - 60_000);
    expect(await filesOf(c.conversationId)).toEqual([old.id, fresh.id, bound.id].sort());

    const { sweep, deletedCount } = sweeper();
    const result = await sweep.run();

    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(result.failed).toBe(0);
    expect(await deletedCount()).toBe(result.deleted);
    expect(await rowIds(c.conversationId)).toEqual([fresh.id, bound.id].sort());
    expect(await filesOf(c.conversationId)).toEqual([fresh.id, bound.id].sort());
    // The bound file is still served.
    const download = await fetch(new URL(bound.url, server.url));
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('sent long ago');
  });

  it('runs two sweeps at once, as two instances would, without errors and deleting each orphan once', async () => {
    const c = await newConversation();
    const uploads: Attachment[] = [];
    for (let i = 0; i < 24; i++) uploads.push(await upload(c, `orphan ${i}`));
    await age(
      uploads.map((u) => u.id),
      2 * DAY_MS,
    );
    // A second pool, like a second instance; small batches so the two interleave.
    const otherPool = createSql({
      url: server.app.config.databaseUrl,
      role: server.app.config.databaseRole,
      max: 2,
    });
    try {
      const one = sweeper({ batchSize: 5 });
      const two = sweeper({ sql: otherPool, batchSize: 5 });
      const results = await Promise.all([one.sweep.run(), two.sweep.run(), one.sweep.run()]);
      expect(results.every((r) => r.failed === 0)).toBe(true);
      // Both instances' counts together cover these 24 (and any other old orphan of the database).
      expect((await one.deletedCount()) + (await two.deletedCount())).toBeGreaterThanOrEqual(24);
      expect(await rowIds(c.conversationId)).toEqual([]);
      expect(await filesOf(c.conversationId)).toEqual([]);
    } finally {
      await otherPool.end({ timeout: 5 });
    }
  });

  it('leaves the row when storage cannot delete the file, and retries it next time', async () => {
    const c = await newConversation();
    const stuck = await upload(c, 'storage says no');
    await age([stuck.id], 2 * DAY_MS);
    let refuse = true;
    const { sweep } = sweeper({ storage: refusingStorage(stuck.id, () => refuse) });
    expect((await sweep.run()).failed).toBeGreaterThanOrEqual(1);
    expect(await rowIds(c.conversationId)).toEqual([stuck.id]);
    expect(await filesOf(c.conversationId)).toEqual([stuck.id]);
    refuse = false;
    await sweep.run();
    expect(await rowIds(c.conversationId)).toEqual([]);
    expect(await filesOf(c.conversationId)).toEqual([]);
  });

  it('runs on a server’s own timer, counts in /metrics, and stops with the server', async () => {
    const c = await newConversation();
    const old = await upload(c, 'swept by the timer');
    await age([old.id], 2 * DAY_MS);
    const timed = await startChatServer({ UPLOAD_DIR: uploadDir, ORPHAN_UPLOAD_SWEEP_MS: '1000' });
    try {
      const deadline = Date.now() + 6000;
      while ((await rowIds(c.conversationId)).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await rowIds(c.conversationId)).toEqual([]);
      expect(await filesOf(c.conversationId)).toEqual([]);
      const metrics = await (await fetch(`${timed.url}/metrics`)).text();
      const line = metrics
        .split('\n')
        .find((l) => l.startsWith('chat_orphan_uploads_total{result="deleted"}'));
      expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(1);
    } finally {
      await timed.close();
    }
    // Stopped: a new old orphan outlives two of the old intervals.
    const later = await upload(c, 'after shutdown');
    await age([later.id], 2 * DAY_MS);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(await rowIds(c.conversationId)).toEqual([later.id]);
    await su`delete from public.attachments where id = ${later.id}`;
  }, 15_000);
});

describe('ORPHAN_UPLOAD_* configuration', () => {
  it('refuses an age under 10 minutes and an interval under a second, naming the variable', () => {
    expect(() => testConfig({ ORPHAN_UPLOAD_MAX_AGE_MS: '60000' })).toThrow(/ORPHAN_UPLOAD_MAX_AGE_MS/);
    expect(() => testConfig({ ORPHAN_UPLOAD_SWEEP_MS: '10' })).toThrow(/ORPHAN_UPLOAD_SWEEP_MS/);
    expect(() => testConfig({ ORPHAN_UPLOAD_SWEEP_MS: 'often' })).toThrow(/ORPHAN_UPLOAD_SWEEP_MS/);
    const config = testConfig({});
    expect(config.orphanUploadSweepMs).toBe(600_000);
    expect(config.orphanUploadMaxAgeMs).toBe(DAY_MS);
  });
});

describe('files of deleted attachments', () => {
  async function keysToDelete(keys: string[]): Promise<string[]> {
    const rows = await su<{ storage_key: string }[]>`
      select storage_key from private.attachment_files_to_delete where storage_key = any(${keys}::text[])
      order by storage_key`;
    return rows.map((r) => r.storage_key);
  }
  async function storageKeys(ids: string[]): Promise<string[]> {
    const rows = await su<{ storage_key: string }[]>`
      select storage_key from public.attachments where id = any(${ids}::uuid[]) order by storage_key`;
    return rows.map((r) => r.storage_key);
  }

  it('deleting a conversation leaves its files’ keys; the sweep deletes the files, then the keys', async () => {
    const c = await newConversation();
    const sent = await upload(c, 'a sent screenshot');
    const unsent = await upload(c, 'a fresh, unsent upload');
    const [message] = await su<{ id: string }[]>`
      insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body)
      values (${NORTHWIND}, ${c.conversationId}, ${randomUUID()}, 'visitor', ${c.visitorId}, 'see attached')
      returning id`;
    await su`update public.attachments set message_id = ${message?.id as string} where id = ${sent.id}`;
    const keys = await storageKeys([sent.id, unsent.id]);
    expect(keys).toHaveLength(2);
    expect(await filesOf(c.conversationId)).toEqual([sent.id, unsent.id].sort());

    // The firm deletes the conversation: messages and attachment rows cascade.
    await su`delete from public.conversations where id = ${c.conversationId}`;
    expect(await rowIds(c.conversationId)).toEqual([]);
    expect(await keysToDelete(keys)).toEqual(keys);
    // Nothing is unbound and old here: before this migration the files stayed for ever.
    expect(await filesOf(c.conversationId)).toEqual([sent.id, unsent.id].sort());

    const { sweep, removedCount } = sweeper();
    const result = await sweep.run();
    expect(result.removedFiles).toBeGreaterThanOrEqual(2);
    expect(result.failed).toBe(0);
    expect(await removedCount()).toBe(result.removedFiles);
    expect(await filesOf(c.conversationId)).toEqual([]);
    expect(await keysToDelete(keys)).toEqual([]);
  });

  it('a delete that rolls back leaves no key, and the files stay served', async () => {
    const c = await newConversation();
    const kept = await upload(c, 'still wanted');
    const keys = await storageKeys([kept.id]);
    await su
      .begin(async (tx) => {
        await tx`delete from public.conversations where id = ${c.conversationId}`;
        throw new Error('changed my mind');
      })
      .catch(() => {});
    expect(await keysToDelete(keys)).toEqual([]);
    await sweeper().sweep.run();
    expect(await filesOf(c.conversationId)).toEqual([kept.id]);
  });

  it('keeps the key when storage cannot delete the file, and retries it next time', async () => {
    const c = await newConversation();
    const stuck = await upload(c, 'storage says no again');
    const keys = await storageKeys([stuck.id]);
    await su`delete from public.conversations where id = ${c.conversationId}`;
    let refuse = true;
    const { sweep } = sweeper({ storage: refusingStorage(stuck.id, () => refuse) });
    expect((await sweep.run()).failed).toBeGreaterThanOrEqual(1);
    expect(await keysToDelete(keys)).toEqual(keys);
    expect(await filesOf(c.conversationId)).toEqual([stuck.id]);
    refuse = false;
    await sweep.run();
    expect(await keysToDelete(keys)).toEqual([]);
    expect(await filesOf(c.conversationId)).toEqual([]);
  });

  it('an unsent upload the sweep deletes leaves no key behind', async () => {
    const c = await newConversation();
    const old = await upload(c, 'never sent, swept');
    const keys = await storageKeys([old.id]);
    await age([old.id], 2 * DAY_MS);
    const result = await sweeper().sweep.run();
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(await rowIds(c.conversationId)).toEqual([]);
    expect(await keysToDelete(keys)).toEqual([]);
  });
});
