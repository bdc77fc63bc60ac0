import {
  Agent,
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_HOST } from './ports.ts';
import type { LogFn } from './processes.ts';

/**
 * The one HTTP entry point of the local stack, standing in for the Kong gateway of a Supabase project:
 * routes /rest/v1 to PostgREST and /auth/v1 to the auth stand-in, answers CORS for browsers, and lets
 * through only requests carrying this stack's anon or service_role key, as Supabase does.
 */
export interface GatewayOptions {
  /** 0 picks a free port. */
  port: number;
  restUrl: string;
  authUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  log: LogFn;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** Idempotent; closes open connections too. */
  stop(): Promise<void>;
}

interface Route {
  prefix: string;
  name: string;
  upstream: string;
  /** Routes reached from links in e-mails (no headers possible), open on Supabase too. */
  open?: boolean;
}

/** Headers supabase-js (and PostgREST/GoTrue clients) send, allowed on every preflight. */
const ALLOWED_HEADERS = [
  'authorization',
  'apikey',
  'content-type',
  'x-client-info',
  'prefer',
  'range',
  'accept-profile',
  'content-profile',
  'x-supabase-api-version',
  'x-retry-count',
];

/** Response headers browsers may read: paging, counts and the API version among them. */
const EXPOSED_HEADERS = [
  'content-range',
  'range-unit',
  'content-location',
  'location',
  'content-profile',
  'preference-applied',
  'x-total-count',
  'link',
  'x-supabase-api-version',
  'content-encoding',
  'content-type',
  'date',
].join(', ');

const ALLOWED_METHODS = 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS';

/** Connection-level headers that must not be copied from one hop to the next. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { log } = options;
  const validKeys = new Set([options.anonKey, options.serviceRoleKey]);
  const routes: Route[] = [
    { prefix: '/auth/v1/verify', name: 'auth', upstream: `${options.authUrl}/verify`, open: true },
    { prefix: '/auth/v1/callback', name: 'auth', upstream: `${options.authUrl}/callback`, open: true },
    { prefix: '/auth/v1/authorize', name: 'auth', upstream: `${options.authUrl}/authorize`, open: true },
    { prefix: '/auth/v1', name: 'auth', upstream: options.authUrl },
    { prefix: '/rest/v1', name: 'rest', upstream: options.restUrl },
  ];
  // Reused upstream connections: supabase-js fires many small requests.
  const agent = new Agent({ keepAlive: true });

  const server = createServer((req, res) => {
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
    // Resolve dot segments before routing, so /rest/v1/../auth/v1 cannot slip past a route's rules.
    const path = new URL(rawPath, 'http://gateway').pathname;
    const route = routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));

    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    if (!route) return sendJson(res, 404, { message: 'no Route matched with those values' });

    const query = splitQuery(rawQuery);
    const apikey = headerValue(req.headers.apikey) ?? query.apikey;
    if (!route.open) {
      if (!apikey) {
        return sendJson(res, 401, {
          message: 'No API key found in request',
          hint: 'No `apikey` request header or url param was found.',
        });
      }
      if (!validKeys.has(apikey)) {
        return sendJson(res, 401, {
          message: 'Invalid API key',
          hint: 'Double check your Supabase `anon` or `service_role` API key.',
        });
      }
    }

    const headers = forwardHeaders(req, route);
    // Kong sends the API key as the bearer token when the client sent none, so the key's role applies.
    if (!headers.authorization && apikey && validKeys.has(apikey)) headers.authorization = `Bearer ${apikey}`;
    const rest = path.slice(route.prefix.length);
    const target = new URL(route.upstream);
    const upstreamPath = `${target.pathname.replace(/\/$/, '')}${rest}` || '/';
    proxy(req, res, {
      route,
      agent,
      log,
      url: target,
      path: query.rest ? `${upstreamPath}?${query.rest}` : upstreamPath,
      headers,
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: LOCAL_HOST }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${LOCAL_HOST}:${port}`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return stopped;
    },
  };
}

/** Streams the request to the upstream and its answer back, keeping status and headers. */
function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  target: { route: Route; agent: Agent; log: LogFn; url: URL; path: string; headers: OutgoingHttpHeaders },
): void {
  const upstream = request(
    {
      agent: target.agent,
      protocol: target.url.protocol,
      hostname: target.url.hostname,
      port: target.url.port,
      method: req.method,
      path: target.path,
      headers: { ...target.headers, host: target.url.host },
    },
    (upstreamRes) => {
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) {
        // The gateway owns CORS: an upstream's own CORS headers would appear twice and break browsers.
        if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('access-control-')) continue;
        headers[name] = value;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, { ...headers, ...corsHeaders() });
      upstreamRes.pipe(res);
      upstreamRes.once('error', () => res.destroy());
    },
  );
  upstream.once('error', (error) => {
    target.log(`[gateway] ${target.route.name} upstream ${target.url.host} failed: ${error.message}`);
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    sendJson(res, 502, {
      message: 'An invalid response was received from the upstream server',
      hint: `The ${target.route.name === 'rest' ? 'PostgREST' : 'auth'} service is not reachable (${error.message}).`,
    });
  });
  // The browser went away: stop the upstream work as well.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

function forwardHeaders(req: IncomingMessage, route: Route): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'host') continue;
    headers[name] = value;
  }
  const host = headerValue(req.headers.host);
  const forwardedFor = headerValue(req.headers['x-forwarded-for']);
  const clientAddress = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${clientAddress}` : clientAddress;
  headers['x-forwarded-proto'] = 'http';
  if (host) headers['x-forwarded-host'] = host;
  headers['x-forwarded-prefix'] = route.prefix;
  return headers;
}

function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  // Allow what supabase-js sends, plus whatever else this browser asks for (Kong reflects the request).
  const requested = (headerValue(req.headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const allowed = [...new Set([...ALLOWED_HEADERS, ...requested])].join(', ');
  res.writeHead(200, {
    ...corsHeaders(),
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': allowed,
    'access-control-max-age': '3600',
    'content-length': '0',
  });
  res.end();
}

function corsHeaders(): OutgoingHttpHeaders {
  return { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS };
}

function sendJson(res: ServerResponse, status: number, body: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...corsHeaders(),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Takes `apikey` out of a raw query string and keeps the rest byte for byte: PostgREST filters such as
 * `or=(a.eq.1,b.eq.2)` must reach it unchanged, and PostgREST would read `apikey` as a column filter.
 */
function splitQuery(rawQuery: string): { apikey?: string; rest: string } {
  let apikey: string | undefined;
  const kept: string[] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const [name = '', value = ''] = part.split(/=(.*)/s, 2);
    if (name === 'apikey') {
      apikey ??= safeDecode(value);
      continue;
    }
    kept.push(part);
  }
  return { apikey, rest: kept.join('&') };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
