// Credits that apply to some usage only: blocks carry feature keys (none: any usage); a debit or
// hold for a feature spends the blocks scoped to it first, then those for any usage; one for no
// feature spends only the latter. Balances, shortfalls and events speak of the feature.
import { describe, expect, it } from "vitest";
import { balanceForFeature, balancesByFeature, walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { captureHold } from "../../src/ledger/commands/resolve-hold.ts";
import { updateWallet } from "../../src/ledger/commands/update-wallet.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { InsufficientCreditsError, ValidationError } from "../../src/ledger/errors.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

/** The blocks an operation's entries drew on, with the amounts, in entry order. */
function drawsOf(entries: { blockId: string | null; amount: bigint }[]) {
  return entries.map((entry) => [entry.blockId, entry.amount]);
}

describe("scoped blocks", () => {
  it("keep their feature keys exactly as given, and take the wallet's default when given none", async () => {
    const wallet = await ledger.newWallet({ defaultAppliesTo: ["chat"] });
    const given = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n, appliesTo: ["GPU-hours", "chat/v2"] });
    const defaulted = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n });
    const anyUsage = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n, appliesTo: [] });
    expect(given.blocks[0]!.appliesTo).toEqual(["GPU-hours", "chat/v2"]);
    expect(defaulted.blocks[0]!.appliesTo).toEqual(["chat"]);
    expect(anyUsage.blocks[0]!.appliesTo).toEqual([]);

    await updateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, defaultAppliesTo: [] });
    const afterUpdate = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n });
    expect(afterUpdate.blocks[0]!.appliesTo).toEqual([]);
  });

  it.each([
    [[""], "appliesTo[0]"],
    [["chat", "no spaces"], "appliesTo[1]"],
    [["x".repeat(65)], "appliesTo[0]"],
    [["-leading-dash"], "appliesTo[0]"],
    [["chat", "chat"], "appliesTo"],
    [Array.from({ length: 33 }, (_, index) => `feature-${index}`), "appliesTo"],
  ])("refuse feature keys %j (nothing written)", async (appliesTo, path) => {
    const wallet = await ledger.newWallet();
    const refused = deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n, appliesTo });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ issues: [{ path: path.split(".") }] });
    expect(await ledger.db.prisma.creditBlock.count({ where: { walletId: wallet.id } })).toBe(0);
  });
});

describe("a debit for a feature", () => {
  it("spends the blocks scoped to it first, then those for any usage, and never another feature's", async () => {
    const wallet = await ledger.newWallet();
    const anyUsage = await ledger.fund(wallet.id, 50n, { priority: 0 });
    const chat = await ledger.fund(wallet.id, 30n, { appliesTo: ["chat"] });
    const gpu = await ledger.fund(wallet.id, 40n, { appliesTo: ["gpu-hours"] });

    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 45n, feature: "chat" });
    expect(drawsOf(spent.entries)).toEqual([
      [chat, -30n],
      [anyUsage, -15n],
    ]);
    expect(spent.operation.feature).toBe("chat");
    const blocks = await ledger.db.prisma.creditBlock.findMany({ where: { id: gpu } });
    expect(blocks[0]!.remaining).toBe(40n);
  });

  it("without a feature spends only blocks for any usage", async () => {
    const wallet = await ledger.newWallet();
    const anyUsage = await ledger.fund(wallet.id, 10n);
    await ledger.fund(wallet.id, 30n, { appliesTo: ["chat"] });
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n });
    expect(drawsOf(spent.entries)).toEqual([[anyUsage, -10n]]);
    const refused = debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n });
    await expect(refused).rejects.toMatchObject({ code: "INSUFFICIENT_CREDITS", requested: 1n, available: 0n, feature: null });
  });

  it("that cannot be covered is refused naming the feature and what is available for it", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n);
    await ledger.fund(wallet.id, 20n, { appliesTo: ["chat"] });
    await ledger.fund(wallet.id, 500n, { appliesTo: ["gpu-hours"] });
    const refused = debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 31n, feature: "chat" });
    await expect(refused).rejects.toBeInstanceOf(InsufficientCreditsError);
    await expect(refused).rejects.toMatchObject({ requested: 31n, available: 30n, feature: "chat" });
    await expect(refused).rejects.toThrow('insufficient credits for feature "chat": 31 requested, 30 available for it');
  });

  it("refuses a feature key that cannot be one", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n);
    await expect(debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, feature: "a b" })).rejects.toMatchObject({
      issues: [{ path: ["feature"] }],
    });
  });

  it("names the feature in its operation.completed event, as a hold does", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n, { appliesTo: ["chat"] });
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 2n, feature: "chat" });
    const held = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 3n, feature: "chat" });
    const unscoped = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n });
    const events = await ledger.db.prisma.event.findMany({ where: { walletId: wallet.id, type: "operation.completed" } });
    const featureOf = (operationId: string) =>
      (events.find((event) => event.operationId === operationId)!.payload as { operation: { feature: string | null } }).operation.feature;
    expect(featureOf(spent.operation.id)).toBe("chat");
    expect(featureOf(held.operation.id)).toBe("chat");
    expect(featureOf(unscoped.operation.id)).toBeNull();
  });
});

describe("free and granted credits", () => {
  it("are spent before paid ones of the same priority and expiry, whatever their age or cost basis", async () => {
    const wallet = await ledger.newWallet();
    const paid = await ledger.fund(wallet.id, 10n, { category: "paid" });
    const granted = await ledger.fund(wallet.id, 10n, { category: "granted" });
    const promo = await ledger.fund(wallet.id, 10n, { category: "promo_2026", costBasis: "0.5" });
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 25n });
    expect(drawsOf(spent.entries)).toEqual([
      [granted, -10n],
      [promo, -10n],
      [paid, -5n],
    ]);
  });
});

describe("a hold for a feature", () => {
  it("reserves only from the blocks that apply to it, and its capture stays within them", async () => {
    const wallet = await ledger.newWallet();
    const anyUsage = await ledger.fund(wallet.id, 10n);
    const chat = await ledger.fund(wallet.id, 10n, { appliesTo: ["chat"] });
    await ledger.fund(wallet.id, 100n, { appliesTo: ["gpu-hours"] });

    const refused = holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 21n, feature: "chat" });
    await expect(refused).rejects.toMatchObject({ code: "INSUFFICIENT_CREDITS", available: 20n, feature: "chat" });

    const { hold, entries } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 15n, feature: "chat" });
    expect(drawsOf(entries)).toEqual([
      [chat, -10n],
      [anyUsage, -5n],
    ]);
    const captured = await captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id, amount: 12n });
    const touched = new Set(captured.entries.map((entry) => entry.blockId));
    expect([...touched].every((blockId) => blockId === chat || blockId === anyUsage)).toBe(true);
    const chatBalance = balanceForFeature(await walletBalance(ledger.ctx, ledger.scope, wallet.id), "chat");
    expect(chatBalance).toMatchObject({ total: 20n, used: 12n, frozen: 0n, available: 8n });
  });

  it("without a feature reserves only blocks for any usage", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n, { appliesTo: ["chat"] });
    await expect(holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n })).rejects.toMatchObject({
      code: "INSUFFICIENT_CREDITS",
      available: 0n,
    });
  });
});

describe("balances per feature", () => {
  it("count the blocks scoped to the feature and those for any usage, now and at a past instant", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    await ledger.fund(wallet.id, 30n, { appliesTo: ["chat"] });
    await ledger.fund(wallet.id, 50n, { appliesTo: ["chat", "gpu-hours"], expiresAt: new Date(ledger.clock.now().getTime() + 2 * HOUR) });
    const before = ledger.clock.now();
    ledger.clock.advance(HOUR);
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 60n, feature: "gpu-hours" });

    const now = await walletBalance(ledger.ctx, ledger.scope, wallet.id);
    expect(balanceForFeature(now, "chat")).toMatchObject({ total: 180n, used: 60n, available: 120n });
    expect(balanceForFeature(now, "gpu-hours")).toMatchObject({ total: 150n, used: 60n, available: 90n });
    expect(balanceForFeature(now, "search")).toMatchObject({ total: 100n, used: 10n, available: 90n });
    expect(balancesByFeature(now).map(({ feature, available }) => [feature, available])).toEqual([
      ["chat", 120n],
      ["gpu-hours", 90n],
    ]);

    const then = await walletBalance(ledger.ctx, ledger.scope, wallet.id, before);
    expect(balanceForFeature(then, "gpu-hours")).toMatchObject({ total: 150n, used: 0n, available: 150n });

    // Once the shared block expires, neither feature counts it.
    ledger.clock.advance(HOUR);
    const later = await walletBalance(ledger.ctx, ledger.scope, wallet.id);
    expect(balanceForFeature(later, "gpu-hours")).toMatchObject({ available: 90n });
    expect(balanceForFeature(later, "chat")).toMatchObject({ available: 120n });
  });

  it("void takes credits back from any block, scoped or not", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n, { appliesTo: ["chat"] });
    const voided = await voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 4n });
    expect(voided.entries.map((entry) => entry.amount)).toEqual([-4n]);
  });
});
