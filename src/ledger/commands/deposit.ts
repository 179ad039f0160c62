import type { CreditBlockSource, Operation } from "../../db/generated/client.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { ValidationError } from "../errors.ts";
import {
  requireLater,
  validAppliesTo,
  validCategory,
  validCostBasis,
  validDate,
  validMetadata,
  validPriority,
  validText,
} from "../input.ts";
import { minBigInt, parseMinorUnits, requirePositive } from "../money.ts";
import { runWalletCommand } from "../transaction.ts";
import type { LedgerResult, Metadata, WalletLedger } from "../wallet-ledger.ts";
import { inForceAt } from "../consumption.ts";

const DAY_MS = 86_400_000;

export interface DepositInput {
  scope: Scope;
  walletId: string;
  amount: bigint;
  /** `paid`, `granted` (the default) or any label such as `promo_campaign_2026`. */
  category?: string | null;
  /** Feature keys whose usage may spend the credits; empty: any usage. Default the wallet's defaultAppliesTo. */
  appliesTo?: readonly string[] | null;
  /** Consumption priority: lower is spent first. Default 50. */
  priority?: number | null;
  /** What one minor unit of credit cost, as an exact decimal string. */
  costBasis?: string | null;
  /** Default now. Before it the credits do not count as available. */
  effectiveAt?: Date | null;
  /** Default the wallet's defaultExpiryDays after effectiveAt, or never. */
  expiresAt?: Date | null;
  description?: string | null;
  metadata?: Metadata | null;
  reference?: string | null;
  idempotencyKey?: string | null;
  /** `top_up` for credits paid through the payments module. */
  source?: Extract<CreditBlockSource, "deposit" | "top_up">;
}

/**
 * Checks a deposit's input without touching the database (ValidationError): adapters that must
 * create a customer first call it before, so that bad input creates nothing.
 */
export function validDeposit(input: Omit<DepositInput, "scope" | "walletId">) {
  const amount = requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const effectiveAtGiven = validDate(input.effectiveAt, "effectiveAt");
  const expiresAtGiven = validDate(input.expiresAt, "expiresAt");
  if (effectiveAtGiven) requireLater(expiresAtGiven, effectiveAtGiven, "expiresAt", "effectiveAt");
  return {
    amount,
    category: validCategory(input.category ?? "granted"),
    appliesTo: validAppliesTo(input.appliesTo),
    priority: validPriority(input.priority),
    costBasis: validCostBasis(input.costBasis),
    effectiveAtGiven,
    expiresAtGiven,
    description: validText(input.description, "description"),
    metadata: validMetadata(input.metadata),
    reference: validText(input.reference, "reference", 255),
    source: input.source ?? "deposit",
  };
}

/**
 * Adds a credit block. When the wallet is overdrawn and the credits are usable now, they repay
 * the overdraft first (an increment on the overdraft account) and the block opens with the rest.
 * Fails with NotFoundError, WalletTerminatedError, ValidationError (amount ≤ 0, expiry not after
 * the effective date or already past) and IdempotencyConflictError.
 */
export async function deposit(ctx: LedgerContext, input: DepositInput): Promise<LedgerResult> {
  const valid = validDeposit(input);
  return runWalletCommand(
    ctx,
    { ...input, reference: valid.reference, type: "deposit", request: depositRequest(input, valid) },
    (walletLedger, operation) => appendDeposit(walletLedger, operation, valid),
  );
}

/** What a deposit's idempotency key stands for. */
export function depositRequest(input: Pick<DepositInput, "costBasis">, valid: ValidDeposit) {
  const { amount, category, appliesTo, priority, effectiveAtGiven, expiresAtGiven, description, metadata, reference, source } = valid;
  return {
    amount,
    category,
    // Only when given, so that keys of deposits made before feature keys stay replayable.
    ...(appliesTo === null ? {} : { appliesTo }),
    priority,
    costBasis: input.costBasis,
    effectiveAt: effectiveAtGiven,
    expiresAt: expiresAtGiven,
    description,
    metadata,
    reference,
    source,
  };
}

export type ValidDeposit = ReturnType<typeof validDeposit>;

/**
 * Writes a checked deposit as `operation` on a locked wallet: for deposit, and for flows that
 * deposit as part of a larger command (a wallet opened with credits).
 */
export async function appendDeposit(walletLedger: WalletLedger, operation: Operation, valid: ValidDeposit): Promise<void> {
  const { amount, category, priority, costBasis, effectiveAtGiven, expiresAtGiven, description, metadata, source } = valid;
  const appliesTo = valid.appliesTo ?? walletLedger.wallet.defaultAppliesTo;
  const { wallet, now } = walletLedger;
  const effectiveAt = effectiveAtGiven ?? now;
  const expiresAt =
    expiresAtGiven ?? (wallet.defaultExpiryDays ? new Date(effectiveAt.getTime() + wallet.defaultExpiryDays * DAY_MS) : null);
  requireLater(expiresAt, effectiveAt, "expiresAt", "effectiveAt");
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw new ValidationError("expiresAt is already past", [{ path: ["expiresAt"], message: "is already past" }]);
  }
  const usableNow = inForceAt({ effectiveAt, expiresAt }, now);
  const repayment = usableNow ? minBigInt(amount, wallet.overdraftUsed) : 0n;
  if (repayment > 0n) {
    walletLedger.append(operation, {
      block: null,
      type: "increment",
      amount: repayment,
      description: "overdraft repaid from deposit",
      metadata,
    });
  }
  walletLedger.openBlock(
    operation,
    { category, appliesTo, priority, costBasis, effectiveAt, expiresAt, source, description, metadata },
    { type: "increment", amount: amount - repayment, description, metadata },
  );
}
