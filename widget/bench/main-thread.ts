/**
 * Main-thread cost of the widget on a blank page, in headless Chromium: the same blank page with
 * and without the two install lines, each loaded RUNS times in a fresh context. Chromium's own
 * counters (CDP Performance.getMetrics) are read 3 s after load, so the widget's config and
 * session requests, its WebSocket handshake and first render are all inside the window.
 *
 * The chat server is a stand-in that answers /v1/widget/config, /v1/widget/session and the
 * WebSocket welcome like the real one (the bench measures the browser, not the server).
 * Run: npx tsx widget/bench/main-thread.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { buildWidget } from '../demo/build.ts';
import { startDemoServer } from '../demo/server.ts';

const RUNS = Number(process.env.RUNS ?? 15);
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const CONFIG = {
  protocolVersion: 1,
  site: { key: 'acme_travel_demo', name: 'acmetravel.test', title: 'Acme Travel' },
  widget: { color: '#0e7490', position: 'right', launcherText: 'Chat with us' },
  greeting: 'Good morning! Planning a trip?',
  timeZone: 'Europe/Berlin',
  businessHours: {},
  open: true,
  agentsOnline: true,
  available: true,
  prechatFields: [],
  topics: [{ label: 'A new or existing booking' }],
};

async function standInChatServer() {
  const server = createServer((req, res) => {
    const headers = {
      'content-type': 'application/json',
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-headers': 'content-type',
    };
    if (req.method === 'OPTIONS') return res.writeHead(204, headers).end();
    if (req.url?.startsWith('/v1/widget/config'))
      return res.writeHead(200, headers).end(JSON.stringify(CONFIG));
    if (req.url === '/v1/widget/session') {
      const session = {
        token: 'bench-token',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        resumed: false,
        visitor: { id: '7a0e5c1d-2b3f-4e6a-8c9d-1f2e3a4b5c6d', name: '', email: '' },
        openConversationId: null,
      };
      return res.writeHead(200, headers).end(JSON.stringify(session));
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, handleProtocols: () => 'chat' });
  wss.on('connection', (ws) => {
    ws.send(
      JSON.stringify({
        type: 'welcome',
        protocolVersion: 1,
        connectionId: 'c-bench',
        identity: {
          kind: 'visitor',
          visitorId: '7a0e5c1d-2b3f-4e6a-8c9d-1f2e3a4b5c6d',
          siteId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          name: '',
          email: '',
        },
        heartbeatIntervalMs: 25_000,
        serverTime: new Date().toISOString(),
      }),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((ok) => (wss.close(), server.close(() => ok()), server.closeAllConnections())),
  };
}

type Metrics = Record<string, number>;
const KEYS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'JSHeapUsedSize'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  await buildWidget();
  const chat = await standInChatServer();
  const demo = await startDemoServer({ chatServerUrl: chat.url, testPages: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const results: Record<string, Metrics[]> = { blank: [], widget: [] };
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const [name, path] of [
        ['blank', '/test/blank.html'],
        ['widget', '/test/blank-widget.html'],
      ] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.goto(`${demo.url}${path}`, { waitUntil: 'load' });
        await page.waitForTimeout(3000);
        if (name === 'widget') await page.locator('.cw-launcher').waitFor();
        const { metrics } = (await cdp.send('Performance.getMetrics')) as {
          metrics: { name: string; value: number }[];
        };
        results[name]!.push(
          Object.fromEntries(metrics.filter((m) => KEYS.includes(m.name)).map((m) => [m.name, m.value])),
        );
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await demo.close();
    await chat.close();
  }
  const row = (name: string) => {
    const runs = results[name]!;
    const ms = (k: string) => median(runs.map((r) => r[k] ?? 0)) * 1000;
    return {
      task: ms('TaskDuration'),
      script: ms('ScriptDuration'),
      layout: ms('LayoutDuration'),
      style: ms('RecalcStyleDuration'),
      heapKB: median(runs.map((r) => r.JSHeapUsedSize ?? 0)) / 1024,
    };
  };
  const blank = row('blank');
  const widget = row('widget');
  const fmt = (n: number) => n.toFixed(1).padStart(7);
  console.log(`Main-thread time, headless Chromium, median of ${RUNS} loads (ms; heap in KB)`);
  console.log('                  task   script   layout    style     heap');
  for (const [name, r] of [
    ['blank page', blank],
    ['+ widget', widget],
  ] as const) {
    console.log(
      `${name.padEnd(14)}${fmt(r.task)}  ${fmt(r.script)}  ${fmt(r.layout)}  ${fmt(r.style)}  ${fmt(r.heapKB)}`,
    );
  }
  console.log(
    `${'difference'.padEnd(14)}${fmt(widget.task - blank.task)}  ${fmt(widget.script - blank.script)}  ${fmt(widget.layout - blank.layout)}  ${fmt(widget.style - blank.style)}  ${fmt(widget.heapKB - blank.heapKB)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
