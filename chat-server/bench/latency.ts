/**
 * (b) End-to-end latency, visitor on instance A → agent on instance B through a real Redis, with
 * every message persisted in Postgres before it is published, at 1k and 5k msg/s offered
 * (open loop), beside the bare ws + ioredis + one-INSERT relay under the same load.
 *
 * The flavors run in rounds (floor, reference, ours; again…) and each figure is the median over
 * the rounds: on a shared 2-core machine one run of one flavor can land on a busy minute, and
 * interleaving spreads that over all three instead of charging it to whoever ran then.
 */
import { type LoadResult, runOpenLoop } from './lib/open-loop.ts';
import { closeAll, closeConversations, type Flavor, openPairs, type Pair } from './lib/pairs.ts';
import type { PartResult, Row } from './lib/report.ts';
import { type MeasuredServer, startOurServer, startReference, stopServers } from './lib/servers.ts';
import type { BenchStack } from './lib/stack.ts';
import { fmt, ratio, sleep } from './lib/stats.ts';
import {
  autovacuumRuns,
  deleteRunMessages,
  holdAutovacuum,
  vacuumWrittenTables,
} from './lib/table-maintenance.ts';

export interface LatencyOptions {
  rates: number[];
  seconds: number;
  /**
   * Unmeasured load at the first rate before measuring, per flavor. Our server has far more code
   * for V8 to compile and optimize than the relay (validation, auth, routing, the writer): in a
   * 1k msg/s run right after start its p99 was 36 ms against 10 ms in the next run of the same
   * servers (the relay: 11 → 5.5 ms). The old 2 s warm-up left part of that in our measured run.
   */
  warmupSeconds: number;
  pairs: number;
  /** Rounds of (floor, reference, ours); figures are medians over them. */
  rounds: number;
  /** Which flavors to measure (all three unless narrowed for an experiment; the rest show n/a). */
  flavors: Flavor[];
  /**
   * A/B of our own code (BENCH_BASELINE_ROOT): another checkout of this repository whose chat
   * server takes the floor's place in every round, so a change is measured against the code before
   * it under the same load, in the same minutes, beside the same reference.
   */
  baselineRoot?: string;
  log: (line: string) => void;
}

export async function latencyPart(stack: BenchStack, opts: LatencyOptions): Promise<PartResult> {
  const runs: Record<Flavor, LoadResult[][]> = { reference: [], 'reference-table': [], ours: [] };
  const maintenance: string[] = [];
  const restoreAutovacuum = await holdAutovacuum(stack);
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      opts.log(`  round ${round} of ${opts.rounds}`);
      for (const flavor of ['reference', 'reference-table', 'ours'] as const)
        runs[flavor].push(
          opts.flavors.includes(flavor) ? await measure(flavor, stack, opts, maintenance) : skipped(opts),
        );
    }
  } finally {
    await restoreAutovacuum();
  }
  const floor = combineRounds(runs.reference);
  const sameTable = combineRounds(runs['reference-table']);
  const ours = combineRounds(runs.ours);
  const rows: Row[] = [];
  const notes: string[] = [...maintenance];
  const floorName = opts.baselineRoot
    ? `ours at the baseline checkout ${opts.baselineRoot}`
    : 'the floor: relay + INSERT into a primary-key-only table';
  if (opts.rounds > 1) {
    opts.rates.forEach((rate, i) => {
      const perRound = runs.ours.map((o, r) => {
        const reference = runs['reference-table'][r]?.[i];
        return reference ? ratio((o[i] as LoadResult).p99, reference.p99) : 'n/a';
      });
      notes.push(`${fmt(rate)} msg/s: p99 ours / reference in each round: ${perRound.join(', ')}`);
    });
  }
  opts.rates.forEach((rate, i) => {
    const o = ours[i] as LoadResult;
    const r = sameTable[i] as LoadResult;
    const f = floor[i] as LoadResult;
    const at = `${fmt(rate)} msg/s`;
    for (const p of ['p50', 'p99', 'p999'] as const) {
      rows.push({
        metric: `${at}: ${p} latency (ms)`,
        ours: fmt(o[p], 1),
        reference: fmt(r[p], 1),
        ratio: ratio(o[p], r[p]),
        ...(p === 'p99' ? { target: '≤ 1.5× ref', pass: o.p99 <= 1.5 * r.p99 } : {}),
      });
    }
    for (const p of ['p50', 'p99', 'p999'] as const) {
      rows.push({
        metric: `${at}: ${p} (ms) vs ${floorName}`,
        ours: fmt(o[p], 1),
        reference: fmt(f[p], 1),
        ratio: ratio(o[p], f[p]),
      });
    }
    rows.push({
      metric: `${at}: lost / duplicated (of sent)`,
      ours: `${fmt(o.lost)} / ${fmt(o.duplicated)} (of ${fmt(o.sent)})`,
      reference: `${fmt(r.lost)} / ${fmt(r.duplicated)} (of ${fmt(r.sent)})`,
      ratio: '',
      target: 'zero lost',
      pass: o.lost === 0 && o.duplicated === 0,
    });
    rows.push({
      metric: `${at}: acked but never delivered`,
      ours: fmt(o.ackedNotDelivered),
      reference: fmt(r.ackedNotDelivered),
      ratio: '',
      target: 'zero',
      pass: o.ackedNotDelivered === 0,
    });
    rows.push({
      metric: `${at}: achieved send rate (msg/s)`,
      ours: fmt(o.sentRate),
      reference: fmt(r.sentRate),
      ratio: ratio(o.sentRate, r.sentRate),
    });
    for (const [name, result] of [
      ['ours', o],
      ['reference (same table)', r],
      [opts.baselineRoot ? 'baseline (ours, other checkout)' : 'floor reference', f],
    ] as const) {
      if (Object.keys(result.errors).length > 0)
        notes.push(`${at} ${name}: error frames ${JSON.stringify(result.errors)}`);
      if (result.acked !== result.sent)
        notes.push(`${at} ${name}: ${result.sent - result.acked} sends never acked`);
    }
  });
  return {
    title: '(b) End-to-end latency, visitor on A → agent on B through Redis, persistence on',
    setup:
      `Medians over ${opts.rounds} interleaved round(s). ` +
      `${opts.pairs} visitor/agent pairs (one conversation each), visitors on instance A, agents on instance B, ` +
      `open-loop sends round-robin for ${opts.seconds} s per rate after a ${opts.warmupSeconds} s warm-up; latency = send → agent receives, one clock. ` +
      'Reference: bare ws + ioredis relay (two processes) + one INSERT per message of the same row into the ' +
      'same public.messages table our server writes (its indexes, full-text index, foreign key and seq ' +
      'trigger), same order (insert, ack, publish). ' +
      (opts.baselineRoot
        ? `The floor's rows are our server run from another checkout, ${opts.baselineRoot} (BENCH_BASELINE_ROOT). `
        : 'The floor rows use the same relay inserting into a table with only a primary key. ') +
      'Autovacuum is held off for the written tables during the part and ' +
      'every measured run starts after a VACUUM (ANALYZE) of them, for every flavor alike; each run deletes the ' +
      'messages it wrote, so every round starts from the same table (bench/lib/table-maintenance.ts).',
    rows,
    notes,
  };
}

async function measure(
  flavor: Flavor,
  stack: BenchStack,
  opts: LatencyOptions,
  maintenance: string[],
): Promise<LoadResult[]> {
  let a: MeasuredServer | undefined;
  let b: MeasuredServer | undefined;
  let pairs: Pair[] = [];
  try {
    // With a baseline checkout, the floor's slot runs our server from there (see baselineRoot).
    const root = flavor === 'reference' ? opts.baselineRoot : undefined;
    const oursSpeaks = flavor === 'ours' || root !== undefined;
    [a, b] = await Promise.all(
      oursSpeaks
        ? [
            startOurServer(stack, { label: root ? 'baseline-A' : 'A', redis: true, env: oursEnv(), root }),
            startOurServer(stack, { label: root ? 'baseline-B' : 'B', redis: true, env: oursEnv(), root }),
          ]
        : [
            startReference(stack, 'relay', 'ref-A', refEnv(flavor)),
            startReference(stack, 'relay', 'ref-B', refEnv(flavor)),
          ],
    );
    pairs = await openPairs(
      oursSpeaks ? 'ours' : flavor,
      stack,
      a.wsBase,
      b.wsBase,
      opts.pairs,
      `latency-${flavor}`,
    );
    // Warm-up (JIT, pools, connections), not counted.
    await runOpenLoop(pairs, {
      rate: opts.rates[0] ?? 1000,
      seconds: opts.warmupSeconds,
      tag: `warm-${flavor}`,
    });
    await sleep(500);
    const results: LoadResult[] = [];
    for (const rate of opts.rates) {
      const vacuumMs = await vacuumWrittenTables(stack);
      const autovacuumBefore = await autovacuumRuns(stack);
      const result = await runOpenLoop(pairs, { rate, seconds: opts.seconds, tag: `${flavor}-${rate}` });
      const slipped = (await autovacuumRuns(stack)) - autovacuumBefore;
      // Held off for the written tables, so this stays 0; if it does not, the reader should know.
      if (slipped > 0)
        maintenance.push(`${flavor} at ${fmt(rate)} msg/s: ${slipped} autovacuum run(s) during the run`);
      opts.log(
        `  ${(root ? 'baseline' : flavor).padEnd(15)} ${fmt(rate)} msg/s: p50 ${fmt(result.p50, 1)} ms, p99 ${fmt(result.p99, 1)} ms, ` +
          `p999 ${fmt(result.p999, 1)} ms, max ${fmt(result.max, 1)} ms, sent ${fmt(result.sent)} ` +
          `(${fmt(result.sentRate)}/s), acked ${fmt(result.acked)}, lost ${result.lost} ` +
          `(acked but undelivered ${result.ackedNotDelivered}), dup ${result.duplicated}, ` +
          `vacuum before ${fmt(vacuumMs)} ms` +
          (Object.keys(result.errors).length ? `, errors ${JSON.stringify(result.errors)}` : ''),
      );
      results.push(result);
      await sleep(1000);
    }
    return results;
  } finally {
    closeAll(pairs.flatMap((p) => [p.visitor, p.agent]));
    await stopServers([a, b]);
    await closeConversations(stack, pairs);
    await deleteRunMessages(
      stack,
      pairs.map((p) => p.conversationId),
    );
  }
}

function refEnv(flavor: Flavor): Record<string, string> {
  return { REF_TABLE: flavor === 'reference-table' ? 'messages' : 'minimal' };
}

/** One result per rate: the median of each latency figure over the rounds, counts summed. */
function combineRounds(rounds: LoadResult[][]): LoadResult[] {
  const first = rounds[0] ?? [];
  return first.map((_, i) => {
    const at = rounds.map((r) => r[i] as LoadResult);
    const median = (pick: (x: LoadResult) => number) => {
      const values = at.map(pick).sort((a, b) => a - b);
      return values[Math.floor((values.length - 1) / 2)] as number;
    };
    const sum = (pick: (x: LoadResult) => number) => at.reduce((n, x) => n + pick(x), 0);
    const errors: Record<string, number> = {};
    for (const x of at)
      for (const [code, n] of Object.entries(x.errors)) errors[code] = (errors[code] ?? 0) + n;
    return {
      offeredRate: (at[0] as LoadResult).offeredRate,
      sentRate: median((x) => x.sentRate),
      sent: sum((x) => x.sent),
      acked: sum((x) => x.acked),
      delivered: sum((x) => x.delivered),
      lost: sum((x) => x.lost),
      ackedNotDelivered: sum((x) => x.ackedNotDelivered),
      duplicated: sum((x) => x.duplicated),
      errors,
      p50: median((x) => x.p50),
      p99: median((x) => x.p99),
      p999: median((x) => x.p999),
      max: Math.max(...at.map((x) => x.max)),
    };
  });
}

/** A flavor left out of this run: NaN figures print as n/a. */
function skipped(opts: LatencyOptions): LoadResult[] {
  return opts.rates.map((rate) => ({
    offeredRate: rate,
    sentRate: Number.NaN,
    sent: 0,
    acked: 0,
    delivered: 0,
    lost: 0,
    ackedNotDelivered: 0,
    duplicated: 0,
    errors: {},
    p50: Number.NaN,
    p99: Number.NaN,
    p999: Number.NaN,
    max: Number.NaN,
  }));
}

/** BENCH_OURS_ENV="DATABASE_POOL_SIZE=4,LOG_LEVEL=warn": extra settings for our instances (experiments). */
function oursEnv(): Record<string, string> {
  const pairs = (process.env.BENCH_OURS_ENV ?? '').split(',').filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}
