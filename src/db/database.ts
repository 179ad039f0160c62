// The one Prisma client: PostgreSQL through @prisma/adapter-pg when a URL is given, otherwise
// PGlite, an embedded PostgreSQL kept in a directory. Pending migrations are applied on open,
// before the client has run a single query; on PostgreSQL only by a role that owns the tables,
// and otherwise opening fails, naming the migrations missing (see postgres.ts).
//
// On PostgreSQL a second client, with a pool of its own, may read from a replica of the primary
// (`replicaUrl`); which reads go there is decided once per request (src/db/read-routing.ts).
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_POOL_SIZE } from "../config.ts";
import { DataDirInUseError } from "./data-dir-lock.ts";
import type { PrismaClient } from "./generated/client.ts";
import { openPGlite } from "./pglite.ts";
import { openPostgres, poolUse, postgresPool } from "./postgres.ts";
import { connectToServedPGlite } from "./served-pglite.ts";

export interface Database {
  /** The primary: every write, and every read that must see one. */
  prisma: PrismaClient;
  /**
   * A read replica's client, for standalone reads; null without one (always on PGlite). Never
   * migrated by the gateway: a streaming replica gets the primary's schema by replication.
   */
  replica: PrismaClient | null;
  kind: "postgres" | "pglite";
  /**
   * Applies the migrations this database lacks (prisma/migrations unless told otherwise) and
   * returns their names; on PGlite through the client's own instance, on PostgreSQL under an
   * advisory lock, and fails there when some are missing and this role does not own the tables.
   * A no-op when there are none.
   */
  migrate(migrationsDir?: string): Promise<string[]>;
  close(): Promise<void>;
  /** How the PostgreSQL pools are used now, for /metrics; none on PGlite. */
  connectionPools?(): PoolUse[];
}

export interface PoolUse {
  name: "primary" | "replica";
  total: number;
  idle: number;
  waiting: number;
}

export interface DatabaseOptions {
  /** postgres://… ; without it the embedded database in `dataDir` is used. */
  databaseUrl?: string;
  /** Where the embedded database lives; "memory://" keeps it in memory (tests). */
  dataDir?: string;
  /** Connections in the PostgreSQL pool (default 10). */
  poolSize?: number;
  /** postgres://… of a read replica of `databaseUrl`; PostgreSQL only. */
  replicaUrl?: string;
  /** Connections in the replica's pool (default: `poolSize`). */
  replicaPoolSize?: number;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /**
   * When another process has the embedded database open (a running gateway), connect through
   * the socket it serves instead of failing: for short-lived tools such as the CLI. Migrations
   * are then that process's business, done when it opened the database.
   */
  connectWhenInUse?: boolean;
}

/**
 * How long to wait for a process that holds the directory to serve it: a gateway that has just
 * started serves once its migrations are applied.
 */
const SERVED_WITHIN_MS = 15_000;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.replicaUrl && !options.databaseUrl) throw new Error("a read replica (replicaUrl) needs a PostgreSQL primary (databaseUrl)");
  let db: Database;
  if (options.databaseUrl) {
    const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
    db = withReplica(openPostgres(options.databaseUrl, poolSize), options.replicaUrl, options.replicaPoolSize ?? poolSize);
  } else if (options.dataDir) {
    return openEmbedded(options.dataDir, options);
  } else {
    // Rather than a silent in-memory database whose data would vanish on exit.
    throw new Error('openDatabase needs a databaseUrl (PostgreSQL) or a dataDir (embedded; "memory://" for a throwaway one)');
  }
  if (options.migrate === false) return db;
  try {
    await db.migrate();
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** The primary with a replica's client beside it; closing closes both. Connects lazily, like the primary's. */
function withReplica(primary: Database, replicaUrl: string | undefined, poolSize: number): Database {
  if (!replicaUrl) return primary;
  const { client: replica, pool } = postgresPool(replicaUrl, poolSize);
  return {
    ...primary,
    replica,
    connectionPools: () => [...(primary.connectionPools?.() ?? []), poolUse("replica", pool)],
    close: async () => {
      await Promise.all([primary.close(), replica.$disconnect()]);
    },
  };
}

async function openEmbedded(dataDir: string, options: DatabaseOptions): Promise<Database> {
  const deadline = Date.now() + SERVED_WITHIN_MS;
  for (;;) {
    try {
      return await openPGlite(dataDir, { migrate: options.migrate ?? true });
    } catch (error) {
      if (!(error instanceof DataDirInUseError) || !options.connectWhenInUse) throw error;
      const served = await connectToServedPGlite(dataDir, error.holder);
      if (served) return served;
      if (Date.now() >= deadline) {
        throw new DataDirInUseError(
          `${error.message} It does not serve it to local tools (an older version, or the socket could not be created).`,
          error.holder,
        );
      }
      // The holder may be starting (it serves once migrated) or have just exited (then the lock is ours).
      await sleep(100);
    }
  }
}
