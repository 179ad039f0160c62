// A repeated idempotency key answers what the first request answered: what it wrote, and the
// balances as it left them, however the wallet moved since.
import { describe, expect, it } from "vitest";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { captureHold } from "../../src/ledger/commands/resolve-hold.ts";
import { updateWallet } from "../../src/ledger/commands/update-wallet.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { isUniqueViolation } from "../../src/ledger/idempotency.ts";
import { OPERATION_KEY_INDEX } from "../../src/ledger/transaction.ts";
import type { LedgerResult } from "../../src/ledger/wallet-ledger.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

/** What a caller sees of an answer, replayed or not. */
function answered(result: LedgerResult) {
  return {
    operation: result.operation.id,
    walletBalance: result.wallet.balance,
    overdraftUsed: result.wallet.overdraftUsed,
    lastSequence: result.wallet.lastSequence,
    entries: result.entries.map((entry) => entry.id),
    blocks: result.blocks.map(({ id, remaining, used, frozen }) => ({ id, remaining, used, frozen })),
    hold: result.hold && { id: result.hold.id, status: result.hold.status, captured: result.hold.captured },
    balance: result.balance && {
      ...result.balance,
      blocks: result.balance.blocks.map(({ block, ...figures }) => ({ id: block.id, ...figures })),
    },
  };
}

describe("a replay", () => {
  it("of a deposit answers the balance the deposit left, not the wallet's balance now", async () => {
    const wallet = await ledger.newWallet();
    const input = { scope: ledger.scope, walletId: wallet.id, amount: 2000n, idempotencyKey: "deposit-2000" };
    const first = await deposit(ledger.ctx, input);
    ledger.clock.advance(1000);
    await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 12n });
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 500n });

    const again = await deposit(ledger.ctx, input);
    expect(again.replayed).toBe(true);
    expect(first.balance?.available).toBe(2000n);
    expect(answered(again)).toEqual(answered(first));
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(1512n);
  });

  it("of a debit answers the balances its own statement left", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 100n });
    await ledger.fund(wallet.id, 300n);
    const input = { scope: ledger.scope, walletId: wallet.id, amount: 350n, idempotencyKey: "debit-350" };
    const first = await debit(ledger.ctx, input);
    ledger.clock.advance(1000);
    await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1000n });

    const again = await debit(ledger.ctx, input);
    expect(again.replayed).toBe(true);
    expect(first.balance?.overdraftUsed).toBe(50n);
    expect(answered(again)).toEqual(answered(first));
  });

  it("of a hold answers the hold open, as it was, though it was captured since", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const input = { scope: ledger.scope, walletId: wallet.id, amount: 40n, idempotencyKey: "hold-40" };
    const first = await holdCredits(ledger.ctx, input);
    ledger.clock.advance(1000);
    await captureHold(ledger.ctx, { scope: ledger.scope, holdId: first.hold!.id, amount: 30n });

    const again = await holdCredits(ledger.ctx, input);
    expect(answered(again)).toEqual(answered(first));
    expect(again.hold).toMatchObject({ status: "open", captured: 0n });
  });

  it("of a settings change answers the balances as they stood then", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 70n);
    const input = { scope: ledger.scope, walletId: wallet.id, name: "renamed", idempotencyKey: "rename" };
    const first = await updateWallet(ledger.ctx, input);
    ledger.clock.advance(1000);
    await ledger.fund(wallet.id, 5n);

    const again = await updateWallet(ledger.ctx, input);
    expect(first.balance?.available).toBe(70n);
    expect(answered(again)).toEqual(answered(first));
  });

  it("of a wallet's creation answers the balances it opened with", async () => {
    const input = { scope: ledger.scope, customer: { externalId: "replayed-creation" }, currency: "USD", idempotencyKey: "create-once" };
    const first = await createWallet(ledger.ctx, input);
    ledger.clock.advance(1000);
    await ledger.fund(first.wallet.id, 5n);

    const again = await createWallet(ledger.ctx, input);
    expect(again.replayed).toBe(true);
    expect([again.balance.available, again.wallet.balance]).toEqual([0n, 0n]);
  });
});

describe("isUniqueViolation", () => {
  it("names the index a Prisma call, raw SQL and a SQL function ran into, on this database's adapter", async () => {
    const wallet = await ledger.newWallet();
    await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, idempotencyKey: "taken" });
    const operation = {
      tenantId: ledger.scope.tenantId,
      livemode: true,
      walletId: wallet.id,
      type: "deposit" as const,
      idempotencyKey: "taken",
      requestHash: "x",
    };
    const viaPrisma = await ledger.db.prisma.operation.create({ data: operation }).catch((error: unknown) => error);
    const viaSql = await ledger.db.prisma.$executeRaw`
      INSERT INTO operation (id, tenant_id, livemode, wallet_id, type, idempotency_key, request_hash)
      VALUES (gen_random_uuid(), ${ledger.scope.tenantId}::uuid, true, ${wallet.id}::uuid, 'deposit', 'taken', 'x')`.catch(
      (error: unknown) => error,
    );
    const twin = ledger.db.prisma.wallet.create({
      data: { tenantId: ledger.scope.tenantId, livemode: true, customerId: wallet.customerId, currency: "USD", scale: 2 },
    });
    const viaWalletIndex = await twin.catch((error: unknown) => error);

    for (const error of [viaPrisma, viaSql]) {
      expect(isUniqueViolation(error, OPERATION_KEY_INDEX)).toBe(true);
      expect(isUniqueViolation(error, "wallet_one_active_per_customer_currency_name")).toBe(false);
    }
    expect(isUniqueViolation(viaWalletIndex, "wallet_one_active_per_customer_currency_name")).toBe(true);
    expect(isUniqueViolation(viaWalletIndex, OPERATION_KEY_INDEX)).toBe(false);
    expect(isUniqueViolation(new Error(`duplicate key "${OPERATION_KEY_INDEX}"`), OPERATION_KEY_INDEX)).toBe(false);
  });
});
