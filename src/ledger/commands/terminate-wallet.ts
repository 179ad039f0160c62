import type { LedgerContext, Scope } from "../context.ts";
import { walletPayload } from "../events.ts";
import { releaseHeldCredits } from "../holds.ts";
import { validText } from "../input.ts";
import { runWalletCommand } from "../transaction.ts";
import type { LedgerResult } from "../wallet-ledger.ts";

export interface TerminateWalletInput {
  scope: Scope;
  walletId: string;
  reason?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Closes a wallet for good: open holds are released, every credit left is voided with `void`
 * entries, blocks become `voided`, and the wallet accepts no further movements. An overdraft
 * still owed stays on the record. There is no way back to active.
 * Fails with NotFoundError, WalletTerminatedError (already terminated, without a replayed key)
 * and IdempotencyConflictError.
 */
export async function terminateWallet(ctx: LedgerContext, input: TerminateWalletInput): Promise<LedgerResult> {
  const reason = validText(input.reason, "reason", 255);
  return runWalletCommand(ctx, { ...input, type: "termination", request: { reason } }, async (walletLedger, operation) => {
    const description = reason ?? "wallet terminated";
    const openHolds = await walletLedger.tx.hold.findMany({
      where: { walletId: walletLedger.wallet.id, status: "open" },
      orderBy: { createdAt: "asc" },
    });
    for (const found of openHolds) {
      const hold = walletLedger.trackHold(found);
      await releaseHeldCredits(walletLedger, operation, hold, description);
      walletLedger.resolveHold(hold, "released");
    }
    const blocks = walletLedger.track(
      await walletLedger.tx.creditBlock.findMany({
        where: { walletId: walletLedger.wallet.id, status: "active" },
        orderBy: { createdAt: "asc" },
      }),
    );
    for (const block of blocks) {
      if (block.remaining > 0n) {
        walletLedger.append(operation, {
          block,
          type: "void",
          amount: -block.remaining,
          description,
          metadata: { void_reason: "wallet_terminated" },
        });
      }
      walletLedger.setBlockStatus(block, "voided");
    }
    walletLedger.updateWallet({ status: "terminated", terminatedAt: walletLedger.now });
    walletLedger.tell((wallet) => ({ type: "wallet.terminated", operationId: operation.id, payload: walletPayload(wallet) }));
  });
}
