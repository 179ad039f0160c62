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
  return runWalletCommand(ctx, { ...input, type: "termination", request: { reason } }, async (ledger, operation) => {
    const description = reason ?? "wallet terminated";
    const openHolds = await ledger.tx.hold.findMany({ where: { walletId: ledger.wallet.id, status: "open" }, orderBy: { createdAt: "asc" } });
    for (const found of openHolds) {
      const hold = ledger.trackHold(found);
      await releaseHeldCredits(ledger, operation, hold, description);
      ledger.resolveHold(hold, "released");
    }
    const blocks = ledger.track(
      await ledger.tx.creditBlock.findMany({ where: { walletId: ledger.wallet.id, status: "active" }, orderBy: { createdAt: "asc" } }),
    );
    for (const block of blocks) {
      if (block.remaining > 0n) {
        ledger.append(operation, { block, type: "void", amount: -block.remaining, description, metadata: { void_reason: "wallet_terminated" } });
      }
      ledger.setBlockStatus(block, "voided");
    }
    ledger.updateWallet({ status: "terminated", terminatedAt: ledger.now });
    ledger.tell((wallet) => ({ type: "wallet.terminated", operationId: operation.id, payload: walletPayload(wallet) }));
  });
}
