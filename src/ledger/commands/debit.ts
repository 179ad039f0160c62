import type { LedgerContext, Scope } from "../context.ts";
import { InsufficientCreditsError } from "../errors.ts";
import { planDraws, spendableBlocks, totalRemaining } from "../consumption.ts";
import { validCategories, validMetadata, validText } from "../input.ts";
import { parseMinorUnits, requirePositive } from "../money.ts";
import { runWalletCommand } from "../transaction.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";

export interface DebitInput {
  scope: Scope;
  walletId: string;
  amount: bigint;
  /** Spend only from these categories (no overdraft then). */
  categories?: string[] | null;
  description?: string | null;
  metadata?: Metadata | null;
  /** The caller's reference, e.g. an order id. */
  reference?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Spends credits in consumption order, one `decrement` entry per block drawn from. What the
 * blocks cannot cover goes on the overdraft account, up to the wallet's overdraft limit.
 * Fails with InsufficientCreditsError (nothing written), NotFoundError, WalletTerminatedError,
 * ValidationError and IdempotencyConflictError.
 */
export async function debit(ctx: LedgerContext, input: DebitInput): Promise<LedgerResult> {
  const amount = requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const categories = validCategories(input.categories);
  const description = validText(input.description, "description");
  const metadata = validMetadata(input.metadata);
  const request = { amount, categories, description, metadata, reference: input.reference };

  return runWalletCommand(ctx, { ...input, type: "debit", request }, async (ledger, operation) => {
    const blocks = await spendableBlocks(ledger, categories);
    const { draws, shortfall } = planDraws(blocks, amount);
    const { wallet } = ledger;
    const overdraftRoom = categories ? 0n : wallet.overdraftLimit - wallet.overdraftUsed;
    if (shortfall > overdraftRoom) throw new InsufficientCreditsError(amount, totalRemaining(blocks) + overdraftRoom);
    for (const draw of draws) {
      ledger.append(operation, { block: draw.block, type: "decrement", amount: -draw.amount, description, metadata });
    }
    if (shortfall > 0n) {
      ledger.append(operation, { block: null, type: "decrement", amount: -shortfall, description: description ?? "overdraft", metadata });
    }
  });
}
