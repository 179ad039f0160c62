// What both adapters read: wallets, blocks, entries, holds, operations and refunds, within the
// caller's scope (access.ts: tenant, mode, and a personal token's customer), with keyset pagination
// (stable under concurrent writes, unlike offsets). Outside the scope, a row is simply not found,
// and so is a row looked up by text PostgreSQL could not have stored (a NUL, a lone surrogate).
import type {
  CreditBlock,
  Customer,
  FundingReversal,
  Hold,
  LedgerEntry,
  LedgerEntryStatus,
  LedgerEntryType,
  Operation,
  Prisma,
  Wallet,
} from "../db/generated/client.ts";
import { rawQueryOf } from "../db/raw-query.ts";
import { customersInScope, walletsInScope } from "./access.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { isStorableText } from "./input.ts";
import { requireId } from "./input.ts";
import { walletFromJson } from "./rows.ts";
import { findOperationByKey, loadOperationResult } from "./transaction.ts";
import type { LedgerResult } from "./wallet-ledger.ts";

export const MAX_PAGE_SIZE = 200;
/** The most rows an offset-paged list skips: the database client wraps larger skips around. */
export const MAX_OFFSET = 2 ** 31 - 1;

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** Rows to skip before a page: a whole number from 0 to MAX_OFFSET. */
function offsetOf(offset: number, field = "offset"): number {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw new ValidationError(`${field} is out of range: at most ${MAX_OFFSET} rows can be skipped`, [
      { path: [field], message: `skips more than ${MAX_OFFSET} rows` },
    ]);
  }
  return offset;
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
  const wallet = await ctx.prisma.wallet.findFirst({ where: { id: walletId, ...walletsInScope(scope) }, include: { customer: true } });
  if (!wallet) throw new NotFoundError("Wallet", walletId);
  return wallet;
}

/** NotFoundError unless the wallet is in the scope; one indexed read. */
export async function requireWalletInScope(ctx: LedgerContext, scope: Scope, walletId: string): Promise<void> {
  requireId(walletId, "Wallet");
  const wallet = await ctx.prisma.wallet.findFirst({ where: { id: walletId, ...walletsInScope(scope) }, select: { id: true } });
  if (!wallet) throw new NotFoundError("Wallet", walletId);
}

/** Wallets of one unit, oldest first, by page number (1-based), with their customers. */
export async function listWallets(
  ctx: LedgerContext,
  scope: Scope,
  filter: { currency: string; customerExternalId?: string | null; status?: Wallet["status"] | null; page: number; perPage: number },
) {
  if (!isStorableText(filter.currency) || !isStorableText(filter.customerExternalId ?? "")) return { items: [], total: 0 };
  const where: Prisma.WalletWhereInput = {
    ...walletsInScope(scope),
    currency: filter.currency,
    ...(filter.customerExternalId ? { customer: { externalId: filter.customerExternalId } } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  const [items, total] = await Promise.all([
    ctx.prisma.wallet.findMany({
      where,
      include: { customer: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      skip: offsetOf((filter.page - 1) * filter.perPage, "page"),
      take: filter.perPage,
    }),
    ctx.prisma.wallet.count({ where }),
  ]);
  return { items, total };
}

export async function findCustomer(
  ctx: LedgerContext,
  scope: Scope,
  externalId: string,
): Promise<(Customer & { wallets: Wallet[] }) | null> {
  if (!isStorableText(externalId)) return null;
  return ctx.prisma.customer.findFirst({
    where: { externalId, ...customersInScope(scope) },
    include: { wallets: { orderBy: { createdAt: "asc" } } },
  });
}

/**
 * findCustomerWallet's query. The REST families' deducts and grants resolve their wallet by it on
 * every request, so it goes through the raw-query port, prepared once per connection, as the
 * debit does: `walletsInScope` spelt in SQL (tenant, mode, and a personal token's customer).
 */
const CUSTOMER_WALLET = `SELECT wallet_json(w) AS wallet FROM "wallet" w JOIN "customer" c ON c.id = w.customer_id
  WHERE c.tenant_id = $1::uuid AND c.livemode = $2::boolean AND c.external_id = $3::text
    AND w.tenant_id = $1::uuid AND w.livemode = $2::boolean AND ($4::uuid IS NULL OR w.customer_id = $4::uuid)
    AND w.currency = $5::text AND w.status = 'active'
  ORDER BY w.created_at ASC, w.id ASC LIMIT 1`;

/** The customer's oldest active wallet in `currency` (by its external id), or null (no customer, or no such wallet). */
export async function findCustomerWallet(ctx: LedgerContext, scope: Scope, externalId: string, currency: string): Promise<Wallet | null> {
  if (!isStorableText(externalId) || !isStorableText(currency)) return null;
  const [row] = await rawQueryOf(ctx.prisma).rows<{ wallet: unknown }>({
    name: "customer_wallet",
    text: CUSTOMER_WALLET,
    values: [scope.tenantId, scope.livemode, externalId, scope.customerId ?? null, currency],
  });
  return row ? walletFromJson(row.wallet, "wallet.") : null;
}

export async function findCustomerById(
  ctx: LedgerContext,
  scope: Scope,
  customerId: string,
): Promise<(Customer & { wallets: Wallet[] }) | null> {
  requireId(customerId, "Customer");
  return ctx.prisma.customer.findFirst({
    where: { id: customerId, ...customersInScope(scope) },
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

/** A cursor comes from the previous page: one that is no block id is malformed input, not a missing block. */
function blockCursor(after: string): string {
  try {
    return requireId(after, "CreditBlock");
  } catch {
    throw new ValidationError("cursor is not valid", [{ path: ["cursor"], message: "is not valid" }]);
  }
}

/** The wallet's blocks, oldest first. */
export async function listCreditBlocks(
  ctx: LedgerContext,
  scope: Scope,
  walletId: string,
  filter: BlockFilter = {},
): Promise<Page<CreditBlock>> {
  await getWallet(ctx, scope, walletId);
  const limit = pageSize(filter.limit);
  if (filter.after != null) blockCursor(filter.after);
  if (filter.category != null && !isStorableText(filter.category)) return { items: [], nextCursor: null };
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
    where: { id: { in: blockIds }, wallet: walletsInScope(scope) },
  });
}

export interface EntryFilter {
  types?: LedgerEntryType[];
  status?: LedgerEntryStatus;
  category?: string;
  blockId?: string;
  /** Entries that move at least this many minor units, either way. */
  minimumAmount?: bigint;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created strictly after. */
  createdAfter?: Date;
  /** Created strictly before. */
  createdBefore?: Date;
  /** Created at or before. */
  createdUntil?: Date;
  /** `desc` (newest first, the default) or `asc`. */
  order?: "asc" | "desc";
  limit?: number;
  /** The sequence number of the last entry of the previous page. */
  after?: string | null;
  /** Entries to skip, for APIs that page by offset (a cursor is steadier under writes). */
  offset?: number;
}

export async function listLedgerEntries(
  ctx: LedgerContext,
  scope: Scope,
  walletId: string,
  filter: EntryFilter = {},
): Promise<Page<LedgerEntry>> {
  await getWallet(ctx, scope, walletId);
  const limit = pageSize(filter.limit);
  const order = filter.order ?? "desc";
  if (filter.after != null && !/^\d{1,18}$/.test(filter.after))
    throw new ValidationError("cursor is not valid", [{ path: ["cursor"], message: "is not valid" }]);
  if (filter.category != null && !isStorableText(filter.category)) return { items: [], nextCursor: null };
  const where: Prisma.LedgerEntryWhereInput = {
    walletId,
    ...(filter.types?.length ? { type: { in: filter.types } } : {}),
    ...(filter.category ? { block: { category: filter.category } } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.blockId ? { blockId: filter.blockId } : {}),
    ...(filter.minimumAmount != null
      ? { OR: [{ amount: { gte: filter.minimumAmount } }, { amount: { lte: -filter.minimumAmount } }] }
      : {}),
    ...(filter.createdFrom || filter.createdAfter || filter.createdBefore || filter.createdUntil
      ? { createdAt: { gte: filter.createdFrom, gt: filter.createdAfter, lt: filter.createdBefore, lte: filter.createdUntil } }
      : {}),
    ...(filter.after != null ? { sequence: order === "desc" ? { lt: BigInt(filter.after) } : { gt: BigInt(filter.after) } } : {}),
  };
  const items = await ctx.prisma.ledgerEntry.findMany({
    where,
    orderBy: { sequence: order },
    take: limit + 1,
    skip: offsetOf(filter.offset ?? 0),
  });
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
  const hold = await ctx.prisma.hold.findFirst({ where: { id: holdId, wallet: walletsInScope(scope) } });
  if (!hold) throw new NotFoundError("Hold", holdId);
  return hold;
}

/**
 * The operation an idempotency key names, with its wallet's customer; null when there is none in
 * the scope. Unlike a free-form reference, a key names one operation per tenant and mode.
 */
export async function findOperationByIdempotencyKey(
  ctx: LedgerContext,
  scope: Scope,
  idempotencyKey: string,
): Promise<(Operation & { wallet: Wallet & { customer: Customer } }) | null> {
  if (!isStorableText(idempotencyKey)) return null;
  return ctx.prisma.operation.findFirst({
    where: { tenantId: scope.tenantId, livemode: scope.livemode, idempotencyKey, wallet: walletsInScope(scope) },
    include: { wallet: { include: { customer: true } } },
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
      skip: offsetOf((filter.page - 1) * filter.perPage, "page"),
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
    where: { id: operationId, wallet: walletsInScope(scope) },
  });
  if (!operation) throw new NotFoundError("Operation", operationId);
  return loadOperationResult(ctx.prisma, operation);
}

/** What the operation an idempotency key names wrote, or null when the key was never used. */
export async function findOperationResultByKey(ctx: LedgerContext, scope: Scope, idempotencyKey: string): Promise<LedgerResult | null> {
  const operation = await findOperationByKey(ctx.prisma, scope, idempotencyKey);
  return operation ? loadOperationResult(ctx.prisma, operation) : null;
}

function paged<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!) : null };
}

/** Refunds and chargebacks of a deposit, oldest first; none outside the scope. */
export function listDepositReversals(ctx: LedgerContext, scope: Scope, depositOperationId: string): Promise<FundingReversal[]> {
  return ctx.prisma.fundingReversal.findMany({
    where: { depositOperationId, depositOperation: { wallet: walletsInScope(scope) } },
    orderBy: { reversedTotal: "asc" },
  });
}
