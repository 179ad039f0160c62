import type { LedgerContext, Scope } from "../context.ts";
import type { LedgerResult } from "../wallet-ledger.ts";
import { updateWallet } from "./update-wallet.ts";

export interface SetConsumptionOrderInput {
  scope: Scope;
  walletId: string;
  /** `standard`, `soonest_expiry` or `cheapest_first` (src/ledger/consumption.ts). */
  consumptionOrder: string;
  idempotencyKey?: string | null;
}

/**
 * Chooses the rule the wallet's credits are spent by from now on: a wallet update (told as
 * `wallet.updated`) that leaves balances untouched. Fails as updateWallet does.
 */
export function setConsumptionOrder(ctx: LedgerContext, input: SetConsumptionOrderInput): Promise<LedgerResult> {
  return updateWallet(ctx, input);
}
