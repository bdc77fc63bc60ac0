/**
 * (a) Memory per idle authenticated visitor connection: our server (one instance, Redis on)
 * against a bare `ws` server holding the same number of sockets. Both run in their own process;
 * memory is read there after full GCs (--expose-gc), before and after opening N connections.
 */

import { createVisitors, VISITOR_ORIGIN, visitorToken } from './lib/fixtures.ts';
import type { PartResult } from './lib/report.ts';
import { type MeasuredServer, startOurServer, startReference, stopServers } from './lib/servers.ts';
import type { BenchStack } from './lib/stack.ts';
import { fmt, ratio, sleep } from './lib/stats.ts';
import type { BenchSocket } from './lib/ws-clients.ts';
import { chatUrl, connect, connectMany } from './lib/ws-clients.ts';

interface PerConnection {
  heapKb: number;
  rssKb: number;
  /** Memory outside the JS heap owned by JS objects (Buffers included). */
  externalKb: number;
}

const WARMUP = 200;

export async function idleMemoryPart(
  stack: BenchStack,
  opts: { connections: number; log: (line: string) => void },
): Promise<PartResult> {
  const n = opts.connections;
  const tokens = (await createVisitors(stack.admin, n, 'idle')).map(visitorToken);
  const bare = await measure(
    'bare ws',
    () => startReference(stack, 'bare-ws', 'bare-ws'),
    n,
    (url) => connect(url, { origin: VISITOR_ORIGIN }),
  );
  opts.log(`  bare ws: ${perConnLine(bare)}`);
  const ours = await measure(
    'ours',
    () => startOurServer(stack, { label: 'idle', redis: true }),
    n,
    (url, i) => connect(url, { token: tokens[i % tokens.length], origin: VISITOR_ORIGIN, welcome: true }),
  );
  opts.log(`  ours:    ${perConnLine(ours)}`);

  const appHeap = ours.heapKb - bare.heapKb;
  const appRss = ours.rssKb - bare.rssKb;
  const perGb = (kb: number) => (kb > 0 ? (1024 * 1024) / kb : Number.NaN);
  return {
    title: '(a) Idle authenticated visitor connections: memory per connection',
    setup:
      `${fmt(n)} visitor connections (authenticated, welcomed, idle) held by one server process; memory read in ` +
      'that process after full GCs, before and after; reference: a bare `ws` server holding the same number of sockets.',
    rows: [
      {
        metric: 'JS heap per connection (KB)',
        ours: fmt(ours.heapKb, 2),
        reference: fmt(bare.heapKb, 2),
        ratio: ratio(ours.heapKb, bare.heapKb),
      },
      {
        metric: 'RSS per connection (KB)',
        ours: fmt(ours.rssKb, 2),
        reference: fmt(bare.rssKb, 2),
        ratio: ratio(ours.rssKb, bare.rssKb),
      },
      {
        metric: 'external (Buffers, C++) per connection (KB)',
        ours: fmt(ours.externalKb, 2),
        reference: fmt(bare.externalKb, 2),
        ratio: ratio(ours.externalKb, bare.externalKb),
      },
      {
        metric: 'app state over bare ws, JS heap (KB/conn)',
        ours: fmt(appHeap, 2),
        reference: '',
        ratio: '',
        target: '≤ 3 KB',
        pass: appHeap <= 3,
      },
      {
        metric: 'app state over bare ws, RSS (KB/conn)',
        ours: fmt(appRss, 2),
        reference: '',
        ratio: '',
        target: '≤ 3 KB',
        pass: appRss <= 3,
      },
      {
        metric: 'idle connections per GB (by RSS per connection)',
        ours: fmt(perGb(ours.rssKb)),
        reference: fmt(perGb(bare.rssKb)),
        ratio: ratio(perGb(ours.rssKb), perGb(bare.rssKb)),
        target: '≥ 80,000',
        pass: perGb(ours.rssKb) >= 80_000,
      },
    ],
    notes: [
      `Each server first opened and closed ${WARMUP} connections (JIT, pools, lazily built state), then was measured at rest.`,
    ],
  };
}

function perConnLine(p: PerConnection): string {
  return `heap ${fmt(p.heapKb, 2)} KB/conn, rss ${fmt(p.rssKb, 2)} KB/conn, external ${fmt(p.externalKb, 2)} KB/conn`;
}

async function measure(
  name: string,
  start: () => Promise<MeasuredServer>,
  n: number,
  open: (url: string, i: number) => Promise<BenchSocket>,
): Promise<PerConnection> {
  let server: MeasuredServer | undefined;
  let sockets: BenchSocket[] = [];
  try {
    server = await start();
    const url = chatUrl(server.wsBase);
    const warm = await connectMany(WARMUP, 50, (i) => open(url, i));
    for (const s of warm) s.close();
    await sleep(1500);
    const before = await server.memory();
    sockets = await connectMany(n, 100, (i) => open(url, i));
    await sleep(2000);
    const after = await server.memory();
    const open_ = sockets.filter((s) => s.ws.readyState === s.ws.OPEN).length;
    if (open_ !== n) throw new Error(`${name}: only ${open_} of ${n} connections stayed open`);
    const kb = (key: keyof NodeJS.MemoryUsage) => (after[key] - before[key]) / n / 1024;
    return { heapKb: kb('heapUsed'), rssKb: kb('rss'), externalKb: kb('external') };
  } finally {
    for (const s of sockets) s.close();
    await stopServers([server]);
  }
}
