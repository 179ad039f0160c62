// Wallet balances at any instant, computed from the entries: the stored `remaining` and
// `balance` columns are for the write path; reads replay the ledger up to the instant asked,
// so a balance at a past instant and one now come from the same arithmetic, and credits past
// their expiry stop counting at that instant whether or not the sweep has run.
import type { CreditBlock } from "../db/generated/client.ts";
import { walletsInScope } from "./access.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError } from "./errors.ts";
import { requireId } from "./transaction.ts";

/** `available = total − used − frozen`, as in the customer deposit API. */
export interface BalanceFigures {
  /** Credits granted to active blocks, net of voids, amendments and expiry changes. */
  total: bigint;
  /** Credits spent (debits and captures, less refunds), overdraft included. */
  used: bigint;
  /** Credits reserved by open holds. */
  frozen: bigint;
  available: bigint;
}

export interface BlockBalance extends BalanceFigures {
  block: CreditBlock;
  /** Effective and not yet expired at the instant. */
  active: boolean;
}

export interface CategoryBalance extends BalanceFigures {
  category: string;
}

export interface WalletBalance extends BalanceFigures {
  walletId: string;
  at: Date;
  /** Sum of every entry up to the instant, whether or not its credits are usable then. */
  ledgerBalance: bigint;
  /** Spent beyond the blocks and not yet repaid. */
  overdraftUsed: bigint;
  byCategory: CategoryBalance[];
  /** Every block that existed at the instant, active or not, in creation order. */
  blocks: BlockBalance[];
}

interface BlockSums {
  wallet_id: string;
  block_id: string | null;
  net: bigint;
  spent: bigint;
  refunded: bigint;
  held: bigint;
}

/** Balances of one wallet; NotFoundError outside the scope. */
export async function walletBalance(ctx: LedgerContext, scope: Scope, walletId: string, at?: Date): Promise<WalletBalance> {
  requireId(walletId, "Wallet");
  const [balance] = await walletBalances(ctx, scope, [walletId], at);
  if (!balance) throw new NotFoundError("Wallet", walletId);
  return balance;
}

/**
 * Balances of many wallets in two queries (for DataLoader batches); wallets outside the scope
 * are left out of the answer.
 */
export async function walletBalances(ctx: LedgerContext, scope: Scope, walletIds: string[], at?: Date): Promise<WalletBalance[]> {
  const instant = at ?? ctx.now();
  const wallets = await ctx.prisma.wallet.findMany({
    where: { id: { in: walletIds }, ...walletsInScope(scope) },
    select: { id: true },
  });
  const ids = wallets.map((wallet) => wallet.id);
  if (ids.length === 0) return [];
  const [sums, blocks] = await Promise.all([
    ctx.prisma.$queryRaw<BlockSums[]>`
      SELECT wallet_id::text, block_id::text,
        COALESCE(SUM(amount), 0)::bigint AS net,
        COALESCE(SUM(amount) FILTER (WHERE type IN ('decrement', 'capture')), 0)::bigint AS spent,
        COALESCE(SUM(amount) FILTER (WHERE type = 'refund'), 0)::bigint AS refunded,
        COALESCE(SUM(amount) FILTER (WHERE type IN ('hold', 'hold_release')), 0)::bigint AS held
      FROM ledger_entry
      WHERE wallet_id = ANY(${ids}::uuid[]) AND created_at <= ${instant}
      GROUP BY wallet_id, block_id`,
    ctx.prisma.creditBlock.findMany({
      where: { walletId: { in: ids }, createdAt: { lte: instant } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    }),
  ]);
  const sumsByBlock = new Map(sums.map((row) => [`${row.wallet_id}/${row.block_id}`, row]));
  const byWallet = new Map(ids.map((id) => [id, [] as CreditBlock[]]));
  for (const block of blocks) byWallet.get(block.walletId)!.push(block);
  const order = new Map(walletIds.map((id, index) => [id, index]));
  return ids
    .map((id) => summarise(id, instant, byWallet.get(id)!, sumsByBlock))
    .sort((a, b) => order.get(a.walletId)! - order.get(b.walletId)!);
}

function summarise(walletId: string, at: Date, blocks: CreditBlock[], sums: Map<string, BlockSums>): WalletBalance {
  const blockBalances = blocks.map((block) => blockBalance(block, at, sums.get(`${walletId}/${block.id}`)));
  const overdraft = sums.get(`${walletId}/null`);
  const overdraftUsed = overdraft ? -BigInt(overdraft.net) : 0n;
  const categories = new Map<string, CategoryBalance>();
  const wallet: WalletBalance = {
    walletId,
    at,
    ...figures(0n, overdraftUsed, 0n),
    ledgerBalance: -overdraftUsed,
    overdraftUsed,
    byCategory: [],
    blocks: blockBalances,
  };
  for (const balance of blockBalances) {
    wallet.ledgerBalance += balance.available;
    if (!balance.active) continue;
    const category = categories.get(balance.block.category) ?? { category: balance.block.category, ...figures(0n, 0n, 0n) };
    categories.set(balance.block.category, category);
    for (const figure of [wallet, category]) {
      figure.total += balance.total;
      figure.used += balance.used;
      figure.frozen += balance.frozen;
      figure.available += balance.available;
    }
  }
  wallet.byCategory = [...categories.values()].sort((a, b) => a.category.localeCompare(b.category));
  return wallet;
}

function blockBalance(block: CreditBlock, at: Date, sums: BlockSums | undefined): BlockBalance {
  const remaining = BigInt(sums?.net ?? 0n);
  const frozen = -BigInt(sums?.held ?? 0n);
  // A refund into a block it came from un-spends; into a new refund block it is the grant itself.
  const unspent = block.source === "refund" ? 0n : BigInt(sums?.refunded ?? 0n);
  const used = -BigInt(sums?.spent ?? 0n) - unspent;
  const active = block.effectiveAt.getTime() <= at.getTime() && (block.expiresAt === null || at.getTime() < block.expiresAt.getTime());
  return { block, active, total: remaining + used + frozen, used, frozen, available: remaining };
}

function figures(total: bigint, used: bigint, frozen: bigint): BalanceFigures {
  return { total, used, frozen, available: total - used - frozen };
}
