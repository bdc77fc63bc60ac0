import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_USERS } from '../local/demo-users.ts';
import { startGateway } from '../local/gateway.ts';
import { type LocalSupabase, startLocalSupabase } from '../local/index.ts';
import { migrateDatabase } from '../local/migrate.ts';
import { splitSqlStatements } from '../local/sql-split.ts';
import { anonClient, serviceClient, superuserSql } from './helpers/index.ts';

const supabaseDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(supabaseDir, '..');

/** The headers supabase-js puts on its requests; a browser preflight must allow every one. */
const SUPABASE_JS_HEADERS = [
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

describe('gateway of the shared test stack', () => {
  it('answers a browser preflight with the headers supabase-js sends', async () => {
    const { url } = inject('supabase');
    const response = await fetch(`${url}/rest/v1/organizations`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': SUPABASE_JS_HEADERS.join(', '),
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    for (const header of SUPABASE_JS_HEADERS) expect(allowed).toContain(header);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
  });

  it('rejects a request without an API key as Supabase does', async () => {
    const response = await fetch(`${inject('supabase').url}/rest/v1/organizations`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ message: 'No API key found in request' });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects an API key that is not this stack’s anon or service_role key', async () => {
    const response = await fetch(`${inject('supabase').url}/rest/v1/organizations`, {
      headers: { apikey: 'not-a-key', authorization: `Bearer ${inject('supabase').anonKey}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ message: 'Invalid API key' });
  });

  it('serves PostgREST’s OpenAPI description with the anon key', async () => {
    const { url, anonKey } = inject('supabase');
    const response = await fetch(`${url}/rest/v1/`, { headers: { apikey: anonKey } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { swagger?: string; info?: { version?: string } };
    expect(body.swagger).toBe('2.0');
    expect(body.info?.version).toMatch(/^12\./);
  });

  it('uses the API key as the bearer token when there is no Authorization header', async () => {
    const { url, serviceRoleKey } = inject('supabase');
    // Only the apikey, as a query parameter: PostgREST must see service_role (which reads every row)
    // and must not see `apikey` as a column filter.
    const response = await fetch(`${url}/rest/v1/organizations?select=name&apikey=${serviceRoleKey}`, {
      headers: { prefer: 'count=exact' },
    });
    expect(response.status).toBe(200);
    const rows = (await response.json()) as Array<{ name: string }>;
    expect(rows.map((row) => row.name)).toContain('Northwind Support');
    expect(response.headers.get('content-range')).toMatch(/^0-\d+\/\d+$/);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/content-range/);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/\blink\b/);
  });

  it('works for supabase-js: the service key reads rows, the anon key reads none', async () => {
    const service = await serviceClient().from('organizations').select('name');
    expect(service.error).toBeNull();
    expect(service.data?.length).toBeGreaterThan(0);
    const anon = await anonClient().from('organizations').select('name');
    // Depending on the grants, anon gets an error or an empty list; never a row.
    expect(anon.data ?? []).toEqual([]);
  });

  it('routes /auth/v1 to the auth stand-in, with e-mail link routes open without a key', async () => {
    const { url, anonKey } = inject('supabase');
    const health = await fetch(`${url}/auth/v1/health`, { headers: { apikey: anonKey } });
    expect(health.status).toBe(200);
    const verify = await fetch(`${url}/auth/v1/verify?token=nope&type=signup`, { redirect: 'manual' });
    expect(verify.status).not.toBe(401);
    expect(await verify.text()).not.toMatch(/No API key found/);
  });

  it('answers unknown paths with a 404 JSON body', async () => {
    const { url, anonKey } = inject('supabase');
    const response = await fetch(`${url}/storage/v1/bucket`, { headers: { apikey: anonKey } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: 'no Route matched with those values' });
  });

  it('answers 502 with JSON when an upstream is down', async () => {
    const { anonKey, serviceRoleKey } = inject('supabase');
    const deadPort = await closedPort();
    const gateway = await startGateway({
      port: 0,
      restUrl: `http://127.0.0.1:${deadPort}`,
      authUrl: `http://127.0.0.1:${deadPort}`,
      anonKey,
      serviceRoleKey,
      log: () => {},
    });
    try {
      const response = await fetch(`${gateway.url}/rest/v1/organizations`, { headers: { apikey: anonKey } });
      expect(response.status).toBe(502);
      const body = (await response.json()) as { message: string; hint: string };
      expect(body.message).toMatch(/upstream/);
      expect(body.hint).toMatch(/PostgREST/);
    } finally {
      await gateway.stop();
    }
  });
});

describe('migrations on the shared test stack', () => {
  const sql = superuserSql();
  afterAll(() => sql.end());

  it('records every file of supabase/migrations in supabase_migrations.schema_migrations', async () => {
    const files = readdirSync(join(supabaseDir, 'migrations')).filter((name) => /^\d+_.+\.sql$/.test(name));
    const rows = await sql<{ version: string; name: string; statements: string[] }[]>`
      select version, name, statements from supabase_migrations.schema_migrations order by version`;
    const expected = files.sort().map((file) => {
      const [, version, name] = /^(\d+)_(.+)\.sql$/.exec(file)!;
      return { version, name };
    });
    expect(rows.map(({ version, name }) => ({ version, name }))).toEqual(expected);
    for (const row of rows) expect(row.statements.length).toBeGreaterThan(0);
  });

  it('names the file and line of a statement that does not parse', async () => {
    const dir = await migrationFixture(
      'create table broken_fixture (id int);\n\nselect frm nowhere where;\n',
    );
    try {
      await expect(
        migrateDatabase({ dbUrl: inject('supabase').dbUrl, seed: false, log: () => {}, paths: dir }),
      ).rejects.toThrow(/20990101000000_broken\.sql:3: syntax error/);
      const [row] = await sql`select to_regclass('public.broken_fixture') as table`;
      expect(row?.table).toBeNull(); // the failed file was rolled back
    } finally {
      await rm(dir.bootstrapDir, { recursive: true, force: true });
    }
  });

  it('names the file and line of a statement that fails while running', async () => {
    const dir = await migrationFixture(
      'create table broken_fixture (id int);\ninsert into broken_fixture\n  values (1 / 0);\n',
    );
    try {
      await expect(
        migrateDatabase({ dbUrl: inject('supabase').dbUrl, seed: false, log: () => {}, paths: dir }),
      ).rejects.toThrow(/20990101000000_broken\.sql:2: division by zero/);
      const recorded =
        await sql`select 1 from supabase_migrations.schema_migrations where version = '20990101000000'`;
      expect(recorded).toHaveLength(0);
    } finally {
      await rm(dir.bootstrapDir, { recursive: true, force: true });
    }
  });
});

describe('splitSqlStatements', () => {
  it('splits at top-level semicolons and reports each statement’s first line', () => {
    const statements = splitSqlStatements(
      '-- header; not a statement\nselect 1;\n\n/* a; b */ select\n  2;\n',
    );
    expect(statements).toEqual([
      { text: '-- header; not a statement\nselect 1', line: 2 },
      { text: '/* a; b */ select\n  2', line: 4 },
    ]);
  });

  it('keeps semicolons inside strings, identifiers, dollar quotes and begin atomic bodies', () => {
    const source = [
      "select 'a;b', E'c\\';d', \"odd;name\";",
      'create function f() returns int language plpgsql as $body$ begin return 1; end; $body$;',
      'create function g() returns int language sql begin atomic select case when true then 1 end; end;',
      'select $$x;y$$',
    ].join('\n');
    expect(splitSqlStatements(source).map((s) => s.line)).toEqual([1, 2, 3, 4]);
  });
});

describe('lifecycle of a stack of its own', () => {
  let dataDir: string;
  let second: LocalSupabase | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chat-supabase-lifecycle-'));
  });
  afterAll(async () => {
    await second?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a busy port before starting anything, naming the port', async () => {
    const { server, port } = await occupyPort();
    try {
      await expect(
        startLocalSupabase({ dataDir, gatewayPort: port, dbPort: 0, log: () => {} }),
      ).rejects.toThrow(`Port ${port} is already in use (gateway)`);
      await expect(
        startLocalSupabase({ dataDir, gatewayPort: 0, dbPort: port, log: () => {} }),
      ).rejects.toThrow(`Port ${port} is already in use (Postgres)`);
      expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('reuses the data of a previous start without seeding again', async () => {
    const firstLog: string[] = [];
    const first = await startLocalSupabase({
      dataDir,
      gatewayPort: 0,
      dbPort: 0,
      log: (l) => firstLog.push(l),
    });
    try {
      expect(firstLog.some((line) => line.includes('seeded the database'))).toBe(true);
      const sql = postgres(first.dbUrl, { max: 1, onnotice: () => {} });
      await sql`create table public.reuse_marker (note text)`;
      await sql`insert into public.reuse_marker values ('from the first start')`;
      await sql`update public.organizations set name = 'Renamed by test' where name = 'Northwind Support'`;
      await sql.end();
    } finally {
      await first.stop();
    }

    const secondLog: string[] = [];
    second = await startLocalSupabase({ dataDir, gatewayPort: 0, dbPort: 0, log: (l) => secondLog.push(l) });
    expect(secondLog.some((line) => line.includes('seeded the database'))).toBe(false);
    const sql = postgres(second.dbUrl, { max: 1, onnotice: () => {} });
    try {
      expect(await sql`select note from public.reuse_marker`).toEqual([{ note: 'from the first start' }]);
      const names = (await sql<{ name: string }[]>`select name from public.organizations`).map((r) => r.name);
      expect(names).toContain('Renamed by test');
      expect(names).not.toContain('Northwind Support');
    } finally {
      await sql.end();
    }
  });

  it('reports a crashed PostgREST through `exited` and stops the rest', async () => {
    const stack = second!;
    const { postgres: postgresPid, postgrest: postgrestPid } = stack.pids;
    expect(isAlive(postgresPid!)).toBe(true);
    process.kill(postgrestPid!, 'SIGKILL');
    const error = await withTimeout(stack.exited, 20_000, 'exited did not resolve');
    expect(error.message).toMatch(/PostgREST exited unexpectedly/);
    expect(isAlive(postgrestPid!)).toBe(false);
    expect(isAlive(postgresPid!)).toBe(false);
    await expect(fetch(`${stack.url}/rest/v1/`)).rejects.toThrow();
    await stack.stop(); // idempotent after the crash
    second = undefined;
  });

  it('runs as a CLI: prints URL, keys and logins, and exits 0 on SIGINT leaving no children', async () => {
    const cli = spawnCli(['start'], {
      SUPABASE_LOCAL_DATA_DIR: dataDir,
      SUPABASE_LOCAL_GATEWAY_PORT: '0',
      SUPABASE_LOCAL_DB_PORT: '0',
    });
    try {
      const output = await waitForOutput(cli, 'Press Ctrl-C to stop.', 60_000);
      const { anonKey, serviceRoleKey, jwtSecret } = inject('supabase');
      const apiUrl = /API URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(apiUrl).toBeDefined();
      expect(output).toMatch(/DB URL\s+postgres:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres/);
      for (const value of [anonKey, serviceRoleKey, jwtSecret]) expect(output).toContain(value);
      for (const user of DEMO_USERS) expect(output).toContain(user.email);

      const pids = /postgres pid (\d+), postgrest pid (\d+)/.exec(output);
      expect(pids).not.toBeNull();
      const children = [Number(pids![1]), Number(pids![2])];
      const api = await fetch(`${apiUrl}/rest/v1/`, { headers: { apikey: anonKey } });
      expect(api.status).toBe(200);

      cli.kill('SIGINT');
      const code = await withTimeout(exitCode(cli), 30_000, 'the CLI did not exit after SIGINT');
      expect(code).toBe(0);
      for (const pid of children) expect(isAlive(pid)).toBe(false);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });
});

describe('environment overrides', () => {
  it('uses a hosted project from SUPABASE_URL and keys without starting anything', async () => {
    const hosted = {
      SUPABASE_URL: 'https://example.supabase.co/',
      SUPABASE_ANON_KEY: 'anon-key',
      SUPABASE_SERVICE_ROLE_KEY: 'service-key',
      SUPABASE_JWT_SECRET: 'secret',
    };
    await withEnv(hosted, async () => {
      const stack = await startLocalSupabase({ log: () => {} });
      expect(stack).toMatchObject({
        url: 'https://example.supabase.co',
        anonKey: 'anon-key',
        serviceRoleKey: 'service-key',
        jwtSecret: 'secret',
        pids: {},
      });
      await stack.stop();
    });
  });

  it('names the missing variables when only some of the hosted ones are set', async () => {
    await withEnv({ SUPABASE_URL: 'https://example.supabase.co' }, async () => {
      await expect(startLocalSupabase({ log: () => {} })).rejects.toThrow(/missing: SUPABASE_ANON_KEY/);
    });
  });

  it('runs PostgREST, auth and the gateway against the Postgres at DATABASE_URL', async () => {
    const shared = inject('supabase');
    const log: string[] = [];
    await withEnv({ DATABASE_URL: shared.dbUrl }, async () => {
      const stack = await startLocalSupabase({ gatewayPort: 0, log: (line) => log.push(line) });
      try {
        expect(stack.dbUrl).toBe(shared.dbUrl);
        expect(stack.pids.postgres).toBeUndefined();
        expect(log.some((line) => line.includes('seeded the database'))).toBe(false);
        const response = await fetch(`${stack.url}/rest/v1/organizations?select=name`, {
          headers: { apikey: stack.serviceRoleKey },
        });
        expect(response.status).toBe(200);
      } finally {
        await stack.stop();
      }
    });
  });
});

// --- helpers -------------------------------------------------------------------------------------------

/** Runs `work` with some environment variables set, restoring their previous values afterwards. */
async function withEnv(vars: Record<string, string>, work: () => Promise<void>): Promise<void> {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    await work();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function migrationFixture(body: string) {
  // An empty bootstrap folder (the shared database is bootstrapped already) and one broken migration.
  const root = await mkdtemp(join(tmpdir(), 'chat-migrate-fixture-'));
  const migrationsDir = join(root, 'migrations');
  await mkdir(migrationsDir);
  await writeFile(join(migrationsDir, '20990101000000_broken.sql'), body);
  return { bootstrapDir: root, migrationsDir, seedFile: join(root, 'seed.sql') };
}

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolveListen) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolveListen({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

async function closedPort(): Promise<number> {
  const { server, port } = await occupyPort();
  await new Promise((done) => server.close(done));
  return port;
}

/** Alive and not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}

function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  const require = createRequire(import.meta.url);
  const tsxPackage = require.resolve('tsx/package.json');
  const tsxBin = (JSON.parse(readFileSync(tsxPackage, 'utf8')) as { bin: string | Record<string, string> })
    .bin;
  const tsxCli = join(dirname(tsxPackage), typeof tsxBin === 'string' ? tsxBin : tsxBin.tsx!);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of [
    'DATABASE_URL',
    'SUPABASE_URL',
    'SUPABASE_ANON_KEY',
    'SUPABASE_SERVICE_ROLE_KEY',
    'SUPABASE_JWT_SECRET',
  ]) {
    delete childEnv[name];
  }
  return spawn(process.execPath, [tsxCli, join(supabaseDir, 'local', 'cli.ts'), ...args], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitForOutput(child: ChildProcess, marker: string, timeoutMs: number): Promise<string> {
  return new Promise((resolveOutput, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`No "${marker}" after ${timeoutMs}ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) {
        clearTimeout(timer);
        resolveOutput(output);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The CLI exited (code ${code}) before "${marker}":\n${output}`));
    });
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
}
