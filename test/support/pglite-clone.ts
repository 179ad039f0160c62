// An in-memory PGlite loaded from a dump (database-templates.ts), behind the same Database as
// openDatabase({ dataDir: "memory://" }) gives: src/db/pglite.ts's in-memory branch, with the
// instance made from the dump instead of by initdb. Keep the two alike.
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Database } from "../../src/db/database.ts";
import { PrismaClient } from "../../src/db/generated/client.ts";
import { applyMigrations } from "../../src/db/migrations.ts";
import { pgliteMigrationAdapter } from "../../src/db/pglite-migration-adapter.ts";
import { attachRawQuery, pgliteRawQuery } from "../../src/db/raw-query.ts";

export async function openPGliteClone(dumpPath: string): Promise<Database> {
  const pglite = new PGlite({ loadDataDir: new Blob([fs.readFileSync(dumpPath)]) });
  try {
    await pglite.waitReady;
  } catch (error) {
    await pglite.close().catch(() => {});
    throw error;
  }
  const client = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  attachRawQuery(client, pgliteRawQuery(pglite), "postgresql");
  // As in pglite.ts: one session, so runs of the migrations queue here rather than on a lock.
  let migrating: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | null = null;
  return {
    prisma: client,
    replica: null,
    kind: "pglite",
    migrate: (migrationsDir?: string) => {
      const run = migrating.catch(() => {}).then(() => applyMigrations(pgliteMigrationAdapter(pglite), migrationsDir));
      migrating = run;
      return run;
    },
    close: () =>
      (closing ??= (async () => {
        await client.$disconnect();
        await pglite.close();
      })()),
  };
}
