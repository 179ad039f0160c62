import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { MIGRATIONS_DIR, pendingSchemaChanges } from "../../src/db/migrations.ts";
import { createScratchPostgresDatabase, createTestDatabase, testDatabaseKind } from "../support/database.ts";

describe("migrations", () => {
  let db: Database;
  beforeAll(async () => {
    // As the owner: the trigger and the checks hold even for a role the grants do not restrain
    // (and on PGlite, which has no other). database-roles.test.ts covers the gateway's role.
    db = await createTestDatabase({ as: "owner" });
  });
  afterAll(() => db?.close());

  it("agree with prisma/schema.prisma", async () => {
    const sql = await pendingSchemaChanges();
    expect(
      sql,
      `prisma/schema.prisma has changes that no migration holds. Write one with\n  npm run db:migration:create -- <name>\nIt would hold:\n\n${sql}\n`,
    ).toBe("");
  });

  it("are recorded in Prisma's own table, so applying them again changes nothing", async () => {
    const history = () =>
      db.prisma.$queryRaw<{ migration_name: string; checksum: string; finished: boolean; rolled_back: boolean }[]>`
        SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
        FROM _prisma_migrations ORDER BY migration_name`;
    const before = await history();
    expect(await db.migrate()).toEqual([]);
    expect(await history()).toEqual(before);
    const onDisk = fs.readdirSync(MIGRATIONS_DIR).filter((name) => fs.statSync(path.join(MIGRATIONS_DIR, name)).isDirectory());
    expect(before.map((row) => row.migration_name)).toEqual(onDisk.sort());
    expect(before.every((row) => row.finished && !row.rolled_back)).toBe(true);
  });

  describe("constraints the database itself enforces", () => {
    /** A wallet with one block and its first entry, written directly: no ledger code involved. */
    async function seed() {
      const { prisma } = db;
      const tenant = await prisma.tenant.create({ data: { slug: `tenant-${crypto.randomUUID()}`, name: "Tenant" } });
      const customer = await prisma.customer.create({ data: { tenantId: tenant.id, externalId: "customer" } });
      const wallet = await prisma.wallet.create({
        data: { tenantId: tenant.id, customerId: customer.id, currency: "USD", scale: 2, balance: 100n, lastSequence: 1n },
      });
      const operation = await prisma.operation.create({
        data: { tenantId: tenant.id, walletId: wallet.id, type: "deposit", requestHash: "hash" },
      });
      const block = await prisma.creditBlock.create({
        data: {
          walletId: wallet.id,
          operationId: operation.id,
          amount: 100n,
          remaining: 100n,
          category: "paid",
          effectiveAt: new Date(),
          source: "deposit",
        },
      });
      const entry = await prisma.ledgerEntry.create({
        data: {
          walletId: wallet.id,
          blockId: block.id,
          operationId: operation.id,
          sequence: 1n,
          type: "increment",
          amount: 100n,
          startingBalance: 0n,
          endingBalance: 100n,
          remainingAfter: 100n,
          usedAfter: 0n,
          frozenAfter: 0n,
        },
      });
      return { wallet, operation, block, entry };
    }

    it("refuses to update, delete or truncate ledger entries", async () => {
      const { entry } = await seed();
      const where = { id: entry.id };
      expect(await failure(db.prisma.ledgerEntry.update({ where, data: { amount: 1n, endingBalance: 1n } }))).toEqual({
        sqlState: "23001", // restrict_violation
        message: expect.stringContaining("ledger entries are append-only: UPDATE is not allowed"),
      });
      expect(await failure(db.prisma.ledgerEntry.delete({ where }))).toMatchObject({
        sqlState: "23001",
        message: expect.stringContaining("DELETE is not allowed"),
      });
      expect(await failure(db.prisma.$executeRawUnsafe("TRUNCATE ledger_entry CASCADE"))).toMatchObject({
        sqlState: "23001",
        message: expect.stringContaining("TRUNCATE is not allowed"),
      });
      expect(await db.prisma.ledgerEntry.findUniqueOrThrow({ where })).toEqual(entry);
    });

    it("refuses a credit block with negative credits left", async () => {
      const { wallet, operation, block } = await seed();
      const violation = { sqlState: "23514", message: expect.stringContaining("credit_block_remaining_non_negative") };
      expect(await failure(db.prisma.creditBlock.update({ where: { id: block.id }, data: { remaining: -1n } }))).toEqual(violation);
      const negative = {
        walletId: wallet.id,
        operationId: operation.id,
        amount: 100n,
        remaining: -1n,
        category: "paid",
        effectiveAt: new Date(),
        source: "deposit" as const,
      };
      expect(await failure(db.prisma.creditBlock.create({ data: negative }))).toEqual(violation);
      expect((await db.prisma.creditBlock.findUniqueOrThrow({ where: { id: block.id } })).remaining).toBe(100n);
    });
  });
});

describe("applying migrations", () => {
  it("records a failing migration as failed, and leaves nothing of it behind", async () => {
    const migrationsDir = writeMigrations({
      "20200101000000_first": "CREATE TABLE first_table (x int);",
      // A PL/pgSQL body, so that the script is known to run whole, then an error at the end.
      "20200102000000_broken":
        "CREATE TABLE broken_table (x int);\nCREATE FUNCTION broken_fn() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\nSELECT 1 / 0;",
    });
    const db = await createTestDatabase({ migrate: false });
    try {
      await expect(db.migrate(migrationsDir)).rejects.toThrow(/division by zero/);
      const history = await db.prisma.$queryRaw<{ migration_name: string; finished: boolean }[]>`
        SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name`;
      expect(history).toEqual([
        { migration_name: "20200101000000_first", finished: true },
        { migration_name: "20200102000000_broken", finished: false },
      ]);
      const [left] = await db.prisma.$queryRaw<{ first: string | null; broken: string | null; fn: number }[]>`
        SELECT to_regclass('first_table')::text AS first, to_regclass('broken_table')::text AS broken,
               (SELECT count(*)::int FROM pg_proc WHERE proname = 'broken_fn') AS fn`;
      expect(left).toEqual({ first: "first_table", broken: null, fn: 0 });
      // And the next start refuses to go on past it, rather than skip it.
      await expect(db.migrate(migrationsDir)).rejects.toThrow(/failed migrations/);
    } finally {
      await db.close();
      fs.rmSync(migrationsDir, { recursive: true, force: true });
    }
  });

  it("applies each migration once when several processes start at the same time", async () => {
    const starts = 4;
    if (testDatabaseKind === "postgres") {
      // As many gateway processes as starts, each with its own pool, on one new database.
      const scratch = await createScratchPostgresDatabase();
      try {
        const dbs = await Promise.all(Array.from({ length: starts }, () => openDatabase({ databaseUrl: scratch.ownerUrl, poolSize: 1 })));
        await expectEachMigrationOnce(dbs[0]!);
        await Promise.all(dbs.map((db) => db.close()));
      } finally {
        await scratch.drop();
      }
    } else {
      // PGlite has one process by construction; the same holds for concurrent calls within it.
      const db = await createTestDatabase({ migrate: false });
      try {
        const applied = await Promise.all(Array.from({ length: starts }, () => db.migrate()));
        expect(applied.flat().sort()).toEqual(
          fs
            .readdirSync(MIGRATIONS_DIR)
            .filter((name) => /^\d+_/.test(name))
            .sort(),
        );
        await expectEachMigrationOnce(db);
      } finally {
        await db.close();
      }
    }
  });
});

describe("the embedded database on a directory", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-pglite-"));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const lockFile = () => path.join(dataDir, "gateway.lock");

  it("serves one Database at a time, keeps its data, and releases the lock on close", async () => {
    const first = await openDatabase({ dataDir });
    try {
      await first.prisma.tenant.create({ data: { slug: "kept", name: "Kept" } });
      expect(fs.readFileSync(lockFile(), "utf8").trim()).toBe(String(process.pid));
      await expect(openDatabase({ dataDir })).rejects.toThrow(`The embedded database in ${dataDir} is in use by process ${process.pid}`);
    } finally {
      await first.close();
    }
    expect(fs.existsSync(lockFile())).toBe(false);
    const again = await openDatabase({ dataDir });
    try {
      expect(await again.prisma.tenant.findMany({ select: { slug: true } })).toEqual([{ slug: "kept" }]);
    } finally {
      await again.close();
    }
  });

  it("names the other process holding it, and takes the lock over once that process is gone", async () => {
    // Another process holding the lock, as a running gateway would.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `require("fs").writeFileSync(${JSON.stringify(lockFile())}, String(process.pid)); console.log("locked"); setInterval(() => {}, 1000);`,
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      await once(holder.stdout!, "data");
      const error = await openDatabase({ dataDir }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(
        new RegExp(`embedded database in .* is in use by process ${holder.pid} \\(probably a running gateway\\)`),
      );
      expect(error?.message).toMatch(/Stop that process, or set DATABASE_URL/);
    } finally {
      holder.kill("SIGKILL");
      await once(holder, "exit");
    }
    // Killed without cleaning up: its lock is stale now.
    expect(fs.readFileSync(lockFile(), "utf8").trim()).toBe(String(holder.pid));
    const db = await openDatabase({ dataDir });
    expect(fs.readFileSync(lockFile(), "utf8").trim()).toBe(String(process.pid));
    await db.close();
    expect(fs.existsSync(lockFile())).toBe(false);
  });
});

/**
 * The SQLSTATE and message PostgreSQL refused a Prisma call with. Read from the driver adapter's
 * error: Prisma's own message differs by adapter (adapter-pg reports the trigger's
 * restrict_violation as "Foreign key constraint violated", without the trigger's message).
 */
async function failure(call: Promise<unknown>): Promise<{ sqlState: string | undefined; message: string | undefined }> {
  try {
    await call;
  } catch (error) {
    type Cause = { originalCode?: string; originalMessage?: string };
    const cause = (error as { meta?: { driverAdapterError?: { cause?: Cause } } }).meta?.driverAdapterError?.cause;
    if (!cause) throw error;
    return { sqlState: cause.originalCode, message: cause.originalMessage };
  }
  throw new Error("expected the database to refuse this, and it did not");
}

function writeMigrations(migrations: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-migrations-"));
  fs.copyFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), path.join(dir, "migration_lock.toml"));
  for (const [name, sql] of Object.entries(migrations)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

async function expectEachMigrationOnce(db: Database) {
  const rows = await db.prisma.$queryRaw<{ migration_name: string; runs: number }[]>`
    SELECT migration_name, count(*)::int AS runs FROM _prisma_migrations
    WHERE finished_at IS NOT NULL GROUP BY migration_name ORDER BY migration_name`;
  const onDisk = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d+_/.test(name))
    .sort();
  expect(rows).toEqual(onDisk.map((migration_name) => ({ migration_name, runs: 1 })));
}
