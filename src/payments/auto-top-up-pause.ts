// Pausing an auto top-up rule that cannot run (src/payments/auto-top-up.ts): the rule stops firing,
// keeps the reason, and says so once, with an `auto_top_up.paused` event and a log line. It
// resumes when the wallet's balance is back at the threshold, or when the rule is set again.
import { inLedgerTransaction, type LedgerTransaction } from "../ledger/extension.ts";
import type { LedgerContext } from "../ledger/index.ts";
import { log } from "../observability/logger.ts";

/** Why a rule whose threshold was crossed cannot run: it is paused with this reason. */
export interface RuleCannotRun {
  walletId: string;
  reason: "payments_not_configured" | "payment_method_missing" | (string & {});
  message: string;
  topUpId?: string | null;
}

/**
 * Pauses the wallet's rule, if it is running, with an `auto_top_up.paused` event and a log line,
 * in its own transaction: a check that meanwhile paused it already told it once.
 */
export async function pauseAutoTopUpRule(ledger: LedgerContext, cannotRun: RuleCannotRun): Promise<boolean> {
  return inLedgerTransaction(ledger, (transaction) => pauseRuleIn(transaction, ledger.now(), cannotRun));
}

/** pauseAutoTopUpRule in the caller's ledger transaction (e.g. with the top-up that gave up). */
export async function pauseRuleIn({ tx, recordEvent }: LedgerTransaction, now: Date, cannotRun: RuleCannotRun): Promise<boolean> {
  const { walletId, reason, message } = cannotRun;
  const { count } = await tx.autoTopUpRule.updateMany({
    where: { walletId, pausedAt: null },
    data: { pausedAt: now, pausedReason: message },
  });
  if (count === 0) return false;
  const rule = await tx.autoTopUpRule.findUniqueOrThrow({ where: { walletId } });
  await recordEvent({
    walletId,
    type: "auto_top_up.paused",
    payload: {
      rule: { walletId, threshold: rule.threshold.toString(), pausedAt: now.toISOString() },
      reason,
      message,
      topUpId: cannotRun.topUpId ?? null,
    },
    createdAt: now,
  });
  log().warn(
    { walletId, reason },
    `auto top-up rule of wallet ${walletId} paused: ${message} (it resumes when the balance is back at its threshold, or when the rule is set again)`,
  );
  return true;
}
