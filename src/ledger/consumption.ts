// Which credits a debit, hold or void draws on, and in what order.
import type { ConsumptionOrder, CreditBlock, Prisma } from "../db/generated/client.ts";
import { minBigInt } from "./money.ts";

// Each rule is written here once, as a test on a block in memory and as the same test for a
// query; the debit hot path, `ledger_debit` in the migrations, spells both in SQL, and
// test/ledger/consumption-agreement.test.ts holds the three to one answer on generated wallets.

type Dated = Pick<CreditBlock, "effectiveAt" | "expiresAt">;

/** A block's credits count at `at`: it has taken effect and has not yet expired. */
export function inForceAt(block: Dated, at: Date): boolean {
  return block.effectiveAt.getTime() <= at.getTime() && !hasExpiredAt(block, at);
}

/** Expiry is exclusive: at the instant a block expires its credits are gone. */
export function hasExpiredAt(block: Pick<CreditBlock, "expiresAt">, at: Date): boolean {
  return block.expiresAt !== null && block.expiresAt.getTime() <= at.getTime();
}

/** A debit, hold or void may draw on the block at `at`: active, in force, with credits left. */
export function isSpendableAt(block: Dated & Pick<CreditBlock, "status" | "remaining">, at: Date): boolean {
  return block.status === "active" && block.remaining > 0n && inForceAt(block, at);
}

/** isSpendableAt as a query filter. */
export function spendableAt(at: Date): Prisma.CreditBlockWhereInput {
  return {
    status: "active",
    remaining: { gt: 0 },
    effectiveAt: { lte: at },
    OR: [{ expiresAt: null }, { expiresAt: { gt: at } }],
  };
}

/**
 * A block may pay for `feature`'s usage: it applies to any usage (no feature keys), or names the
 * feature. Usage without a feature may spend only blocks for any usage.
 */
export function appliesToFeature(block: Pick<CreditBlock, "appliesTo">, feature: string | null): boolean {
  return block.appliesTo.length === 0 || (feature !== null && block.appliesTo.includes(feature));
}

/** appliesToFeature as a query filter. */
export function appliesToFeatureFilter(feature: string | null): Prisma.CreditBlockWhereInput {
  return feature === null ? { appliesTo: { isEmpty: true } } : { OR: [{ appliesTo: { isEmpty: true } }, { appliesTo: { has: feature } }] };
}

/** The blocks a debit or hold for `feature`, limited to `categories` when given, may draw on at `at`. */
export function eligibleAt(at: Date, feature: string | null, categories?: string[] | null): Prisma.CreditBlockWhereInput {
  return {
    AND: [spendableAt(at), appliesToFeatureFilter(feature), categories && categories.length > 0 ? { category: { in: categories } } : {}],
  };
}

/** Credits of this category were bought; every other category (granted, promotional, …) was given. */
export const PAID_CATEGORY = "paid";

/**
 * The consumption order, one comparator for every block in memory; `ledger_debit` spells the same
 * ORDER BY. Blocks scoped to features first (they can pay for less, so they go before credits
 * that could pay for anything), then the wallet's rule (consumptionOrder), then as `standard`:
 * block priority (lower first), soonest expiry (no expiry last), given credits before paid ones
 * (category `paid`), lowest cost basis (none first), oldest, then id.
 */
export function consumptionOrderOf(order: ConsumptionOrder): (a: Ordered, b: Ordered) => number {
  return (a, b) =>
    Number(a.appliesTo.length === 0) - Number(b.appliesTo.length === 0) ||
    (order === "cheapest_first"
      ? Number(a.category === PAID_CATEGORY) - Number(b.category === PAID_CATEGORY) || nullsFirst(a.costBasis, b.costBasis)
      : 0) ||
    (order === "soonest_expiry" ? nullsLast(a.expiresAt, b.expiresAt) : 0) ||
    standardOrder(a, b);
}

/** The `standard` consumption order. */
export const compareConsumption = consumptionOrderOf("standard");

function standardOrder(a: Ordered, b: Ordered): number {
  return (
    a.priority - b.priority ||
    nullsLast(a.expiresAt, b.expiresAt) ||
    Number(a.category === PAID_CATEGORY) - Number(b.category === PAID_CATEGORY) ||
    nullsFirst(a.costBasis, b.costBasis) ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

type Ordered = Pick<CreditBlock, "appliesTo" | "priority" | "expiresAt" | "category" | "costBasis" | "createdAt" | "id">;

function nullsLast(a: Date | null, b: Date | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return a.getTime() - b.getTime();
}

function nullsFirst(a: Prisma.Decimal | null, b: Prisma.Decimal | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  return a.comparedTo(b);
}

/**
 * The locked wallet a command reads its blocks through: a WalletLedger (wallet-ledger.ts), named
 * by the little this file needs of it, so that the rules here stay below the ledger's writes.
 */
export interface LockedWallet {
  readonly tx: Prisma.TransactionClient;
  readonly wallet: { readonly id: string; readonly consumptionOrder: ConsumptionOrder };
  readonly now: Date;
  track(blocks: CreditBlock[]): CreditBlock[];
}

/** What a debit, hold or void draws on: blocks for `feature` (none: blocks for any usage), of `categories` when given. */
export interface Eligibility {
  feature?: string | null;
  categories?: string[] | null;
  /** Every spendable block whatever it applies to: a void takes credits back from any block. */
  anyScope?: boolean;
}

/** The wallet's blocks a debit or hold may draw on now, in consumption order. */
export async function spendableBlocks(walletLedger: LockedWallet, eligibility: Eligibility = {}): Promise<CreditBlock[]> {
  const blocks = await walletLedger.tx.creditBlock.findMany({
    where: {
      walletId: walletLedger.wallet.id,
      ...(eligibility.anyScope
        ? spendableAt(walletLedger.now)
        : eligibleAt(walletLedger.now, eligibility.feature ?? null, eligibility.categories)),
    },
  });
  return walletLedger.track(blocks.sort(consumptionOrderOf(walletLedger.wallet.consumptionOrder)));
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
