import type { LedgerContext, Scope } from "../context.ts";
import { BlockNotUsableError, InsufficientCreditsError, ValidationError } from "../errors.ts";
import { requireLater, validDate, validMetadata, validText } from "../input.ts";
import { parseMinorUnits, requirePositive } from "../money.ts";
import { runWalletCommand } from "../transaction.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";
import { requireLiveBlock, walletOfBlock } from "./amend-block.ts";

export interface ChangeBlockExpiryInput {
  scope: Scope;
  blockId: string;
  /** When set, the block must be this wallet's (NotFoundError otherwise). */
  walletId?: string | null;
  /** The new expiry; null for credits that never expire. */
  expiresAt: Date | null;
  /** How many of the block's credits move; default all it has left. */
  amount?: bigint | null;
  description?: string | null;
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

/**
 * Moves credits to a new block with another expiry: an `expiration_change` entry out of the old
 * block and one into the new, so the wallet's balance ends where it started and the old block's
 * history (and balances at past instants) stay as they were.
 * Fails with NotFoundError (the block is outside the scope, or not the given wallet's),
 * BlockNotUsableError, InsufficientCreditsError, ValidationError
 * (expiry already past or not after the block's effective date) and IdempotencyConflictError.
 */
export async function changeBlockExpiry(ctx: LedgerContext, input: ChangeBlockExpiryInput): Promise<LedgerResult> {
  const expiresAt = validDate(input.expiresAt, "expiresAt");
  const amount = input.amount == null ? null : requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const description = validText(input.description, "description");
  const metadata = validMetadata(input.metadata);
  const walletId = await walletOfBlock(ctx, input.scope, input.blockId, input.walletId);
  const request = { blockId: input.blockId, expiresAt: expiresAt ?? "never", amount, description, metadata };

  return runWalletCommand(ctx, { ...input, walletId, type: "expiration_change", request }, async (walletLedger, operation) => {
    const block = (await walletLedger.blocksById([input.blockId])).get(input.blockId)!;
    requireLiveBlock(block, walletLedger.now);
    requireLater(expiresAt, block.effectiveAt, "expiresAt", "the block's effectiveAt");
    if (expiresAt && expiresAt.getTime() <= walletLedger.now.getTime()) {
      throw new ValidationError("expiresAt is already past", [{ path: ["expiresAt"], message: "is already past" }]);
    }
    const moved = amount ?? block.remaining;
    if (moved === 0n) throw new BlockNotUsableError(block.id, "has no credits left to move");
    if (moved > block.remaining) throw new InsufficientCreditsError(moved, block.remaining);
    walletLedger.append(operation, { block, type: "expiration_change", amount: -moved, description, metadata });
    walletLedger.openBlock(
      operation,
      {
        category: block.category,
        appliesTo: block.appliesTo,
        priority: block.priority,
        costBasis: block.costBasis,
        effectiveAt: block.effectiveAt,
        expiresAt,
        source: "expiration_change",
        description: block.description,
        metadata: block.metadata as Metadata,
      },
      { type: "expiration_change", amount: moved, description, metadata },
    );
  });
}
