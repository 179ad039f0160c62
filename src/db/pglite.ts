// PGlite: PostgreSQL compiled to WebAssembly, in this process, kept in a directory (or in
// memory, for tests). Nothing to install, but one process per directory.
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { lockDataDir } from "./data-dir-lock.ts";
import type { Database } from "./database.ts";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations } from "./migrations.ts";
import { pgliteMigrationAdapter } from "./pglite-migration-adapter.ts";

const IN_MEMORY = "memory://";

export async function openPGlite(dataDir: string): Promise<Database> {
  const inMemory = dataDir === IN_MEMORY;
  const releaseLock = inMemory ? () => {} : await lockDataDir(dataDir);
  try {
    // The lock file sits beside the database files, not among them.
    const pglite = inMemory ? new PGlite() : new PGlite(path.join(dataDir, "pglite"));
    await pglite.waitReady;
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    let closing: Promise<void> | null = null;
    // One PGlite session means one advisory-lock holder, so the engine's lock cannot keep two
    // runs in this process apart: they queue here instead.
    let migrating: Promise<unknown> = Promise.resolve();
    return {
      prisma,
      kind: "pglite",
      // The same PGlite instance as the client: there can be no other.
      migrate: (migrationsDir) => {
        const run = migrating.catch(() => {}).then(() => applyMigrations(pgliteMigrationAdapter(pglite), migrationsDir));
        migrating = run;
        return run;
      },
      close: () =>
        (closing ??= (async () => {
          try {
            await prisma.$disconnect();
            await pglite.close();
          } finally {
            releaseLock();
          }
        })()),
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}
