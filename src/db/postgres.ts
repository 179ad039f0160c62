// PostgreSQL through @prisma/adapter-pg: the database any number of gateway processes share.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Database } from "./database.ts";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations } from "./migrations.ts";
import { postgresMigrationAdapter } from "./postgres-migration-adapter.ts";

/** Serialises migrations when several gateway processes start against one database at once. */
const MIGRATION_LOCK_KEY = 7_406_951_122;

export function openPostgres(url: string, poolSize: number): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
  return {
    prisma,
    kind: "postgres",
    migrate: (migrationsDir) => migratePostgres(url, migrationsDir),
    close: () => prisma.$disconnect(),
  };
}

/**
 * The schema engine takes an advisory lock of its own, but gives up on it after 10 s ("Timed out
 * trying to acquire a postgres advisory lock"), so a process starting while another runs a long
 * migration would fail. Ours has no timeout and is held on a dedicated session for the whole run:
 * a process starting alongside another waits, then finds nothing left to apply.
 */
async function migratePostgres(url: string, migrationsDir?: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    return await applyMigrations(postgresMigrationAdapter(url), migrationsDir);
  } finally {
    // Ending the session releases the lock, even if unlocking would fail.
    await lock.end();
  }
}
