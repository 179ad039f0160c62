// A top-up's outcome and its event (`top_up.succeeded`, `top_up.failed`) change together, in one
// transaction, and only when this call is the one that moved the top-up: however many webhook
// deliveries, sweeps and gateways settle a top-up, each outcome it reaches is told once.
import type { Prisma } from "../db/generated/client.ts";
import { inLedgerTransaction, topUpPayload, type LedgerTransaction } from "../ledger/extension.ts";
import type { LedgerContext } from "../ledger/index.ts";

export interface TopUpSettlement {
  /** The top-up, in the state it must be in for this outcome to apply (e.g. still pending). */
  where: Prisma.TopUpWhereInput & { id: string };
  data: Prisma.TopUpUpdateManyMutationInput & { status: "succeeded" | "failed" };
  /** More to change with the outcome, in its transaction (e.g. pausing the auto top-up rule). */
  alongside?: (transaction: LedgerTransaction) => Promise<unknown>;
}

/** Answers whether the top-up was moved (false: it was not in the state `where` asks). */
export function settleTopUp(ctx: LedgerContext, { where, data, alongside }: TopUpSettlement): Promise<boolean> {
  return inLedgerTransaction(ctx, async (transaction) => {
    const { tx, recordEvent } = transaction;
    const { count } = await tx.topUp.updateMany({ where, data });
    if (count === 0) return false;
    await alongside?.(transaction);
    const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: where.id } });
    const type = data.status === "succeeded" ? "top_up.succeeded" : "top_up.failed";
    await recordEvent({
      walletId: topUp.walletId,
      type,
      operationId: topUp.operationId,
      payload: topUpPayload(topUp),
      createdAt: ctx.now(),
    });
    return true;
  });
}
