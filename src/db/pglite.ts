// PGlite: PostgreSQL compiled to WebAssembly, in this process, kept in a directory (or in
// memory, for tests). Nothing to install, but one process per directory: that process serves it
// to local tools on a socket in the directory (pglite-socket.ts), which served-pglite.ts reaches.
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { lockDataDir } from "./data-dir-lock.ts";
import type { Database } from "./database.ts";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations } from "./migrations.ts";
import { pgliteMigrationAdapter } from "./pglite-migration-adapter.ts";
import { attachRawQuery, pgliteRawQuery } from "./raw-query.ts";
import { servePGlite, type PGliteSocketServer } from "./pglite-socket.ts";
import { rootLogger } from "../observability/logger.ts";

const IN_MEMORY = "memory://";

export interface PGliteOptions {
  /**
   * Apply pending migrations, then serve the directory to local tools. Without it, nothing is
   * served: a tool must not find the schema half-migrated.
   */
  migrate: boolean;
}

export async function openPGlite(dataDir: string, options: PGliteOptions): Promise<Database> {
  const inMemory = dataDir === IN_MEMORY;
  const releaseLock = inMemory ? () => {} : await lockDataDir(dataDir);
  let pglite: PGlite | null = null;
  let prisma: PrismaClient | null = null;
  try {
    // The lock file sits beside the database files, not among them.
    pglite = inMemory ? new PGlite() : new PGlite(path.join(dataDir, "pglite"));
    await pglite.waitReady;
    const opened = pglite;
    const client = new PrismaClient({ adapter: new PrismaPGlite(opened) });
    attachRawQuery(client, pgliteRawQuery(opened), "postgresql");
    prisma = client;
    let closing: Promise<void> | null = null;
    // One PGlite session means one advisory-lock holder, so the engine's lock cannot keep two
    // runs in this process apart: they queue here instead.
    let migrating: Promise<unknown> = Promise.resolve();
    const migrate = (migrationsDir?: string) => {
      const run = migrating.catch(() => {}).then(() => applyMigrations(pgliteMigrationAdapter(opened), migrationsDir));
      migrating = run;
      return run;
    };
    if (options.migrate) await migrate();
    const socket = options.migrate && !inMemory ? await serveToLocalTools(opened, dataDir) : null;
    return {
      prisma: client,
      replica: null,
      kind: "pglite",
      // The same PGlite instance as the client: there can be no other.
      migrate,
      close: () =>
        (closing ??= (async () => {
          try {
            await socket?.close();
            await client.$disconnect();
            await opened.close();
          } finally {
            releaseLock();
          }
        })()),
    };
  } catch (error) {
    await prisma?.$disconnect().catch(() => {});
    await pglite?.close().catch(() => {});
    releaseLock();
    throw error;
  }
}

/** Serving is a convenience: the process runs without it (e.g. a directory path too long for a socket). */
async function serveToLocalTools(pglite: PGlite, dataDir: string): Promise<PGliteSocketServer | null> {
  try {
    return await servePGlite(pglite, dataDir);
  } catch (error) {
    rootLogger.warn(`Local tools cannot reach the embedded database in ${dataDir} while this process runs: ${(error as Error).message}`);
    return null;
  }
}
