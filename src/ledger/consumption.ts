// Which credits a debit, hold or void draws on, and in what order.
import type { CreditBlock, Prisma } from "../db/generated/client.ts";
import { minBigInt } from "./money.ts";
import type { WalletLedger } from "./wallet-ledger.ts";

/**
 * The consumption order: block priority (lower first), then soonest expiry (no expiry last),
 * then lowest cost basis (free and granted credits before paid ones), then oldest.
 * The debit hot path, `ledger_debit` in the migrations, spells the same order in SQL; the
 * debit and hold tests pin both to it.
 */
export const CONSUMPTION_ORDER: Prisma.CreditBlockOrderByWithRelationInput[] = [
  { priority: "asc" },
  { expiresAt: { sort: "asc", nulls: "last" } },
  { costBasis: { sort: "asc", nulls: "first" } },
  { createdAt: "asc" },
  { id: "asc" },
];

/** Blocks usable at `at`: active, effective, not expired, with credits left. */
export function spendableAt(at: Date): Prisma.CreditBlockWhereInput {
  return {
    status: "active",
    remaining: { gt: 0 },
    effectiveAt: { lte: at },
    OR: [{ expiresAt: null }, { expiresAt: { gt: at } }],
  };
}

/** The wallet's spendable blocks now, in consumption order, optionally limited to categories. */
export async function spendableBlocks(ledger: WalletLedger, categories?: string[] | null): Promise<CreditBlock[]> {
  const blocks = await ledger.tx.creditBlock.findMany({
    where: {
      walletId: ledger.wallet.id,
      ...spendableAt(ledger.now),
      ...(categories && categories.length > 0 ? { category: { in: categories } } : {}),
    },
    orderBy: CONSUMPTION_ORDER,
  });
  return ledger.track(blocks);
}

export interface Draw {
  block: CreditBlock;
  amount: bigint;
}

/** Takes `amount` from `blocks` in their order; `shortfall` is what they could not cover. */
export function planDraws(blocks: CreditBlock[], amount: bigint): { draws: Draw[]; shortfall: bigint } {
  const draws: Draw[] = [];
  let left = amount;
  for (const block of blocks) {
    if (left === 0n) break;
    const take = minBigInt(block.remaining, left);
    if (take > 0n) {
      draws.push({ block, amount: take });
      left -= take;
    }
  }
  return { draws, shortfall: left };
}

export function totalRemaining(blocks: CreditBlock[]): bigint {
  return blocks.reduce((sum, block) => sum + block.remaining, 0n);
}
