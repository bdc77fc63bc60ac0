/**
 * A small static server for the widget's demo site ("Acme Travel") and its test pages. Pages are
 * HTML files with a {{CHAT_SERVER}} placeholder (the script tag's data-server); every answer
 * carries a strict Content-Security-Policy, so the demo proves the widget needs no inline script
 * or style and no eval. Used by `npm start` (scripts/services/widget-demo.ts), the end-to-end
 * tests and the bench.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WIDGET_DIR = resolve(fileURLToPath(import.meta.url), '../..');

export interface DemoServerOptions {
  /** The chat server's base URL, e.g. http://127.0.0.1:8787 (goes into data-server and the CSP). */
  chatServerUrl: string;
  port?: number;
  host?: string;
  /** Where widget.js and widget.css are (default widget/dist). */
  distDir?: string;
  /** Also serve widget/test/pages under /test/ (tests and bench). */
  testPages?: boolean;
}

export interface DemoServer {
  /** e.g. http://localhost:5180 — localhost, because the seeded site allows that host. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const chat = new URL(options.chatServerUrl).origin;
  const roots: [prefix: string, dir: string][] = [
    ['/widget.', options.distDir ?? join(WIDGET_DIR, 'dist')],
    ['/', join(WIDGET_DIR, 'demo/public')],
  ];
  if (options.testPages) roots.unshift(['/test/', join(WIDGET_DIR, 'test/pages')]);
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${chat}`,
    `connect-src 'self' ${chat} ${chat.replace(/^http/, 'ws')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = locate(roots, path === '/' ? '/index.html' : path);
      const body = file ? await readFile(file).catch(() => null) : null;
      if (!file || !body) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      const headers: Record<string, string> = {
        'content-type': type,
        'cache-control': 'no-cache',
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        // The widget may be loaded by pages on other ports (tests, bench).
        'access-control-allow-origin': '*',
      };
      if (type.startsWith('text/html')) {
        const html = body.toString('utf8').replaceAll('{{CHAT_SERVER}}', escapeAttribute(chat));
        res.writeHead(200, headers).end(html);
      } else {
        res.writeHead(200, headers).end(body);
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/** The file for a URL path under one of the roots, never outside it (no ../ escapes). */
function locate(roots: [string, string][], path: string): string | null {
  for (const [prefix, dir] of roots) {
    if (!path.startsWith(prefix)) continue;
    const relative = prefix.endsWith('.') ? `widget.${path.slice(prefix.length)}` : path.slice(prefix.length);
    const full = normalize(join(dir, relative));
    if (full.startsWith(dir + '/') && !full.includes('\0')) return full;
  }
  return null;
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
