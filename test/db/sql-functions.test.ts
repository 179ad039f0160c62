// One home per SQL function: prisma/sql/<function>.sql holds the function's current definition,
// which the migrations reach by replacing it over time. Each file must say what a migrated
// database holds, as pg_get_functiondef gives it back (whitespace aside), so the file can be read
// instead of the last migration that happens to define the function.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { createTestDatabase } from "../support/database.ts";

const SQL_DIR = fileURLToPath(new URL("../../prisma/sql", import.meta.url));
const files = fs.readdirSync(SQL_DIR).filter((name) => name.endsWith(".sql")).sort();

/** The definition a file holds: its leading comment and the closing semicolon left out, whitespace collapsed. */
function definitionIn(text: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => !line.startsWith("--"));
  return normalised(lines.slice(start).join("\n").trim().replace(/;$/, ""));
}

function normalised(sql: string): string {
  return sql.split(/\s+/).filter(Boolean).join(" ");
}

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

describe("prisma/sql", () => {
  it("holds at least the debit's functions", () => {
    expect(files).toEqual(expect.arrayContaining(["ledger_debit.sql", "balance_alert_crossings.sql", "record_balance_alerts.sql"]));
  });

  it.each(files)("%s is the function the migrated database runs", async (file) => {
    const name = path.basename(file, ".sql");
    const rows = await db.prisma.$queryRaw<{ definition: string }[]>`
      SELECT pg_get_functiondef(p.oid) AS definition FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public' WHERE p.proname = ${name}`;
    expect(rows, `one function ${name} in the database`).toHaveLength(1);
    expect(definitionIn(fs.readFileSync(path.join(SQL_DIR, file), "utf8"))).toBe(normalised(rows[0]!.definition));
  });
});
