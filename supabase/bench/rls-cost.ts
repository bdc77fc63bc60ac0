/**
 * What row-level security costs: the same statements as the superuser (no RLS) and as
 * `authenticated` signed in as agent1 (RLS on), first in SQL, then through PostgREST over HTTP
 * (agent1's JWT against the service_role key), on a throwaway local stack loaded with 20,000
 * conversations and 200,000 messages.
 *
 *   npm run bench -w supabase            (or: npx tsx supabase/bench/rls-cost.ts)
 *
 * Not a test: it prints figures (ops/s, p50, p99 and the slowdown ratio) to copy into the
 * "Benchmark" section of supabase/README.md. One operation in flight at a time, so the figures are
 * latencies, not the server's concurrent throughput.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import postgres from 'postgres';
import { DEMO_PASSWORD } from '../local/defaults.ts';
import { type LocalSupabase, startLocalSupabase } from '../local/index.ts';
import { type Comparison, type Figures, formatTable, measure } from './measure.ts';
import { AGENT1, loadVolume, NORTHWIND } from './volume.ts';

type Mode = 'superuser' | 'authenticated' | 'service_role';
type Params = (i: number) => (string | number)[];

interface Statement {
  name: string;
  text: string;
  params?: Params;
}

/**
 * Runs `statement` repeatedly inside one transaction in the given mode, then rolls back (inserts
 * leave nothing behind, so every mode sees the same data). `authenticated` is set up exactly as
 * PostgREST does for a request: `set local role` plus the JWT claims in `request.jwt.claims`.
 */
async function runSql(sql: postgres.Sql, mode: Mode, statement: Statement): Promise<Figures> {
  const connection = await sql.reserve();
  try {
    await connection.unsafe('begin');
    if (mode !== 'superuser') {
      await connection.unsafe(`set local role ${mode}`);
      const claims = JSON.stringify(mode === 'authenticated' ? { sub: AGENT1, role: mode } : { role: mode });
      await connection`select set_config('request.jwt.claims', ${claims}, true)`;
    }
    const params = statement.params ?? (() => []);
    return await measure((i) => connection.unsafe(statement.text, params(i), { prepare: true }));
  } finally {
    await connection.unsafe('rollback').catch(() => {});
    connection.release();
  }
}

/** Fails the bench loudly if a request failed: timing errors would be meaningless. */
async function ok<T extends { error: unknown }>(request: PromiseLike<T>): Promise<T> {
  const response = await request;
  if (response.error) throw new Error(`Request failed: ${JSON.stringify(response.error)}`);
  return response;
}

async function main(): Promise<void> {
  if (process.env.SUPABASE_URL || process.env.DATABASE_URL) {
    throw new Error(
      'The RLS bench loads 200,000 rows into its own throwaway stack; unset SUPABASE_URL and DATABASE_URL to run it.',
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-rls-bench-'));
  let stack: LocalSupabase | undefined;
  const stop = async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    stop().finally(() => process.exit(130));
  });

  try {
    console.log('Starting a throwaway local stack (free ports, temporary data)…');
    stack = await startLocalSupabase({
      dataDir,
      dbPort: 0,
      gatewayPort: 0,
      persistent: false,
      seed: true,
      log: process.env.SUPABASE_LOCAL_VERBOSE === '1' ? console.log : () => {},
    });
    const sql = postgres(stack.dbUrl, { max: 2, onnotice: () => {} });
    try {
      console.log('Loading 20,000 conversations and 200,000 messages…');
      const volume = await loadVolume(sql);
      console.log(
        `Loaded: ${volume.conversations} conversations, ${volume.messages} messages in total (seed included).`,
      );
      await sqlComparisons(sql, volume.bookingsConversation);
      await httpComparisons(stack, volume.bookingsConversation);
    } finally {
      await sql.end();
    }
    console.log(
      `\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
    );
  } finally {
    await stop();
  }
}

async function sqlComparisons(sql: postgres.Sql, bookingsConversation: string): Promise<void> {
  const conversationIds = (
    await sql`select id from public.conversations where org_id = ${NORTHWIND} order by created_at desc limit 1000`
  ).map((row) => row.id as string);
  const someConversation = (i: number) => conversationIds[Math.abs(i) % conversationIds.length]!;

  const visible = async (mode: Mode) => {
    const connection = await sql.reserve();
    try {
      await connection.unsafe('begin');
      if (mode === 'authenticated') {
        await connection.unsafe('set local role authenticated');
        await connection`select set_config('request.jwt.claims', ${JSON.stringify({ sub: AGENT1, role: 'authenticated' })}, true)`;
      }
      const [row] = await connection`select count(*)::int as n from public.conversations`;
      return row!.n as number;
    } finally {
      await connection.unsafe('rollback');
      connection.release();
    }
  };
  console.log(
    `\nConversations visible: superuser ${await visible('superuser')}, agent1 under RLS ${await visible('authenticated')}.`,
  );

  const underRls: Statement[] = [
    {
      name: 'select newest 50 conversations',
      text: 'select id, status, created_at from public.conversations order by created_at desc limit 50',
    },
    {
      // The shape the admin app should use: org_id first, so conversations_org_id_idx serves the order.
      name: 'select newest 50 in Northwind',
      text: 'select id, status, created_at from public.conversations where org_id = $1 order by created_at desc limit 50',
      params: () => [NORTHWIND],
    },
    { name: 'count visible conversations', text: 'select count(*) from public.conversations' },
    {
      name: "select one conversation's messages",
      text: 'select * from public.messages where conversation_id = $1 order by seq',
      params: () => [bookingsConversation],
    },
    {
      name: 'insert a FAQ',
      text: "insert into public.faqs (org_id, question, answer, created_by) values ($1, $2, 'Yes, for company accounts.', $3)",
      params: (i) => [NORTHWIND, `Bench question ${i}: can I pay by invoice?`, AGENT1],
    },
    {
      name: 'insert a personal snippet',
      text: "insert into public.snippets (org_id, owner_id, shortcut, body) values ($1, $2, $3, 'Thanks for waiting!')",
      params: (i) => [NORTHWIND, AGENT1, `bench${i < 0 ? `w${-i}` : i}`],
    },
  ];
  const rows: Comparison[] = [];
  for (const statement of underRls) {
    console.log(`  SQL: ${statement.name}`);
    rows.push({
      statement: statement.name,
      referenceLabel: 'superuser',
      reference: await runSql(sql, 'superuser', statement),
      subjectLabel: 'agent1 (RLS)',
      subject: await runSql(sql, 'authenticated', statement),
    });
  }
  // Messages are inserted by the chat server only (no policy lets `authenticated` insert): the
  // service path, with the per-conversation sequence trigger, against the superuser.
  const messageInsert: Statement = {
    name: 'insert a message (seq trigger)',
    text: "insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body) values ($1, $2, $3, 'agent', $4, 'Thanks, let me check that for you.')",
    params: (i) => [NORTHWIND, someConversation(i), `bench-insert-${i}`, AGENT1],
  };
  console.log(`  SQL: ${messageInsert.name}`);
  rows.push({
    statement: messageInsert.name,
    referenceLabel: 'superuser',
    reference: await runSql(sql, 'superuser', messageInsert),
    subjectLabel: 'service_role',
    subject: await runSql(sql, 'service_role', messageInsert),
  });
  console.log(`\nSQL, one statement at a time in one transaction:\n\n${formatTable(rows)}`);
}

async function httpComparisons(stack: LocalSupabase, bookingsConversation: string): Promise<void> {
  type Transport = NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport'];
  const options: SupabaseClientOptions<'public'> = {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: NoRealtime as unknown as Transport },
  };
  const service = createClient(stack.url, stack.serviceRoleKey, options);
  const agent = createClient(stack.url, stack.anonKey, options);
  const { error } = await agent.auth.signInWithPassword({
    email: 'agent1@northwind.test',
    password: DEMO_PASSWORD,
  });
  if (error) throw new Error(`Could not sign in as agent1: ${error.message}`);

  const requests: {
    name: string;
    run: (client: SupabaseClient, i: number) => PromiseLike<{ error: unknown }>;
  }[] = [
    {
      name: 'GET newest 50 conversations',
      run: (client) =>
        client
          .from('conversations')
          .select('id, status, created_at')
          .order('created_at', { ascending: false })
          .limit(50),
    },
    {
      name: 'GET newest 50 in Northwind',
      run: (client) =>
        client
          .from('conversations')
          .select('id, status, created_at')
          .eq('org_id', NORTHWIND)
          .order('created_at', { ascending: false })
          .limit(50),
    },
    {
      name: "GET one conversation's messages",
      run: (client) =>
        client.from('messages').select('*').eq('conversation_id', bookingsConversation).order('seq'),
    },
    {
      name: 'POST a FAQ',
      run: (client, i) =>
        client.from('faqs').insert({
          org_id: NORTHWIND,
          question: `Bench HTTP question ${i}?`,
          answer: 'Yes, for company accounts.',
          created_by: AGENT1,
        }),
    },
  ];
  const rows: Comparison[] = [];
  for (const request of requests) {
    console.log(`  HTTP: ${request.name}`);
    rows.push({
      statement: request.name,
      referenceLabel: 'service_role',
      reference: await measure((i) => ok(request.run(service, i))),
      subjectLabel: 'agent1 (RLS)',
      subject: await measure((i) => ok(request.run(agent, i))),
    });
  }
  console.log(
    `\nHTTP through the gateway and PostgREST (supabase-js, one request at a time):\n\n${formatTable(rows)}`,
  );
}

/**
 * The local stack has no Realtime server, and supabase-js on Node 20 (no built-in WebSocket) will not
 * create a client without a transport; the bench never opens a channel.
 */
class NoRealtime {
  constructor() {
    throw new Error('The local Supabase stack has no Realtime server.');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
