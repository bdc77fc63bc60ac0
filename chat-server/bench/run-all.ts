/**
 * The chat-server benchmark: `npm run bench -w chat-server` (or `npx tsx chat-server/bench/run-all.ts
 * [idle] [latency] [fanout] [persist]` for some parts). A script, not a test: it starts a real local
 * Supabase stack and redis-server, runs each part against our server and a bare reference in
 * the same run (servers in child processes), prints a table and writes bench/results/latest.md.
 *
 * Knobs (env): BENCH_IDLE_CONNECTIONS (10000), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (10), BENCH_RATES (1000,5000),
 * BENCH_PAIRS (100), BENCH_ROUNDS (5, latency), BENCH_WATCHERS (200), BENCH_FANOUT_MESSAGES (1000),
 * BENCH_FLAVORS (latency: reference,reference-table,ours), BENCH_CPU_PROFILE_DIR, BENCH_VERBOSE=1,
 * BENCH_BASELINE_ROOT (latency: another checkout whose chat server replaces the floor, an A/B of our code).
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fanoutPart } from './fanout.ts';
import { idleMemoryPart } from './idle-memory.ts';
import { latencyPart } from './latency.ts';
import type { Flavor } from './lib/pairs.ts';
import { markdownTable, type PartResult } from './lib/report.ts';
import { type BenchStack, startBenchStack } from './lib/stack.ts';
import { persistPart } from './persist.ts';

const env = process.env;
const num = (name: string, fallback: number) => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const settings = {
  idleConnections: num('BENCH_IDLE_CONNECTIONS', 10_000),
  seconds: num('BENCH_SECONDS', 15),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 10),
  rates: (env.BENCH_RATES ?? '1000,5000').split(',').map(Number),
  pairs: num('BENCH_PAIRS', 100),
  rounds: num('BENCH_ROUNDS', 5),
  flavors: (env.BENCH_FLAVORS ?? 'reference,reference-table,ours').split(',') as Flavor[],
  watchers: num('BENCH_WATCHERS', 200),
  fanoutMessages: num('BENCH_FANOUT_MESSAGES', 1000),
};
const known = ['idle', 'latency', 'fanout', 'persist'];
const chosen = process.argv.slice(2);
const unknown = chosen.filter((p) => !known.includes(p));
if (unknown.length > 0) {
  process.stderr.write(`Unknown part(s) ${unknown.join(', ')}; choose from ${known.join(', ')}\n`);
  process.exit(2);
}
const parts = chosen.length > 0 ? chosen : known;
const log = (line: string) => process.stdout.write(`${line}\n`);

let stack: BenchStack | undefined;
const cleanup = async () => {
  await stack?.stop();
};
// Ctrl-C: stop the stack (child servers die with the process through their own exit hooks).
process.once('SIGINT', () => {
  log('\ninterrupted: stopping');
  cleanup().finally(() => process.exit(130));
});

const startedAt = new Date();
const loadBefore = loadavg()[0] ?? 0;
const results: PartResult[] = [];
try {
  log('starting Postgres (embedded, temp dir) and redis-server…');
  stack = await startBenchStack();
  await stack.admin`create schema if not exists bench_ref`;
  await stack.admin`
    create table if not exists bench_ref.messages (
      id uuid primary key default gen_random_uuid(),
      conversation_id uuid not null,
      client_msg_id text not null,
      body text not null,
      created_at timestamptz not null default now()
    )`;
  if (parts.includes('idle')) {
    log(`(a) idle connections: ${settings.idleConnections}`);
    results.push(await idleMemoryPart(stack, { connections: settings.idleConnections, log }));
  }
  if (parts.includes('latency')) {
    log(
      `(b) latency: ${settings.rates.join(', ')} msg/s for ${settings.seconds} s, ${settings.pairs} pairs, ` +
        `${settings.rounds} round(s)`,
    );
    results.push(
      await latencyPart(stack, {
        rates: settings.rates,
        seconds: settings.seconds,
        warmupSeconds: settings.warmupSeconds,
        pairs: settings.pairs,
        rounds: settings.rounds,
        flavors: settings.flavors,
        ...(env.BENCH_BASELINE_ROOT ? { baselineRoot: resolve(env.BENCH_BASELINE_ROOT) } : {}),
        log,
      }),
    );
  }
  if (parts.includes('fanout')) {
    log(`(c) fan-out: ${settings.watchers} watchers, ${settings.fanoutMessages} messages`);
    results.push(
      await fanoutPart(stack, {
        watchers: settings.watchers,
        messages: settings.fanoutMessages,
        window: 20,
        log,
      }),
    );
  }
  if (parts.includes('persist')) {
    log('(d) persistence alone: 5000 messages, 10 at a time');
    results.push(await persistPart(stack, { messages: 5000, conversations: 100, concurrency: 10, log }));
  }
} finally {
  await cleanup();
}

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}`;
const report = [
  `## Benchmark results, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Machine: ${machine}. Command: \`npm run bench -w chat-server\`${chosen.length ? ` (parts: ${parts.join(', ')})` : ''}.`,
  'Postgres: embedded PostgreSQL 17 (temp dir); Redis: local redis-server; every server in its own process.',
  `Load average (1 min) before the run: ${loadBefore.toFixed(2)}; the bench process, both servers, Redis and Postgres share the cores.`,
  '',
  ...results.map((r) => `${markdownTable(r)}\n`),
].join('\n');
log(`\n${report}`);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.md');
await writeFile(out, `${report}\n`);
log(`written to ${out}`);
