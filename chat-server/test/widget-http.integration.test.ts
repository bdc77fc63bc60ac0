/**
 * The widget's HTTP endpoints through real HTTP against a real server and the seeded database.
 * Availability is toggled on a site, organization and agent created here, so other test files
 * that set demo agents online or offline cannot make these tests flaky (nor the reverse).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import jwt from 'jsonwebtoken';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChatServer } from '../src/server.ts';
import { isOpenAt } from '../src/sites/business-hours.ts';
import type { PublicWidgetConfig } from '../src/sites/public-config.ts';
import { startChatServer } from './helpers/chat-server.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';

const ACME = { key: 'acme_travel_demo', id: '40000000-0000-4000-8000-000000000001' };
const GLOBEX_KEY = 'globex_shop_demo';
const PAGE = 'http://localhost:5173';

function post(base: string, body: unknown, headers: Record<string, string> = { origin: PAGE }) {
  return fetch(`${base}/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface SessionAnswer {
  token: string;
  expiresAt: string;
  resumed: boolean;
  visitor: { id: string; name: string; email: string };
  openConversationId: string | null;
}

async function sessionOf(res: Response | Promise<Response>): Promise<SessionAnswer> {
  return (await (await res).json()) as SessionAnswer;
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe('widget HTTP', () => {
  let server: ChatServer;
  const admin = postgres(inject('supabase').dbUrl, { max: 1, onnotice: () => {} });
  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(async () => {
    await server?.close();
    await admin.end({ timeout: 1 });
  });

  describe('GET /v1/widget/config', () => {
    it('answers the Acme Travel settings with greeting, topics and pre-chat fields', async () => {
      const asked = new Date();
      const res = await fetch(`${server.url}/v1/widget/config?site=${ACME.key}`, {
        headers: { origin: PAGE },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
      expect(res.headers.get('vary')).toBe('Origin');
      const config = (await res.json()) as PublicWidgetConfig;
      expect(config).toMatchObject({
        protocolVersion: 1,
        site: { key: ACME.key, name: 'acmetravel.test', title: 'Acme Travel' },
        widget: { color: '#0e7490', position: 'right', launcherText: 'Chat with us' },
        timeZone: 'Europe/Berlin',
        topics: [
          { label: 'A new or existing booking' },
          { label: 'Payments and refunds' },
          { label: 'Website or app problem' },
        ],
      });
      // The seeded greetings cover the whole day, so one always applies.
      expect(config.greeting).toMatch(/^Good (morning|afternoon|evening)!/);
      expect(config.prechatFields).toEqual([
        { name: 'booking_ref', label: 'Booking reference', type: 'text', required: false },
      ]);
      expect(config.businessHours.sat).toEqual([{ open: '10:00', close: '16:00' }]);
      expect(Object.keys(config.businessHours)).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat']);
      // The server looked at its clock before we look at ours: across an opening or closing
      // minute the two can differ, so the answer must match one of the two moments around it.
      expect([
        isOpenAt(config.businessHours, 'Europe/Berlin', asked),
        isOpenAt(config.businessHours, 'Europe/Berlin', new Date()),
      ]).toContain(config.open);
      expect(config.available).toBe(config.open && config.agentsOnline);
      // Nothing internal: no group, organization or client ids, no allowed domains.
      const text = JSON.stringify(config);
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(text).not.toContain('acmetravel.test"]');
      expect(config).not.toHaveProperty('allowedDomains');
    });

    it('answers 404 for an unknown site and 400 without a site', async () => {
      const unknown = await fetch(`${server.url}/v1/widget/config?site=no_such_site`, {
        headers: { origin: PAGE },
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'Unknown site key' } });
      const missing = await fetch(`${server.url}/v1/widget/config`);
      expect(missing.status).toBe(400);
      expect((await errorOf(missing)).message).toMatch(/Missing \?site=/);
    });

    it('refuses a disallowed browser Origin with 403 and answers a request without Origin', async () => {
      const evil = await fetch(`${server.url}/v1/widget/config?site=${ACME.key}`, {
        headers: { origin: 'http://evil.test' },
      });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      const error = await errorOf(evil);
      expect(error.code).toBe('forbidden_origin');
      expect(error.message).toContain('"http://evil.test"');
      expect(error.message).toContain('"acme_travel_demo"');
      const noOrigin = await fetch(`${server.url}/v1/widget/config?site=${ACME.key}`);
      expect(noOrigin.status).toBe(200);
      expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('answers a preflight with Allow-Origin only for the site domains', async () => {
      const ok = await fetch(`${server.url}/v1/widget/config?site=${ACME.key}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://www.acmetravel.test', 'access-control-request-method': 'GET' },
      });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://www.acmetravel.test');
      expect(ok.headers.get('access-control-allow-methods')).toBe('GET');
      const evil = await fetch(`${server.url}/v1/widget/config?site=${ACME.key}`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.test', 'access-control-request-method': 'GET' },
      });
      expect(evil.status).toBe(204);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    });

    describe('availability', () => {
      const ids = {
        org: randomUUID(),
        client: randomUUID(),
        group: randomUUID(),
        other: randomUUID(),
        site: randomUUID(),
        agent: randomUUID(),
      };
      const siteKey = `wt_${ids.site.slice(0, 8)}`;
      const setStatus = (status: string) =>
        admin`update public.agent_status set status = ${status} where org_id = ${ids.org} and user_id = ${ids.agent}`;
      const config = async () =>
        (await (await fetch(`${server.url}/v1/widget/config?site=${siteKey}`)).json()) as Record<
          string,
          unknown
        >;

      beforeAll(async () => {
        await admin.begin(async (tx) => {
          await tx`insert into auth.users (instance_id, id, aud, role, email) values
            ('00000000-0000-0000-0000-000000000000', ${ids.agent}, 'authenticated', 'authenticated', ${`${siteKey}@widget.test`})`;
          await tx`insert into public.organizations (id, name, slug) values (${ids.org}, 'Widget test', ${siteKey.replace('_', '-')})`;
          await tx`insert into public.clients (org_id, id, name) values (${ids.org}, ${ids.client}, 'Widget client')`;
          await tx`insert into public.groups (org_id, id, name) values (${ids.org}, ${ids.group}, 'Sales'), (${ids.org}, ${ids.other}, 'Elsewhere')`;
          await tx`insert into public.org_members (org_id, user_id, role) values (${ids.org}, ${ids.agent}, 'agent')`;
          await tx`insert into public.agent_status (org_id, user_id, status) values (${ids.org}, ${ids.agent}, 'offline')`;
          await tx`insert into public.sites (org_id, client_id, id, name, site_key, allowed_domains, topics, default_group_id)
            values (${ids.org}, ${ids.client}, ${ids.site}, 'widget.test', ${siteKey}, '{widget.test}',
                    ${tx.json([{ label: 'Sales', group_id: ids.group }])}, ${ids.group})`;
        });
      });
      afterAll(async () => {
        await admin`delete from public.organizations where id = ${ids.org}`;
        await admin`delete from auth.users where id = ${ids.agent}`;
      });

      it('says nobody is available while the only agent is offline, then available once online', async () => {
        await admin`insert into public.group_members (org_id, group_id, user_id) values (${ids.org}, ${ids.group}, ${ids.agent})`;
        expect(await config()).toMatchObject({ open: true, agentsOnline: false, available: false });
        await setStatus('online');
        expect(await config()).toMatchObject({ open: true, agentsOnline: true, available: true });
        await setStatus('away');
        expect(await config()).toMatchObject({ agentsOnline: false, available: false });
        await admin`delete from public.group_members where group_id = ${ids.group}`;
      });

      it('counts only agents of the groups the site routes to, and only active members', async () => {
        await admin`insert into public.group_members (org_id, group_id, user_id) values (${ids.org}, ${ids.other}, ${ids.agent})`;
        await setStatus('online');
        expect(await config()).toMatchObject({ agentsOnline: false, available: false });
        await admin`insert into public.group_members (org_id, group_id, user_id) values (${ids.org}, ${ids.group}, ${ids.agent})`;
        expect(await config()).toMatchObject({ agentsOnline: true });
        await admin`update public.org_members set active = false where org_id = ${ids.org}`;
        expect(await config()).toMatchObject({ agentsOnline: false });
        await admin`update public.org_members set active = true where org_id = ${ids.org}`;
      });

      it('is closed outside business hours even with an agent online', async () => {
        await setStatus('online');
        // Open one minute a week, on a day that is not today in UTC: closed now.
        const today = new Date().getUTCDay();
        const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(today + 3) % 7] as string;
        await admin`update public.sites set business_hours = ${admin.json({ [day]: [{ open: '12:00', close: '12:01' }] })}
          where id = ${ids.site}`;
        expect(await config()).toMatchObject({ open: false, agentsOnline: true, available: false });
      });
    });
  });

  describe('POST /v1/widget/session', () => {
    it('creates a visitor for an allowed origin and signs a token that names it', async () => {
      const res = await post(server.url, { site: ACME.key, locale: 'de-DE', userAgent: 'widget-test' });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
      const body = await sessionOf(res);
      expect(body).toMatchObject({
        resumed: false,
        openConversationId: null,
        visitor: { name: '', email: '' },
      });
      expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 86_400_000);
      const claims = server.app.visitorTokens.verify(body.token);
      expect(claims).toMatchObject({
        sub: body.visitor.id,
        site: ACME.id,
        org: '10000000-0000-4000-8000-000000000001',
        client: '30000000-0000-4000-8000-000000000001',
      });
      const [row] =
        await admin`select site_id, locale, user_agent from public.visitors where id = ${body.visitor.id}`;
      expect(row).toEqual({ site_id: ACME.id, locale: 'de-DE', user_agent: 'widget-test' });
    });

    it('accepts wildcard domains: www.acmetravel.test matches *.acmetravel.test', async () => {
      const res = await post(server.url, { site: ACME.key }, { origin: 'https://www.acmetravel.test' });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://www.acmetravel.test');
    });

    it('resumes the same visitor with its token, with a fresh token and its open conversation', async () => {
      const first = await sessionOf(post(server.url, { site: ACME.key }));
      const [before] = await admin`select last_seen_at from public.visitors where id = ${first.visitor.id}`;
      const [conversation] =
        await admin`insert into public.conversations (org_id, client_id, site_id, visitor_id)
        select org_id, client_id, site_id, id from public.visitors where id = ${first.visitor.id} returning id`;
      await new Promise((r) => setTimeout(r, 1100)); // a new token differs only if its iat differs
      const res = await post(server.url, { site: ACME.key, token: first.token });
      expect(res.status).toBe(200);
      const second = await sessionOf(res);
      expect(second.visitor.id).toBe(first.visitor.id);
      expect(second.resumed).toBe(true);
      expect(second.openConversationId).toBe(conversation?.id);
      expect(second.token).not.toBe(first.token);
      expect(server.app.visitorTokens.verify(second.token).sub).toBe(first.visitor.id);
      const [after] = await admin`select last_seen_at from public.visitors where id = ${first.visitor.id}`;
      expect(after?.last_seen_at.getTime()).toBeGreaterThan(before?.last_seen_at.getTime());
    });

    it('refuses a token of another site with 401 unauthorized', async () => {
      const globex = await sessionOf(post(server.url, { site: GLOBEX_KEY }));
      const res = await post(server.url, { site: ACME.key, token: globex.token });
      expect(res.status).toBe(401);
      expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
      const error = await errorOf(res);
      expect(error.code).toBe('unauthorized');
      expect(error.message).toMatch(/another site/);
    });

    it('refuses an expired token with 401 token_expired and a forged one with 401 unauthorized', async () => {
      const created = await sessionOf(post(server.url, { site: ACME.key }));
      const claims = server.app.visitorTokens.verify(created.token);
      const secret = server.app.config.visitorTokenSecret;
      const expired = jwt.sign(
        {
          org: claims.org,
          client: claims.client,
          site: claims.site,
          exp: Math.floor(Date.now() / 1000) - 60,
        },
        secret,
        { algorithm: 'HS256', subject: claims.sub, audience: 'chat-visitor', issuer: 'chat-server' },
      );
      const res = await post(server.url, { site: ACME.key, token: expired });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatchObject({
        code: 'token_expired',
        message: expect.stringMatching(/expired/),
      });

      const forged = jwt.sign({ org: claims.org, client: claims.client, site: claims.site }, 'x'.repeat(40), {
        subject: claims.sub,
        audience: 'chat-visitor',
        issuer: 'chat-server',
      });
      for (const token of [forged, 'not-a-jwt']) {
        const bad = await post(server.url, { site: ACME.key, token });
        expect(bad.status).toBe(401);
        expect((await errorOf(bad)).code).toBe('unauthorized');
      }
    });

    it('refuses a token whose visitor was deleted with 401 unauthorized', async () => {
      const created = await sessionOf(post(server.url, { site: ACME.key }));
      await admin`delete from public.visitors where id = ${created.visitor.id}`;
      const res = await post(server.url, { site: ACME.key, token: created.token });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatchObject({
        code: 'unauthorized',
        message: expect.stringMatching(/no longer exists/),
      });
    });

    it('refuses a disallowed or missing Origin with 403 naming the origin and the site', async () => {
      const evil = await post(server.url, { site: ACME.key }, { origin: 'http://evil.test' });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      const error = await errorOf(evil);
      expect(error.code).toBe('forbidden_origin');
      expect(error.message).toContain('"http://evil.test"');
      expect(error.message).toContain('"acme_travel_demo"');

      // A look-alike host is not a subdomain.
      const lookalike = await post(server.url, { site: ACME.key }, { origin: 'https://evilacmetravel.test' });
      expect(lookalike.status).toBe(403);

      const none = await post(server.url, { site: ACME.key }, {});
      expect(none.status).toBe(403);
      expect(await errorOf(none)).toMatchObject({
        code: 'forbidden_origin',
        message: expect.stringMatching(/no Origin/),
      });

      const nullOrigin = await post(server.url, { site: ACME.key }, { origin: 'null' });
      expect(nullOrigin.status).toBe(403);
    });

    it('answers 404 for an unknown site', async () => {
      const res = await post(server.url, { site: 'no_such_site' });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toEqual({ code: 'not_found', message: 'Unknown site key' });
    });

    it('answers 400 for malformed JSON, unknown fields and wrong types, naming the problem', async () => {
      const malformed = await post(server.url, '{"site": ');
      expect(malformed.status).toBe(400);
      expect(await errorOf(malformed)).toMatchObject({
        code: 'bad_request',
        message: expect.stringMatching(/not valid JSON/),
      });

      const unknown = await post(server.url, { site: ACME.key, isAdmin: true });
      expect(unknown.status).toBe(400);
      expect((await errorOf(unknown)).message).toMatch(/isAdmin/);

      const wrongType = await post(server.url, { site: 42 });
      expect(wrongType.status).toBe(400);
      expect((await errorOf(wrongType)).message).toMatch(/site/);

      const badLocale = await post(server.url, { site: ACME.key, locale: '<script>' });
      expect(badLocale.status).toBe(400);
      expect((await errorOf(badLocale)).message).toMatch(/locale/);

      for (const body of ['[]', 'null', '"site"', '']) {
        const res = await post(server.url, body);
        expect(res.status).toBe(400);
      }
    });

    it('answers 415 for a body that is not JSON', async () => {
      const res = await fetch(`${server.url}/v1/widget/session`, {
        method: 'POST',
        headers: { origin: PAGE, 'content-type': 'text/plain' },
        body: JSON.stringify({ site: ACME.key }),
      });
      expect(res.status).toBe(415);
    });

    it('answers 413 for a body over 8 KB, with or without a Content-Length', async () => {
      const big = JSON.stringify({ site: ACME.key, userAgent: 'x'.repeat(9000) });
      const declared = await post(server.url, big);
      expect(declared.status).toBe(413);
      expect((await errorOf(declared)).code).toBe('payload_too_large');

      // Chunked: the limit is enforced while reading.
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/v1/widget/session`, {
          method: 'POST',
          headers: { origin: PAGE, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write(big.slice(0, 5000));
        req.end(big.slice(5000));
      });
      expect(status).toBe(413);
    });

    it('answers a preflight for any web origin (the POST itself checks the site)', async () => {
      const res = await fetch(`${server.url}/v1/widget/session`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://www.acmetravel.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://www.acmetravel.test');
      expect(res.headers.get('access-control-allow-methods')).toBe('POST');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
    });
  });
});

describe('widget session rate limits', () => {
  it('answers 429 with Retry-After after the per-IP limit', async () => {
    const server = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '3' });
    try {
      for (let i = 0; i < 3; i++) expect((await post(server.url, { site: ACME.key })).status).toBe(200);
      const limited = await post(server.url, { site: ACME.key });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.headers.get('access-control-allow-origin')).toBe(PAGE);
      expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After');
      expect((await errorOf(limited)).code).toBe('rate_limited');
    } finally {
      await server.close();
    }
  });

  it('keys on X-Forwarded-For only when TRUST_PROXY is set', async () => {
    const trusting = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1', TRUST_PROXY: 'true' });
    const direct = await startChatServer({ WIDGET_SESSION_RATE_LIMIT: '1' });
    try {
      const from = (ip: string) => ({ origin: PAGE, 'x-forwarded-for': `${ip}, 10.0.0.1` });
      expect((await post(trusting.url, { site: ACME.key }, from('203.0.113.1'))).status).toBe(200);
      expect((await post(trusting.url, { site: ACME.key }, from('203.0.113.1'))).status).toBe(429);
      expect((await post(trusting.url, { site: ACME.key }, from('203.0.113.2'))).status).toBe(200);
      // Without a trusted proxy, a client cannot pick a new key by sending another header.
      expect((await post(direct.url, { site: ACME.key }, from('203.0.113.1'))).status).toBe(200);
      expect((await post(direct.url, { site: ACME.key }, from('203.0.113.2'))).status).toBe(429);
    } finally {
      await Promise.all([trusting.close(), direct.close()]);
    }
  });

  describe('with Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('shares the count across instances', async () => {
      const env = { REDIS_URL: redis.url, WIDGET_SESSION_RATE_LIMIT: '3' };
      const [a, b] = await Promise.all([startChatServer(env), startChatServer(env)]);
      try {
        expect((await post(a.url, { site: ACME.key })).status).toBe(200);
        expect((await post(b.url, { site: ACME.key })).status).toBe(200);
        expect((await post(a.url, { site: ACME.key })).status).toBe(200);
        expect((await post(b.url, { site: ACME.key })).status).toBe(429);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});
