// Every test file runs twice: on in-memory PGlite and, when TEST_DATABASE_URL names a reachable
// PostgreSQL server, on a fresh database there. Without one the PostgreSQL half is skipped,
// and says so.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import pg from "pg";

const root = fileURLToPath(new URL("..", import.meta.url));

async function reachable(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const postgresUrl = process.env.TEST_DATABASE_URL;
const withPostgres = await reachable(postgresUrl);
if (!withPostgres) {
  console.warn(
    `\n*** PostgreSQL half SKIPPED: ${postgresUrl ? `TEST_DATABASE_URL (${new URL(postgresUrl).host}) is not reachable` : "TEST_DATABASE_URL is not set"}. ` +
      "Only PGlite was tested. ***\n",
  );
}

const shared = { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  root,
  test: {
    projects: [
      { test: { ...shared, name: "pglite", env: { TEST_DATABASE_KIND: "pglite" } } },
      ...(withPostgres ? [{ test: { ...shared, name: "postgres", env: { TEST_DATABASE_KIND: "postgres" } } }] : []),
    ],
  },
});
