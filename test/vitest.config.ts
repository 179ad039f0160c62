// Every test file runs twice: in the "pglite" project on in-memory PGlite and, when
// TEST_DATABASE_URL names a reachable PostgreSQL server, in the "postgres" project on a fresh
// database there (test/support/database.ts reads TEST_DATABASE_KIND to know which). Without a
// server the PostgreSQL half is left out, and says so at the start and at the end of the run.
import { fileURLToPath } from "node:url";
import pg from "pg";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Why the PostgreSQL half cannot run, or null when it can. */
async function postgresUnavailable(url: string | undefined): Promise<string | null> {
  if (!url) return "TEST_DATABASE_URL is not set";
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return "TEST_DATABASE_URL is not a valid URL";
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `TEST_DATABASE_URL (${host}) is not reachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

const unavailable = await postgresUnavailable(process.env.TEST_DATABASE_URL);
if (unavailable) {
  const notice = `\n*** PostgreSQL half SKIPPED: ${unavailable}. Only PGlite was tested. ***\n`;
  console.warn(notice);
  // Again after the summary, where it cannot scroll away unread.
  process.on("exit", () => console.warn(notice));
}

const shared = { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  root,
  test: {
    projects: [
      { test: { ...shared, name: "pglite", env: { TEST_DATABASE_KIND: "pglite" } } },
      ...(unavailable ? [] : [{ test: { ...shared, name: "postgres", env: { TEST_DATABASE_KIND: "postgres" } } }]),
    ],
  },
});
