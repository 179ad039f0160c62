// The consumption rules are written three times: in memory (isSpendableAt, appliesToFeature,
// consumptionOrderOf), as a query (eligibleAt, sorted by the wallet's order; holds draw through
// it) and in SQL (`ledger_debit`, the debit hot path). On generated wallets, with blocks scoped to
// features or not, debits for a feature or none, and each consumption order a wallet may choose,
// all three pick the same blocks in the same order, and the debit's entries carry exactly the
// figures the in-memory rules give.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CreditBlock } from "../../src/db/generated/client.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { appliesToFeature, consumptionOrderOf, eligibleAt, isSpendableAt, planDraws } from "../../src/ledger/consumption.ts";
import { figuresAfter } from "../../src/ledger/block-figures.ts";
import { InsufficientCreditsError } from "../../src/ledger/errors.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

/** A block as generated: when it takes effect and expires relative to the debit, and its order keys. */
const generatedBlock = fc.record({
  amount: fc.bigInt({ min: 1n, max: 50n }),
  priority: fc.constantFrom(0, 1, 5),
  category: fc.constantFrom("paid", "granted", "promo"),
  appliesTo: fc.constantFrom<string[]>([], [], ["chat"], ["gpu-hours"], ["chat", "gpu-hours"]),
  costBasis: fc.constantFrom(null, "0", "0.5", "1", "1.000000000001"),
  /** Hours after the deposits that it takes effect: past the debit (8 h) means not yet. */
  effectiveInHours: fc.constantFrom(null, 1, 8, 30),
  /** Hours after the deposits that it expires: before the debit means expired by then. */
  expiresInHours: fc.constantFrom(null, 4, 8, 48, 72),
  /** Deposited in the same millisecond as the block before it, so that only the id orders them. */
  sameInstant: fc.boolean(),
  /** Credits taken back before the debit: none, some (the block stays active) or all. */
  voided: fc.constantFrom<"none" | "some" | "all">("none", "some", "all"),
});

type GeneratedBlock = typeof generatedBlock extends fc.Arbitrary<infer T> ? T : never;

const generatedCase = fc.record({
  blocks: fc.array(generatedBlock, { minLength: 1, maxLength: 7 }),
  amount: fc.bigInt({ min: 1n, max: 200n }),
  overdraftLimit: fc.constantFrom(0n, 25n),
  categories: fc.constantFrom<string[] | null>(null, ["paid"], ["granted", "promo"]),
  feature: fc.constantFrom<string | null>(null, "chat", "search"),
  consumptionOrder: fc.constantFrom("standard", "standard", "soonest_expiry", "cheapest_first"),
});

describe("the consumption rules, in memory, as a query and in ledger_debit", () => {
  it("pick the same blocks in the same order and leave the same figures", async () => {
    await fc.assert(
      fc.asyncProperty(generatedCase, async (generated) => {
        const start = ledger.clock.now().getTime();
        const wallet = await ledger.newWallet({ overdraftLimit: generated.overdraftLimit, consumptionOrder: generated.consumptionOrder });
        const compareConsumption = consumptionOrderOf(wallet.consumptionOrder);
        for (const block of generated.blocks) {
          if (!block.sameInstant) ledger.clock.advance(1);
          const blockId = await depositAt(wallet.id, block, start);
          if (block.voided !== "none") {
            const amount = block.voided === "some" && block.amount > 1n ? block.amount / 2n : null;
            await voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, blockId, amount });
          }
        }
        ledger.clock.set(new Date(start + 8 * HOUR));
        const now = ledger.clock.now();

        const all = await ledger.db.prisma.creditBlock.findMany({ where: { walletId: wallet.id } });
        const inCategory = (block: CreditBlock) => !generated.categories || generated.categories.includes(block.category);
        const inMemory = all
          .filter((block) => isSpendableAt(block, now) && inCategory(block) && appliesToFeature(block, generated.feature))
          .sort(compareConsumption);
        const asQuery = await ledger.db.prisma.creditBlock.findMany({
          where: { walletId: wallet.id, ...eligibleAt(now, generated.feature, generated.categories) },
        });
        expect(asQuery.sort(compareConsumption).map((block) => block.id)).toEqual(inMemory.map((block) => block.id));

        const { draws, shortfall: overdraft } = planDraws(inMemory, generated.amount);
        const debiting = debit(ledger.ctx, {
          scope: ledger.scope,
          walletId: wallet.id,
          amount: generated.amount,
          categories: generated.categories,
          feature: generated.feature,
        });
        // A debit limited to categories never overdraws.
        if (overdraft > (generated.categories ? 0n : generated.overdraftLimit)) {
          await expect(debiting).rejects.toBeInstanceOf(InsufficientCreditsError);
          return;
        }
        const outcome = await debiting;
        const blockEntries = outcome.entries.filter((entry) => entry.blockId !== null);
        expect(blockEntries.map((entry) => [entry.blockId, entry.amount])).toEqual(draws.map((draw) => [draw.block.id, -draw.amount]));
        for (const [index, draw] of draws.entries()) {
          const after = figuresAfter(draw.block, draw.block, "decrement", -draw.amount);
          const entry = blockEntries[index]!;
          expect({ remaining: entry.remainingAfter, used: entry.usedAfter, frozen: entry.frozenAfter }).toEqual(after);
        }
        const overdrawn = outcome.entries.filter((entry) => entry.blockId === null).reduce((sum, entry) => sum - entry.amount, 0n);
        expect(overdrawn).toBe(overdraft);
      }),
      { numRuns: 40, seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
  }, 300_000);
});

/** Deposits the generated block, its dates counted from `start`; returns its id. */
async function depositAt(walletId: string, block: GeneratedBlock, start: number): Promise<string> {
  const effectiveAt = block.effectiveInHours === null ? null : new Date(start + block.effectiveInHours * HOUR);
  // Expiry must come after the block takes effect.
  const expiresAt =
    block.expiresInHours === null ? null : new Date(Math.max(start + block.expiresInHours * HOUR, (effectiveAt?.getTime() ?? 0) + HOUR));
  const { category, appliesTo, priority, costBasis, amount } = block;
  const result = await deposit(ledger.ctx, {
    scope: ledger.scope,
    walletId,
    amount,
    category,
    appliesTo,
    priority,
    costBasis,
    effectiveAt,
    expiresAt,
  });
  return result.blocks[0]!.id;
}
