// What both adapters read: wallets, blocks, entries, holds, operations and refunds, scoped to a tenant
// and mode, with keyset pagination (stable under concurrent writes, unlike offsets).
import type { CreditBlock, Customer, FundingReversal, Hold, LedgerEntry, LedgerEntryType, Operation, Prisma, Wallet } from "../db/generated/client.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { loadOperationResult, requireId } from "./transaction.ts";
import type { LedgerResult } from "./wallet-ledger.ts";

export const MAX_PAGE_SIZE = 200;

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

function pageSize(limit: number | undefined, fallback = 50): number {
  const size = limit ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ValidationError(`limit must be 1 to ${MAX_PAGE_SIZE}`, [{ path: ["limit"], message: `must be 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return size;
}

export async function getWallet(ctx: LedgerContext, scope: Scope, walletId: string): Promise<Wallet & { customer: Customer }> {
  requireId(walletId, "Wallet");
  const wallet = await ctx.prisma.wallet.findFirst({
    where: { id: walletId, tenantId: scope.tenantId, livemode: scope.livemode },
    include: { customer: true },
  });
  if (!wallet) throw new NotFoundError("Wallet", walletId);
  return wallet;
}

/** Wallets of one unit, oldest first, by page number (1-based), with their customers. */
export async function listWallets(
  ctx: LedgerContext,
  scope: Scope,
  filter: { currency: string; customerExternalId?: string | null; status?: Wallet["status"] | null; page: number; perPage: number },
) {
  const where: Prisma.WalletWhereInput = {
    tenantId: scope.tenantId,
    livemode: scope.livemode,
    currency: filter.currency,
    ...(filter.customerExternalId ? { customer: { externalId: filter.customerExternalId } } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  const [items, total] = await Promise.all([
    ctx.prisma.wallet.findMany({ where, include: { customer: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip: (filter.page - 1) * filter.perPage, take: filter.perPage }),
    ctx.prisma.wallet.count({ where }),
  ]);
  return { items, total };
}

export async function findCustomer(ctx: LedgerContext, scope: Scope, externalId: string): Promise<(Customer & { wallets: Wallet[] }) | null> {
  return ctx.prisma.customer.findUnique({
    where: { tenantId_livemode_externalId: { tenantId: scope.tenantId, livemode: scope.livemode, externalId } },
    include: { wallets: { orderBy: { createdAt: "asc" } } },
  });
}

export async function findCustomerById(ctx: LedgerContext, scope: Scope, customerId: string): Promise<(Customer & { wallets: Wallet[] }) | null> {
  requireId(customerId, "Customer");
  return ctx.prisma.customer.findFirst({
    where: { id: customerId, tenantId: scope.tenantId, livemode: scope.livemode },
    include: { wallets: { orderBy: { createdAt: "asc" } } },
  });
}

export interface BlockFilter {
  status?: CreditBlock["status"];
  category?: string;
  limit?: number;
  /** A block id from the previous page. */
  after?: string | null;
}

/** The wallet's blocks, oldest first. */
export async function listCreditBlocks(ctx: LedgerContext, scope: Scope, walletId: string, filter: BlockFilter = {}): Promise<Page<CreditBlock>> {
  await getWallet(ctx, scope, walletId);
  const limit = pageSize(filter.limit);
  if (filter.after) requireId(filter.after, "cursor");
  const items = await ctx.prisma.creditBlock.findMany({
    where: { walletId, ...(filter.status ? { status: filter.status } : {}), ...(filter.category ? { category: filter.category } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: limit + 1,
    ...(filter.after ? { cursor: { id: filter.after }, skip: 1 } : {}),
  });
  return paged(items, limit, (block) => block.id);
}

/** Blocks of the scope by id (missing or foreign ids are left out). */
export async function getCreditBlocks(ctx: LedgerContext, scope: Scope, blockIds: string[]): Promise<CreditBlock[]> {
  return ctx.prisma.creditBlock.findMany({
    where: { id: { in: blockIds }, wallet: { tenantId: scope.tenantId, livemode: scope.livemode } },
  });
}

export interface EntryFilter {
  types?: LedgerEntryType[];
  category?: string;
  blockId?: string;
  createdFrom?: Date;
  createdBefore?: Date;
  /** `desc` (newest first, the default) or `asc`. */
  order?: "asc" | "desc";
  limit?: number;
  /** The sequence number of the last entry of the previous page. */
  after?: string | null;
  /** Entries to skip, for APIs that page by offset (a cursor is steadier under writes). */
  offset?: number;
}

export async function listLedgerEntries(ctx: LedgerContext, scope: Scope, walletId: string, filter: EntryFilter = {}): Promise<Page<LedgerEntry>> {
  await getWallet(ctx, scope, walletId);
  const limit = pageSize(filter.limit);
  const order = filter.order ?? "desc";
  if (filter.after != null && !/^\d{1,18}$/.test(filter.after)) throw new ValidationError("cursor is not valid", [{ path: ["cursor"], message: "is not valid" }]);
  const where: Prisma.LedgerEntryWhereInput = {
    walletId,
    ...(filter.types?.length ? { type: { in: filter.types } } : {}),
    ...(filter.category ? { block: { category: filter.category } } : {}),
    ...(filter.blockId ? { blockId: filter.blockId } : {}),
    ...(filter.createdFrom || filter.createdBefore
      ? { createdAt: { ...(filter.createdFrom ? { gte: filter.createdFrom } : {}), ...(filter.createdBefore ? { lt: filter.createdBefore } : {}) } }
      : {}),
    ...(filter.after != null ? { sequence: order === "desc" ? { lt: BigInt(filter.after) } : { gt: BigInt(filter.after) } } : {}),
  };
  const items = await ctx.prisma.ledgerEntry.findMany({ where, orderBy: { sequence: order }, take: limit + 1, skip: filter.offset ?? 0 });
  return paged(items, limit, (entry) => entry.sequence.toString());
}

/** A wallet's entries, all of them or those of the given types. */
export async function countLedgerEntries(ctx: LedgerContext, scope: Scope, walletId: string, types?: LedgerEntryType[]): Promise<number> {
  const wallet = await getWallet(ctx, scope, walletId);
  if (!types?.length) return ledgerEntryCount(wallet);
  return ctx.prisma.ledgerEntry.count({ where: { walletId, type: { in: types } } });
}

/** All of a wallet's entries, without counting them: they are numbered 1, 2, 3… without gaps. */
export function ledgerEntryCount(wallet: Pick<Wallet, "lastSequence">): number {
  return Number(wallet.lastSequence);
}

export async function getHold(ctx: LedgerContext, scope: Scope, holdId: string): Promise<Hold> {
  requireId(holdId, "Hold");
  const hold = await ctx.prisma.hold.findFirst({ where: { id: holdId, wallet: { tenantId: scope.tenantId, livemode: scope.livemode } } });
  if (!hold) throw new NotFoundError("Hold", holdId);
  return hold;
}

/** The latest hold the caller tagged with `reference` (e.g. its transaction id), or null. */
export async function findHoldByReference(ctx: LedgerContext, scope: Scope, reference: string): Promise<Hold | null> {
  return ctx.prisma.hold.findFirst({
    where: { reference, wallet: { tenantId: scope.tenantId, livemode: scope.livemode } },
    orderBy: { createdAt: "desc" },
  });
}

export interface OperationPage {
  items: (Operation & { ledgerEntries: LedgerEntry[]; creditBlocks: { category: string }[] })[];
  total: number;
}

/** A wallet's operations of the given types, newest first, by page number (1-based). */
export async function listOperations(
  ctx: LedgerContext,
  scope: Scope,
  walletId: string,
  filter: { types: Operation["type"][]; page: number; perPage: number },
): Promise<OperationPage> {
  await getWallet(ctx, scope, walletId);
  const where = { walletId, type: { in: filter.types } };
  const [items, total] = await Promise.all([
    ctx.prisma.operation.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (filter.page - 1) * filter.perPage,
      take: filter.perPage,
      include: { ledgerEntries: { orderBy: { sequence: "asc" } }, creditBlocks: { select: { category: true } } },
    }),
    ctx.prisma.operation.count({ where }),
  ]);
  return { items, total };
}

/** An operation with everything it wrote, as its command returned it. */
export async function getOperationResult(ctx: LedgerContext, scope: Scope, operationId: string): Promise<LedgerResult> {
  requireId(operationId, "Operation");
  const operation: Operation | null = await ctx.prisma.operation.findFirst({
    where: { id: operationId, tenantId: scope.tenantId, livemode: scope.livemode },
  });
  if (!operation) throw new NotFoundError("Operation", operationId);
  return loadOperationResult(ctx.prisma, operation);
}

function paged<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!) : null };
}

/** Refunds and chargebacks of a deposit, oldest first; none outside the scope. */
export function listDepositReversals(ctx: LedgerContext, scope: Scope, depositOperationId: string): Promise<FundingReversal[]> {
  return ctx.prisma.fundingReversal.findMany({
    where: { depositOperationId, depositOperation: { tenantId: scope.tenantId, livemode: scope.livemode } },
    orderBy: { reversedTotal: "asc" },
  });
}
