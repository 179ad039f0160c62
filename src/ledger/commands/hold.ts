import type { LedgerContext, Scope } from "../context.ts";
import { InsufficientCreditsError, ValidationError } from "../errors.ts";
import { planDraws, spendableBlocks, totalRemaining } from "../consumption.ts";
import { validCategories, validDate, validMetadata, validOptionalFeature, validText } from "../input.ts";
import { parseMinorUnits, requirePositive } from "../money.ts";
import { runWalletCommand } from "../transaction.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";

export interface HoldInput {
  scope: Scope;
  walletId: string;
  amount: bigint;
  categories?: string[] | null;
  /** Reserve only from blocks that apply to this feature (or to any usage); none: blocks for any usage only. */
  feature?: string | null;
  /** When set, the hold releases itself at this instant unless captured or released before. */
  expiresAt?: Date | null;
  description?: string | null;
  metadata?: Metadata | null;
  reference?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Reserves available credits for a later capture: pending `hold` entries move them out of their
 * blocks (in consumption order) so that nothing else can spend them. Holds never overdraw.
 * Fails with InsufficientCreditsError, NotFoundError, WalletTerminatedError, ValidationError and
 * IdempotencyConflictError.
 */
export async function holdCredits(ctx: LedgerContext, input: HoldInput): Promise<LedgerResult> {
  const amount = requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const categories = validCategories(input.categories);
  const feature = validOptionalFeature(input.feature);
  const expiresAt = validDate(input.expiresAt, "expiresAt");
  const description = validText(input.description, "description");
  const metadata = validMetadata(input.metadata);
  const reference = validText(input.reference, "reference", 255);
  // The feature joins the request only when given, so that keys of holds made before features stay replayable.
  const request = { amount, categories, expiresAt, description, metadata, reference, ...(feature === null ? {} : { feature }) };

  return runWalletCommand(ctx, { ...input, reference, feature, type: "hold", request }, async (walletLedger, operation) => {
    if (expiresAt && expiresAt.getTime() <= walletLedger.now.getTime()) {
      throw new ValidationError("expiresAt is already past", [{ path: ["expiresAt"], message: "is already past" }]);
    }
    const blocks = await spendableBlocks(walletLedger, { feature, categories });
    const { draws, shortfall } = planDraws(blocks, amount);
    if (shortfall > 0n) throw new InsufficientCreditsError(amount, totalRemaining(blocks), feature);
    const hold = walletLedger.openHold(operation, { amount, expiresAt, description, metadata, reference });
    for (const draw of draws) {
      walletLedger.append(operation, {
        block: draw.block,
        type: "hold",
        amount: -draw.amount,
        hold,
        status: "pending",
        description,
        metadata,
      });
    }
  });
}
