// A top-up's outcome and its event (`top_up.succeeded`, `top_up.failed`) change together, in one
// transaction, and only when this call is the one that moved the top-up: however many webhook
// deliveries, sweeps and gateways settle a top-up, each outcome it reaches is told once.
import type { Prisma } from "../db/generated/client.ts";
import type { LedgerContext } from "../ledger/context.ts";
import { publishCommitted } from "../ledger/event-feed.ts";
import { recordEvent, topUpPayload, type EventNotice } from "../ledger/events.ts";
import { TRANSACTION_OPTIONS } from "../ledger/transaction.ts";
import type { Tx } from "../ledger/wallet-ledger.ts";

export interface TopUpSettlement {
  /** The top-up, in the state it must be in for this outcome to apply (e.g. still pending). */
  where: Prisma.TopUpWhereInput & { id: string };
  data: Prisma.TopUpUpdateManyMutationInput & { status: "succeeded" | "failed" };
  /** More to change with the outcome, in its transaction (e.g. pausing the auto top-up rule). */
  alongside?: (tx: Tx) => Promise<unknown>;
}

/** Answers whether the top-up was moved (false: it was not in the state `where` asks). */
export async function settleTopUp(ledger: LedgerContext, { where, data, alongside }: TopUpSettlement): Promise<boolean> {
  let told: EventNotice[] = [];
  const moved = await ledger.prisma.$transaction(async (tx) => {
    const { count } = await tx.topUp.updateMany({ where, data });
    if (count === 0) return false;
    await alongside?.(tx);
    const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: where.id } });
    const type = data.status === "succeeded" ? "top_up.succeeded" : "top_up.failed";
    told = [await recordEvent(tx, { walletId: topUp.walletId, type, operationId: topUp.operationId, payload: topUpPayload(topUp), createdAt: ledger.now() })];
    return true;
  }, TRANSACTION_OPTIONS);
  publishCommitted(ledger, told);
  return moved;
}
