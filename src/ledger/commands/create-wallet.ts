import type { Customer, Operation, Wallet } from "../../db/generated/client.ts";
import { authorize } from "../access.ts";
import { balanceAfterOperation, type WalletBalance } from "../balances.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { upsertCustomer, validCustomer, type CustomerInput } from "../customers.ts";
import { IdempotencyConflictError, ValidationError, WalletExistsError } from "../errors.ts";
import { validAppliesTo, validConsumptionOrder, validIdempotencyKey, validMetadata, validText } from "../input.ts";
import { parseMinorUnits, walletUnit, type CustomUnit } from "../money.ts";
import { hashRequest } from "../request-hash.ts";
import { isUniqueViolation, runOnce, type KeyedRecords } from "../idempotency.ts";
import { findOperationByKey, OPERATION_KEY_INDEX, TRANSACTION_OPTIONS } from "../transaction.ts";
import { publishCommitted } from "../event-feed.ts";
import { walletPayload } from "../events.ts";
import { WalletLedger, type CommandExtension, type Metadata, type Tx } from "../wallet-ledger.ts";

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
  /** Feature keys given to blocks deposited without their own `appliesTo`; empty or absent: any usage. */
  defaultAppliesTo?: readonly string[] | null;
  /** The rule its credits are spent by; default `standard`. */
  consumptionOrder?: string | null;
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

export interface CreateWalletResult {
  /** As it stands now, with its balance figures as the creation left them. */
  wallet: Wallet;
  customer: Customer;
  replayed: boolean;
  /** The balances the creation left (credits an opening deposited included), also on a replay. */
  balance: WalletBalance;
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

/**
 * createWallet without the permission check, for commands that decide it themselves; `opening`
 * runs on the new wallet in the same transaction (deposits, an auto top-up rule). Operations it
 * begins name the creation as their target, so that a replay answers the balances they left.
 */
export async function openWallet(ctx: LedgerContext, input: CreateWalletInput, opening?: CommandExtension): Promise<CreateWalletResult> {
  const idempotencyKey = validIdempotencyKey(input.idempotencyKey);
  const customer = validCustomer(input.customer);
  const { currency, scale } = walletUnit(input);
  // An empty name is no name: the index counts both as one.
  const name = validText(input.name, "name", 255) || null;
  const metadata = validMetadata(input.metadata);
  const overdraftLimit = parseMinorUnits(input.overdraftLimit ?? 0n, "overdraftLimit");
  if (overdraftLimit < 0n)
    throw new ValidationError("overdraftLimit must not be negative", [{ path: ["overdraftLimit"], message: "must not be negative" }]);
  const defaultExpiryDays = validExpiryDays(input.defaultExpiryDays);
  const defaultAppliesTo = validAppliesTo(input.defaultAppliesTo, "defaultAppliesTo") ?? [];
  const consumptionOrder = validConsumptionOrder(input.consumptionOrder ?? "standard");
  // Keeps the shape (and so the hash) that keys given before custom units were explicit still match.
  const request = {
    customer,
    currency,
    scale,
    name: input.name,
    overdraftLimit,
    defaultExpiryDays,
    metadata: input.metadata,
    opening: opening?.request,
    ...(defaultAppliesTo.length > 0 ? { defaultAppliesTo } : {}),
    ...(consumptionOrder !== "standard" ? { consumptionOrder } : {}),
  };
  const requestHash = hashRequest("wallet_create", "", request);
  const records: KeyedRecords<Operation, CreateWalletResult> = {
    constraint: OPERATION_KEY_INDEX,
    find: (key) => findOperationByKey(ctx.prisma, input.scope, key),
    replay: async (earlier) => {
      if (earlier.requestHash !== requestHash) throw new IdempotencyConflictError(earlier.idempotencyKey ?? "");
      const { customer: owner, ...wallet } = await ctx.prisma.wallet.findUniqueOrThrow({
        where: { id: earlier.walletId },
        include: { customer: true },
      });
      return { ...(await asCreated(ctx, wallet, earlier)), customer: owner, replayed: true };
    },
  };

  return runOnce(idempotencyKey, records, async (replayEarlier) => {
    const earlier = await replayEarlier();
    if (earlier) return earlier;
    try {
      return await ctx.prisma
        .$transaction(async (tx) => {
          const owner = await upsertCustomer(tx, input.scope, customer);
          const existing = await findActiveWallet(tx, owner.id, currency, name);
          if (existing) throw new WalletExistsError(existing.id, currency, name);
          const now = ctx.now();
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
              defaultAppliesTo,
              consumptionOrder,
              metadata: metadata as object,
            },
          });
          const walletLedger = new WalletLedger(tx, wallet, now, input.scope);
          const operation = walletLedger.beginOperation({ type: "wallet_create", idempotencyKey, requestHash });
          walletLedger.tell({ type: "wallet.created", operationId: operation.id, payload: walletPayload(wallet) });
          await opening?.apply(walletLedger, operation);
          await walletLedger.flush();
          return { wallet: walletLedger.wallet, customer: owner, operation, events: walletLedger.events };
        }, TRANSACTION_OPTIONS)
        .then(async ({ wallet, customer: owner, operation, events }) => {
          publishCommitted(ctx, events);
          return { ...(await asCreated(ctx, wallet, operation)), customer: owner, replayed: false };
        });
    } catch (error) {
      if (!(error instanceof WalletExistsError) && !isActiveWalletViolation(error)) throw error;
      // A concurrent request with the same key committed first: the wallet it opened is this one.
      const winner = await replayEarlier();
      if (winner) return winner;
      if (error instanceof WalletExistsError) throw error;
      // A concurrent request opened the same wallet under another key, or none.
      const owner = await ctx.prisma.customer.findUnique({
        where: {
          tenantId_livemode_externalId: { tenantId: input.scope.tenantId, livemode: input.scope.livemode, externalId: customer.externalId },
        },
      });
      const existing = owner ? await findActiveWallet(ctx.prisma, owner.id, currency, name) : null;
      throw existing ? new WalletExistsError(existing.id, currency, name) : error;
    }
  });
}

/**
 * The wallet with the balances its creation left: those of the entries of the deposits its
 * opening made, which name the creation as their target, and of no later entry.
 */
async function asCreated(ctx: LedgerContext, wallet: Wallet, operation: Operation): Promise<{ wallet: Wallet; balance: WalletBalance }> {
  const lastOpening = await ctx.prisma.ledgerEntry.findFirst({
    where: { walletId: wallet.id, operation: { targetOperationId: operation.id } },
    orderBy: { sequence: "desc" },
    select: { sequence: true, createdAt: true },
  });
  const { balance, lastSequence } = await balanceAfterOperation(
    ctx.prisma,
    operation,
    lastOpening ? [lastOpening] : [{ sequence: 0n, createdAt: operation.createdAt }],
  );
  return { wallet: { ...wallet, balance: balance.ledgerBalance, overdraftUsed: balance.overdraftUsed, lastSequence }, balance };
}

/** The customer's active wallet in `currency` under `name` (no name and "" alike), if any. */
export function findActiveWallet(
  db: Pick<Tx, "wallet">,
  customerId: string,
  currency: string,
  name: string | null,
): Promise<Wallet | null> {
  return db.wallet.findFirst({
    where: { customerId, currency, status: "active", ...(name === null ? { OR: [{ name: null }, { name: "" }] } : { name }) },
  });
}

/** A unique violation of the one-active-wallet index, from Prisma or from SQL. */
export function isActiveWalletViolation(error: unknown): boolean {
  return isUniqueViolation(error, ONE_ACTIVE_WALLET_INDEX);
}

export function validExpiryDays(days: number | null | undefined): number | null {
  if (days == null) return null;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new ValidationError("defaultExpiryDays must be a whole number of days from 1 to 36500", [
      { path: ["defaultExpiryDays"], message: "must be 1 to 36500" },
    ]);
  }
  return days;
}
