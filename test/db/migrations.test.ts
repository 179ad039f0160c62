import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { openDatabase } from "../../src/db/database.ts";
import { pendingSchemaChanges } from "../../src/db/migrations.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { createTestDatabase, testDatabaseKind } from "../support/database.ts";

describe("migrations", () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it("agree with prisma/schema.prisma", async () => {
    const sql = await pendingSchemaChanges();
    expect(sql, `prisma/schema.prisma has changes no migration holds; write one with\n  npm run db:migration:create -- <name>\n\n${sql}`).toBe("");
  });

  it("are recorded in Prisma's own table, so applying them again changes nothing", async () => {
    const applied = await db.prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
    const onDisk = fs.readdirSync(path.resolve(import.meta.dirname, "../../prisma/migrations")).filter((name) => /^\d+_/.test(name));
    expect(applied.map((row) => row.migration_name).sort()).toEqual(onDisk.sort());
  });

  describe("constraints the database itself enforces", () => {
    async function seededEntry() {
      const ctx = { prisma: db.prisma, now: () => new Date() };
      const tenant = await db.prisma.tenant.create({ data: { slug: `t-${Date.now()}-${Math.random()}`, name: "T" } });
      const scope = { tenantId: tenant.id, livemode: true };
      const { wallet } = await createWallet(ctx, { scope, customer: { externalId: "c" }, currency: "USD" });
      return deposit(ctx, { scope, walletId: wallet.id, amount: 100n });
    }

    it("refuses to update or delete a ledger entry", async () => {
      const { entries } = await seededEntry();
      const id = entries[0]!.id;
      await expect(db.prisma.$executeRaw`UPDATE ledger_entry SET amount = 1 WHERE id = ${id}::uuid`).rejects.toThrow(/append-only/);
      await expect(db.prisma.$executeRaw`DELETE FROM ledger_entry WHERE id = ${id}::uuid`).rejects.toThrow(/append-only/);
      await expect(db.prisma.$executeRaw`TRUNCATE ledger_entry CASCADE`).rejects.toThrow(/append-only/);
    });

    it("refuses a block with negative credits left", async () => {
      const { blocks } = await seededEntry();
      await expect(db.prisma.creditBlock.update({ where: { id: blocks[0]!.id }, data: { remaining: -1n } })).rejects.toThrow(/remaining_non_negative/);
    });
  });
});

describe.runIf(testDatabaseKind === "pglite")("the embedded database", () => {
  it("serves one process at a time and says who holds it", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-pglite-"));
    // Another live process (this test's parent) holding the lock stands in for a running gateway.
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, "gateway.lock"), String(process.ppid));
    await expect(openDatabase({ dataDir })).rejects.toThrow(`in use by process ${process.ppid}`);

    // A lock left by a process that is gone is taken over.
    fs.writeFileSync(path.join(dataDir, "gateway.lock"), "999999999");
    const db = await openDatabase({ dataDir });
    expect(fs.readFileSync(path.join(dataDir, "gateway.lock"), "utf8")).toBe(String(process.pid));
    await db.close();
    expect(fs.existsSync(path.join(dataDir, "gateway.lock"))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
