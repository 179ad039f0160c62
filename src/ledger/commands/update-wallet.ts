import type { LedgerContext, Scope } from "../context.ts";
import { ValidationError, WalletExistsError } from "../errors.ts";
import { validAppliesTo, validConsumptionOrder, validMetadata, validText } from "../input.ts";
import { parseMinorUnits } from "../money.ts";
import { runWalletCommand } from "../transaction.ts";
import type { CommandExtension, LedgerResult, Metadata } from "../wallet-ledger.ts";
import { findActiveWallet, isActiveWalletViolation, validExpiryDays } from "./create-wallet.ts";
import { walletPayload } from "../events.ts";

export interface UpdateWalletInput {
  scope: Scope;
  walletId: string;
  name?: string | null;
  overdraftLimit?: bigint;
  /** Null clears the default expiry; undefined leaves it as it is. */
  defaultExpiryDays?: number | null;
  /** Feature keys for blocks deposited without their own; empty: any usage; undefined leaves it as it is. */
  defaultAppliesTo?: readonly string[] | null;
  /** The rule its credits are spent by from now on; undefined leaves it as it is. */
  consumptionOrder?: string | null;
  /** Merged into the wallet's metadata; a key set to null is removed. */
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

/**
 * Changes a wallet's settings; balances are untouched. `extension` changes more in the same
 * transaction, under the same idempotency key (payments/wallet-settings.ts: the auto top-up rule).
 * Fails with NotFoundError, WalletTerminatedError, ValidationError (an overdraft limit below the
 * overdraft already used), WalletExistsError (a name another active wallet of the customer has in
 * the same currency) and IdempotencyConflictError.
 */
export async function updateWallet(ctx: LedgerContext, input: UpdateWalletInput, extension?: CommandExtension): Promise<LedgerResult> {
  const overdraftLimit = input.overdraftLimit === undefined ? undefined : parseMinorUnits(input.overdraftLimit, "overdraftLimit");
  if (overdraftLimit !== undefined && overdraftLimit < 0n) {
    throw new ValidationError("overdraftLimit must not be negative", [{ path: ["overdraftLimit"], message: "must not be negative" }]);
  }
  const defaultExpiryDays = input.defaultExpiryDays === undefined ? undefined : validExpiryDays(input.defaultExpiryDays);
  const defaultAppliesTo =
    input.defaultAppliesTo === undefined ? undefined : (validAppliesTo(input.defaultAppliesTo, "defaultAppliesTo") ?? []);
  const consumptionOrder = input.consumptionOrder == null ? undefined : validConsumptionOrder(input.consumptionOrder);
  const metadataPatch = input.metadata === undefined ? undefined : validMetadata(input.metadata);
  const name = input.name === undefined ? undefined : validText(input.name, "name", 255);
  const request = {
    name,
    overdraftLimit,
    defaultExpiryDays: input.defaultExpiryDays === null ? "clear" : defaultExpiryDays,
    metadata: metadataPatch,
    extension: extension?.request,
    ...(defaultAppliesTo !== undefined ? { defaultAppliesTo } : {}),
    ...(consumptionOrder !== undefined ? { consumptionOrder } : {}),
  };

  try {
    return await runWalletCommand(ctx, { ...input, type: "wallet_update", request }, async (walletLedger, operation) => {
      if (name !== undefined) {
        const namesake = await findActiveWallet(
          walletLedger.tx,
          walletLedger.wallet.customerId,
          walletLedger.wallet.currency,
          name || null,
        );
        if (namesake && namesake.id !== walletLedger.wallet.id)
          throw new WalletExistsError(namesake.id, walletLedger.wallet.currency, name || null);
      }
      if (overdraftLimit !== undefined && overdraftLimit < walletLedger.wallet.overdraftUsed) {
        throw new ValidationError(`overdraftLimit cannot go below the ${walletLedger.wallet.overdraftUsed} already overdrawn`, [
          { path: ["overdraftLimit"], message: "is below the overdraft already used" },
        ]);
      }
      // Patches add up: the merged metadata is bounded as a whole.
      const metadata = metadataPatch === undefined ? undefined : validMetadata(mergeMetadata(walletLedger.wallet.metadata, metadataPatch));
      walletLedger.updateWallet({
        ...(name !== undefined ? { name } : {}),
        ...(overdraftLimit !== undefined ? { overdraftLimit } : {}),
        ...(defaultExpiryDays !== undefined ? { defaultExpiryDays } : {}),
        ...(defaultAppliesTo !== undefined ? { defaultAppliesTo } : {}),
        ...(consumptionOrder !== undefined ? { consumptionOrder } : {}),
        ...(metadata !== undefined ? { metadata: metadata as object } : {}),
      });
      await extension?.apply(walletLedger, operation);
      walletLedger.tell((wallet) => ({ type: "wallet.updated", operationId: operation.id, payload: walletPayload(wallet) }));
    });
  } catch (error) {
    // Another wallet of the customer took the name concurrently (under its own lock).
    if (name === undefined || !isActiveWalletViolation(error)) throw error;
    const wallet = await ctx.prisma.wallet.findUniqueOrThrow({ where: { id: input.walletId } });
    const namesake = await findActiveWallet(ctx.prisma, wallet.customerId, wallet.currency, name || null);
    throw namesake ? new WalletExistsError(namesake.id, wallet.currency, name || null) : error;
  }
}

export function mergeMetadata(current: unknown, patch: Metadata): Metadata {
  const merged: Metadata = { ...((current ?? {}) as Metadata) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
