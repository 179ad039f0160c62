import { describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { InsufficientCreditsError, WalletTerminatedError } from "../../src/ledger/errors.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import { DAY, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

describe("debit", () => {
  it("spends by priority, then soonest expiry, then lowest cost basis, then oldest", async () => {
    const wallet = await ledger.newWallet();
    const now = ledger.clock.now().getTime();
    const paidOld = await ledger.fund(wallet.id, 10n, { category: "paid", costBasis: "1" });
    const paidNew = await ledger.fund(wallet.id, 10n, { category: "paid", costBasis: "1" });
    const granted = await ledger.fund(wallet.id, 10n, { category: "granted", costBasis: "0" });
    const expiringLater = await ledger.fund(wallet.id, 10n, { expiresAt: new Date(now + 20 * DAY) });
    const expiringSoon = await ledger.fund(wallet.id, 10n, { expiresAt: new Date(now + 10 * DAY) });
    const urgent = await ledger.fund(wallet.id, 10n, { priority: 1 });

    const result = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 60n });
    expect(result.entries.map((entry) => entry.blockId)).toEqual([urgent, expiringSoon, expiringLater, granted, paidOld, paidNew]);
    expect(result.entries.every((entry) => entry.type === "decrement" && entry.amount === -10n)).toBe(true);
  });

  it("writes one entry per block drawn from, with running balances", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 30n);
    await ledger.fund(wallet.id, 50n);
    const result = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 45n, reference: "order-7" });
    expect(
      result.entries.map((entry) => [entry.sequence, entry.amount, entry.startingBalance, entry.endingBalance, entry.reference]),
    ).toEqual([
      [3n, -30n, 80n, 50n, "order-7"],
      [4n, -15n, 50n, 35n, "order-7"],
    ]);
    expect(result.blocks.map((block) => block.remaining)).toEqual([0n, 35n]);
  });

  it("fails with insufficient credits and changes nothing", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const error = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 101n }).catch((caught) => caught);
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error).toMatchObject({ requested: 101n, available: 100n });
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ available: 100n, used: 0n });
    expect(await ledger.db.prisma.operation.count({ where: { walletId: wallet.id, type: "debit" } })).toBe(0);
  });

  it("ignores credits not yet effective or already expired", async () => {
    const wallet = await ledger.newWallet();
    const now = ledger.clock.now().getTime();
    await ledger.fund(wallet.id, 100n, { effectiveAt: new Date(now + DAY) });
    await ledger.fund(wallet.id, 50n, { expiresAt: new Date(now + DAY) });
    ledger.clock.advance(DAY);
    await expect(debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 101n })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 100n });
  });

  it("spends only the categories asked for", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n, { category: "granted" });
    const paid = await ledger.fund(wallet.id, 100n, { category: "paid" });
    const result = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 60n, categories: ["paid"] });
    expect(result.entries.map((entry) => entry.blockId)).toEqual([paid]);
    await expect(debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 41n, categories: ["paid"] })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
  });

  it("overdraws up to the wallet's limit on the overdraft account", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 50n });
    await ledger.fund(wallet.id, 30n);
    const result = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 70n });
    expect(result.entries.map((entry) => [entry.blockId === null, entry.amount])).toEqual([
      [false, -30n],
      [true, -40n],
    ]);
    expect(result.wallet).toMatchObject({ balance: -40n, overdraftUsed: 40n });
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ total: 30n, used: 70n, available: -40n });
    await expect(debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 11n })).rejects.toMatchObject({ available: 10n });
  });

  it("replays a repeated key without spending twice", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const input = { scope: ledger.scope, walletId: wallet.id, amount: 40n, idempotencyKey: "debit-1" };
    await debit(ledger.ctx, input);
    const replay = await debit(ledger.ctx, input);
    expect(replay.replayed).toBe(true);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(60n);
  });

  it("refuses a terminated wallet", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    await terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id });
    await expect(debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n })).rejects.toBeInstanceOf(WalletTerminatedError);
  });
});
