import { walletsInScope } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { BlockNotUsableError, InsufficientCreditsError, NotFoundError, ValidationError } from "../errors.ts";
import { validMetadata, validText } from "../input.ts";
import { parseMinorUnits } from "../money.ts";
import { requireId, runWalletCommand } from "../transaction.ts";
import type { CreditBlock } from "../../db/generated/client.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";
import { hasExpiredAt } from "../consumption.ts";

export interface AmendBlockInput {
  scope: Scope;
  blockId: string;
  /** When set, the block must be this wallet's (NotFoundError otherwise). */
  walletId?: string | null;
  /** Signed: positive adds credits to the block, negative removes them. */
  amount: bigint;
  description?: string | null;
  metadata?: Metadata | null;
  idempotencyKey?: string | null;
}

/**
 * Corrects a block up or down with an `amendment` entry (e.g. to reverse a decrement).
 * Fails with NotFoundError (the block is outside the scope, or not the given wallet's),
 * BlockNotUsableError (voided or expired), InsufficientCreditsError (a reduction beyond what the
 * block has left), ValidationError and IdempotencyConflictError.
 */
export async function amendBlock(ctx: LedgerContext, input: AmendBlockInput): Promise<LedgerResult> {
  const amount = parseMinorUnits(input.amount, "amount");
  if (amount === 0n) throw new ValidationError("amount must not be 0", [{ path: ["amount"], message: "must not be 0" }]);
  const description = validText(input.description, "description");
  const metadata = validMetadata(input.metadata);
  const walletId = await walletOfBlock(ctx, input.scope, input.blockId, input.walletId);
  const request = { blockId: input.blockId, amount, description, metadata };

  return runWalletCommand(ctx, { ...input, walletId, type: "amendment", request }, async (walletLedger, operation) => {
    const block = (await walletLedger.blocksById([input.blockId])).get(input.blockId)!;
    requireLiveBlock(block, walletLedger.now);
    if (block.remaining + amount < 0n) throw new InsufficientCreditsError(-amount, block.remaining);
    walletLedger.append(operation, { block, type: "amendment", amount, description, metadata });
  });
}

/** The wallet of a block in the scope; NotFoundError outside it, or when it is not `expectedWalletId`'s. */
export async function walletOfBlock(ctx: LedgerContext, scope: Scope, blockId: string, expectedWalletId?: string | null): Promise<string> {
  requireId(blockId, "CreditBlock");
  if (expectedWalletId != null) requireId(expectedWalletId, "Wallet");
  const block = await ctx.prisma.creditBlock.findFirst({
    where: { id: blockId, wallet: walletsInScope(scope), ...(expectedWalletId != null ? { walletId: expectedWalletId } : {}) },
    select: { walletId: true },
  });
  if (!block) throw new NotFoundError("CreditBlock", blockId);
  return block.walletId;
}

/** Amendments and expiry changes apply to blocks that are neither voided nor past expiry. */
export function requireLiveBlock(block: CreditBlock, now: Date): void {
  if (block.status !== "active") throw new BlockNotUsableError(block.id, `is ${block.status}`);
  if (hasExpiredAt(block, now)) throw new BlockNotUsableError(block.id, "has expired");
}
