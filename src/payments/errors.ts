import { LedgerError } from "../ledger/index.ts";

/** A card was declined, needs authentication, or Stripe refused the payment; no credits were added. */
export class PaymentFailedError extends LedgerError {
  readonly code = "PAYMENT_FAILED";
  constructor(
    message: string,
    /** Stripe's decline code, e.g. `insufficient_funds`, when Stripe gave one. */
    readonly declineCode: string | null,
    /** Stripe's error code, e.g. `card_declined` or `authentication_required`. */
    readonly stripeCode: string | null,
  ) {
    super(message);
  }
}

/** Top-ups and auto top-up rules need STRIPE_SECRET_KEY; without it the gateway takes no payments. */
export class PaymentsNotConfiguredError extends LedgerError {
  readonly code = "PAYMENTS_NOT_CONFIGURED";
  constructor(message = "payments are not configured on this gateway (STRIPE_SECRET_KEY is not set)") {
    super(message);
  }
}

/**
 * Stripe did not say how the payment ended (a timeout, an outage). Nothing is lost: the top-up
 * stays pending and completes or fails on its own, from Stripe's webhook or the gateway's next
 * sweep, charging at most once. Asking again with the same idempotency key tells the outcome.
 */
export class PaymentPendingError extends LedgerError {
  readonly code = "PAYMENT_PENDING";
  constructor(readonly topUpId: string) {
    super(
      "the payment's outcome is not known yet; the top-up completes or fails on its own, and asking again with the same idempotency key tells which",
    );
  }
}
