// Whether this process can serve: the database answers, and every migration the code was
// written for has been applied (a gateway rolled out before `npm run db:migrate` is not ready).
// The list on disk is read once; the database's history on every check, by the gateway's own
// role, which may read it.
import type { Database } from "./database.ts";
import { readMigrations } from "./migrations.ts";

export type Readiness = { ready: true } | { ready: false; reason: "database unreachable" | "migrations pending"; pending?: number };

export function readinessCheck(db: Database, migrationsDir?: string): () => Promise<Readiness> {
  const expected = readMigrations(migrationsDir).migrationDirectories.map((directory) => directory.path);
  return async () => {
    let applied: Set<string>;
    try {
      const rows = await db.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      applied = new Set(rows.map((row) => row.migration_name));
    } catch (error) {
      // An unmigrated database has no history table at all: that is pending, not unreachable.
      if (/_prisma_migrations/.test(String((error as Error).message)))
        return { ready: false, reason: "migrations pending", pending: expected.length };
      return { ready: false, reason: "database unreachable" };
    }
    const pending = expected.filter((name) => !applied.has(name)).length;
    return pending === 0 ? { ready: true } : { ready: false, reason: "migrations pending", pending };
  };
}
