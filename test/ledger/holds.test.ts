import { describe, expect, it } from "vitest";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { CaptureExceedsHoldError, HoldNotOpenError, InsufficientCreditsError } from "../../src/ledger/errors.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

async function fundedWallet(amount = 100n) {
  const wallet = await ledger.newWallet();
  await ledger.fund(wallet.id, amount);
  return wallet;
}

describe("holds", () => {
  it("freezes credits: available drops, total and used do not", async () => {
    const wallet = await fundedWallet();
    const { hold, entries } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });
    expect(hold).toMatchObject({ amount: 30n, status: "open" });
    expect(entries).toMatchObject([{ type: "hold", amount: -30n, status: "pending" }]);
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ total: 100n, used: 0n, frozen: 30n, available: 70n });
    await expect(debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 71n })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
  });

  it("captures part of a hold and releases the rest", async () => {
    const wallet = await fundedWallet();
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });
    const captured = await captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id, amount: 20n });
    expect(captured.hold).toMatchObject({ status: "captured", captured: 20n });
    expect(captured.entries.map((entry) => [entry.type, entry.amount])).toEqual([
      ["hold_release", 30n],
      ["capture", -20n],
    ]);
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ total: 100n, used: 20n, frozen: 0n, available: 80n });
  });

  it("captures from the blocks the hold reserved, in the order it reserved them", async () => {
    const wallet = await ledger.newWallet();
    const first = await ledger.fund(wallet.id, 10n, { priority: 1 });
    const second = await ledger.fund(wallet.id, 10n, { priority: 2 });
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 15n });
    const captured = await captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id, amount: 12n });
    expect(captured.entries.filter((entry) => entry.type === "capture").map((entry) => [entry.blockId, entry.amount])).toEqual([
      [first, -10n],
      [second, -2n],
    ]);
  });

  it("releases a hold in full", async () => {
    const wallet = await fundedWallet();
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });
    const released = await releaseHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id });
    expect(released.hold).toMatchObject({ status: "released", captured: 0n });
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ frozen: 0n, available: 100n });
  });

  it("resolves a hold once: no capture after release, no release after capture, no second capture", async () => {
    const wallet = await fundedWallet();
    const released = (await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n })).hold!;
    await releaseHold(ledger.ctx, { scope: ledger.scope, holdId: released.id });
    await expect(captureHold(ledger.ctx, { scope: ledger.scope, holdId: released.id })).rejects.toMatchObject({
      code: "HOLD_NOT_OPEN",
      status: "released",
    });

    const captured = (await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n })).hold!;
    await captureHold(ledger.ctx, { scope: ledger.scope, holdId: captured.id });
    await expect(releaseHold(ledger.ctx, { scope: ledger.scope, holdId: captured.id })).rejects.toBeInstanceOf(HoldNotOpenError);
    await expect(captureHold(ledger.ctx, { scope: ledger.scope, holdId: captured.id })).rejects.toBeInstanceOf(HoldNotOpenError);
  });

  it("never captures more than was held", async () => {
    const wallet = await fundedWallet();
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n });
    await expect(captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id, amount: 11n })).rejects.toBeInstanceOf(
      CaptureExceedsHoldError,
    );
  });

  it("releases itself once past its expiry, and then cannot be captured", async () => {
    const wallet = await fundedWallet();
    const expiresAt = new Date(ledger.clock.now().getTime() + HOUR);
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 40n, expiresAt });
    ledger.clock.advance(HOUR);
    await expect(captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id })).rejects.toMatchObject({
      code: "HOLD_NOT_OPEN",
      status: "expired",
    });
    // The next movement on the wallet writes the release; the hold's credits are spendable again.
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 100n });
    expect(await ledger.db.prisma.hold.findUnique({ where: { id: hold!.id } })).toMatchObject({ status: "expired" });
  });

  it("does not overdraw", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 1_000n });
    await ledger.fund(wallet.id, 10n);
    await expect(holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 11n })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
  });
});
