import { describe, expect, it } from "vitest";
import { amendBlock } from "../../src/ledger/commands/amend-block.ts";
import { changeBlockExpiry } from "../../src/ledger/commands/change-block-expiry.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { captureHold } from "../../src/ledger/commands/resolve-hold.ts";
import { refund } from "../../src/ledger/commands/refund.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import {
  BlockNotUsableError,
  InsufficientCreditsError,
  RefundExceedsDebitError,
  ValidationError,
  WalletTerminatedError,
} from "../../src/ledger/errors.ts";
import { DAY, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

describe("void", () => {
  it("voids part of a block, then what is left of it", async () => {
    const wallet = await ledger.newWallet();
    const block = await ledger.fund(wallet.id, 100n);
    const partial = await voidCredits(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      blockId: block,
      amount: 30n,
      reason: "refund",
    });
    expect(partial.entries).toMatchObject([{ type: "void", amount: -30n, metadata: { void_reason: "refund" } }]);
    await voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, blockId: block });
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ total: 0n, available: 0n });
    await expect(voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, blockId: block })).rejects.toBeInstanceOf(
      BlockNotUsableError,
    );
  });

  it("voids an amount across blocks in consumption order", async () => {
    const wallet = await ledger.newWallet();
    const first = await ledger.fund(wallet.id, 10n, { priority: 1 });
    const second = await ledger.fund(wallet.id, 10n, { priority: 2 });
    const result = await voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 15n });
    expect(result.entries.map((entry) => [entry.blockId, entry.amount])).toEqual([
      [first, -10n],
      [second, -5n],
    ]);
    await expect(voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 6n })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
  });
});

describe("refund", () => {
  it("credits back the blocks a debit drew from, latest draw first, never beyond the debit", async () => {
    const wallet = await ledger.newWallet();
    const promo = await ledger.fund(wallet.id, 10n, { category: "promo", priority: 1 });
    const paid = await ledger.fund(wallet.id, 100n, { category: "paid" });
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });

    const partial = await refund(ledger.ctx, { scope: ledger.scope, operationId: spent.operation.id, amount: 25n });
    expect(partial.entries.map((entry) => [entry.type, entry.blockId, entry.amount])).toEqual([
      ["refund", paid, 20n],
      ["refund", promo, 5n],
    ]);
    await expect(refund(ledger.ctx, { scope: ledger.scope, operationId: spent.operation.id, amount: 6n })).rejects.toBeInstanceOf(
      RefundExceedsDebitError,
    );
    const rest = await refund(ledger.ctx, { scope: ledger.scope, operationId: spent.operation.id });
    expect(rest.entries.map((entry) => [entry.blockId, entry.amount])).toEqual([[promo, 5n]]);
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ total: 110n, used: 0n, available: 110n });
  });

  it("credits a new block when the original has expired", async () => {
    const wallet = await ledger.newWallet();
    const expiring = await ledger.fund(wallet.id, 50n, { category: "promo", expiresAt: new Date(ledger.clock.now().getTime() + DAY) });
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 20n });
    ledger.clock.advance(2 * DAY);
    const result = await refund(ledger.ctx, { scope: ledger.scope, operationId: spent.operation.id });
    expect(result.blocks).toMatchObject([{ source: "refund", category: "promo", amount: 20n, expiresAt: null }]);
    expect(result.blocks[0]!.id).not.toBe(expiring);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(20n);
  });

  it("refunds a capture too, and refuses anything that is not a spend", async () => {
    const wallet = await ledger.newWallet();
    const funded = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 40n });
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });
    const capture = await captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id, amount: 25n });
    await refund(ledger.ctx, { scope: ledger.scope, operationId: capture.operation.id });
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(40n);
    await expect(refund(ledger.ctx, { scope: ledger.scope, operationId: funded.operation.id })).rejects.toBeInstanceOf(ValidationError);
  });

  it("repays the overdraft a debit ran up", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 100n });
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 60n });
    const result = await refund(ledger.ctx, { scope: ledger.scope, operationId: spent.operation.id });
    expect(result.wallet).toMatchObject({ balance: 0n, overdraftUsed: 0n });
  });
});

describe("amendment", () => {
  it("adjusts a block up or down, never below zero", async () => {
    const wallet = await ledger.newWallet();
    const block = await ledger.fund(wallet.id, 100n);
    await amendBlock(ledger.ctx, { scope: ledger.scope, blockId: block, amount: 25n });
    await amendBlock(ledger.ctx, { scope: ledger.scope, blockId: block, amount: -5n });
    await expect(amendBlock(ledger.ctx, { scope: ledger.scope, blockId: block, amount: -121n })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ total: 120n, available: 120n });
  });
});

describe("expiration change", () => {
  it("moves credits to a block with the new expiry; the balance ends where it started", async () => {
    const wallet = await ledger.newWallet();
    const soon = new Date(ledger.clock.now().getTime() + DAY);
    const block = await ledger.fund(wallet.id, 100n, { expiresAt: soon });
    const later = new Date(ledger.clock.now().getTime() + 30 * DAY);
    const result = await changeBlockExpiry(ledger.ctx, { scope: ledger.scope, blockId: block, expiresAt: later, amount: 60n });
    expect(result.entries.map((entry) => [entry.type, entry.amount])).toEqual([
      ["expiration_change", -60n],
      ["expiration_change", 60n],
    ]);
    expect(result.entries[0]!.startingBalance).toBe(result.entries[1]!.endingBalance);
    expect(result.blocks.map((moved) => [moved.remaining, moved.expiresAt])).toEqual([
      [40n, soon],
      [60n, later],
    ]);
    ledger.clock.advance(2 * DAY);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(60n);
  });

  it("rejects an expiry already past", async () => {
    const wallet = await ledger.newWallet();
    const block = await ledger.fund(wallet.id, 100n);
    await expect(
      changeBlockExpiry(ledger.ctx, { scope: ledger.scope, blockId: block, expiresAt: new Date("2020-01-01") }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("termination", () => {
  it("releases holds, voids every credit left, and is final", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    await ledger.fund(wallet.id, 50n, { effectiveAt: new Date(ledger.clock.now().getTime() + DAY) });
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });
    const result = await terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, idempotencyKey: "close-1" });
    expect(result.wallet).toMatchObject({ status: "terminated", balance: 0n });
    expect(result.entries.map((entry) => [entry.type, entry.amount])).toEqual([
      ["hold_release", 30n],
      ["void", -100n],
      ["void", -50n],
    ]);
    expect(await ledger.db.prisma.hold.findUnique({ where: { id: hold!.id } })).toMatchObject({ status: "released" });
    expect((await terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, idempotencyKey: "close-1" })).replayed).toBe(
      true,
    );
    await expect(terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id })).rejects.toBeInstanceOf(WalletTerminatedError);
    await expect(deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n })).rejects.toBeInstanceOf(
      WalletTerminatedError,
    );
  });
});
