import type { LedgerContext, Scope } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { validMetadata, validText } from "../input.ts";
import { parseMinorUnits } from "../money.ts";
import { runWalletCommand } from "../transaction.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";
import { validExpiryDays } from "./create-wallet.ts";

export interface UpdateWalletInput {
  scope: Scope;
  walletId: string;
  name?: string | null;
  overdraftLimit?: bigint;
  /** Null clears the default expiry; undefined leaves it as it is. */
  defaultExpiryDays?: number | null;
  /** Merged into the wallet's metadata; a key set to null is removed. */
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

/**
 * Changes a wallet's settings; balances are untouched.
 * Fails with NotFoundError, WalletTerminatedError, ValidationError (an overdraft limit below the
 * overdraft already used) and IdempotencyConflictError.
 */
export async function updateWallet(ctx: LedgerContext, input: UpdateWalletInput): Promise<LedgerResult> {
  const overdraftLimit = input.overdraftLimit === undefined ? undefined : parseMinorUnits(input.overdraftLimit, "overdraftLimit");
  if (overdraftLimit !== undefined && overdraftLimit < 0n) {
    throw new ValidationError("overdraftLimit must not be negative", [{ path: ["overdraftLimit"], message: "must not be negative" }]);
  }
  const defaultExpiryDays = input.defaultExpiryDays === undefined ? undefined : validExpiryDays(input.defaultExpiryDays);
  const metadataPatch = input.metadata === undefined ? undefined : validMetadata(input.metadata);
  const name = input.name === undefined ? undefined : validText(input.name, "name", 255);
  const request = { name, overdraftLimit, defaultExpiryDays: input.defaultExpiryDays === null ? "clear" : defaultExpiryDays, metadata: metadataPatch };

  return runWalletCommand(ctx, { ...input, type: "wallet_update", request }, async (ledger) => {
    if (overdraftLimit !== undefined && overdraftLimit < ledger.wallet.overdraftUsed) {
      throw new ValidationError(`overdraftLimit cannot go below the ${ledger.wallet.overdraftUsed} already overdrawn`, [
        { path: ["overdraftLimit"], message: "is below the overdraft already used" },
      ]);
    }
    ledger.updateWallet({
      ...(name !== undefined ? { name } : {}),
      ...(overdraftLimit !== undefined ? { overdraftLimit } : {}),
      ...(defaultExpiryDays !== undefined ? { defaultExpiryDays } : {}),
      ...(metadataPatch !== undefined ? { metadata: mergeMetadata(ledger.wallet.metadata, metadataPatch) as object } : {}),
    });
  });
}

export function mergeMetadata(current: unknown, patch: Metadata): Metadata {
  const merged: Metadata = { ...((current ?? {}) as Metadata) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
