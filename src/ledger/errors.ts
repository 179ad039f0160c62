// Every failure a ledger command can report on purpose. Each has a stable `code` that the
// GraphQL and REST adapters map once (to a typed result or a vendor's status and error shape);
// anything that is not a LedgerError is unexpected and is masked by the adapters.

export interface ValidationIssue {
  /** Path of the offending input field, e.g. ["expiresAt"]. */
  path: string[];
  message: string;
}

export abstract class LedgerError extends Error {
  abstract readonly code: string;
}

export class ValidationError extends LedgerError {
  readonly code = "VALIDATION_FAILED";
  constructor(
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends LedgerError {
  readonly code = "NOT_FOUND";
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} was not found`);
  }
}

/** The caller's role does not allow the operation (e.g. a read-only token, or a customer's token granting credits). */
export class ForbiddenError extends LedgerError {
  readonly code = "FORBIDDEN";
  constructor(
    readonly role: string,
    readonly permission: Permission,
  ) {
    // "an admin token", "a write token": the article goes by the role's first sound.
    super(`${/^[aeiou]/.test(role) ? "an" : "a"} ${role} token may not ${PERMISSION_VERBS[permission]}`);
  }
}

/** What a token may be allowed to do; access.ts says which role is allowed what. */
export type Permission = "read" | "spend" | "pay" | "manage" | "tokens" | "webhooks";

/** What each permission lets a token do, as the predicate of "a read token may not …"; one per permission. */
export const PERMISSION_VERBS: Readonly<Record<Permission, string>> = {
  read: "read wallets, balances or events",
  spend: "spend credits",
  pay: "pay for top-ups",
  manage: "grant, correct or configure credits and wallets",
  tokens: "manage API tokens",
  webhooks: "manage webhook endpoints or resend events",
};

export class InsufficientCreditsError extends LedgerError {
  readonly code = "INSUFFICIENT_CREDITS";
  constructor(
    readonly requested: bigint,
    readonly available: bigint,
    /** The feature the credits were for: `available` counts only the blocks that apply to it. */
    readonly feature: string | null = null,
  ) {
    super(
      feature === null
        ? `insufficient credits: ${requested} requested, ${available} available`
        : `insufficient credits for feature "${feature}": ${requested} requested, ${available} available for it`,
    );
  }
}

export class WalletTerminatedError extends LedgerError {
  readonly code = "WALLET_TERMINATED";
  constructor(readonly walletId: string) {
    super(`wallet ${walletId} is terminated and accepts no further movements`);
  }
}

export class IdempotencyConflictError extends LedgerError {
  readonly code = "IDEMPOTENCY_CONFLICT";
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key ${idempotencyKey} was already used for a different request`);
  }
}

/** Capturing or releasing a hold that is already captured, released or expired. */
export class HoldNotOpenError extends LedgerError {
  readonly code = "HOLD_NOT_OPEN";
  constructor(
    readonly holdId: string,
    readonly status: string,
  ) {
    super(`hold ${holdId} is ${status}; only an open hold can be captured or released`);
  }
}

export class CaptureExceedsHoldError extends LedgerError {
  readonly code = "CAPTURE_EXCEEDS_HOLD";
  constructor(
    readonly holdId: string,
    readonly requested: bigint,
    readonly held: bigint,
  ) {
    super(`cannot capture ${requested} from hold ${holdId}: only ${held} is held`);
  }
}

export class RefundExceedsDebitError extends LedgerError {
  readonly code = "REFUND_EXCEEDS_DEBIT";
  constructor(
    readonly operationId: string,
    readonly requested: bigint,
    readonly refundable: bigint,
  ) {
    super(`cannot refund ${requested} of operation ${operationId}: ${refundable} is refundable`);
  }
}

/** Amending, voiding or moving a block that is voided, expired or lacks the credits asked for. */
export class BlockNotUsableError extends LedgerError {
  readonly code = "BLOCK_NOT_USABLE";
  constructor(
    readonly blockId: string,
    reason: string,
  ) {
    super(`credit block ${blockId} ${reason}`);
  }
}

/**
 * Opening a second active wallet for a customer in the same currency (or custom unit) under the
 * same name; a wallet without a name counts as one name. Name the new wallet distinctly, or use
 * the existing one.
 */
export class WalletExistsError extends LedgerError {
  readonly code = "WALLET_EXISTS";
  constructor(
    readonly walletId: string,
    readonly currency: string,
    readonly walletName: string | null,
  ) {
    super(
      `the customer already has an active ${currency} wallet ${walletName ? `named "${walletName}"` : "without a name"} (${walletId}); ` +
        "give the new wallet another name, or use that one",
    );
  }
}

/**
 * A per-caller bound is reached (e.g. BALANCE_ALERTS_PER_WALLET): nothing was added. Remove one
 * of the things counted to add another.
 */
export class LimitExceededError extends LedgerError {
  readonly code = "LIMIT_EXCEEDED";
  constructor(
    /** What is counted, e.g. "balance alerts per wallet". */
    readonly resource: string,
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}
