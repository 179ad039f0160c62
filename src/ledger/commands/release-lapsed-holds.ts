import type { LedgerContext, Scope } from "../context.ts";
import { withLockedWallet } from "../transaction.ts";

/**
 * Releases the wallet's holds that are past their expiry, each as its own `release`
 * operation (status `expired`). Every command on the wallet does this first; this runs it alone.
 * Fails with NotFoundError outside the scope.
 */
export async function releaseLapsedHolds(ctx: LedgerContext, scope: Scope, walletId: string): Promise<void> {
  await withLockedWallet(ctx, scope, walletId, async () => {});
}
