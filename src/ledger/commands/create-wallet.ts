import type { Customer, Wallet } from "../../db/generated/client.ts";
import { authorize } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { upsertCustomer, validCustomer, type CustomerInput } from "../customers.ts";
import { IdempotencyConflictError, ValidationError, WalletExistsError } from "../errors.ts";
import { validIdempotencyKey, validMetadata, validText } from "../input.ts";
import { parseMinorUnits, walletUnit, type CustomUnit } from "../money.ts";
import { hashRequest } from "../request-hash.ts";
import { findOperationByKey, TRANSACTION_OPTIONS } from "../transaction.ts";
import type { Metadata, Tx } from "../wallet-ledger.ts";

export interface CreateWalletInput {
  scope: Scope;
  /** Found by external id or created; name, email and metadata given here update it. */
  customer: CustomerInput;
  /** An ISO 4217 code; the wallet takes the standard's scale (USD 2, JPY 0). */
  currency?: string | null;
  /** Instead of `currency`: a unit of the tenant's own, such as `{ code: "CREDITS", scale: 0 }`. */
  customUnit?: CustomUnit | null;
  /** Sets the wallet apart from the customer's other active wallets in the same currency. */
  name?: string | null;
  overdraftLimit?: bigint | null;
  defaultExpiryDays?: number | null;
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

export interface CreateWalletResult {
  wallet: Wallet;
  customer: Customer;
  replayed: boolean;
}

/** The partial unique index behind WalletExistsError (see its migration). */
const ONE_ACTIVE_WALLET_INDEX = "wallet_one_active_per_customer_currency_name";

/**
 * Opens a wallet for a customer, creating the customer when its external id is new. A customer
 * has one active wallet per currency and name (no name counting as one): of two concurrent
 * requests for the same wallet, one opens it and the other fails with WalletExistsError.
 * Fails with ForbiddenError, ValidationError (currency or custom unit, name, limits, customer
 * fields), WalletExistsError and IdempotencyConflictError.
 */
export async function createWallet(ctx: LedgerContext, input: CreateWalletInput): Promise<CreateWalletResult> {
  authorize(input.scope, "manage");
  return openWallet(ctx, input);
}

/** createWallet without the permission check, for commands that decide it themselves. */
export async function openWallet(ctx: LedgerContext, input: CreateWalletInput): Promise<CreateWalletResult> {
  const idempotencyKey = validIdempotencyKey(input.idempotencyKey);
  const customer = validCustomer(input.customer);
  const { currency, scale } = walletUnit(input);
  // An empty name is no name: the index counts both as one.
  const name = validText(input.name, "name", 255) || null;
  const metadata = validMetadata(input.metadata);
  const overdraftLimit = parseMinorUnits(input.overdraftLimit ?? 0n, "overdraftLimit");
  if (overdraftLimit < 0n) throw new ValidationError("overdraftLimit must not be negative", [{ path: ["overdraftLimit"], message: "must not be negative" }]);
  const defaultExpiryDays = validExpiryDays(input.defaultExpiryDays);
  // Keeps the shape (and so the hash) that keys given before custom units were explicit still match.
  const request = { customer, currency, scale, name: input.name, overdraftLimit, defaultExpiryDays, metadata: input.metadata };
  const requestHash = hashRequest("wallet_create", "", request);

  const replay = async (): Promise<CreateWalletResult | null> => {
    if (!idempotencyKey) return null;
    const earlier = await findOperationByKey(ctx.prisma, input.scope, idempotencyKey);
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) throw new IdempotencyConflictError(idempotencyKey);
    const wallet = await ctx.prisma.wallet.findUniqueOrThrow({ where: { id: earlier.walletId }, include: { customer: true } });
    return { wallet, customer: wallet.customer, replayed: true };
  };

  const earlier = await replay();
  if (earlier) return earlier;
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      const owner = await upsertCustomer(tx, input.scope, customer);
      const existing = await findActiveWallet(tx, owner.id, currency, name);
      if (existing) throw new WalletExistsError(existing.id, currency, name);
      const wallet = await tx.wallet.create({
        data: {
          tenantId: input.scope.tenantId,
          livemode: input.scope.livemode,
          customerId: owner.id,
          currency,
          scale,
          name,
          overdraftLimit,
          defaultExpiryDays,
          metadata: metadata as object,
        },
      });
      await tx.operation.create({
        data: {
          tenantId: input.scope.tenantId,
          livemode: input.scope.livemode,
          walletId: wallet.id,
          type: "wallet_create",
          idempotencyKey,
          requestHash,
          createdAt: ctx.now(),
        },
      });
      return { wallet, customer: owner, replayed: false };
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    if (!(error instanceof WalletExistsError) && (error as { code?: string }).code !== "P2002") throw error;
    // A concurrent request with the same key committed first: answer with its wallet.
    const winner = await replay();
    if (winner) return winner;
    if (error instanceof WalletExistsError) throw error;
    // A concurrent request opened the same wallet under another key, or none.
    if (isActiveWalletViolation(error)) {
      const owner = await ctx.prisma.customer.findUnique({
        where: { tenantId_livemode_externalId: { tenantId: input.scope.tenantId, livemode: input.scope.livemode, externalId: customer.externalId } },
      });
      const existing = owner ? await findActiveWallet(ctx.prisma, owner.id, currency, name) : null;
      if (existing) throw new WalletExistsError(existing.id, currency, name);
    }
    throw error;
  }
}

/** The customer's active wallet in `currency` under `name` (no name and "" alike), if any. */
export function findActiveWallet(db: Pick<Tx, "wallet">, customerId: string, currency: string, name: string | null): Promise<Wallet | null> {
  return db.wallet.findFirst({
    where: { customerId, currency, status: "active", ...(name === null ? { OR: [{ name: null }, { name: "" }] } : { name }) },
  });
}

/** A unique violation of the one-active-wallet index, from Prisma or from SQL. */
export function isActiveWalletViolation(error: unknown): boolean {
  const prismaError = error as { code?: string; meta?: unknown; message?: string };
  if (prismaError?.code !== "P2002" && prismaError?.code !== "P2010") return false;
  return JSON.stringify(prismaError.meta ?? {}).includes(ONE_ACTIVE_WALLET_INDEX) || (prismaError.message ?? "").includes(ONE_ACTIVE_WALLET_INDEX);
}

export function validExpiryDays(days: number | null | undefined): number | null {
  if (days == null) return null;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new ValidationError("defaultExpiryDays must be a whole number of days from 1 to 36500", [{ path: ["defaultExpiryDays"], message: "must be 1 to 36500" }]);
  }
  return days;
}
