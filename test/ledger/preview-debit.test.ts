// previewDebit tells what a debit would do without doing it, by the same consumption code: on
// generated wallets (scoped and unscoped blocks, categories, priorities, expiries, overdraft),
// when nothing happens in between, the debit that follows the preview writes exactly the
// preview's allocations and overdraft and leaves its balances; a preview that is not allowed is
// followed by a refused debit. A preview writes nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { InsufficientCreditsError, NotFoundError, ValidationError } from "../../src/ledger/errors.ts";
import { previewDebit } from "../../src/ledger/preview-debit.ts";
import { setConsumptionOrder } from "../../src/ledger/commands/set-consumption-order.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

const generatedBlock = fc.record({
  amount: fc.bigInt({ min: 1n, max: 40n }),
  priority: fc.constantFrom(0, 50),
  category: fc.constantFrom("paid", "granted", "promo"),
  costBasis: fc.constantFrom(null, "0", "0.5"),
  appliesTo: fc.constantFrom<string[]>([], [], ["chat"], ["gpu-hours"], ["chat", "gpu-hours"]),
  expiresInHours: fc.constantFrom(null, 1, 3, 48),
});

const generatedCase = fc.record({
  blocks: fc.array(generatedBlock, { minLength: 0, maxLength: 6 }),
  amount: fc.bigInt({ min: 1n, max: 150n }),
  overdraftLimit: fc.constantFrom(0n, 20n),
  feature: fc.constantFrom<string | null>(null, "chat", "gpu-hours", "search"),
  categories: fc.constantFrom<string[] | null>(null, null, ["paid"]),
  /** Hours after the deposits that the debit is made: expiries in between lapse. */
  laterHours: fc.constantFrom(0, 2),
  consumptionOrder: fc.constantFrom("standard", "soonest_expiry", "cheapest_first"),
});

describe("previewDebit and the debit that follows it", () => {
  it("agree: the debit's entries are the preview's allocations, its balances the preview's balanceAfter", async () => {
    await fc.assert(
      fc.asyncProperty(generatedCase, async (generated) => {
        const wallet = await ledger.newWallet({ overdraftLimit: generated.overdraftLimit, consumptionOrder: generated.consumptionOrder });
        const start = ledger.clock.now().getTime();
        for (const block of generated.blocks) {
          const expiresAt = block.expiresInHours === null ? null : new Date(start + block.expiresInHours * HOUR);
          await ledger.fund(wallet.id, block.amount, { ...block, expiresAt });
        }
        ledger.clock.advance(generated.laterHours * HOUR);
        const input = { scope: ledger.scope, walletId: wallet.id, amount: generated.amount, feature: generated.feature };
        const limited = { ...input, categories: generated.categories };

        const preview = await previewDebit(ledger.ctx, limited);
        const debiting = debit(ledger.ctx, limited);
        if (!preview.allowed) {
          await expect(debiting).rejects.toBeInstanceOf(InsufficientCreditsError);
          const refusal = (await debiting.catch((error: unknown) => error)) as InsufficientCreditsError;
          expect(preview.shortfall).toBe(generated.amount - refusal.available);
          return;
        }
        const done = await debiting;
        expect(preview.shortfall).toBeNull();
        const blockEntries = done.entries.filter((entry) => entry.blockId !== null);
        expect(blockEntries.map((entry) => [entry.blockId, -entry.amount])).toEqual(
          preview.allocations.map((allocation) => [allocation.block.id, allocation.amount]),
        );
        const overdrawn = done.entries.filter((entry) => entry.blockId === null).reduce((sum, entry) => sum - entry.amount, 0n);
        expect(overdrawn).toBe(preview.overdraft);
        const { total, used, frozen, available, overdraftUsed, ledgerBalance } = done.balance!;
        expect(preview.balanceAfter).toMatchObject({ total, used, frozen, available, overdraftUsed, ledgerBalance });
      }),
      { numRuns: 30, seed: Number(process.env.FUZZ_SEED ?? 20261207) },
    );
  }, 300_000);
});

describe("previewDebit", () => {
  it("writes nothing", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n);
    const counts = () =>
      Promise.all([
        ledger.db.prisma.operation.count({ where: { walletId: wallet.id } }),
        ledger.db.prisma.ledgerEntry.count({ where: { walletId: wallet.id } }),
        ledger.db.prisma.event.count({ where: { walletId: wallet.id } }),
      ]);
    const before = await counts();
    const preview = await previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 4n });
    expect(preview).toMatchObject({ allowed: true, balanceAfter: { available: 6n } });
    expect(await counts()).toEqual(before);
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ available: 10n });
  });

  it("at a later instant, tells the credits that expire meanwhile and leaves them out", async () => {
    const wallet = await ledger.newWallet();
    const now = ledger.clock.now().getTime();
    const lasting = await ledger.fund(wallet.id, 10n);
    const expiring = await ledger.fund(wallet.id, 5n, { expiresAt: new Date(now + HOUR) });
    const at = new Date(now + 2 * HOUR);
    const preview = await previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 12n, at });
    expect(preview.expiresMeanwhile.map((block) => block.id)).toEqual([expiring]);
    expect(preview).toMatchObject({ allowed: false, shortfall: 2n, allocations: [{ block: { id: lasting }, amount: 10n }] });
    const soon = await previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 12n });
    expect(soon.allowed).toBe(true);
    expect(soon.allocations.map((allocation) => [allocation.block.id, allocation.amount])).toEqual([
      [expiring, 5n],
      [lasting, 7n],
    ]);
    await expect(
      previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, at: new Date(now - HOUR) }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("tells whether the wallet's auto top-up would fire, and for how much", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    await ledger.db.prisma.autoTopUpRule.create({ data: { walletId: wallet.id, threshold: 50n, targetBalance: 200n } });
    const above = await previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 50n });
    expect(above.autoTopUp).toEqual({ wouldTrigger: false, amount: null });
    const below = await previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 70n });
    expect(below.autoTopUp).toEqual({ wouldTrigger: true, amount: 170n });
  });

  it("is scoped: a customer's token previews its own wallets only", async () => {
    const own = await ledger.newWallet();
    const other = await ledger.newWallet();
    await ledger.fund(own.id, 10n);
    const customer = { ...ledger.scope, customerId: own.customerId, role: "customer" as const };
    expect(await previewDebit(ledger.ctx, { scope: customer, walletId: own.id, amount: 1n })).toMatchObject({ allowed: true });
    await expect(previewDebit(ledger.ctx, { scope: customer, walletId: other.id, amount: 1n })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses what the debit refuses: a bad amount or feature key", async () => {
    const wallet = await ledger.newWallet();
    await expect(previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 0n })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, feature: "two words" }),
    ).rejects.toMatchObject({ issues: [{ path: ["feature"] }] });
  });
});

describe("a wallet's consumption order", () => {
  it("can be previewed before it is chosen, and the debit after choosing it follows the preview", async () => {
    const wallet = await ledger.newWallet();
    const now = ledger.clock.now().getTime();
    const paid = await ledger.fund(wallet.id, 10n, { category: "paid", costBasis: "0.01", priority: 10 });
    const expiring = await ledger.fund(wallet.id, 10n, { category: "paid", costBasis: "0.02", expiresAt: new Date(now + 2 * HOUR) });
    const granted = await ledger.fund(wallet.id, 10n, { category: "granted" });
    const firstDrawn = async (consumptionOrder?: string) =>
      (await previewDebit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 5n, consumptionOrder })).allocations[0]!.block.id;

    expect(await firstDrawn()).toBe(paid);
    expect(await firstDrawn("standard")).toBe(paid);
    expect(await firstDrawn("soonest_expiry")).toBe(expiring);
    expect(await firstDrawn("cheapest_first")).toBe(granted);
    await expect(firstDrawn("random")).rejects.toMatchObject({ issues: [{ path: ["consumptionOrder"] }] });

    await setConsumptionOrder(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, consumptionOrder: "cheapest_first" });
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 15n });
    expect(spent.entries.map((entry) => [entry.blockId, entry.amount])).toEqual([
      [granted, -10n],
      [paid, -5n],
    ]);
  });
});
