import type { Customer, Wallet } from "../../db/generated/client.ts";
import { authorize } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { upsertCustomer, validCustomer, type CustomerInput } from "../customers.ts";
import { IdempotencyConflictError, ValidationError } from "../errors.ts";
import { validMetadata, validText } from "../input.ts";
import { currencyScale, parseMinorUnits } from "../money.ts";
import { hashRequest } from "../request-hash.ts";
import { findOperationByKey, TRANSACTION_OPTIONS, validateIdempotencyKey } from "../transaction.ts";
import type { Metadata } from "../wallet-ledger.ts";

export interface CreateWalletInput {
  scope: Scope;
  /** Found by external id or created; name, email and metadata given here update it. */
  customer: CustomerInput;
  /** ISO 4217 (scale from the standard) or a custom credit unit such as "CREDITS" (scale 0 unless given). */
  currency: string;
  scale?: number | null;
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

/**
 * Opens a wallet for a customer, creating the customer when its external id is new.
 * Fails with ForbiddenError, ValidationError (currency, scale, limits, customer fields) and
 * IdempotencyConflictError.
 */
export async function createWallet(ctx: LedgerContext, input: CreateWalletInput): Promise<CreateWalletResult> {
  authorize(input.scope, "manage");
  return openWallet(ctx, input);
}

/** createWallet without the permission check, for commands that decide it themselves. */
export async function openWallet(ctx: LedgerContext, input: CreateWalletInput): Promise<CreateWalletResult> {
  const idempotencyKey = validateIdempotencyKey(input.idempotencyKey);
  const customer = validCustomer(input.customer);
  const currency = input.currency;
  const scale = currencyScale(currency, input.scale);
  const overdraftLimit = parseMinorUnits(input.overdraftLimit ?? 0n, "overdraftLimit");
  if (overdraftLimit < 0n) throw new ValidationError("overdraftLimit must not be negative", [{ path: ["overdraftLimit"], message: "must not be negative" }]);
  const defaultExpiryDays = validExpiryDays(input.defaultExpiryDays);
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
      const wallet = await tx.wallet.create({
        data: {
          tenantId: input.scope.tenantId,
          livemode: input.scope.livemode,
          customerId: owner.id,
          currency,
          scale,
          name: validText(input.name, "name", 255),
          overdraftLimit,
          defaultExpiryDays,
          metadata: validMetadata(input.metadata) as object,
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
    // A concurrent request with the same key committed first: answer with its wallet.
    const winner = (error as { code?: string }).code === "P2002" ? await replay() : null;
    if (winner) return winner;
    throw error;
  }
}

export function validExpiryDays(days: number | null | undefined): number | null {
  if (days == null) return null;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new ValidationError("defaultExpiryDays must be a whole number of days from 1 to 36500", [{ path: ["defaultExpiryDays"], message: "must be 1 to 36500" }]);
  }
  return days;
}
