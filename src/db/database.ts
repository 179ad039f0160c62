// The one Prisma client: PostgreSQL through @prisma/adapter-pg when a URL is given, otherwise
// PGlite, an embedded PostgreSQL kept in a directory. Pending migrations are applied on open,
// before the client has run a single query; on PostgreSQL only by a role that owns the tables,
// and otherwise opening fails, naming the migrations missing (see postgres.ts).
import type { PrismaClient } from "./generated/client.ts";
import { openPGlite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";

export interface Database {
  prisma: PrismaClient;
  kind: "postgres" | "pglite";
  /**
   * Applies the migrations this database lacks (prisma/migrations unless told otherwise) and
   * returns their names; on PGlite through the client's own instance, on PostgreSQL under an
   * advisory lock, and fails there when some are missing and this role does not own the tables.
   * A no-op when there are none.
   */
  migrate(migrationsDir?: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; without it the embedded database in `dataDir` is used. */
  databaseUrl?: string;
  /** Where the embedded database lives; "memory://" keeps it in memory (tests). */
  dataDir?: string;
  /** Connections in the PostgreSQL pool (default 10). */
  poolSize?: number;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let db: Database;
  if (options.databaseUrl) {
    db = openPostgres(options.databaseUrl, options.poolSize ?? 10);
  } else if (options.dataDir) {
    db = await openPGlite(options.dataDir);
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
