// One home per SQL function: prisma/sql/<function>.sql holds the current definition of every
// function (and trigger function) the migrations define, as pg_get_functiondef gives it back
// from a migrated database, so that a function is read in one file instead of across the
// migrations that replaced it over time.
//
// The rule: a migration that creates or changes a function copies its new definition into
// prisma/sql/<name>.sql (pg_get_functiondef of the migrated database, after a header comment that
// names the migration). Migrations themselves are never edited (Prisma checks their checksums).
// This file holds the two equal: a function without its file, a file without its function, a
// file whose text differs from the function (whitespace aside) or names another migration than
// the last one to define the function, each fails.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { createTestDatabase } from "../support/database.ts";

const SQL_DIR = fileURLToPath(new URL("../../prisma/sql", import.meta.url));
const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));
const files = fs
  .readdirSync(SQL_DIR)
  .filter((name) => name.endsWith(".sql"))
  .sort();
const functionsWithFiles = files.map((file) => path.basename(file, ".sql"));

/** The definition a file holds: its leading comment and the closing semicolon left out, whitespace collapsed. */
function definitionIn(text: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => !line.startsWith("--"));
  return normalised(lines.slice(start).join("\n").trim().replace(/;$/, ""));
}

function normalised(sql: string): string {
  return sql.split(/\s+/).filter(Boolean).join(" ");
}

/** The last migration (in the order Prisma applies them) whose SQL creates or replaces the function. */
function lastMigrationDefining(name: string): string | undefined {
  const creates = new RegExp(`CREATE\\s+(OR\\s+REPLACE\\s+)?FUNCTION\\s+(public\\.)?"?${name}"?\\s*\\(`, "i");
  const migrations = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((entry) => fs.existsSync(path.join(MIGRATIONS_DIR, entry, "migration.sql")))
    .sort();
  return migrations
    .filter((migration) => creates.test(fs.readFileSync(path.join(MIGRATIONS_DIR, migration, "migration.sql"), "utf8")))
    .at(-1);
}

let db: Database;
/** Every function of the public schema the migrations made (an extension's own are not theirs), by name. */
let definitions: Map<string, string[]>;
beforeAll(async () => {
  db = await createTestDatabase();
  const rows = await db.prisma.$queryRaw<{ name: string; definition: string }[]>`
    SELECT p.proname AS name, pg_get_functiondef(p.oid) AS definition FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
    WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`;
  definitions = new Map();
  for (const row of rows) definitions.set(row.name, [...(definitions.get(row.name) ?? []), row.definition]);
});
afterAll(() => db?.close());

describe("prisma/sql", () => {
  it("has a file for every function of the migrated database, and none for a function it lacks", () => {
    expect(functionsWithFiles).toEqual([...definitions.keys()].sort());
  });

  it("includes the trigger functions that keep entries and events append-only", () => {
    expect(functionsWithFiles).toEqual(
      expect.arrayContaining(["ledger_entry_reject_change", "event_reject_change", "enqueue_webhook_deliveries"]),
    );
  });

  it.each(files)("%s is the function the migrated database runs", (file) => {
    const name = path.basename(file, ".sql");
    const found = definitions.get(name) ?? [];
    expect(found, `one function ${name} in the database (one file cannot hold two overloads)`).toHaveLength(1);
    expect(definitionIn(fs.readFileSync(path.join(SQL_DIR, file), "utf8"))).toBe(normalised(found[0]!));
  });

  it.each(files)("%s names the last migration that defines it", (file) => {
    const name = path.basename(file, ".sql");
    const header = fs
      .readFileSync(path.join(SQL_DIR, file), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("--"))
      .join("\n");
    const named = /Defined last by migration (\S+?)\.?$/m.exec(header)?.[1];
    expect(named).toBe(lastMigrationDefining(name));
  });
});
