// PostgreSQL through @prisma/adapter-pg: the database any number of gateway processes share.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Database, PoolUse } from "./database.ts";
import { PrismaClient } from "./generated/client.ts";
import { appRoleProblem, grantAppRole } from "./app-role.ts";
import { applyMigrations, readMigrations } from "./migrations.ts";
import { postgresMigrationAdapter } from "./postgres-migration-adapter.ts";
import { attachRawQuery, pgRawQuery } from "./raw-query.ts";

/** Serialises migrations when several gateway processes start against one database at once. */
const MIGRATION_LOCK_KEY = 7_406_951_122;

export function openPostgres(url: string, poolSize: number): Database {
  const { client: prisma, pool } = postgresPool(url, poolSize);
  return {
    prisma,
    connectionPools: () => [poolUse("primary", pool)],
    replica: null,
    kind: "postgres",
    migrate: (migrationsDir) => migratePostgres(url, { migrationsDir }),
    close: () => prisma.$disconnect(),
  };
}

/** A client with a pool of `poolSize` connections, opened as queries need them. */
export function postgresClient(url: string, poolSize: number): PrismaClient {
  return postgresPool(url, poolSize).client;
}

/** The client and its pool, which the gateway reads for /metrics and the raw-query port shares; closing the client ends the pool. */
export function postgresPool(url: string, poolSize: number): { client: PrismaClient; pool: pg.Pool } {
  // Sessions in UTC whatever the server, database or role sets (`options` in the URL still wins):
  // times the database formats (jsonb in event payloads, ::text) then never depend on it.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: "-c TimeZone=UTC" });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  attachRawQuery(client, pgRawQuery(pool), "postgresql");
  return { client, pool };
}

export function poolUse(name: PoolUse["name"], pool: pg.Pool): PoolUse {
  return { name, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

export interface PostgresMigrationOptions {
  /** prisma/migrations unless told otherwise (tests). */
  migrationsDir?: string;
  /** The gateway's role, when it is not this URL's: granted what it needs (see app-role.ts). */
  appRole?: string;
}

/**
 * Applies the migrations the database lacks and returns their names, then grants `appRole` its
 * privileges. Nothing pending is the usual start: then the schema engine is not even started.
 *
 * A role that does not own the tables (the gateway's own, under DATABASE_MIGRATION_URL) is
 * refused before it tries, with a message that says what to run instead of the engine's
 * "permission denied". The gateway never migrates with the owner's URL: that URL is for the
 * deploy step, `npm run db:migrate`, and need not be in the gateway's environment at all; a
 * gateway started before that step stops, rather than serve a schema its code does not match.
 *
 * The schema engine takes an advisory lock of its own, but gives up on it after 10 s ("Timed out
 * trying to acquire a postgres advisory lock"), so a process starting while another runs a long
 * migration would fail. Ours has no timeout and is held on a dedicated session for the whole run
 * (grants included: concurrent GRANTs on one table fail with "tuple concurrently updated"): a
 * process starting alongside another waits, then finds nothing left to apply.
 */
export async function migratePostgres(url: string, options: PostgresMigrationOptions = {}): Promise<string[]> {
  const session = new pg.Client({ connectionString: url });
  await session.connect();
  try {
    if (options.appRole) {
      const problem = await appRoleProblem(session, options.appRole);
      if (problem) throw new Error(problem);
    }
    const pending = await unappliedMigrations(session, options.migrationsDir);
    if (pending.length === 0 && !options.appRole) return [];
    if (pending.length > 0 && !(await mayMigrate(session))) throw new Error(cannotMigrateMessage(await currentRole(session), pending));
    await session.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    const applied = pending.length > 0 ? await applyMigrations(postgresMigrationAdapter(url), options.migrationsDir) : [];
    if (options.appRole) await grantAppRole(session, options.appRole);
    return applied;
  } finally {
    // Ending the session releases the lock, even if unlocking would fail.
    await session.end();
  }
}

/**
 * The migrations on disk that the database has not finished, failed ones included (the engine
 * then reports them). Readable by the gateway's role: it may SELECT the history.
 */
async function unappliedMigrations(session: pg.ClientBase, migrationsDir?: string): Promise<string[]> {
  const onDisk = readMigrations(migrationsDir).migrationDirectories.map((directory) => directory.path);
  // Two queries: a statement naming a missing table fails when parsed, whatever CASE guards it.
  const { rows: history } = await session.query<{ exists: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists");
  const { rows } = history[0]!.exists
    ? await session.query<{ migration_name: string }>(
        "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
      )
    : { rows: [] };
  const finished = new Set(rows.map((row) => row.migration_name));
  return onDisk.filter((name) => !finished.has(name));
}

/** Whether this session's role may migrate: it owns the history, or, on an empty database, may create tables. */
async function mayMigrate(session: pg.ClientBase): Promise<boolean> {
  const { rows } = await session.query<{ owns: boolean }>(
    `SELECT CASE WHEN to_regclass('_prisma_migrations') IS NULL THEN has_schema_privilege(current_schema(), 'CREATE')
            ELSE pg_has_role((SELECT relowner FROM pg_class WHERE oid = to_regclass('_prisma_migrations')), 'USAGE') END AS owns`,
  );
  return rows[0]!.owns;
}

async function currentRole(session: pg.ClientBase): Promise<string> {
  const { rows } = await session.query<{ role: string }>("SELECT current_user AS role");
  return rows[0]!.role;
}

function cannotMigrateMessage(role: string, pending: string[]): string {
  const listed = pending.length > 3 ? `${pending.slice(0, 3).join(", ")} and ${pending.length - 3} more` : pending.join(", ");
  return (
    `The database lacks ${pending.length} migration(s) (${listed}), and role "${role}" may not apply them: it does not own the tables. ` +
    "Apply them first with `npm run db:migrate`, DATABASE_MIGRATION_URL set to the owner role's URL, then start again."
  );
}
