// A wallet's settings together with its auto top-up rule, and a wallet opened with credits and a
// rule: each one ledger command, so one transaction and one idempotency record whose hash covers
// the rule and the credits too. A key reused with another rule is a conflict, not a silent change.
import {
  appendDeposit,
  depositRequest,
  hashRequest,
  openWallet,
  updateWallet,
  type CreateWalletInput,
  type CreateWalletResult,
  type DepositInput,
  type UpdateWalletInput,
} from "../ledger/extension.ts";
import { authorize, validDeposit, type LedgerResult } from "../ledger/index.ts";
import { requirePaymentsForAutoTopUp, writeAutoTopUpRule, type AutoTopUpSettings } from "./auto-top-up.ts";
import type { PaymentsDeps } from "./payment-methods.ts";

export interface WalletSettingsInput extends UpdateWalletInput {
  /** The auto top-up rule to set (resuming a paused one); null removes it; undefined leaves it. */
  autoTopUp?: AutoTopUpSettings | null;
}

/**
 * Changes a wallet's settings and its auto top-up rule at once; balances are untouched.
 * Fails as updateWallet does, with ValidationError for a rule that does not fit the wallet, and
 * with PaymentsNotConfiguredError for a rule where the scope cannot take payments.
 */
export async function updateWalletSettings({ ledger, payments }: PaymentsDeps, input: WalletSettingsInput): Promise<LedgerResult> {
  const { autoTopUp, ...settings } = input;
  if (autoTopUp === undefined) return updateWallet(ledger, settings);
  if (autoTopUp !== null) requirePaymentsForAutoTopUp(payments, input.scope);
  return updateWallet(ledger, settings, {
    // Null would drop out of the hash, as if no rule had been given.
    request: { autoTopUp: autoTopUp ?? "remove" },
    apply: async (wallet) => {
      await writeAutoTopUpRule(wallet.tx, wallet.wallet, autoTopUp);
    },
  });
}

/** A deposit made as the wallet opens: no idempotency key of its own, the opening's covers it. */
export type OpeningDeposit = Omit<DepositInput, "scope" | "walletId" | "idempotencyKey">;

export interface FundedWalletInput extends CreateWalletInput {
  /** Deposited in order, each its own operation, in the opening's transaction. */
  deposits?: OpeningDeposit[];
  autoTopUp?: AutoTopUpSettings | null;
}

/**
 * Opens a wallet with its first credits and its auto top-up rule: all of it or nothing, and a
 * repeated key answers the wallet with the balances it opened with.
 * Fails as createWallet does, with ValidationError for a deposit or a rule that does not fit, and
 * with PaymentsNotConfiguredError for a rule where the scope cannot take payments.
 */
export async function openFundedWallet({ ledger, payments }: PaymentsDeps, input: FundedWalletInput): Promise<CreateWalletResult> {
  authorize(input.scope, "manage");
  const { deposits = [], autoTopUp = null, ...wallet } = input;
  if (autoTopUp) requirePaymentsForAutoTopUp(payments, input.scope);
  // Checked before anything is written, so that bad input creates no customer either.
  const valid = deposits.map((deposit) => ({ deposit, valid: validDeposit(deposit) }));
  if (valid.length === 0 && !autoTopUp) return openWallet(ledger, wallet);
  return openWallet(ledger, wallet, {
    request: { deposits: valid.map(({ deposit, valid }) => depositRequest(deposit, valid)), autoTopUp },
    apply: async (opened, creation) => {
      for (const { deposit, valid: checked } of valid) {
        const request = depositRequest(deposit, checked);
        // Part of the creation: what a replay of it answers counts these deposits and no later entry.
        const operation = opened.beginOperation({
          type: "deposit",
          requestHash: hashRequest("deposit", opened.wallet.id, request),
          reference: checked.reference,
          targetOperationId: creation.id,
        });
        await appendDeposit(opened, operation, checked);
      }
      if (autoTopUp) await writeAutoTopUpRule(opened.tx, opened.wallet, autoTopUp);
    },
  });
}
