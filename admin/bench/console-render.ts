/**
 * Time to render an incoming message with 20 chats open (issue 6 §8), in Chromium.
 *
 * A throwaway stack (admin/bench/stack.ts: seeded Supabase, real chat server, the admin app's
 * adapter-node build), Tom (agent1) signed in on /console and online, 20 visitors on WebSockets who
 * each start a chat that Tom accepts. Then the visitors send messages, one at a time, and the page
 * measures from the arrival of the frame (a `message` listener the page's WebSocket gets before the
 * app's own) to the first DOM mutation that shows the text (MutationObserver), and to the next
 * animation frame after it (≈ painted). Messages go to the open chat (the thread renders them) and
 * to the 19 others (their list item updates).
 *
 * The reference is the same measurement on a bare page that appends a <div> per WebSocket message
 * (no app), in the same browser, from a small local ws server.
 *
 *   npx tsx admin/bench/console-render.ts      # prints the figures (Markdown) for admin/README.md
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import postgres from 'postgres';
import { WebSocketServer } from 'ws';
import { connect, type TestClient } from '../../chat-server/test/helpers/ws-client.ts';
import { startBenchStack } from './stack.ts';

const CHATS = 20;
const MESSAGES = Number(process.env.MESSAGES) || 100;
const TOM = { id: '20000000-0000-4000-8000-000000000004', email: 'agent1@northwind.test' };
const PASSWORD = 'chat-demo-2026';
const SITE_ORIGIN = 'http://localhost:3000';

/**
 * Runs in the page before its own scripts: stamps each frame carrying a BENCH-n marker on arrival,
 * and the DOM mutation (and next animation frame) that first shows it.
 */
const PROBE = `(() => {
  const arrived = {}, shown = {}, painted = {};
  window.__bench = { arrived, shown, painted };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const m = typeof e.data === 'string' && e.data.match(/BENCH-\\d+/);
        if (m && !(m[0] in arrived)) arrived[m[0]] = performance.now();
      });
    }
  };
  const seen = (text) => {
    for (const m of (text || '').matchAll(/BENCH-\\d+/g)) {
      if (m[0] in shown) continue;
      const t = performance.now();
      shown[m[0]] = t;
      requestAnimationFrame(() => { painted[m[0]] = performance.now(); });
    }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') seen(r.target.data);
      for (const n of r.addedNodes) seen(n.textContent);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

/** What PROBE leaves on window: performance.now() per marker. */
interface BenchWindow {
  __bench: {
    arrived: Record<string, number>;
    shown: Record<string, number>;
    painted: Record<string, number>;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function row(name: string, values: number[], missed: number): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(2));
  return `| ${name} | ${values.length} (${missed} not shown) | ${f(percentile(s, 50))} | ${f(percentile(s, 99))} | ${f(s.at(-1))} |`;
}

/** Waits until the page saw marker `m` (or 3 s), then returns [arrival→DOM, arrival→frame] in ms. */
async function timing(page: Page, m: string): Promise<[number, number] | null> {
  try {
    await page.waitForFunction((k) => k in (window as unknown as BenchWindow).__bench.painted, m, {
      timeout: 3000,
    });
  } catch {
    return null;
  }
  return page.evaluate((k) => {
    const b = (window as unknown as BenchWindow).__bench;
    return [b.shown[k] - b.arrived[k], b.painted[k] - b.arrived[k]] as [number, number];
  }, m);
}

async function reference(browser: Browser): Promise<{ dom: number[]; paint: number[]; missed: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><main id="list"></main><script>
      const ws = new WebSocket('ws://' + location.host);
      ws.onmessage = (e) => { const d = document.createElement('div'); d.textContent = JSON.parse(e.data).body; list.append(d); };
    </script>`);
  });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(PROBE);
  const socket = new Promise<import('ws').WebSocket>((r) => wss.once('connection', r));
  await page.goto(url);
  const ws = await socket;
  const dom: number[] = [];
  const paint: number[] = [];
  let missed = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const m = `BENCH-${900000 + i}`;
    ws.send(JSON.stringify({ type: 'message', body: `Visitor says ${m}` }));
    const t = await timing(page, m);
    if (t) {
      dom.push(t[0]);
      paint.push(t[1]);
    } else missed++;
  }
  await page.context().close();
  wss.close();
  server.close();
  return { dom, paint, missed };
}

async function main() {
  const stack = await startBenchStack('build');
  const db = postgres(stack.dbUrl, { max: 1, onnotice: () => {} });
  const visitors: TestClient[] = [];
  let browser: Browser | undefined;
  try {
    // Tom may hold 25 chats; the site is always open; nobody else is online to take the offers.
    await db`update public.org_members set max_chats = 25 where user_id = ${TOM.id}`;
    await db`update public.group_members set max_chats = 25 where user_id = ${TOM.id}`;
    await db`update public.sites set business_hours = '{}' where site_key = 'acme_travel_demo'`;

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({
      baseURL: stack.adminUrl,
      viewport: { width: 1360, height: 860 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.addInitScript(PROBE);
    await page.goto('/login');
    await page.getByLabel('Email').fill(TOM.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.goto('/console');
    await page.locator('[data-testid=feed-status][data-status=open]').waitFor();
    await page.getByRole('radio', { name: 'Online' }).click();
    await db`update public.agent_status set max_chats = 25 where user_id = ${TOM.id}`;

    // --- 20 chats, each accepted by Tom ---------------------------------------------------------
    const conversations: string[] = [];
    for (let i = 0; i < CHATS; i++) {
      const res = await fetch(`${stack.chatUrl}/v1/widget/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE_ORIGIN },
        body: JSON.stringify({ site: 'acme_travel_demo' }),
      });
      if (res.status !== 200) throw new Error(`widget session: ${res.status} ${await res.text()}`);
      const { token } = (await res.json()) as { token: string };
      const v = await connect(stack.chatUrl, token, { origin: SITE_ORIGIN });
      visitors.push(v);
      await v.next('welcome');
      v.send({
        type: 'conversation.start',
        ref: `s${i}`,
        topic: 'Payments and refunds',
        name: `Visitor ${i + 1}`,
        firstMessage: { clientMsgId: `first-${i}`, body: `Hello, this is visitor ${i + 1}` },
      });
      const started = await v.next('conversation', (f) => f.ref === `s${i}`, 10_000);
      conversations.push(started.conversation.id);
      const offer = page.getByTestId('offer');
      await offer.getByRole('button', { name: 'Accept' }).click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=chat-item]').length >= n,
        i + 1,
      );
    }
    const open = await page.getByTestId('chat-item').count();
    const active = (await page.getByTestId('conversation-title').textContent())?.trim() ?? '';
    const activeIndex = visitors.findIndex((_, i) => active === `Visitor ${i + 1}`);

    // --- messages, one at a time -----------------------------------------------------------------
    const openDom: number[] = [];
    const openPaint: number[] = [];
    const otherDom: number[] = [];
    const otherPaint: number[] = [];
    let openMissed = 0;
    let otherMissed = 0;
    for (let k = 0; k < MESSAGES; k++) {
      // Every other message to the open chat, the rest spread over the 19 others.
      const i = k % 2 === 0 && activeIndex >= 0 ? activeIndex : (k * 7) % CHATS;
      const toOpen = i === activeIndex;
      const m = `BENCH-${k}`;
      visitors[i]?.send({
        type: 'message.send',
        conversationId: conversations[i],
        clientMsgId: `bench-${k}`,
        body: `Any news on my refund? ${m}`,
      });
      const t = await timing(page, m);
      if (!t) toOpen ? openMissed++ : otherMissed++;
      else if (toOpen) {
        openDom.push(t[0]);
        openPaint.push(t[1]);
      } else {
        otherDom.push(t[0]);
        otherPaint.push(t[1]);
      }
    }
    const ref = await reference(browser);

    console.log(`Console render: ${open} chats open in the console, open chat "${active}"`);
    console.log('');
    console.log('| measure (ms from frame arrival) | messages | p50 | p99 | max |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    console.log(row('console, open chat: text in the DOM', openDom, openMissed));
    console.log(row('console, open chat: next animation frame', openPaint, openMissed));
    console.log(row('console, another chat: text in the DOM (list item)', otherDom, otherMissed));
    console.log(row('console, another chat: next animation frame', otherPaint, otherMissed));
    console.log(row('reference: bare page appends a div', ref.dom, ref.missed));
    console.log(row('reference: next animation frame', ref.paint, ref.missed));
  } finally {
    for (const v of visitors) await v.close().catch(() => {});
    await browser?.close();
    await db.end({ timeout: 2 });
    await stack.stop();
  }
}

await main();
