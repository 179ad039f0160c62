// The gateway's PostgreSQL sessions are in UTC whatever the server, database or role says, so
// the times the database formats (jsonb in event payloads) never depend on its setting.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { postgresPool } from "../../src/db/postgres.ts";
import { testDatabaseKind } from "../support/database.ts";

if (testDatabaseKind === "pglite") {
  describe("PostgreSQL sessions' time zone", () => {
    const reason = "PGlite runs in this process, in UTC: set TEST_DATABASE_URL to run this file's PostgreSQL half";
    it(`is proved on PostgreSQL only (${reason})`, ({ skip }) => skip(reason));
  });
} else {
  describe("PostgreSQL sessions' time zone", () => {
    it("is UTC on a database whose own setting is another zone", async () => {
      const serverUrl = process.env.TEST_DATABASE_URL!;
      const name = `bg_test_tz_${randomBytes(6).toString("hex")}`;
      await asAdmin(serverUrl, async (admin) => {
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.query(`ALTER DATABASE ${name} SET TimeZone = 'Asia/Tokyo'`);
      });
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const { client } = postgresPool(url.toString(), 1);
      try {
        const [row] = await client.$queryRawUnsafe<{ zone: string; told: string }[]>(
          `SELECT current_setting('TimeZone') AS zone, to_jsonb(timestamptz '2026-12-07 05:00:00.123Z')::text AS told`,
        );
        expect(row).toEqual({ zone: "UTC", told: '"2026-12-07T05:00:00.123+00:00"' });
      } finally {
        await client.$disconnect();
        await asAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      }
    });
  });
}

async function asAdmin<T>(url: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
