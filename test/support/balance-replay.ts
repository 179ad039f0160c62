// The balance definition spelled as a replay of every entry stamped up to an instant, the way
// balances were computed before blocks and entries carried their figures. Tests hold the
// ledger's balances (now and at past instants) to it.
import type { CreditBlock, LedgerEntry, PrismaClient } from "../../src/db/generated/client.ts";
import type { WalletBalance } from "../../src/ledger/balances.ts";

export interface ComparableBalance {
  total: bigint;
  used: bigint;
  frozen: bigint;
  available: bigint;
  ledgerBalance: bigint;
  overdraftUsed: bigint;
  byCategory: { category: string; total: bigint; used: bigint; frozen: bigint; available: bigint }[];
  blocks: { blockId: string; active: boolean; total: bigint; used: bigint; frozen: bigint; available: bigint }[];
}

/** The figures of a balance the ledger returned, in the shape `replayBalance` gives. */
export function comparable(balance: WalletBalance): ComparableBalance {
  return {
    total: balance.total,
    used: balance.used,
    frozen: balance.frozen,
    available: balance.available,
    ledgerBalance: balance.ledgerBalance,
    overdraftUsed: balance.overdraftUsed,
    byCategory: balance.byCategory.map(({ category, total, used, frozen, available }) => ({ category, total, used, frozen, available })),
    blocks: balance.blocks.map(({ block, active, total, used, frozen, available }) => ({
      blockId: block.id,
      active,
      total,
      used,
      frozen,
      available,
    })),
  };
}

export interface History {
  entries: LedgerEntry[];
  blocks: CreditBlock[];
}

/** Every entry and block of a wallet, to replay at as many instants as needed. */
export async function loadHistory(prisma: PrismaClient, walletId: string): Promise<History> {
  const [entries, blocks] = await Promise.all([
    prisma.ledgerEntry.findMany({ where: { walletId } }),
    prisma.creditBlock.findMany({ where: { walletId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
  ]);
  return { entries, blocks };
}

/** The balances at `at`: every entry stamped at or before it, summed. */
export function replayBalance(history: History, at: Date): ComparableBalance {
  const entries = history.entries.filter((entry) => entry.createdAt <= at);
  const blocks = history.blocks.filter((block) => block.createdAt <= at);
  let overdraftUsed = 0n;
  const sums = new Map(blocks.map((block) => [block.id, { net: 0n, spent: 0n, refunded: 0n, held: 0n }]));
  for (const entry of entries) {
    if (entry.blockId === null) {
      overdraftUsed -= entry.amount;
      continue;
    }
    const sum = sums.get(entry.blockId)!;
    sum.net += entry.amount;
    if (entry.type === "decrement" || entry.type === "capture") sum.spent += entry.amount;
    if (entry.type === "refund") sum.refunded += entry.amount;
    if (entry.type === "hold" || entry.type === "hold_release") sum.held += entry.amount;
  }
  const time = at.getTime();
  const blockFigures = blocks.map((block) => {
    const sum = sums.get(block.id)!;
    const frozen = -sum.held;
    // A refund un-spends a block it returns to; a block a refund opened was granted by it.
    const used = -sum.spent - (block.source === "refund" ? 0n : sum.refunded);
    const active = block.effectiveAt.getTime() <= time && (block.expiresAt === null || time < block.expiresAt.getTime());
    return { block, figures: { blockId: block.id, active, total: sum.net + used + frozen, used, frozen, available: sum.net } };
  });
  const replayed: ComparableBalance = {
    total: 0n,
    used: overdraftUsed,
    frozen: 0n,
    available: -overdraftUsed,
    ledgerBalance: -overdraftUsed,
    overdraftUsed,
    byCategory: [],
    blocks: blockFigures.map(({ figures }) => figures),
  };
  const categories = new Map<string, ComparableBalance["byCategory"][number]>();
  for (const { block, figures } of blockFigures) {
    replayed.ledgerBalance += figures.available;
    if (!figures.active) continue;
    const category = categories.get(block.category) ?? { category: block.category, total: 0n, used: 0n, frozen: 0n, available: 0n };
    categories.set(block.category, category);
    for (const sum of [replayed, category]) {
      sum.total += figures.total;
      sum.used += figures.used;
      sum.frozen += figures.frozen;
      sum.available += figures.available;
    }
  }
  replayed.byCategory = [...categories.values()].sort((a, b) => a.category.localeCompare(b.category));
  return replayed;
}
