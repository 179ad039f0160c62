// What one entry does to the figures of the account it is booked on: a credit block, or the
// wallet's overdraft account. `WalletLedger.append` applies this as it writes each entry and
// stores the result twice: on the block (its figures now) and on the entry (the block's figures
// just after it, which is what a balance at a past instant reads). `ledger_debit` and the
// migration that introduced the figures spell the same rule in SQL; `verifyLedger` checks the
// stored figures against plain sums of the entries.
import type { CreditBlock, LedgerEntryType } from "../db/generated/client.ts";

export interface AccountFigures {
  /** Credits left to spend (for the overdraft account: minus what is overdrawn). */
  remaining: bigint;
  /** Spent from the block: debits and captures, less refunds back into it. */
  used: bigint;
  /** Reserved on the block by open holds. */
  frozen: bigint;
}

export const NO_FIGURES: AccountFigures = { remaining: 0n, used: 0n, frozen: 0n };

/**
 * The account's figures after an entry of `type` and `amount`; `block` null is the overdraft
 * account, which keeps only `remaining`. A refund back into a block un-spends it; into a block
 * opened by a refund it is the block's grant, not a return of spending.
 */
export function figuresAfter(
  before: AccountFigures,
  block: Pick<CreditBlock, "source"> | null,
  type: LedgerEntryType,
  amount: bigint,
): AccountFigures {
  const remaining = before.remaining + amount;
  if (block === null) return { remaining, used: 0n, frozen: 0n };
  const spends = type === "decrement" || type === "capture" || (type === "refund" && block.source !== "refund");
  const reserves = type === "hold" || type === "hold_release";
  return {
    remaining,
    used: spends ? before.used - amount : before.used,
    frozen: reserves ? before.frozen - amount : before.frozen,
  };
}
