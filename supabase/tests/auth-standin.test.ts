/**
 * The auth stand-in through supabase-js's own auth API: supabase-js → gateway → stand-in → Postgres.
 *
 * Two cases need settings the shared stack does not have: a 1-second access-token lifetime (an expired
 * token without sleeping an hour) and a 0-second refresh-token reuse interval (a replay is refused at
 * once), plus capturing the log where invite mails go. For those the file starts a second stand-in on
 * the same database and talks to it with supabase-js's AuthClient directly; it passes the apikey and the
 * default `Authorization: Bearer <anon key>` itself, which is all the gateway adds for auth routes.
 */
import { randomUUID } from 'node:crypto';
import { AuthAdminApi, AuthClient, isAuthApiError, type User } from '@supabase/supabase-js';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AuthStandin, startAuthStandin } from '../local/auth-standin/index.ts';
import { DEMO_PASSWORD } from '../local/defaults.ts';
import { findFreePort } from '../local/ports.ts';
import { anonClient, serviceClient, superuserSql } from './helpers/index.ts';

const clientOptions = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A unique address per run, so reruns and other test files never collide. */
const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@auth-standin.test`;

const decode = (token: string) => jwt.decode(token) as Record<string, unknown>;

/** A link from a mail or generate_link, pointed at `base` (the link's origin is the configured public URL). */
function onHost(link: string, base: string): string {
  const url = new URL(link);
  return new URL(`${url.pathname}${url.search}`, base).toString();
}

/** Follows a /verify link without following its redirect; returns the fragment's parameters. */
async function followVerifyLink(
  link: string,
): Promise<{ status: number; location: URL; fragment: URLSearchParams }> {
  const response = await fetch(link, { redirect: 'manual' });
  const location = new URL(response.headers.get('location') ?? 'about:blank');
  return { status: response.status, location, fragment: new URLSearchParams(location.hash.slice(1)) };
}

const sql = superuserSql();
const createdUserIds: string[] = [];

/** Creates a confirmed user through the admin API and remembers it for cleanup. */
async function createUser(label: string, password = 'first-password-1'): Promise<User & { email: string }> {
  const email = uniqueEmail(label);
  const { data, error } = await serviceClient().auth.admin.createUser({
    email,
    password,
    email_confirm: true,
  });
  if (error) throw error;
  createdUserIds.push(data.user.id);
  return { ...data.user, email };
}

afterAll(async () => {
  const admin = serviceClient().auth.admin;
  for (const id of createdUserIds) await admin.deleteUser(id);
  await sql.end();
});

describe('auth stand-in behind the gateway', () => {
  it('signs in a seeded demo user whose password pgcrypto hashed', async () => {
    const { data, error } = await anonClient().auth.signInWithPassword({
      email: 'agent1@northwind.test',
      password: DEMO_PASSWORD,
    });
    expect(error).toBeNull();
    expect(data.user?.email).toBe('agent1@northwind.test');
    expect(data.session?.token_type).toBe('bearer');
    expect(data.session?.expires_in).toBe(3600);
    const [row] = await sql<{ last_sign_in_at: Date | null }[]>`
      select last_sign_in_at from auth.users where email = 'agent1@northwind.test'`;
    expect(row?.last_sign_in_at?.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('issues access tokens with every claim Supabase Auth issues, signed with the JWT secret', async () => {
    const user = await createUser('claims');
    const { data, error } = await anonClient().auth.signInWithPassword({
      email: user.email,
      password: 'first-password-1',
    });
    expect(error).toBeNull();
    const token = data.session?.access_token ?? '';
    const claims = jwt.verify(token, inject('supabase').jwtSecret, { algorithms: ['HS256'] }) as Record<
      string,
      unknown
    >;

    expect(claims.iss).toBe(`${inject('supabase').url}/auth/v1`);
    expect(claims.sub).toBe(user.id);
    expect(claims.aud).toBe('authenticated');
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(claims.email).toBe(user.email);
    expect(claims.phone).toBe('');
    expect(claims.role).toBe('authenticated');
    expect(claims.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect(claims.user_metadata).toEqual({ email_verified: true });
    expect(claims.session_id).toMatch(UUID);
    expect(claims.aal).toBe('aal1');
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect(claims.is_anonymous).toBe(false);
  });

  it('refreshSession rotates the refresh token within the same session and revokes the old one', async () => {
    const user = await createUser('refresh');
    const client = anonClient();
    const signIn = await client.auth.signInWithPassword({ email: user.email, password: 'first-password-1' });
    const first = signIn.data.session;
    if (!first) throw signIn.error;

    const { data, error } = await client.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(error).toBeNull();
    const second = data.session;
    expect(second?.refresh_token).toBeTruthy();
    expect(second?.refresh_token).not.toBe(first.refresh_token);
    expect(decode(second?.access_token ?? '').session_id).toBe(decode(first.access_token).session_id);
    const rows = await sql<{ token: string; revoked: boolean; parent: string | null }[]>`
      select token, revoked, parent from auth.refresh_tokens where user_id = ${user.id} order by id`;
    expect(rows).toEqual([
      { token: first.refresh_token, revoked: true, parent: null },
      { token: second?.refresh_token, revoked: false, parent: first.refresh_token },
    ]);
  });

  it('hands back the active refresh token when the previous one is presented again (a lost answer)', async () => {
    const user = await createUser('lost-answer');
    const client = anonClient();
    const signIn = await client.auth.signInWithPassword({ email: user.email, password: 'first-password-1' });
    const original = signIn.data.session?.refresh_token ?? '';
    const rotated = await client.auth.refreshSession({ refresh_token: original });
    const again = await client.auth.refreshSession({ refresh_token: original });
    expect(again.error).toBeNull();
    expect(again.data.session?.refresh_token).toBe(rotated.data.session?.refresh_token);
  });

  it('getUser returns the signed-in user with its identities', async () => {
    const user = await createUser('get-user');
    const client = anonClient();
    await client.auth.signInWithPassword({ email: user.email, password: 'first-password-1' });
    const { data, error } = await client.auth.getUser();
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
    expect(data.user?.email).toBe(user.email);
    expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', id: user.id, user_id: user.id });
  });

  it('updateUser changes password and metadata; the new password signs in, the old one no longer does', async () => {
    const user = await createUser('update-user');
    const client = anonClient();
    await client.auth.signInWithPassword({ email: user.email, password: 'first-password-1' });
    const { data, error } = await client.auth.updateUser({
      password: 'second-password-2',
      data: { full_name: 'Ann' },
    });
    expect(error).toBeNull();
    expect(data.user?.user_metadata).toMatchObject({ full_name: 'Ann', email_verified: true });

    const withNew = await anonClient().auth.signInWithPassword({
      email: user.email,
      password: 'second-password-2',
    });
    expect(withNew.error).toBeNull();
    const withOld = await anonClient().auth.signInWithPassword({
      email: user.email,
      password: 'first-password-1',
    });
    expect(isAuthApiError(withOld.error)).toBe(true);
    expect(withOld.error?.code).toBe('invalid_credentials');
  });

  it('signOut ends the session: its refresh token and access token stop working', async () => {
    const user = await createUser('sign-out');
    const client = anonClient();
    const signIn = await client.auth.signInWithPassword({ email: user.email, password: 'first-password-1' });
    const session = signIn.data.session;
    if (!session) throw signIn.error;

    const { error } = await client.auth.signOut();
    expect(error).toBeNull();
    const refresh = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refresh.error?.code).toBe('refresh_token_not_found');
    // GoTrue answers 403 session_not_found; supabase-js turns that into AuthSessionMissingError.
    const getUser = await anonClient().auth.getUser(session.access_token);
    expect(getUser.error?.name).toBe('AuthSessionMissingError');
  });

  it('signUp returns a session for a new email and user_already_exists for a taken one', async () => {
    const email = uniqueEmail('sign-up');
    const first = await anonClient().auth.signUp({
      email,
      password: 'sign-up-pass',
      options: { data: { plan: 'x' } },
    });
    expect(first.error).toBeNull();
    if (first.data.user) createdUserIds.push(first.data.user.id);
    expect(first.data.session?.access_token).toBeTruthy();
    expect(first.data.user?.user_metadata).toMatchObject({ plan: 'x' });
    expect(first.data.user?.email_confirmed_at).toBeTruthy();

    const second = await anonClient().auth.signUp({ email, password: 'another-pass' });
    expect(isAuthApiError(second.error)).toBe(true);
    expect(second.error?.status).toBe(422);
    expect(second.error?.code).toBe('user_already_exists');
  });

  it('a wrong password fails with invalid_credentials', async () => {
    const { data, error } = await anonClient().auth.signInWithPassword({
      email: 'agent1@northwind.test',
      password: 'not-the-password',
    });
    expect(data.session).toBeNull();
    expect(isAuthApiError(error)).toBe(true);
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('invalid_credentials');
    expect(error?.message).toBe('Invalid login credentials');
  });

  it('a token that is not a valid JWT fails with bad_jwt', async () => {
    const { error } = await anonClient().auth.getUser('not.a.jwt');
    expect(error?.status).toBe(403);
    expect(error?.code).toBe('bad_jwt');
  });
});

describe('admin API behind the gateway', () => {
  const admin = () => serviceClient().auth.admin;

  it('createUser, getUserById, updateUserById and deleteUser', async () => {
    const email = uniqueEmail('admin-crud');
    const created = await admin().createUser({
      email,
      password: 'admin-made-1',
      email_confirm: true,
      user_metadata: { full_name: 'Bo' },
      app_metadata: { org: 'northwind' },
    });
    expect(created.error).toBeNull();
    const id = created.data.user?.id ?? '';
    createdUserIds.push(id);
    expect(created.data.user?.app_metadata).toEqual({
      provider: 'email',
      providers: ['email'],
      org: 'northwind',
    });

    const fetched = await admin().getUserById(id);
    expect(fetched.data.user?.email).toBe(email);
    expect(fetched.data.user?.user_metadata).toMatchObject({ full_name: 'Bo' });

    const updated = await admin().updateUserById(id, {
      user_metadata: { full_name: null, team: 'B' },
      password: 'admin-made-2',
    });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toEqual({ email_verified: true, team: 'B' });
    const signIn = await anonClient().auth.signInWithPassword({ email, password: 'admin-made-2' });
    expect(signIn.error).toBeNull();

    const duplicate = await admin().createUser({ email, password: 'whatever-1' });
    expect(duplicate.error?.code).toBe('email_exists');

    expect((await admin().deleteUser(id)).error).toBeNull();
    const gone = await admin().getUserById(id);
    expect(gone.error?.status).toBe(404);
    expect(gone.error?.code).toBe('user_not_found');
  });

  it('listUsers pages with the total and next/last page from the headers', async () => {
    await createUser('list-a');
    await createUser('list-b');
    const [counted] = await sql<
      { n: number }[]
    >`select count(*)::int as n from auth.users where aud = 'authenticated'`;
    const total = counted?.n ?? 0;
    // supabase-js reads one digit of the page number from the Link header, so stay under 10 pages.
    const perPage = Math.ceil(total / 3);

    const first = await admin().listUsers({ page: 1, perPage });
    expect(first.error).toBeNull();
    expect(first.data.users).toHaveLength(perPage);
    expect(first.data).toMatchObject({
      total,
      nextPage: 2,
      lastPage: Math.ceil(total / perPage),
      aud: 'authenticated',
    });

    const second = await admin().listUsers({ page: 2, perPage });
    const firstIds = new Set(first.data.users.map((u) => u.id));
    expect(second.data.users.length).toBeGreaterThan(0);
    expect(second.data.users.some((u) => firstIds.has(u.id))).toBe(false);

    const { url, serviceRoleKey } = inject('supabase');
    const raw = await fetch(`${url}/auth/v1/admin/users?per_page=${perPage}&page=1`, {
      headers: { apikey: serviceRoleKey },
    });
    expect(raw.headers.get('x-total-count')).toBe(String(total));
    expect(raw.headers.get('link')).toBe(
      `</admin/users?page=2&per_page=${perPage}>; rel="next", </admin/users?page=${Math.ceil(total / perPage)}&per_page=${perPage}>; rel="last"`,
    );
  });

  it('refuses the admin API to the anon key and to a signed-in user with not_admin', async () => {
    const asAnon = await anonClient().auth.admin.listUsers();
    expect(asAnon.error?.status).toBe(403);
    expect(asAnon.error?.code).toBe('not_admin');

    const user = await createUser('not-admin');
    const signIn = await anonClient().auth.signInWithPassword({
      email: user.email,
      password: 'first-password-1',
    });
    const { url, anonKey } = inject('supabase');
    const asUser = new AuthAdminApi({
      url: `${url}/auth/v1`,
      headers: { apikey: anonKey, Authorization: `Bearer ${signIn.data.session?.access_token}` },
    });
    const created = await asUser.createUser({ email: uniqueEmail('never'), password: 'never-made-1' });
    expect(created.error?.code).toBe('not_admin');
  });

  it('inviteUserByEmail creates an invited user whose link signs them in through the gateway', async () => {
    const email = uniqueEmail('invite');
    const invited = await admin().inviteUserByEmail(email, { data: { full_name: 'Cy' } });
    expect(invited.error).toBeNull();
    createdUserIds.push(invited.data.user?.id ?? '');
    expect(invited.data.user?.invited_at).toBeTruthy();
    expect(invited.data.user?.email_confirmed_at).toBeUndefined();

    // The mail's link is in the stack's log; generate_link hands out an equivalent one.
    const link = await admin().generateLink({
      type: 'invite',
      email,
      options: { redirectTo: 'http://localhost:5173/welcome' },
    });
    expect(link.error).toBeNull();
    const { url } = inject('supabase');
    const followed = await followVerifyLink(onHost(link.data.properties?.action_link ?? '', url));
    expect(followed.status).toBe(303);
    expect(`${followed.location.origin}${followed.location.pathname}`).toBe('http://localhost:5173/welcome');
    expect(followed.fragment.get('type')).toBe('invite');
    expect(decode(followed.fragment.get('access_token') ?? '').sub).toBe(invited.data.user?.id);

    const stale = await followVerifyLink(onHost(link.data.properties?.action_link ?? '', url));
    expect(stale.fragment.get('error_code')).toBe('otp_expired');
  });
});

describe('protocol details behind the gateway', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) => {
    const { url, anonKey } = inject('supabase');
    return fetch(`${url}/auth/v1${path}`, {
      method: 'POST',
      headers: { apikey: anonKey, 'Content-Type': 'application/json', ...headers },
      body,
    });
  };

  it('answers malformed JSON with 400 bad_json in the error shape the request asked for', async () => {
    const initial = await post('/token?grant_type=password', '{"email":');
    expect(initial.status).toBe(400);
    expect(await initial.json()).toEqual({
      code: 400,
      error_code: 'bad_json',
      msg: 'Could not parse request body as JSON: unexpected end of JSON input',
    });

    const versioned = await post('/token?grant_type=password', '{"email":', {
      'X-Supabase-Api-Version': '2024-01-01',
    });
    expect(versioned.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await versioned.json()).toMatchObject({ code: 'bad_json' });
  });

  it('answers wrongly typed fields with bad_json and an unknown route with 404', async () => {
    const typed = await post('/signup', JSON.stringify({ email: 42, password: 'abcdefg' }));
    expect(typed.status).toBe(400);
    expect(((await typed.json()) as { msg: string }).msg).toMatch(
      /^Could not parse request body as JSON: email: /,
    );

    const unknown = await post('/no-such-route', '{}');
    expect(unknown.status).toBe(404);
  });

  it('serves /settings and /health in GoTrue’s shape', async () => {
    const { url, anonKey } = inject('supabase');
    const settings = await (await fetch(`${url}/auth/v1/settings`, { headers: { apikey: anonKey } })).json();
    expect(settings).toMatchObject({
      disable_signup: false,
      mailer_autoconfirm: true,
      external: { email: true, phone: false },
    });
    const health = await fetch(`${url}/auth/v1/health`, { headers: { apikey: anonKey } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ name: 'GoTrue' });
  });
});

describe('extra stand-ins on the same database: short lifetimes and a captured log', () => {
  /** Tokens live 1 s, so one can expire during the test. */
  let shortLived: AuthStandin;
  /** Replays are refused at once (no reuse interval) and mails are captured. */
  let strict: AuthStandin;
  const logLines: string[] = [];

  /** Starts a stand-in whose public URL is its own address, so its links work without the gateway. */
  async function startExtra(options: {
    jwtExpirySeconds?: number;
    refreshTokenReuseIntervalSeconds?: number;
  }) {
    const { dbUrl, jwtSecret } = inject('supabase');
    const port = await findFreePort();
    return startAuthStandin({
      dbUrl,
      jwtSecret,
      port,
      externalUrl: `http://127.0.0.1:${port}`,
      log: (line) => logLines.push(line),
      ...options,
    });
  }
  const client = (standin: AuthStandin) => {
    const { anonKey } = inject('supabase');
    return new AuthClient({
      url: standin.url,
      headers: { apikey: anonKey, Authorization: `Bearer ${anonKey}` },
      ...clientOptions,
    });
  };
  const adminClient = (standin: AuthStandin) => {
    const { serviceRoleKey } = inject('supabase');
    return new AuthAdminApi({
      url: standin.url,
      headers: { apikey: serviceRoleKey, Authorization: `Bearer ${serviceRoleKey}` },
    });
  };

  beforeAll(async () => {
    shortLived = await startExtra({ jwtExpirySeconds: 1 });
    strict = await startExtra({ refreshTokenReuseIntervalSeconds: 0 });
  });
  afterAll(async () => {
    await shortLived?.stop();
    await strict?.stop();
  });

  it('an expired access token makes getUser fail with bad_jwt', async () => {
    const user = await createUser('expired');
    const signIn = await client(shortLived).signInWithPassword({
      email: user.email,
      password: 'first-password-1',
    });
    const token = signIn.data.session?.access_token ?? '';
    expect(decode(token).exp).toBe((decode(token).iat as number) + 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));

    // The shared stack's stand-in (same secret, default lifetime) refuses it too: expiry is in the token.
    const { error } = await anonClient().auth.getUser(token);
    expect(isAuthApiError(error)).toBe(true);
    expect(error?.status).toBe(403);
    expect(error?.code).toBe('bad_jwt');
    expect(error?.message).toBe(
      'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
    );
  });

  it('a replayed refresh token fails with refresh_token_already_used and revokes the session', async () => {
    const user = await createUser('replay');
    const auth = client(strict);
    const signIn = await auth.signInWithPassword({ email: user.email, password: 'first-password-1' });
    const first = signIn.data.session?.refresh_token ?? '';
    const second = (await auth.refreshSession({ refresh_token: first })).data.session?.refresh_token ?? '';
    const third = (await auth.refreshSession({ refresh_token: second })).data.session?.refresh_token ?? '';
    expect(new Set([first, second, third]).size).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 50)); // past the 0-second reuse interval

    const replay = await auth.refreshSession({ refresh_token: first });
    expect(isAuthApiError(replay.error)).toBe(true);
    expect(replay.error?.status).toBe(400);
    expect(replay.error?.code).toBe('refresh_token_already_used');
    // The replay is treated as theft: the newest token of that session is dead too.
    const afterwards = await auth.refreshSession({ refresh_token: third });
    expect(afterwards.error?.code).toBe('refresh_token_already_used');
  });

  it('logs the invite link; following it signs the user in so they can set a password', async () => {
    const email = uniqueEmail('invited-agent');
    const invited = await adminClient(strict).inviteUserByEmail(email, {
      redirectTo: 'http://localhost:5173/set-password',
    });
    expect(invited.error).toBeNull();
    createdUserIds.push(invited.data.user?.id ?? '');

    const line = logLines.find((l) => l.includes(`invite mail for ${email}`)) ?? '';
    const link = /(http\S+\/verify\?\S+)/.exec(line)?.[1] ?? '';
    expect(link.startsWith(`${strict.url}/verify?token=`)).toBe(true);
    const followed = await followVerifyLink(link);
    expect(followed.status).toBe(303);
    expect(followed.location.pathname).toBe('/set-password');
    expect(followed.fragment.get('type')).toBe('invite');
    expect(followed.fragment.get('token_type')).toBe('bearer');

    const auth = client(strict);
    const set = await auth.setSession({
      access_token: followed.fragment.get('access_token') ?? '',
      refresh_token: followed.fragment.get('refresh_token') ?? '',
    });
    expect(set.error).toBeNull();
    expect((await auth.updateUser({ password: 'chosen-by-agent' })).error).toBeNull();

    const signIn = await anonClient().auth.signInWithPassword({ email, password: 'chosen-by-agent' });
    expect(signIn.error).toBeNull();
    expect(signIn.data.user?.email_confirmed_at).toBeTruthy();
  });
});
