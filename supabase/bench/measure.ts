/**
 * Timing for the RLS cost bench: run an operation back to back for a fixed time, then report
 * throughput and latency percentiles, and print two runs side by side.
 */

export interface Figures {
  ops: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface MeasureOptions {
  /** Untimed runs first: plan caches, buffers, JIT of our own code. */
  warmup?: number;
  /** How long to keep running, in milliseconds. */
  durationMs?: number;
  /** Stop early after this many runs. */
  maxOps?: number;
}

/** Runs `operation(i)` sequentially (one in flight: latency, not concurrency) and times each run. */
export async function measure(
  operation: (i: number) => Promise<unknown>,
  { warmup = 20, durationMs = 1500, maxOps = 20_000 }: MeasureOptions = {},
): Promise<Figures> {
  for (let i = 0; i < warmup; i++) await operation(-1 - i);
  const latencies: number[] = [];
  const started = performance.now();
  while (latencies.length < maxOps && performance.now() - started < durationMs) {
    const t0 = performance.now();
    await operation(latencies.length);
    latencies.push(performance.now() - t0);
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    opsPerSecond: latencies.length / elapsedSeconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export interface Comparison {
  statement: string;
  /** Label of the reference run, e.g. "superuser" or "service_role". */
  referenceLabel: string;
  reference: Figures;
  /** Label of the run under RLS, e.g. "authenticated (agent1)". */
  subjectLabel: string;
  subject: Figures;
}

/** A Markdown table: the reference run and the RLS run side by side, with the slowdown factor. */
export function formatTable(rows: Comparison[]): string {
  const header = [
    'statement',
    'reference',
    'ops/s',
    'p50 ms',
    'p99 ms',
    'under test',
    'ops/s',
    'p50 ms',
    'p99 ms',
    'ratio',
  ];
  const lines = rows.map((row) => [
    row.statement,
    row.referenceLabel,
    fixed(row.reference.opsPerSecond, 0),
    fixed(row.reference.p50Ms, 3),
    fixed(row.reference.p99Ms, 3),
    row.subjectLabel,
    fixed(row.subject.opsPerSecond, 0),
    fixed(row.subject.p50Ms, 3),
    fixed(row.subject.p99Ms, 3),
    // How many times slower the RLS run is (ops/s of the reference over ops/s under test).
    `${fixed(row.reference.opsPerSecond / row.subject.opsPerSecond, 2)}×`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const render = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n');
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}
