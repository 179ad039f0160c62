import type { CreditBlock, LedgerEntry } from "../../db/generated/client.ts";
import { walletsInScope } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { NotFoundError, RefundExceedsDebitError, ValidationError } from "../errors.ts";
import { validMetadata, validText } from "../input.ts";
import { minBigInt, parseMinorUnits, requirePositive, sumBigInt } from "../money.ts";
import { requireId, runWalletCommand } from "../transaction.ts";
import type { LedgerResult, Metadata, WalletLedger } from "../wallet-ledger.ts";
import { inForceAt } from "../consumption.ts";

export interface RefundInput {
  scope: Scope;
  /** The debit or capture operation to reverse. */
  operationId: string;
  /** Default: all of it that is not refunded yet. */
  amount?: bigint | null;
  description?: string | null;
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

/**
 * Reverses all or part of a debit (or a capture), crediting back the blocks it drew from, the
 * latest draw first. Credits whose block is no longer spendable (expired, voided, past its window)
 * go to a new block of the same category and cost basis, with the wallet's default expiry; what
 * the debit overdrew repays the overdraft.
 * Fails with NotFoundError, ValidationError (not a debit or capture), RefundExceedsDebitError,
 * WalletTerminatedError and IdempotencyConflictError.
 */
export async function refund(ctx: LedgerContext, input: RefundInput): Promise<LedgerResult> {
  const amount = input.amount == null ? null : requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const description = validText(input.description, "description");
  const metadata = validMetadata(input.metadata);
  requireId(input.operationId, "Operation");
  const target = await ctx.prisma.operation.findFirst({
    where: { id: input.operationId, wallet: walletsInScope(input.scope) },
  });
  if (!target) throw new NotFoundError("Operation", input.operationId);
  if (target.type !== "debit" && target.type !== "capture") {
    throw new ValidationError(`only debits and captures can be refunded, not a ${target.type}`, [
      { path: ["operationId"], message: "is not a debit or capture" },
    ]);
  }
  const request = { operationId: target.id, amount, description, metadata };

  return runWalletCommand(
    ctx,
    { ...input, walletId: target.walletId, type: "refund", targetOperationId: target.id, reference: target.reference, request },
    async (walletLedger, operation) => {
      const spent = await walletLedger.tx.ledgerEntry.findMany({
        where: { operationId: target.id, type: { in: ["decrement", "capture"] } },
        orderBy: { sequence: "desc" },
      });
      const alreadyRefunded = sumBigInt(
        (
          await walletLedger.tx.ledgerEntry.findMany({
            where: { operation: { targetOperationId: target.id, type: "refund" } },
            select: { amount: true },
          })
        ).map((entry) => entry.amount),
      );
      const refundable = -sumBigInt(spent.map((entry) => entry.amount)) - alreadyRefunded;
      const refunded = amount ?? refundable;
      if (refunded === 0n || refunded > refundable) throw new RefundExceedsDebitError(target.id, refunded, refundable);

      const blocks = await walletLedger.blocksById(spent.flatMap((entry) => (entry.blockId ? [entry.blockId] : [])));
      for (const { entry, amount: portion } of refundPortions(spent, alreadyRefunded, refunded)) {
        creditBack(walletLedger, operation, entry.blockId ? blocks.get(entry.blockId)! : null, portion, description, metadata);
      }
    },
  );
}

/** Splits a refund over the spent entries, latest first, skipping what earlier refunds covered. */
function refundPortions(spentLatestFirst: LedgerEntry[], alreadyRefunded: bigint, refunded: bigint) {
  const portions: { entry: LedgerEntry; amount: bigint }[] = [];
  let skip = alreadyRefunded;
  let left = refunded;
  for (const entry of spentLatestFirst) {
    let available = -entry.amount;
    const skipped = minBigInt(available, skip);
    skip -= skipped;
    available -= skipped;
    const take = minBigInt(available, left);
    if (take > 0n) portions.push({ entry, amount: take });
    left -= take;
    if (left === 0n) break;
  }
  return portions;
}

function creditBack(
  walletLedger: WalletLedger,
  operation: LedgerResult["operation"],
  block: CreditBlock | null,
  amount: bigint,
  description: string | null,
  metadata: Metadata,
): void {
  const now = walletLedger.now.getTime();
  let left = amount;
  if (block === null) {
    const repaid = minBigInt(left, walletLedger.wallet.overdraftUsed);
    if (repaid > 0n) walletLedger.append(operation, { block: null, type: "refund", amount: repaid, description, metadata });
    left -= repaid;
  } else if (block.status === "active" && inForceAt(block, walletLedger.now)) {
    walletLedger.append(operation, { block, type: "refund", amount: left, description, metadata });
    left = 0n;
  }
  if (left === 0n) return;
  const days = walletLedger.wallet.defaultExpiryDays;
  walletLedger.openBlock(
    operation,
    {
      category: block?.category ?? "granted",
      appliesTo: block?.appliesTo ?? walletLedger.wallet.defaultAppliesTo,
      priority: block?.priority,
      costBasis: block?.costBasis,
      effectiveAt: walletLedger.now,
      expiresAt: days ? new Date(now + days * 86_400_000) : null,
      source: "refund",
      description,
      metadata,
    },
    { type: "refund", amount: left, description, metadata },
  );
}
