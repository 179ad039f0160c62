// How a database test file gets its database (test/support/database.ts): a copy of the one the
// run migrated before any file started (test/support/database-templates.ts), on PGlite and on
// PostgreSQL; and the gateway's access lines, written only for a file that reads them.
import { describe, expect, it } from "vitest";
import { readMigrations } from "../../src/db/migrations.ts";
import { redirectLogs } from "../../src/observability/logger.ts";
import { useGateway } from "../support/app.ts";
import { createTestDatabase } from "../support/database.ts";
import { captureLogs } from "../support/logs.ts";

const fileStarted = new Date();
const gateway = useGateway();

const healthz = () => gateway.app.fetch(new Request("http://gateway.test/healthz"));

it("comes with every migration applied before the file started: copied, not migrated by the file", async () => {
  const applied = await gateway.db.prisma.$queryRaw<{ migration_name: string; finished_at: Date }[]>`
    SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`;
  expect(applied.map((row) => row.migration_name)).toEqual(readMigrations().migrationDirectories.map((directory) => directory.path));
  for (const row of applied) expect(row.finished_at.getTime()).toBeLessThan(fileStarted.getTime());
});

it("is the file's own: what one copy holds, another does not", async () => {
  const other = await createTestDatabase();
  try {
    await gateway.db.prisma.tenant.create({ data: { slug: "only-in-the-first", name: "First" } });
    expect(await other.prisma.tenant.count({ where: { slug: "only-in-the-first" } })).toBe(0);
    expect(await other.prisma.tenant.count({ where: { slug: "acme" } })).toBe(0);
  } finally {
    await other.close();
  }
});

it("writes no access line for a request when the file does not read the log", async () => {
  const written: string[] = [];
  redirectLogs((line) => written.push(line));
  try {
    expect((await healthz()).status).toBe(200);
  } finally {
    redirectLogs(null);
  }
  expect(written).toEqual([]);
});

describe("in a file that reads the log", () => {
  const logs = captureLogs();

  it("writes the access line at info, as in production", async () => {
    expect((await healthz()).status).toBe(200);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: "info", msg: "request", status: 200 }));
  });
});
