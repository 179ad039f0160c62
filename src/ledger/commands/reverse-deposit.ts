import type { FundingReversal } from "../../db/generated/client.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { validMetadata, validText } from "../input.ts";
import { parseMinorUnits, requirePositive } from "../money.ts";
import { hashRequest } from "../request-hash.ts";
import { requireId, withLockedWallet } from "../transaction.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";

export interface ReverseDepositInput {
  scope: Scope;
  walletId: string;
  /** The deposit whose money went back to the payer. */
  depositOperationId: string;
  /**
   * How much of the deposit has gone back in all, this notice included (Stripe's
   * `amount_refunded`). A running total, so that repeated and reordered notices add up once.
   */
  reversedTotal: bigint;
  /** e.g. the Stripe charge or refund id. */
  reference?: string | null;
  metadata?: Metadata | null;
}

export interface DepositReversal {
  /** Null when the notice adds nothing: it repeats one already applied, or an older one. */
  reversal: FundingReversal | null;
  result: LedgerResult | null;
}

/**
 * The money behind a deposit was returned to the payer (a card refund, a chargeback): voids what
 * the deposit's blocks still have left, up to the newly reversed amount, and records the part
 * already spent, or held, as `unrecovered` rather than dropping it.
 * Fails with NotFoundError (wallet, or a deposit not of that wallet) and ValidationError.
 */
export async function reverseDeposit(ctx: LedgerContext, input: ReverseDepositInput): Promise<DepositReversal> {
  const reversedTotal = requirePositive(parseMinorUnits(input.reversedTotal, "reversedTotal"), "reversedTotal");
  requireId(input.depositOperationId, "Operation");
  const reference = validText(input.reference, "reference", 255);
  const metadata = validMetadata(input.metadata);

  const outcome = await withLockedWallet(ctx, input.scope, input.walletId, async (walletLedger, tx) => {
    const depositOperation = await tx.operation.findFirst({
      where: { id: input.depositOperationId, walletId: input.walletId, type: "deposit" },
    });
    if (!depositOperation) throw new NotFoundError("Operation", input.depositOperationId);
    // Read under the wallet lock: notices for one deposit are applied one at a time.
    const earlier = await tx.fundingReversal.aggregate({
      where: { depositOperationId: depositOperation.id },
      _max: { reversedTotal: true },
    });
    const amount = reversedTotal - (earlier._max.reversedTotal ?? 0n);
    if (amount <= 0n) return { reversal: null, result: null };

    const operation = walletLedger.beginOperation({
      type: "void",
      requestHash: hashRequest("void", input.walletId, { depositOperationId: depositOperation.id, reversedTotal }),
      reference,
      targetOperationId: depositOperation.id,
    });
    const blocks = walletLedger.track(
      await tx.creditBlock.findMany({ where: { operationId: depositOperation.id, status: "active" }, orderBy: { createdAt: "asc" } }),
    );
    let left = amount;
    for (const block of blocks) {
      const voided = block.remaining < left ? block.remaining : left;
      if (voided === 0n) continue;
      walletLedger.append(operation, { block, type: "void", amount: -voided, metadata: { ...metadata, void_reason: "refund" } });
      left -= voided;
    }
    await walletLedger.flush();
    const reversal = await tx.fundingReversal.create({
      data: {
        walletId: input.walletId,
        depositOperationId: depositOperation.id,
        operationId: operation.id,
        reversedTotal,
        amount,
        voided: amount - left,
        unrecovered: left,
        reference,
        createdAt: walletLedger.now,
      },
    });
    return { reversal, result: walletLedger.resultOf(operation) };
  });
  if (outcome.reversal) ctx.onCommitted?.({ scope: input.scope, walletId: input.walletId, type: "void" });
  return outcome;
}
