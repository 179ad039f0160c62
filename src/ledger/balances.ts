// Wallet balances now or at any instant, from stored figures rather than a replay of the ledger.
// Each block keeps its figures (remaining, used, frozen) and each entry carries its block's
// figures just after it (block-figures.ts), so a block's figures are, exactly, the sums of its
// entries:
//  - now, or at an instant at or after the wallet's latest entry: the block's own figures;
//  - at an earlier instant: those of the block's last entry stamped at or before it (one index
//    probe), i.e. the sums of the entries stamped at or before the instant.
// Both feed the same arithmetic (`summarise`), so a balance now and one at a past instant cannot
// disagree, and credits outside their block's effective window stop counting at the instant
// whether or not the expiry sweep has run. A read costs one row per block, whatever the wallet's age.
//
// "Now" counts every committed entry, even one stamped after this process's clock: an entry is
// never stamped before the wallet's latest, so a gateway whose clock lags can write entries
// stamped ahead of it, and its next balance must show them.
import { Prisma, type CreditBlock } from "../db/generated/client.ts";
import { queryRows } from "../db/raw-query.ts";
import { walletsInScopeSql } from "./access.ts";
import { NO_FIGURES, type AccountFigures } from "./block-figures.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError } from "./errors.ts";
import { CREDIT_BLOCK_COLUMNS } from "./rows.ts";
import { requireId } from "./input.ts";
import { appliesToFeature, inForceAt } from "./consumption.ts";

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

/** Balances of one wallet; NotFoundError outside the scope. */
export async function walletBalance(ctx: LedgerContext, scope: Scope, walletId: string, at?: Date): Promise<WalletBalance> {
  requireId(walletId, "Wallet");
  const [balance] = await walletBalances(ctx, scope, [walletId], at);
  if (!balance) throw new NotFoundError("Wallet", walletId);
  return balance;
}

/**
 * Balances of many wallets (for DataLoader batches), now or at `at`: one round trip, and a second
 * at a past instant for wallets with entries after it; wallets outside the scope are left out of
 * the answer.
 */
export async function walletBalances(ctx: LedgerContext, scope: Scope, walletIds: string[], at?: Date): Promise<WalletBalance[]> {
  const instant = at ?? ctx.now();
  const wallets = await walletsWithBlocks(ctx, scope, walletIds, at);
  if (wallets.length === 0) return [];
  // Wallets with entries after the instant asked for, which their stored figures count.
  const rewound = new Set(
    at ? wallets.filter((wallet) => wallet.lastEntryAt !== null && wallet.lastEntryAt > at).map((wallet) => wallet.id) : [],
  );
  const earlier = rewound.size > 0 ? await figuresAt(ctx, [...rewound], instant) : new Map<string, AccountFigures>();
  const order = new Map(walletIds.map((id, index) => [id, index]));
  return wallets
    .map((wallet) => {
      const figuresOf = (blockId: string | null, stored: AccountFigures) =>
        rewound.has(wallet.id) ? (earlier.get(accountKey(wallet.id, blockId)) ?? NO_FIGURES) : stored;
      const overdraft = figuresOf(null, { remaining: -wallet.overdraftUsed, used: 0n, frozen: 0n });
      const accounts = wallet.blocks.map((block) => ({ block, figures: figuresOf(block.id, block) }));
      return summarise(wallet.id, instant, -overdraft.remaining, accounts);
    })
    .sort((a, b) => order.get(a.walletId)! - order.get(b.walletId)!);
}

/**
 * A wallet's balances at `at` from its blocks as they stand (each with its stored figures), e.g.
 * those a command's own transaction left: the same arithmetic as every other balance read.
 */
export function balanceFromBlocks(wallet: { id: string; overdraftUsed: bigint }, blocks: CreditBlock[], at: Date): WalletBalance {
  return summarise(
    wallet.id,
    at,
    wallet.overdraftUsed,
    blocks.map((block) => ({ block, figures: block })),
  );
}

/**
 * The wallet's balances for `feature`'s usage: only the blocks that apply to it (scoped to it, or
 * for any usage) count; the overdraft, owed by the whole wallet, is counted as in the wallet's.
 * The same arithmetic as every balance read, from the figures `balance` already holds.
 */
export function balanceForFeature(balance: WalletBalance, feature: string): WalletBalance {
  const accounts = balance.blocks
    .filter(({ block }) => appliesToFeature(block, feature))
    .map(({ block, available, used, frozen }) => ({ block, figures: { remaining: available, used, frozen } }));
  return summarise(balance.walletId, balance.at, balance.overdraftUsed, accounts);
}

export interface FeatureBalance extends BalanceFigures {
  feature: string;
}

/** For each feature key the wallet's blocks name, its balances (balanceForFeature), by key. */
export function balancesByFeature(balance: WalletBalance): FeatureBalance[] {
  const keys = [...new Set(balance.blocks.flatMap(({ block }) => block.appliesTo))].sort();
  return keys.map((feature) => {
    const { total, used, frozen, available } = balanceForFeature(balance, feature);
    return { feature, total, used, frozen, available };
  });
}

interface WalletWithBlocks {
  id: string;
  overdraftUsed: bigint;
  lastEntryAt: Date | null;
  /** In creation order; at `at`, those created by then. */
  blocks: CreditBlock[];
}

type WalletBlockRow = { wallet_id: string; wallet_overdraft_used: bigint; wallet_last_entry_at: Date | null } & (
  CreditBlock | { [K in keyof CreditBlock]: null }
);

/** The wallets of the scope among `walletIds`, each with its blocks: one query. */
async function walletsWithBlocks(ctx: LedgerContext, scope: Scope, walletIds: string[], at?: Date): Promise<WalletWithBlocks[]> {
  // Every balance read runs it: through the raw-query port, whose rows cost a fraction of Prisma's conversion.
  const rows = await queryRows<WalletBlockRow>(
    ctx.prisma,
    Prisma.sql`
    SELECT w.id::text AS wallet_id, w.overdraft_used AS wallet_overdraft_used, w.last_entry_at AS wallet_last_entry_at, ${CREDIT_BLOCK_COLUMNS}
    FROM wallet w
    LEFT JOIN credit_block b ON b.wallet_id = w.id ${at ? Prisma.sql`AND b.created_at <= ${at}` : Prisma.empty}
    WHERE w.id = ANY(${walletIds}::uuid[]) AND ${walletsInScopeSql(scope)}
    ORDER BY b.created_at ASC, b.id ASC`,
  );
  const wallets = new Map<string, WalletWithBlocks>();
  for (const { wallet_id: id, wallet_overdraft_used: overdraftUsed, wallet_last_entry_at: lastEntryAt, ...block } of rows) {
    let wallet = wallets.get(id);
    if (!wallet) wallets.set(id, (wallet = { id, overdraftUsed, lastEntryAt, blocks: [] }));
    if (block.id !== null) wallet.blocks.push(block as CreditBlock);
  }
  return [...wallets.values()];
}

interface FiguresRow {
  wallet_id: string;
  block_id: string | null;
  remaining: bigint;
  used: bigint;
  frozen: bigint;
}

function accountKey(walletId: string, blockId: string | null): string {
  return `${walletId}/${blockId ?? "overdraft"}`;
}

/**
 * Each account's figures at `instant`: those its last entry at or before the instant carries
 * (by time, then sequence), found by one index probe per block and one per overdraft account.
 * Accounts with no entry by then are left out: their figures were zero.
 */
async function figuresAt(ctx: LedgerContext, walletIds: string[], instant: Date): Promise<Map<string, AccountFigures>> {
  const rows = await ctx.prisma.$queryRaw<FiguresRow[]>`
    SELECT b.wallet_id::text AS wallet_id, b.id::text AS block_id, e.remaining_after AS remaining, e.used_after AS used, e.frozen_after AS frozen
    FROM credit_block b
    CROSS JOIN LATERAL (
      SELECT remaining_after, used_after, frozen_after FROM ledger_entry
      WHERE block_id = b.id AND created_at <= ${instant}
      ORDER BY created_at DESC, sequence DESC LIMIT 1) e
    WHERE b.wallet_id = ANY(${walletIds}::uuid[]) AND b.created_at <= ${instant}
    UNION ALL
    SELECT w.id::text, NULL, e.remaining_after, e.used_after, e.frozen_after
    FROM unnest(${walletIds}::uuid[]) AS w(id)
    CROSS JOIN LATERAL (
      SELECT remaining_after, used_after, frozen_after FROM ledger_entry
      WHERE wallet_id = w.id AND block_id IS NULL AND created_at <= ${instant}
      ORDER BY created_at DESC, sequence DESC LIMIT 1) e`;
  return new Map(
    rows.map((row) => [
      accountKey(row.wallet_id, row.block_id),
      { remaining: BigInt(row.remaining), used: BigInt(row.used), frozen: BigInt(row.frozen) },
    ]),
  );
}

/**
 * The one arithmetic from the accounts' figures at `at` to a wallet's balances. Its SQL twins,
 * `wallet_balance_after` (prisma/sql/, the balances events tell) and ledger_debit's own sums, are
 * held to it after every operation of generated wallets by test/ledger/sql-twins.test.ts.
 */
function summarise(
  walletId: string,
  at: Date,
  overdraftUsed: bigint,
  accounts: { block: CreditBlock; figures: AccountFigures }[],
): WalletBalance {
  const blockBalances = accounts.map(({ block, figures }) => blockBalance(block, at, figures));
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

function blockBalance(block: CreditBlock, at: Date, { remaining, used, frozen }: AccountFigures): BlockBalance {
  return { block, active: inForceAt(block, at), total: remaining + used + frozen, used, frozen, available: remaining };
}

function figures(total: bigint, used: bigint, frozen: bigint): BalanceFigures {
  return { total, used, frozen, available: total - used - frozen };
}

type TransactionClient = import("../db/generated/client.ts").Prisma.TransactionClient;
type OperationRow = import("../db/generated/client.ts").Operation;
type EntryRow = import("../db/generated/client.ts").LedgerEntry;

/** A wallet's balances as one operation left them, and the sequence they stood at. */
export interface BalanceAfterOperation {
  balance: WalletBalance;
  /** The wallet's last sequence just after the operation. */
  lastSequence: bigint;
}

/**
 * The balances an operation left, whatever came after it, e.g. for a replay to answer what the
 * operation answered: per account, the figures its last entry up to the operation's last one
 * carries (one index probe each), at the operation's instant. An operation that wrote no entries
 * left the balances its instant had.
 */
export async function balanceAfterOperation(
  db: Pick<TransactionClient, "$queryRaw" | "creditBlock">,
  operation: Pick<OperationRow, "walletId" | "createdAt">,
  entries: Pick<EntryRow, "sequence" | "createdAt">[],
): Promise<BalanceAfterOperation> {
  const last = entries.at(-1);
  // Entries of a wallet are stamped in sequence order, so those up to `last` are all stamped by its time.
  const until = last?.createdAt ?? operation.createdAt;
  const sequence = last?.sequence ?? null;
  const [blocks, rows] = await Promise.all([
    db.creditBlock.findMany({ where: { walletId: operation.walletId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    db.$queryRaw<(FiguresRow & { sequence: bigint })[]>`
      SELECT b.wallet_id::text AS wallet_id, b.id::text AS block_id, e.remaining_after AS remaining, e.used_after AS used, e.frozen_after AS frozen, e.sequence
      FROM credit_block b
      CROSS JOIN LATERAL (
        SELECT remaining_after, used_after, frozen_after, sequence FROM ledger_entry
        WHERE block_id = b.id AND created_at <= ${until} AND (${sequence}::bigint IS NULL OR sequence <= ${sequence}::bigint)
        ORDER BY created_at DESC, sequence DESC LIMIT 1) e
      WHERE b.wallet_id = ${operation.walletId}::uuid
      UNION ALL
      SELECT * FROM (
        SELECT wallet_id::text, NULL, remaining_after, used_after, frozen_after, sequence FROM ledger_entry
        WHERE wallet_id = ${operation.walletId}::uuid AND block_id IS NULL AND created_at <= ${until}
          AND (${sequence}::bigint IS NULL OR sequence <= ${sequence}::bigint)
        ORDER BY created_at DESC, sequence DESC LIMIT 1) overdraft`,
  ]);
  const figuresByAccount = new Map(
    rows.map((row) => [row.block_id, { remaining: BigInt(row.remaining), used: BigInt(row.used), frozen: BigInt(row.frozen) }]),
  );
  // Each block with its figures as they stood. Blocks with no entry by then count when they were
  // open by then (a block a deposit opened empty, having repaid the overdraft): their figures were zero.
  const accounts = blocks
    .filter((block) => figuresByAccount.has(block.id) || block.createdAt.getTime() <= operation.createdAt.getTime())
    .map((block) => {
      const figures = figuresByAccount.get(block.id) ?? NO_FIGURES;
      return { block: { ...block, ...figures }, figures };
    });
  const overdraftUsed = -(figuresByAccount.get(null)?.remaining ?? 0n);
  const lastSequence = rows.reduce((highest, row) => (BigInt(row.sequence) > highest ? BigInt(row.sequence) : highest), 0n);
  return { balance: summarise(operation.walletId, operation.createdAt, overdraftUsed, accounts), lastSequence };
}
