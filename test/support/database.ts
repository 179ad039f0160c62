// A fresh database for each test file, of the kind the vitest project names (TEST_DATABASE_KIND,
// set in test/vitest.config.ts): in-memory PGlite in "pglite", and in "postgres" a new database
// on TEST_DATABASE_URL's server, dropped when the test file closes it.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.ts";

export const testDatabaseKind: "pglite" | "postgres" = process.env.TEST_DATABASE_KIND === "postgres" ? "postgres" : "pglite";

export interface TestDatabaseOptions {
  poolSize?: number;
  /** false: an empty database, for tests of the migrations themselves. */
  migrate?: boolean;
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  const migrate = options.migrate ?? true;
  if (testDatabaseKind === "pglite") return openDatabase({ dataDir: "memory://", migrate });
  const scratch = await createScratchPostgresDatabase();
  try {
    const db = await openDatabase({ databaseUrl: scratch.url, poolSize: options.poolSize ?? 8, migrate });
    return {
      ...db,
      close: async () => {
        await db.close();
        await scratch.drop();
      },
    };
  } catch (error) {
    await scratch.drop();
    throw error;
  }
}

/** An empty database on TEST_DATABASE_URL's server: its URL, and how to drop it. */
export async function createScratchPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("the postgres test project needs TEST_DATABASE_URL");
  const name = `bg_test_${randomBytes(8).toString("hex")}`;
  await asAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a test that failed half-way may have left connections open.
    drop: () => asAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function asAdmin(serverUrl: string, run: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}
