// A fresh, migrated database for each test file: in-memory PGlite in the "pglite" project, a
// new database on TEST_DATABASE_URL's server in the "postgres" project, dropped afterwards.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.ts";

export const testDatabaseKind = process.env.TEST_DATABASE_KIND === "postgres" ? "postgres" : "pglite";

export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<Database> {
  if (testDatabaseKind === "pglite") return openDatabase({ dataDir: "memory://" });
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("the postgres test project needs TEST_DATABASE_URL");
  const name = `bg_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: options.poolSize ?? 8 });
  return {
    ...db,
    close: async () => {
      await db.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
