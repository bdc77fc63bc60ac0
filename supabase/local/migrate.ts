import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { LogFn } from './processes.ts';
import { lineAt, splitSqlStatements } from './sql-split.ts';

const supabaseDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the SQL lives. Overridable so tests can point at fixtures. */
export interface SqlPaths {
  bootstrapDir: string;
  migrationsDir: string;
  seedFile: string;
}

export const DEFAULT_SQL_PATHS: SqlPaths = {
  bootstrapDir: join(supabaseDir, 'local', 'bootstrap'),
  migrationsDir: join(supabaseDir, 'migrations'),
  seedFile: join(supabaseDir, 'seed.sql'),
};

export interface MigrateOptions {
  /** Superuser URL: bootstrap creates roles and event triggers. */
  dbUrl: string;
  /** Run seed.sql after the migrations (the caller decides: only for a freshly created database). */
  seed: boolean;
  log: LogFn;
  paths?: SqlPaths;
}

export interface MigrateResult {
  /** Versions applied by this run, in order. */
  applied: string[];
  seeded: boolean;
}

/** A migration file the Supabase CLI would accept: `<digits>_<name>.sql`. */
const MIGRATION_FILE = /^(\d+)_(.+)\.sql$/;

/**
 * Brings a database to the state `supabase start` leaves it in: platform bootstrap (every time, it is
 * idempotent), then pending migrations in version order, each in its own transaction and recorded in
 * supabase_migrations.schema_migrations, then optionally seed.sql, then a PostgREST schema reload.
 */
export async function migrateDatabase(options: MigrateOptions): Promise<MigrateResult> {
  const { dbUrl, log } = options;
  const paths = options.paths ?? DEFAULT_SQL_PATHS;

  const bootstrapFiles = await sqlFiles(paths.bootstrapDir);
  if (bootstrapFiles.length === 0 && paths === DEFAULT_SQL_PATHS) {
    throw new Error(`No bootstrap SQL in ${paths.bootstrapDir}: the checkout looks incomplete.`);
  }
  await withConnection(dbUrl, async (sql) => {
    for (const file of bootstrapFiles) {
      await runFile(sql, join(paths.bootstrapDir, file));
    }
  });

  // A fresh connection, so role settings made by the bootstrap (search_path) apply to the migrations.
  return withConnection(dbUrl, async (sql) => {
    const done = new Set(
      (await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations`).map(
        (row) => row.version,
      ),
    );
    const applied: string[] = [];
    for (const file of await sqlFiles(paths.migrationsDir)) {
      const match = MIGRATION_FILE.exec(file);
      if (!match) {
        log(`[migrate] skipping ${file}: migration file names must look like <timestamp>_name.sql`);
        continue;
      }
      const [, version, name] = match as unknown as [string, string, string];
      if (done.has(version)) continue;
      const path = join(paths.migrationsDir, file);
      const statements = splitSqlStatements(await readFile(path, 'utf8')).map((s) => s.text);
      await runFile(sql, path, (tx) =>
        tx`insert into supabase_migrations.schema_migrations (version, name, statements)
           values (${version}, ${name}, ${tx.array(statements, 25)})`.then(() => undefined),
      );
      done.add(version);
      applied.push(version);
      log(`[migrate] applied ${file}`);
    }

    let seeded = false;
    if (options.seed && existsSync(paths.seedFile)) {
      await runFile(sql, paths.seedFile);
      seeded = true;
      log(`[migrate] seeded the database from ${relative(process.cwd(), paths.seedFile) || paths.seedFile}`);
    }

    await sql`notify pgrst, 'reload schema'`;
    return { applied, seeded };
  });
}

/** True when no migration has been recorded yet: the database has never been set up by this stack. */
export async function isFreshDatabase(dbUrl: string): Promise<boolean> {
  return withConnection(dbUrl, async (sql) => {
    const [row] = await sql<{ fresh: boolean }[]>`
      select to_regclass('supabase_migrations.schema_migrations') is null as fresh`;
    if (row?.fresh) return true;
    const [count] = await sql<
      { n: number }[]
    >`select count(*)::int as n from supabase_migrations.schema_migrations`;
    return count?.n === 0;
  });
}

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;

async function withConnection<T>(dbUrl: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  // One connection: the files run strictly one after another. Notices ("already exists, skipping")
  // are expected on every re-run of the idempotent bootstrap and would only be noise.
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `.sql` files of a folder in file-name order; a missing folder simply has none. */
async function sqlFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const names = await readdir(dir);
  return names.filter((name) => name.endsWith('.sql')).sort();
}

/**
 * Runs a whole file in one transaction through the simple query protocol (which allows many
 * statements per query), then `after` in the same transaction. Failures name the file and line.
 */
async function runFile(sql: Sql, path: string, after?: (tx: Tx) => Promise<void>): Promise<void> {
  const text = await readFile(path, 'utf8');
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(text).simple();
      if (after) await after(tx);
    });
  } catch (error) {
    throw await describeFailure(sql, path, text, error);
  }
}

/**
 * Builds "supabase/migrations/x.sql:12: <postgres message>". Postgres gives a position for syntax and
 * name errors; for errors raised while executing (constraint violations, exceptions) it does not, so we
 * replay the file statement by statement in a transaction that is rolled back, to find the culprit.
 */
async function describeFailure(sql: Sql, path: string, text: string, error: unknown): Promise<Error> {
  const pgError = error as Partial<postgres.PostgresError> & { message?: string };
  const message = pgError.message ?? String(error);
  let line: number | undefined;
  if (pgError.position) line = lineAt(text, Number(pgError.position) - 1);
  else line = await findFailingLine(sql, text);

  const where = pgError.where ? `\n  where: ${pgError.where}` : '';
  const detail = pgError.detail ? `\n  detail: ${pgError.detail}` : '';
  const hint = pgError.hint ? `\n  hint: ${pgError.hint}` : '';
  const location = `${relative(process.cwd(), path) || path}${line ? `:${line}` : ''}`;
  return new Error(`${location}: ${message}${detail}${hint}${where}`, { cause: error });
}

async function findFailingLine(sql: Sql, text: string): Promise<number | undefined> {
  const statements = splitSqlStatements(text);
  if (statements.length < 2) return statements[0]?.line;
  let failing: number | undefined;
  const rollback = new Error('rollback');
  await sql
    .begin(async (tx) => {
      for (const statement of statements) {
        try {
          await tx.unsafe(statement.text).simple();
        } catch {
          failing = statement.line;
          break;
        }
      }
      throw rollback; // never keep anything from the diagnostic replay
    })
    // The replay always ends in a rollback (ours, or the connection's); only `failing` matters.
    .catch(() => undefined);
  return failing;
}
