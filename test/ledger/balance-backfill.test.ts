// The migration that gave blocks and entries their figures backfills them from a ledger written
// before it, including entries stamped out of order (a gateway whose clock lagged), so that
// balances at every instant are what a replay of that ledger gives.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { MIGRATIONS_DIR } from "../../src/db/migrations.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import type { LedgerContext, Scope } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { comparable, loadHistory, replayBalance } from "../support/balance-replay.ts";
import { createTestDatabase } from "../support/database.ts";
import { teamScope } from "../support/ledger.ts";

const FIGURES_MIGRATION = "20261125170018_balances_from_stored_figures";
const T0 = Date.parse("2026-03-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);

let db: Database;
let migrationsBefore: string;
let scope: Scope;
let walletId: string;

/** A ledger as the gateway wrote it before the figures, one row at a time. */
class LegacyLedger {
  private sequence = 0n;
  private balance = 0n;
  readonly blocks = new Map<string, { id: string; remaining: bigint }>();

  constructor(
    private readonly walletId: string,
    private readonly tenantId: string,
  ) {}

  async operation(type: string, time: number, extra: { targetOperationId?: string; holdId?: string } = {}): Promise<string> {
    const id = randomUUID();
    await db.prisma.$executeRaw`
      INSERT INTO operation (id, tenant_id, livemode, wallet_id, type, request_hash, target_operation_id, hold_id, created_at)
      VALUES (${id}::uuid, ${this.tenantId}::uuid, true, ${this.walletId}::uuid, ${type}::operation_type, 'legacy',
              ${extra.targetOperationId ?? null}::uuid, ${extra.holdId ?? null}::uuid, ${at(time)})`;
    return id;
  }

  async block(
    key: string,
    operationId: string,
    amount: bigint,
    time: number,
    fields: { category: string; source: string; effectiveAt?: number; expiresAt?: number },
  ) {
    const id = randomUUID();
    await db.prisma.$executeRaw`
      INSERT INTO credit_block (id, wallet_id, operation_id, amount, remaining, category, effective_at, expires_at, source, created_at)
      VALUES (${id}::uuid, ${this.walletId}::uuid, ${operationId}::uuid, ${amount}, 0, ${fields.category}, ${at(fields.effectiveAt ?? time)},
              ${fields.expiresAt === undefined ? null : at(fields.expiresAt)}, ${fields.source}::credit_block_source, ${at(time)})`;
    this.blocks.set(key, { id, remaining: 0n });
  }

  async entry(blockKey: string | null, operationId: string, type: string, amount: bigint, time: number, holdId?: string) {
    const block = blockKey === null ? null : this.blocks.get(blockKey)!;
    this.sequence += 1n;
    const starting = this.balance;
    this.balance += amount;
    await db.prisma.$executeRaw`
      INSERT INTO ledger_entry (id, wallet_id, block_id, operation_id, hold_id, sequence, type, amount, starting_balance, ending_balance, status, created_at)
      VALUES (${randomUUID()}::uuid, ${this.walletId}::uuid, ${block?.id ?? null}::uuid, ${operationId}::uuid, ${holdId ?? null}::uuid, ${this.sequence},
              ${type}::ledger_entry_type, ${amount}, ${starting}, ${this.balance}, ${type === "hold" ? "pending" : "committed"}::ledger_entry_status, ${at(time)})`;
    if (block) {
      block.remaining += amount;
      await db.prisma.$executeRaw`UPDATE credit_block SET remaining = ${block.remaining} WHERE id = ${block.id}::uuid`;
    }
    await db.prisma
      .$executeRaw`UPDATE wallet SET balance = ${this.balance}, last_sequence = ${this.sequence} WHERE id = ${this.walletId}::uuid`;
  }
}

beforeAll(async () => {
  // The migrations as they stood before the figures.
  migrationsBefore = fs.mkdtempSync(path.join(os.tmpdir(), "bg-migrations-before-"));
  fs.copyFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), path.join(migrationsBefore, "migration_lock.toml"));
  for (const name of fs.readdirSync(MIGRATIONS_DIR).filter((name) => /^\d+_/.test(name) && name < FIGURES_MIGRATION)) {
    fs.cpSync(path.join(MIGRATIONS_DIR, name), path.join(migrationsBefore, name), { recursive: true });
  }
  db = await createTestDatabase({ migrate: false });
  await db.migrate(migrationsBefore);

  const tenant = await db.prisma.tenant.create({ data: { slug: "legacy", name: "Legacy" } });
  const customer = await db.prisma.customer.create({ data: { tenantId: tenant.id, externalId: "legacy" } });
  walletId = randomUUID();
  await db.prisma.$executeRaw`
    INSERT INTO wallet (id, tenant_id, livemode, customer_id, currency, scale, overdraft_limit, created_at, updated_at)
    VALUES (${walletId}::uuid, ${tenant.id}::uuid, true, ${customer.id}::uuid, 'USD', 2, 20, ${at(0)}, ${at(0)})`;
  scope = teamScope(tenant.id, true);

  const legacy = new LegacyLedger(walletId, tenant.id);
  const paid = await legacy.operation("deposit", 1_000);
  await legacy.block("A", paid, 100n, 1_000, { category: "paid", source: "deposit" });
  await legacy.entry("A", paid, "increment", 100n, 1_000);
  const promo = await legacy.operation("deposit", 2_000);
  await legacy.block("B", promo, 50n, 2_000, { category: "promo", source: "deposit", effectiveAt: 5_000, expiresAt: 50_000 });
  await legacy.entry("B", promo, "increment", 50n, 2_000);
  const firstDebit = await legacy.operation("debit", 3_000);
  await legacy.entry("A", firstDebit, "decrement", -30n, 3_000);
  const holdId = randomUUID();
  await db.prisma.$executeRaw`
    INSERT INTO hold (id, wallet_id, amount, captured, status, created_at, resolved_at)
    VALUES (${holdId}::uuid, ${walletId}::uuid, 20, 15, 'captured', ${at(4_000)}, ${at(7_000)})`;
  const hold = await legacy.operation("hold", 4_000, { holdId });
  await legacy.entry("A", hold, "hold", -20n, 4_000, holdId);
  const overdrawing = await legacy.operation("debit", 6_000);
  await legacy.entry("A", overdrawing, "decrement", -50n, 6_000);
  await legacy.entry(null, overdrawing, "decrement", -10n, 6_000);
  // Written by a gateway whose clock lagged: stamped before the entries that precede it.
  const repaying = await legacy.operation("deposit", 5_500);
  await legacy.entry(null, repaying, "increment", 10n, 5_500);
  await legacy.block("C", repaying, 40n, 5_500, { category: "paid", source: "deposit" });
  await legacy.entry("C", repaying, "increment", 40n, 5_500);
  const capture = await legacy.operation("capture", 7_000, { holdId });
  await legacy.entry("A", capture, "hold_release", 20n, 7_000, holdId);
  await legacy.entry("A", capture, "capture", -15n, 7_000, holdId);
  const refundBack = await legacy.operation("refund", 8_000, { targetOperationId: firstDebit });
  await legacy.entry("A", refundBack, "refund", 10n, 8_000);
  const refundAnew = await legacy.operation("refund", 9_000, { targetOperationId: overdrawing });
  await legacy.block("R", refundAnew, 5n, 9_000, { category: "paid", source: "refund" });
  await legacy.entry("R", refundAnew, "refund", 5n, 9_000);
  const fromRefund = await legacy.operation("debit", 9_500);
  await legacy.entry("R", fromRefund, "decrement", -3n, 9_500);
  // Out of order within one block: stamped before the debit it refunds.
  const refundIntoRefund = await legacy.operation("refund", 9_400, { targetOperationId: fromRefund });
  await legacy.entry("R", refundIntoRefund, "refund", 2n, 9_400);

  await db.migrate();
}, 120_000);

afterAll(async () => {
  await db?.close();
  if (migrationsBefore) fs.rmSync(migrationsBefore, { recursive: true, force: true });
});

describe("the migration to stored figures", () => {
  it("backfills figures that every invariant agrees with", async () => {
    expect(await verifyLedger(db.prisma)).toEqual([]);
    expect(await db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId } })).toMatchObject({ lastEntryAt: at(9_500) });
  });

  it("gives the balances a replay of the old ledger gives, now and at every instant", async () => {
    const ctx: LedgerContext = { prisma: db.prisma, now: () => at(60_000) };
    const history = await loadHistory(db.prisma, walletId);
    expect(comparable(await walletBalance(ctx, scope, walletId))).toEqual(replayBalance(history, at(60_000)));
    const times = [...new Set(history.entries.flatMap((entry) => [-1, 0, 1].map((step) => entry.createdAt.getTime() + step)))].sort(
      (a, b) => a - b,
    );
    for (const time of [T0, ...times, T0 + 5_000, T0 + 50_000]) {
      const instant = new Date(time);
      expect(comparable(await walletBalance(ctx, scope, walletId, instant)), instant.toISOString()).toEqual(
        replayBalance(history, instant),
      );
    }
    // Between the debit from the refund block and the refund stamped before it: the refund only.
    expect((await walletBalance(ctx, scope, walletId, at(9_450))).blocks.find((block) => block.block.source === "refund")).toMatchObject({
      available: 7n,
      used: 0n,
    });
  });

  it("lets the ledger go on from there, stamping no entry before the latest", async () => {
    const lagging: LedgerContext = { prisma: db.prisma, now: () => at(9_450) };
    const result = await debit(lagging, { scope, walletId, amount: 1n });
    expect(result.entries.map((entry) => entry.createdAt)).toEqual([at(9_500)]);
    expect(await verifyLedger(db.prisma)).toEqual([]);
  });
});
