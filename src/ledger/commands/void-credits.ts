import type { LedgerContext, Scope } from "../context.ts";
import { BlockNotUsableError, InsufficientCreditsError, NotFoundError } from "../errors.ts";
import { planDraws, spendableBlocks, totalRemaining } from "../consumption.ts";
import { validMetadata, validText } from "../input.ts";
import { parseMinorUnits, requirePositive } from "../money.ts";
import { requireId, runWalletCommand } from "../transaction.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";

export interface VoidCreditsInput {
  scope: Scope;
  walletId: string;
  /** Void from this block (default: all it has left); without it, `amount` in consumption order. */
  blockId?: string | null;
  amount?: bigint | null;
  /** Why, e.g. `refund`; kept in the entries' metadata as `void_reason`. */
  reason?: string | null;
  description?: string | null;
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

/**
 * Takes credits back without spending them: `void` entries on a given block, or an amount across
 * spendable blocks in consumption order. Held credits are not voidable until released.
 * Fails with NotFoundError (wallet or block), BlockNotUsableError, InsufficientCreditsError,
 * ValidationError and IdempotencyConflictError.
 */
export async function voidCredits(ctx: LedgerContext, input: VoidCreditsInput): Promise<LedgerResult> {
  const amount = input.amount == null ? null : requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  if (input.blockId != null) requireId(input.blockId, "CreditBlock");
  else requirePositive(amount ?? 0n, "amount");
  const reason = validText(input.reason, "reason", 255);
  const description = validText(input.description, "description");
  const metadata = { ...validMetadata(input.metadata), ...(reason ? { void_reason: reason } : {}) };
  const request = { blockId: input.blockId, amount, reason, description, metadata };

  return runWalletCommand(ctx, { ...input, type: "void", request }, async (walletLedger, operation) => {
    let draws;
    if (input.blockId != null) {
      const block = (await walletLedger.blocksById([input.blockId])).get(input.blockId);
      if (!block) throw new NotFoundError("CreditBlock", input.blockId);
      if (block.status !== "active") throw new BlockNotUsableError(block.id, `is ${block.status}`);
      const voided = amount ?? block.remaining;
      if (voided === 0n) throw new BlockNotUsableError(block.id, "has no credits left to void");
      if (voided > block.remaining) throw new InsufficientCreditsError(voided, block.remaining);
      draws = [{ block, amount: voided }];
    } else {
      const blocks = await spendableBlocks(walletLedger, { anyScope: true });
      const plan = planDraws(blocks, amount!);
      if (plan.shortfall > 0n) throw new InsufficientCreditsError(amount!, totalRemaining(blocks));
      draws = plan.draws;
    }
    for (const draw of draws) {
      walletLedger.append(operation, { block: draw.block, type: "void", amount: -draw.amount, description, metadata });
    }
  });
}
